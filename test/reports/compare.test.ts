import { describe, expect, it } from 'vitest';
import { compareRuns, hasRegression, renderComparisonText } from '../../reports/compare.js';
import { mergeRuns } from '../../reports/merge.js';
import { summarize, type RunResult, type Verdict } from '../../reports/schema.js';
import { conformanceFixture, loadFixture } from './fixtures.js';

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
});
