import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHistogram, newHistogram, summarizeHistogram as summarize } from '../../../../reports/histogram.js';
import { addEncoded, recordMs } from '../../../../runners/load/histograms.js';
import { readStamp, STAMP_BYTES, writeStamp } from '../../../../peers/load/message-stamp.js';

describe('histograms', () => {
  it('adding encoded shards gives exactly the histogram of all values', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0.001, max: 60_000, noNaN: true }), { maxLength: 200 }), { minLength: 1, maxLength: 5 }), (shards) => {
        const all = newHistogram();
        const sum = newHistogram();
        for (const values of shards) {
          const part = newHistogram();
          for (const v of values) {
            recordMs(part, v);
            recordMs(all, v);
          }
          addEncoded(sum, encodeHistogram(part));
        }
        const a = summarize(all);
        const b = summarize(sum);
        expect({ ...b, encoded: '' }).toEqual({ ...a, encoded: '' });
      }),
      { numRuns: 50 },
    );
  });

  it('summarises in milliseconds', () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 10);
    const s = summarize(h);
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.max).toBeCloseTo(100, 0);
  });
});

describe('message stamp', () => {
  it('round-trips sequence number and time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 2 ** 47 }), (seq, t) => {
        const buf = new Uint8Array(STAMP_BYTES + 3);
        writeStamp(buf, seq, t);
        const out = new Float64Array(2);
        expect(readStamp(buf, out)).toBe(true);
        expect([out[0], out[1]]).toEqual([seq, t]);
      }),
    );
  });

  it('refuses payloads that carry no stamp', () => {
    expect(readStamp(new TextEncoder().encode('pong'), new Float64Array(2))).toBe(false);
    expect(readStamp(new TextEncoder().encode('zzzzzzzzzzzzzzzzzzzzzz'), new Float64Array(2))).toBe(false);
  });
});
