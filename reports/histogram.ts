// HDR histogram summaries. Runners and `report merge` must derive HistogramSummary the same way, so that a merge of
// shards gives exactly what one run holding every value would have reported: this is that one way.
import hdr from 'hdr-histogram-js';
import type { HistogramSummary } from './schema.js';

type Histogram = ReturnType<typeof hdr.build>;

/** Encoded histograms hold microseconds; summaries are in milliseconds. */
const US_PER_MS = 1000;

/**
 * Summarises a histogram of microsecond values. Every figure is read from the encoded form (bucket resolution: max
 * is the value at the 100th percentile, not the last raw value recorded), so a summary is the same whether it is
 * computed by a runner, after a round trip through results.json, or after adding shards together.
 */
export function summarizeHistogram(raw: Histogram): HistogramSummary {
  const encoded = hdr.encodeIntoCompressedBase64(raw);
  const histogram = hdr.decodeFromCompressedBase64(encoded, 64, false);
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
  const parts = encoded.filter((e) => e !== '').map((e) => hdr.decodeFromCompressedBase64(e, 64, false));
  const digits = (parts.length === 0 ? 3 : Math.max(...parts.map((p) => p.numberOfSignificantValueDigits))) as 1 | 2 | 3 | 4 | 5;
  // A decoded histogram cannot grow, so the sum goes into a fresh auto-resizing one.
  const sum = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: digits, useWebAssembly: false });
  for (const part of parts) sum.add(part);
  return summarizeHistogram(sum);
}
