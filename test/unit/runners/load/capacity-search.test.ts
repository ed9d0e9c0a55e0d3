import { describe, expect, it } from 'vitest';
import { nextStep } from '../../../../runners/capacity/search.js';

/** Runs the search against a fake target that holds up to `limit` connections. */
function search(limit: number, start: number, max: number): { answer: number | null; steps: number[] } {
  const opts = { start, maxConnections: max, resolution: 0.05 };
  let lastOk: number | null = null;
  let firstBad: number | null = null;
  const steps: number[] = [];
  for (let n = nextStep(lastOk, firstBad, opts); n !== null; n = nextStep(lastOk, firstBad, opts)) {
    steps.push(n);
    if (steps.length > 60) throw new Error('search does not end');
    if (n <= limit) lastOk = n;
    else firstBad = n;
  }
  return { answer: lastOk, steps };
}

describe('capacity search', () => {
  it('doubles, then bisects to within the resolution of the true limit', () => {
    for (const limit of [150, 999, 1000, 7777, 31_000]) {
      const { answer, steps } = search(limit, 100, 50_000);
      expect(answer).not.toBeNull();
      expect(answer!).toBeLessThanOrEqual(limit);
      expect(answer!).toBeGreaterThanOrEqual(Math.floor(limit * 0.95) - 1);
      if (limit >= 400) expect(steps.slice(0, 3)).toEqual([100, 200, 400]);
    }
  });

  it('stops at --max-connections when the target holds everything', () => {
    const { answer, steps } = search(1e9, 100, 1000);
    expect(answer).toBe(1000);
    expect(steps.at(-1)).toBe(1000);
  });

  it('reports null when not even the first step holds', () => {
    const { answer } = search(10, 100, 1000);
    expect(answer).toBeLessThanOrEqual(10);
  });
});
