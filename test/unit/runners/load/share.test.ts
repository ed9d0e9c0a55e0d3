import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countBelow, indexAt, parseShard, subShare, WHOLE } from '../../../../runners/load/share.js';

describe('share', () => {
  it('shards then workers partition 0..N-1: disjoint, complete, sizes differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), (n, shards, workers) => {
        const seen = new Uint8Array(n);
        const shardSizes: number[] = [];
        for (let s = 0; s < shards; s++) {
          const shard = subShare(WHOLE, s, shards);
          shardSizes.push(countBelow(shard, n));
          let inShard = 0;
          for (let w = 0; w < workers; w++) {
            const share = subShare(shard, w, workers);
            const count = countBelow(share, n);
            inShard += count;
            for (let k = 0; k < count; k++) {
              const g = indexAt(share, k);
              expect(g).toBeLessThan(n);
              expect(seen[g]).toBe(0);
              seen[g] = 1;
            }
          }
          expect(inShard).toBe(shardSizes[s]);
        }
        expect(shardSizes.reduce((a, b) => a + b, 0)).toBe(n);
        expect(Math.max(...shardSizes) - Math.min(...shardSizes)).toBeLessThanOrEqual(1);
        expect(seen.every((v) => v === 1)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('parses 1-based I/N and rejects the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '']) expect(() => parseShard(bad)).toThrow(/I\/N/);
  });
});
