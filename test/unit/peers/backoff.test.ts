import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededEntropy, type Entropy } from '../../../protocol/entropy.js';
import { backoffBound, backoffDelay, randomFraction } from '../../../peers/client/backoff.js';

const fixed = (byte: number): Entropy => ({ fill: (t) => t.fill(byte) });

describe('backoff with full jitter', () => {
  it('bounds grow as base * 2^(attempt-1) up to the cap', () => {
    const o = { baseMs: 100, capMs: 1000 };
    expect([1, 2, 3, 4, 5, 6, 30].map((a) => backoffBound(a, o))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('maps the extremes of the randomness to 0 and to the bound', () => {
    const o = { baseMs: 100, capMs: 1000 };
    expect(backoffDelay(3, o, fixed(0))).toBe(0);
    expect(backoffDelay(3, o, fixed(0xff))).toBe(400);
    expect(backoffDelay(9, o, fixed(0xff))).toBe(1000);
    expect(backoffDelay(1, o, { fill: (t) => t.set([0x80, 0, 0, 0]) })).toBe(50);
  });

  it('randomFraction reads 32 big-endian bits as a fraction in [0, 1)', () => {
    expect(randomFraction({ fill: (t) => t.set([0x40, 0, 0, 0]) })).toBe(0.25);
    expect(randomFraction(fixed(0xff))).toBeLessThan(1);
  });

  it('property: every delay is a whole number in [0, min(cap, base * 2^(attempt-1))]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer(), (attempt, base, cap, seed) => {
        const d = backoffDelay(attempt, { baseMs: base, capMs: cap }, seededEntropy(seed));
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.min(cap, base * 2 ** (attempt - 1)));
      }),
    );
  });

  it('is replayable: the same seed gives the same delays', () => {
    const run = (): number[] => {
      const e = seededEntropy(7);
      return [1, 2, 3, 4, 5].map((a) => backoffDelay(a, { baseMs: 10, capMs: 100 }, e));
    };
    expect(run()).toEqual(run());
  });
});
