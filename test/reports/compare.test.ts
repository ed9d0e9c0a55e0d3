import { describe, expect, it } from 'vitest';
import { compareRuns, hasRegression, renderComparisonText } from '../../reports/compare.js';
import { mergeRuns } from '../../reports/merge.js';
import { summarize, type RunResult, type Verdict } from '../../reports/schema.js';
import { chatScenario, conformanceFixture, loadFixture, scenarioLoadFixture, type ScenarioSpec } from './fixtures.js';

function withVerdict(r: RunResult, id: string, verdict: Verdict): RunResult {
  const cases = r.cases.map((c) => (c.id === id ? { ...c, verdict } : c));
  return { ...r, cases, summary: summarize(cases) };
}

describe('compareRuns', () => {
  const base = conformanceFixture();

  it('finds nothing between a run and itself', () => {
    const cmp = compareRuns(base, base);
    expect(hasRegression(cmp)).toBe(false);
    expect(cmp.unchanged).toBe(base.cases.length);
    expect(renderComparisonText(cmp)).toMatch(/^No regression/);
  });

  it('a verdict that got worse is a regression; one that got better is not', () => {
    const worse = withVerdict(base, 'handshake.accept.valid', 'non-strict');
    const cmp = compareRuns(base, worse);
    expect(hasRegression(cmp)).toBe(true);
    expect(cmp.regressed).toEqual([expect.objectContaining({ id: 'handshake.accept.valid', from: 'pass', to: 'non-strict' })]);
    expect(renderComparisonText(cmp)).toMatch(/^REGRESSION: 1 case/);

    const back = compareRuns(worse, base);
    expect(hasRegression(back)).toBe(false);
    expect(back.improved).toEqual([expect.objectContaining({ id: 'handshake.accept.valid', from: 'non-strict', to: 'pass' })]);
  });

  it('orders by VERDICT_SEVERITY: informational -> unimplemented and fail -> error regress', () => {
    expect(hasRegression(compareRuns(base, withVerdict(base, 'control.pong.unsolicited', 'unimplemented')))).toBe(true);
    expect(hasRegression(compareRuns(base, withVerdict(base, 'framing.rsv.rsv1-set', 'error')))).toBe(true);
    expect(hasRegression(compareRuns(base, withVerdict(base, 'close.code.1005-sent', 'fail')))).toBe(false);
  });

  it('lists appeared and disappeared cases without calling them regressions', () => {
    const next = { ...base, cases: [...base.cases.slice(1), { ...base.cases[0]!, id: 'handshake.new-case', verdict: 'fail' as const }] };
    next.summary = summarize(next.cases);
    const cmp = compareRuns(base, next);
    expect(cmp.appeared).toEqual([{ id: 'handshake.new-case', title: base.cases[0]!.title, verdict: 'fail' }]);
    expect(cmp.disappeared.map((c) => c.id)).toEqual([base.cases[0]!.id]);
    expect(hasRegression(cmp)).toBe(false);
  });

  it('keys single-target runs by case id (an embedded server changes port) and matrices by target', () => {
    const moved = { ...base, target: { url: 'ws://127.0.0.1:40000/' } };
    expect(compareRuns(base, moved).unchanged).toBe(base.cases.length);
    const other = { ...withVerdict(base, 'handshake.accept.valid', 'fail'), target: { url: 'ws://b/' } };
    const m1 = mergeRuns([base, { ...base, target: { url: 'ws://b/' } }]);
    const m2 = mergeRuns([base, other]);
    const cmp = compareRuns(m1, m2);
    expect(cmp.regressed).toEqual([expect.objectContaining({ id: 'handshake.accept.valid', target: 'b', to: 'fail' })]);
  });

  it('compares load percentiles for information only', () => {
    const cmp = compareRuns(loadFixture({ seed: 1 }), loadFixture({ seed: 2 }));
    expect(hasRegression(cmp)).toBe(false);
    expect(cmp.percentiles).toHaveLength(15);
    const p99 = cmp.percentiles.find((p) => p.histogram === 'pingRtt' && p.percentile === 'p99')!;
    expect(p99.ratio).toBeCloseTo((p99.next - p99.base) / p99.base);
  });

  it('compares each step both scenario runs have: p99 when both recorded latency, timeouts for steps that wait', () => {
    const base = scenarioLoadFixture({ seed: 1, connections: 20, seconds: 3 });
    // Next: join now answers, history times out more, a new step appears and the subscription is gone.
    const spec: ScenarioSpec = {
      ...chatScenario(5),
      steps: chatScenario(5)
        .steps.filter((st) => st.kind !== 'subscribe')
        .map((st) => (st.name === 'join' ? { ...st, matched: 1600, timeouts: 0, values: [5000, 7000] } : st.name === 'history' ? { ...st, matched: 850, timeouts: 50 } : st))
        .concat([{ kind: 'expect', name: 'bye', started: 10, matched: 10, values: [100] }]),
    };
    const next = scenarioLoadFixture({ seed: 1, connections: 20, seconds: 3, scenario: spec });
    const cmp = compareRuns(base, next);
    expect(hasRegression(cmp)).toBe(false);
    expect(cmp.steps.map((c) => `${c.step}.${c.metric}`)).toEqual([
      'expect.welcome.p99',
      'expect.welcome.timeouts',
      'request.join.timeouts',
      'request.history.p99',
      'request.history.timeouts',
    ]);
    const b = base.load!.scenario!.steps;
    const n = next.load!.scenario!.steps;
    expect(cmp.steps.find((c) => c.step === 'request.history' && c.metric === 'p99')).toEqual({
      step: 'request.history',
      metric: 'p99',
      base: b['request.history']!.latency.p99,
      next: n['request.history']!.latency.p99,
      ratio: (n['request.history']!.latency.p99 - b['request.history']!.latency.p99) / b['request.history']!.latency.p99,
    });
    expect(cmp.steps.find((c) => c.step === 'request.join')).toEqual({ step: 'request.join', metric: 'timeouts', base: 1600, next: 0, ratio: -1 });
    expect(cmp.steps.find((c) => c.step === 'expect.welcome' && c.metric === 'timeouts')!.ratio).toBe(0);
    const fromNone = compareRuns(next, base).steps.find((c) => c.step === 'request.join')!;
    expect(fromNone).toMatchObject({ base: 0, next: 1600, ratio: null });
    const text = renderComparisonText(cmp);
    expect(text).toContain('Scenario steps (informational) (5)');
    expect(text).toMatch(/^ {2}request\.join\.timeouts\s+1,600 ->\s+0 {2}-100\.0%$/m);
    expect(text).toMatch(/^ {2}request\.history\.timeouts\s+12 ->\s+50 {2}\+316\.7%$/m);
    // Plain load runs, or one scenario run against a plain one: no step section.
    expect(compareRuns(loadFixture({ seed: 1 }), loadFixture({ seed: 2 })).steps).toEqual([]);
    expect(compareRuns(loadFixture({ seed: 1, connections: 20, seconds: 3 }), next).steps).toEqual([]);
    expect(renderComparisonText(compareRuns(loadFixture({ seed: 1 }), loadFixture({ seed: 2 })))).not.toContain('Scenario');
  });
});
