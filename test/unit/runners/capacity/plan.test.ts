// The capacity search's decisions (issue 14), with a fake target: steps grow on held connections, bisection below a
// breach starts fresh, the knee is confirmed by repeats, the answer is the largest count that held every run, and
// a non-monotonic curve, a runner-limited step or an unconfirmed knee is flagged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answer, flagsOf, kneeOf, planNext } from '../../../../runners/capacity/plan.js';
import type { CapacityStep } from '../../../../reports/schema.js';

type Outcome = NonNullable<CapacityStep['outcome']>;

function step(connections: number, outcome: Outcome, start: 'grown' | 'fresh', repeat: number, p99 = 1): CapacityStep {
  return {
    connections,
    ok: outcome === 'held',
    breached: outcome === 'held' ? [] : ['pingRtt.p99<10'],
    thresholds: [{ expr: 'ping_rtt.p99<10ms', metric: 'pingRtt.p99', value: p99, ok: outcome === 'held' }],
    durationMs: 1,
    outcome,
    start,
    repeat,
    ...(outcome === 'runner-limited' ? { bottleneck: { limit: 'runner' as const, reason: 'the runner was the limit: a runner process at 99% CPU', runnerCpuPercent: 99, eventLoopLagMs: 0 } } : {}),
  };
}

/** Runs the planner against `judge` (connections, repeat -> outcome) to its end. */
function simulate(judge: (n: number, repeat: number) => Outcome, opts = { start: 100, maxConnections: 50_000, resolution: 0.05, confirm: 2 }): CapacityStep[] {
  const steps: CapacityStep[] = [];
  for (let p = planNext(steps, opts); p !== null; p = planNext(steps, opts)) {
    if (steps.length > 80) throw new Error('the search does not end');
    steps.push(step(p.connections, judge(p.connections, p.repeat), p.start, p.repeat));
  }
  return steps;
}

describe('capacity plan', () => {
  it('grows on held connections while doubling, starts fresh below a breach, then confirms both sides', () => {
    const steps = simulate((n) => (n <= 725 ? 'held' : 'breached'));
    expect(steps.slice(0, 5).map((s) => [s.connections, s.start])).toEqual([
      [100, 'fresh'],
      [200, 'grown'],
      [400, 'grown'],
      [800, 'grown'],
      [600, 'fresh'],
    ]);
    const repeats = steps.filter((s) => s.repeat! > 0);
    expect(repeats.every((s) => s.start === 'fresh')).toBe(true);
    expect(answer(steps)).toBe(steps.find((s) => s.repeat === 1 && s.ok)!.connections);
    expect(kneeOf(steps, 2, 'pingRtt.p99')).toMatchObject({ confirmed: true });
    expect(flagsOf(steps, 2)).toEqual([]);
  });

  it('for any limit the answer is within the resolution below it, and both sides are repeated --confirm times', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40_000 }), fc.integer({ min: 0, max: 3 }), (limit, confirm) => {
        const opts = { start: 100, maxConnections: 50_000, resolution: 0.05, confirm };
        const steps = simulate((n) => (n <= limit ? 'held' : 'breached'), opts);
        const a = answer(steps);
        if (limit < 100) {
          expect(a === null || a <= limit).toBe(true);
          return;
        }
        expect(a!).toBeLessThanOrEqual(limit);
        expect(a!).toBeGreaterThanOrEqual(Math.floor(limit * 0.95) - 1);
        const knee = kneeOf(steps, confirm, undefined);
        expect(steps.filter((s) => s.connections === knee.lastHeld).length).toBe(1 + confirm);
        if (knee.firstBreached !== null) expect(steps.filter((s) => s.connections === knee.firstBreached).length).toBe(1 + confirm);
      }),
      { numRuns: 200 },
    );
  });

  it('a knee a repeat does not confirm lowers the answer and is flagged, never hidden', () => {
    // 725 holds in the search but breaches on its second run: noisy around the knee.
    const steps = simulate((n, repeat) => (n < 700 || (n <= 725 && repeat === 0) ? 'held' : 'breached'));
    const knee = kneeOf(steps, 2, 'pingRtt.p99');
    expect(knee.confirmed).toBe(false);
    expect(answer(steps)!).toBeLessThan(knee.lastHeld!);
    expect(flagsOf(steps, 2)).toEqual([expect.stringMatching(/^unconfirmed knee: 725 connections held 1 of 3 runs/)]);
  });

  it('a smaller count breaching after a larger one held is flagged as non-monotonic', () => {
    // The repeats see the opposite of the search: the curve is not monotonic, and the flags say so.
    const steps = simulate((n, repeat) => ((n <= 725) === (repeat === 0) ? 'held' : 'breached'));
    const flags = flagsOf(steps, 2);
    expect(flags.some((f) => /^non-monotonic: \d+ connections breached the SLO \(repeat \d\) after \d+ held/.test(f))).toBe(true);
    expect(flags.filter((f) => f.startsWith('unconfirmed knee'))).toHaveLength(2);
    expect(kneeOf(steps, 2, undefined).confirmed).toBe(false);
  });

  it('stops growing at a runner-limited step and says so; it is not a breach of the target', () => {
    const steps = simulate((n) => (n <= 3000 ? 'held' : 'runner-limited'));
    expect(steps.filter((s) => s.repeat === 0).map((s) => s.connections)).toEqual([100, 200, 400, 800, 1600, 3200]);
    // Only the held side is confirmed: a runner-limited count says nothing of the target.
    expect(steps.filter((s) => s.repeat! > 0).every((s) => s.connections === 1600)).toBe(true);
    expect(answer(steps)).toBe(1600);
    expect(flagsOf(steps, 2)).toEqual([expect.stringMatching(/^runner-limited at 3200 connections .*99% CPU.*--workers/)]);
  });
});
