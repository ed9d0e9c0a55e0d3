// HDR histograms of microseconds, and their summaries. Runners and `report merge` must derive HistogramSummary the
// same way, so that a merge of shards gives exactly what one run holding every value would have reported: this is
// that one way (runners/load records into these histograms and summarises them here).
import hdr from 'hdr-histogram-js';
import type { HistogramSummary } from './schema.js';

export type Histogram = ReturnType<typeof hdr.build>;
type SignificantDigits = 1 | 2 | 3 | 4 | 5;

/** Encoded histograms hold microseconds; summaries are in milliseconds. */
const US_PER_MS = 1000;

/** An empty histogram that grows as needed (3 significant digits unless told). */
export function newHistogram(digits: SignificantDigits = 3): Histogram {
  return hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: digits, useWebAssembly: false });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** A decoded histogram cannot grow: add it into a newHistogram() to sum several. */
export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

/**
 * Summarises a histogram of microsecond values. Every figure is read from the encoded form (bucket resolution: max
 * is the value at the 100th percentile, not the last raw value recorded), so a summary is the same whether it is
 * computed by a runner, after a round trip through results.json, or after adding shards together.
 */
export function summarizeHistogram(raw: Histogram): HistogramSummary {
  const encoded = encodeHistogram(raw);
  const histogram = decodeHistogram(encoded);
  const count = histogram.totalCount;
  const at = (p: number): number => (count === 0 ? 0 : histogram.getValueAtPercentile(p) / US_PER_MS);
  return {
    unit: 'ms',
    count,
    min: count === 0 ? 0 : histogram.minNonZeroValue / US_PER_MS,
    mean: count === 0 ? 0 : histogram.mean / US_PER_MS,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: at(100),
    encoded,
  };
}

/** Adds encoded histograms into one (exact: counts per bucket add) and summarises it. */
export function addEncodedHistograms(encoded: readonly string[]): HistogramSummary {
  const parts = encoded.filter((e) => e !== '').map(decodeHistogram);
  const digits = (parts.length === 0 ? 3 : Math.max(...parts.map((p) => p.numberOfSignificantValueDigits))) as SignificantDigits;
  const sum = newHistogram(digits);
  for (const part of parts) sum.add(part);
  return summarizeHistogram(sum);
}
