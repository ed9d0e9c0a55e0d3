import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeriodicSchedule } from '../../../../runners/load/periodic-schedule.js';
import { stagesOf } from '../../../../runners/load/profile.js';
import { backoffDelay, phaseOf, prefixPhaseOf, targetAt } from '../../../../runners/load/schedule.js';
import { parseDurationS, parseStages } from '../../../../runners/load/stages.js';

describe('targetAt', () => {
  it('ramps at the given rate, then holds', () => {
    const stages = stagesOf({ connections: 1000, rampPerSecond: 500, durationS: 5 });
    expect(targetAt(stages, 0)).toBe(0);
    expect(targetAt(stages, 1000)).toBe(500);
    expect(targetAt(stages, 1999)).toBe(999);
    expect(targetAt(stages, 2000)).toBe(1000);
    expect(targetAt(stages, 6999)).toBe(1000);
  });

  it('jumps at once with ramp 0', () => {
    expect(targetAt(stagesOf({ connections: 50, rampPerSecond: 0, durationS: 1 }), 0)).toBe(50);
  });

  it('follows k6 stages up and down', () => {
    const stages = parseStages('10s:100,5s:100,10s:0');
    expect(targetAt(stages, 5000)).toBe(50);
    expect(targetAt(stages, 12000)).toBe(100);
    expect(targetAt(stages, 20000)).toBe(50);
    expect(targetAt(stages, 25000)).toBe(0);
  });

  it('never exceeds the largest target and is monotonic during a rising stage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 10_000 }), (n, rate) => {
        const stages = stagesOf({ connections: n, rampPerSecond: rate, durationS: 1 });
        let prev = 0;
        for (let t = 0; t <= (n / rate) * 1000 + 10; t += Math.max(1, (n / rate) * 50)) {
          const v = targetAt(stages, t);
          expect(v).toBeGreaterThanOrEqual(prev);
          expect(v).toBeLessThanOrEqual(n);
          prev = v;
        }
      }),
    );
  });
});

describe('stages and durations', () => {
  it('parses durations and stages, and names the grammar when wrong', () => {
    expect(parseDurationS('500ms')).toBe(0.5);
    expect(parseDurationS('2m')).toBe(120);
    expect(parseDurationS('7')).toBe(7);
    expect(parseStages('30s:1000, 1m:1000,10s:0')).toEqual([
      { durationS: 30, target: 1000 },
      { durationS: 60, target: 1000 },
      { durationS: 10, target: 0 },
    ]);
    expect(() => parseStages('30s')).toThrow(/DURATION:TARGET/);
    expect(() => parseStages('x:10')).toThrow(/DURATION:TARGET/);
  });
});

describe('backoff', () => {
  it('stays within [0, min(cap, base * 2^attempt))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, 100, 10_000, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(10_000, 100 * 2 ** attempt));
      }),
    );
  });
});

describe('PeriodicSchedule', () => {
  it('fires every member once per period at its exact phase, spread evenly', () => {
    const n = 10;
    const phases = Float64Array.from({ length: n }, (_, k) => phaseOf(k, n, 1000));
    const s = new PeriodicSchedule(1000, phases, 0);
    const fired: [number, number][] = [];
    for (let now = 0; now < 3000; now += 7) s.advance(now, (m, at) => fired.push([m, at]));
    expect(fired.length).toBe(n * 3 - 0 - (fired.some(([, at]) => at >= 3000) ? 1 : 0));
    for (const [m, at] of fired) expect(at % 1000).toBeCloseTo(m * 100, 6);
    const intended = fired.map(([, at]) => at);
    expect(intended).toEqual([...intended].sort((a, b) => a - b));
    expect(s.nextDueMs()).toBeGreaterThanOrEqual(2996);
  });

  it('after a stall fires each member once, not once per missed period', () => {
    const s = new PeriodicSchedule(100, Float64Array.from([0, 50]), 0);
    const fired: number[] = [];
    s.advance(10_000, (m) => fired.push(m));
    expect(fired.length).toBeLessThanOrEqual(4);
    expect(fired.length).toBeGreaterThanOrEqual(2);
  });

  it('members with phases in any order fire once per period each, at their phase, in time order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 999.999, noNaN: true }), { minLength: 1, maxLength: 60 }), (raw) => {
        const phases = Float64Array.from(raw);
        const s = new PeriodicSchedule(1000, phases, 0);
        const fired: [number, number][] = [];
        s.advance(999.999, (m, at) => fired.push([m, at]));
        expect(fired.map(([m]) => m).sort((a, b) => a - b)).toEqual(raw.map((_, k) => k));
        for (const [m, at] of fired) expect(at).toBe(phases[m]);
        const times = fired.map(([, at]) => at);
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }),
    );
  });
});

describe('prefixPhaseOf', () => {
  it('spreads every prefix of the pool evenly: no gap over 3/N of the period, for any N', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5000 }), (n) => {
        const sorted = Array.from({ length: n }, (_, k) => prefixPhaseOf(k, 1000)).sort((a, b) => a - b);
        let gap = 1000 - sorted[n - 1]! + sorted[0]!;
        for (let k = 1; k < n; k++) gap = Math.max(gap, sorted[k]! - sorted[k - 1]!);
        expect(gap).toBeLessThanOrEqual((3 / n) * 1000);
      }),
      { numRuns: 100 },
    );
  });
});
