import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseDurationMs } from '../../../../../runners/load/scenario/duration.js';

describe('parseDurationMs', () => {
  it('reads numbers as milliseconds and strings with a unit', () => {
    expect([0, 250, 1.5].map(parseDurationMs)).toEqual([0, 250, 1.5]);
    expect(['250ms', '1.5s', '2m', '1h', '0s', '.5s'].map(parseDurationMs)).toEqual([250, 1500, 120_000, 3_600_000, 0, 500]);
  });

  it('refuses everything else', () => {
    for (const bad of ['fast', '5', '5 s', '-1s', '1.s', '1e3ms', '1S', '', 's', -1, Number.NaN, Number.POSITIVE_INFINITY, null, {}, true]) {
      expect(parseDurationMs(bad)).toBeUndefined();
    }
  });

  it('agrees with the pattern the schema holds, and scales by the unit', () => {
    const re = new RegExp(DURATION_PATTERN);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789.msh x-') }), (s) => {
        expect(parseDurationMs(s) !== undefined).toBe(re.test(s));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.constantFrom(['ms', 1], ['s', 1000], ['m', 60_000], ['h', 3_600_000]), (n, [unit, scale]) => {
        expect(parseDurationMs(`${n}${unit as string}`)).toBe(n * (scale as number));
      }),
    );
  });
});
