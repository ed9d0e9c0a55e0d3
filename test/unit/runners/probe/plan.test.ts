// The idle search's arithmetic over every path: whatever the timeout (or none), whichever way the path ends idle
// connections (visibly at the timeout, or silently, seen only at the next probe), the bisection ends in a few
// rounds with the timeout inside its resolution; plus the recommendation and the --heartbeats grammar.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistent,
  EMPTY_BRACKET,
  estimateTimeout,
  isDone,
  MAX_ROUNDS,
  narrow,
  nextSilences,
  parseIntervals,
  recommend,
  roundNicely,
  type Bracket,
  type RoundOutcome,
} from '../../../../runners/probe/plan.js';

interface Path {
  /** Seconds of silence the path allows; null: none. */
  timeoutS: number | null;
  /** 'visible': it ends the connection at the timeout (FIN, RST, close frame); 'silent': it drops it unseen. */
  ends: 'visible' | 'silent';
}

/** The search as the runner drives it, against a path that behaves exactly. */
function search(path: Path, maxS: number, resolutionS: number, n: number): { bracket: Bracket; rounds: number; observed: number[] } {
  let bracket = EMPTY_BRACKET;
  const observed: number[] = [];
  let rounds = 0;
  for (; rounds < MAX_ROUNDS; rounds++) {
    const silences = nextSilences(bracket, maxS, resolutionS, n);
    if (silences.length === 0) break;
    const outcomes = silences.map((s): RoundOutcome => {
      if (path.timeoutS === null || s < path.timeoutS) return { survivedS: s };
      if (path.ends === 'silent') return { killedAtS: s };
      observed.push(path.timeoutS);
      return { killedAtS: path.timeoutS };
    });
    bracket = narrow(bracket, outcomes);
  }
  return { bracket, rounds, observed };
}

const setup = fc.record({
  maxS: fc.double({ min: 1, max: 3600, noNaN: true }),
  resolutionFraction: fc.double({ min: 0.0005, max: 0.5, noNaN: true }),
  n: fc.integer({ min: 2, max: 16 }),
  ends: fc.constantFrom<'visible' | 'silent'>('visible', 'silent'),
});

describe('the idle search (plan.ts)', () => {
  it('brackets every timeout up to --max within the resolution, in a bounded number of rounds (property)', () => {
    fc.assert(
      fc.property(setup, fc.double({ min: 0.001, max: 1, noNaN: true }), ({ maxS, resolutionFraction, n, ends }, where) => {
        const resolutionS = maxS * resolutionFraction;
        const timeoutS = maxS * where;
        const { bracket, rounds, observed } = search({ timeoutS, ends }, maxS, resolutionS, n);
        expect(isDone(bracket, maxS, resolutionS)).toBe(true);
        expect(consistent(bracket)).toBe(true);
        expect(bracket.killedS).not.toBeNull();
        expect(bracket.survivedS).toBeLessThan(timeoutS + 1e-9);
        expect(bracket.killedS!).toBeGreaterThanOrEqual(timeoutS - 1e-9);
        expect(Math.abs(estimateTimeout(bracket, observed, resolutionS)! - timeoutS)).toBeLessThanOrEqual(resolutionS + 0.001);
        // One log-spaced round, then each round narrows the bracket n+1 times (plus one log round below the first point).
        const bound = 3 + Math.ceil(Math.log(maxS / resolutionS) / Math.log(n + 1));
        expect(rounds).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 500 },
    );
  });

  it('reports no timeout when every silence up to --max survives, after one round (property)', () => {
    fc.assert(
      fc.property(setup, fc.option(fc.double({ min: 1.0001, max: 100, noNaN: true })), ({ maxS, resolutionFraction, n, ends }, beyond) => {
        const timeoutS = beyond === null ? null : maxS * beyond;
        const { bracket, rounds, observed } = search({ timeoutS, ends }, maxS, maxS * resolutionFraction, n);
        expect(bracket).toEqual({ survivedS: maxS, killedS: null });
        expect(rounds).toBe(1);
        expect(estimateTimeout(bracket, observed)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('probes ascending silences strictly inside the bracket, at most n of them (property)', () => {
    fc.assert(
      fc.property(setup, fc.double({ min: 0, max: 1, noNaN: true }), fc.option(fc.double({ min: 0, max: 1, noNaN: true })), ({ maxS, resolutionFraction, n }, a, b) => {
        const lo = maxS * a;
        const hi = b === null ? null : lo + (maxS - lo) * b;
        const silences = nextSilences({ survivedS: lo, killedS: hi }, maxS, maxS * resolutionFraction, n);
        expect(silences.length).toBeLessThanOrEqual(n);
        expect([...silences].sort((x, y) => x - y)).toEqual(silences);
        expect(new Set(silences).size).toBe(silences.length);
        for (const s of silences) {
          expect(s).toBeGreaterThan(lo);
          expect(s).toBeLessThanOrEqual(maxS);
          if (hi !== null) expect(s).toBeLessThan(hi);
        }
        if (!isDone({ survivedS: lo, killedS: hi }, maxS, maxS * resolutionFraction)) expect(silences.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('spreads the first round on a log scale up to --max, so a 60 s and a 5 s timeout are both bracketed at once', () => {
    const s = nextSilences(EMPTY_BRACKET, 600, 1, 8);
    expect(s).toHaveLength(8);
    expect(s[0]).toBeLessThan(5);
    expect(s.at(-1)).toBe(600);
    expect(s.some((x) => x > 30 && x < 60)).toBe(true);
  });

  it('notices a path whose timeout varies: a survival above a kill', () => {
    const b = narrow(EMPTY_BRACKET, [{ killedAtS: 3 }, { survivedS: 3.5 }]);
    expect(consistent(b)).toBe(false);
    expect(isDone(b, 10, 0.5)).toBe(true);
  });

  it('takes the median exact end inside the bracket, else the middle of the bracket', () => {
    expect(estimateTimeout({ survivedS: 2.8, killedS: 2.94 }, [3.01, 2.94, 3.02, 9], 0.5)).toBe(3.01);
    expect(estimateTimeout({ survivedS: 2.8, killedS: 2.94 }, [3.01, 2.94, 3.02, 9])).toBe(2.94);
    expect(estimateTimeout({ survivedS: 1.9, killedS: 2.1 }, [])).toBe(2);
    expect(estimateTimeout({ survivedS: 5, killedS: null }, [])).toBeNull();
  });
});

describe('recommend', () => {
  it('is about half the timeout, never more than a heartbeat seen to work, with the margin stated (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 3600, noNaN: true }), fc.option(fc.double({ min: 0.1, max: 3600, noNaN: true })), (timeoutS, kept) => {
        const r = recommend(timeoutS, kept)!;
        const slack = timeoutS / 2 >= 10 ? 0.5 : 0.05;
        expect(r.intervalS).toBeLessThanOrEqual(timeoutS / 2 + slack + 1e-9);
        expect(r.intervalS).toBeGreaterThan(0);
        if (kept !== null && kept < roundNicely(timeoutS / 2)) expect(r.intervalS).toBe(kept);
        expect(r.marginS).toBeCloseTo(timeoutS - r.intervalS, 2);
        expect(r.marginS).toBeGreaterThan(0);
        expect(r.basis).toMatch(/half the|longest tested/);
      }),
      { numRuns: 300 },
    );
    expect(recommend(null, 10)).toBeNull();
    expect(recommend(3, 2)).toMatchObject({ intervalS: 1.5, marginS: 1.5 });
    expect(recommend(60, 10)).toMatchObject({ intervalS: 10, marginS: 50 });
  });
});

describe('parseIntervals', () => {
  it('reads any list of positive seconds back, sorted and distinct (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 10 }), (xs) => {
        expect(parseIntervals(xs.join(','))).toEqual([...new Set(xs)].sort((a, b) => a - b));
      }),
    );
    expect(parseIntervals('none')).toEqual([]);
    expect(parseIntervals(' 60, 10 ,30 ')).toEqual([10, 30, 60]);
  });

  it.each(['10,,30', '0', '-5', 'soon', '10;30'])('rejects %j', (text) => {
    expect(() => parseIntervals(text)).toThrow(/--heartbeats expects seconds/);
  });
});
