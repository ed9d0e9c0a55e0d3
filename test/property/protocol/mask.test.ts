import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMask, applyMaskTo } from '../../../protocol/mask.js';

const key = fc.uint8Array({ minLength: 4, maxLength: 4 });
/** Data at any alignment within its buffer. */
const data = fc.tuple(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 7 })).map(([bytes, lead]) => {
  const backing = new Uint8Array(lead + bytes.length);
  backing.set(bytes, lead);
  return backing.subarray(lead);
});

describe('masking properties', () => {
  it('masking twice with the same key and offset is the identity', () => {
    fc.assert(
      fc.property(data, key, fc.nat({ max: 1000 }), (d, k, offset) => {
        const original = Array.from(d);
        applyMask(d, k, offset);
        applyMask(d, k, offset);
        expect(Array.from(d)).toEqual(original);
      }),
      { numRuns: 500 },
    );
  });

  it('matches the RFC 6455 §5.3 definition byte by byte, in place or into a target, whole or in pieces', () => {
    fc.assert(
      fc.property(data, key, fc.nat({ max: 3 }), fc.array(fc.nat(), { maxLength: 5 }), (d, k, offset, cuts) => {
        const want = Array.from(d, (b, i) => b ^ k[(offset + i) % 4]!);
        const target = new Uint8Array(d.length);
        applyMaskTo(d, target, k, offset);
        expect(Array.from(target)).toEqual(want);
        const points = [...new Set(cuts.map((c) => c % (d.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const p of [...points, d.length]) {
          applyMask(d.subarray(from, p), k, offset + from);
          from = p;
        }
        expect(Array.from(d)).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });
});
