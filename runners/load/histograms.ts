// HDR histograms of microseconds. A summary is read from the encoded form (max = the value at the 100th percentile,
// at bucket resolution), exactly as `report merge` derives it, so shards added together report what one run
// holding every value would have reported.
import hdr from 'hdr-histogram-js';
import type { HistogramSummary } from '../../reports/schema.js';

export type Histogram = ReturnType<typeof hdr.build>;

export const HISTOGRAM_NAMES = ['connect', 'pingRtt', 'messageRtt', 'heartbeatJitter', 'recover'] as const;
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];

export function newHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/** Records milliseconds as whole microseconds (at least 1, the smallest value HDR tells apart). */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

/** Adds an encoded histogram into `into` (exact: bucket counts add). */
export function addEncoded(into: Histogram, encoded: string): void {
  if (encoded === '') return;
  into.add(decodeHistogram(encoded));
}

export function percentileMs(h: Histogram, p: number): number {
  return h.totalCount === 0 ? 0 : h.getValueAtPercentile(p) / 1000;
}

export function summarize(h: Histogram): HistogramSummary {
  const encoded = encodeHistogram(h);
  const d = decodeHistogram(encoded);
  const count = d.totalCount;
  const at = (p: number): number => (count === 0 ? 0 : d.getValueAtPercentile(p) / 1000);
  return {
    unit: 'ms',
    count,
    min: count === 0 ? 0 : d.minNonZeroValue / 1000,
    mean: count === 0 ? 0 : d.mean / 1000,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: at(100),
    encoded,
  };
}
