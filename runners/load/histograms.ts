// The load runner's HDR histograms (microseconds; reports/histogram.ts holds the histogram itself and the one way
// a summary is read from it, shared with `report merge`). Workers send only what they recorded since their last
// report, encoded, and the engine adds those up exactly.
import { decodeHistogram, encodeHistogram, newHistogram, type Histogram } from '../../reports/histogram.js';

export const HISTOGRAM_NAMES = ['connect', 'pingRtt', 'messageRtt', 'heartbeatJitter', 'recover'] as const;
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];
export type HistogramSet = Record<HistogramName, Histogram>;

/** One empty histogram per name. */
export function newHistogramSet(): HistogramSet {
  return Object.fromEntries(HISTOGRAM_NAMES.map((n) => [n, newHistogram()])) as HistogramSet;
}

/** Encodes each histogram of the set ('' for an empty one) and empties it. */
export function takeEncoded(set: HistogramSet): Record<HistogramName, string> {
  const out = {} as Record<HistogramName, string>;
  for (const name of HISTOGRAM_NAMES) {
    const h = set[name];
    out[name] = h.totalCount === 0 ? '' : encodeHistogram(h);
    h.reset();
  }
  return out;
}

/** Records milliseconds as whole microseconds (at least 1, the smallest value HDR tells apart). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

/** Adds an encoded histogram into `into` (exact: bucket counts add). */
export function addEncoded(into: Histogram, encoded: string): void {
  if (encoded === '') return;
  into.add(decodeHistogram(encoded));
}

export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000;
}
