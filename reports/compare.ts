// `report compare BASE NEXT`: what changed between two runs, keyed on stable case ids. A regression is a case whose
// verdict got worse by VERDICT_SEVERITY; it is what makes the CLI exit 1. Load percentiles are shown for
// information only (timings vary from run to run; thresholds are the place to fail on them), and so are the p99 and
// timeouts of each step two scenario runs share.
import { VERDICT_SEVERITY, type RunResult, type Verdict } from './schema.js';
import { formatCount, formatMs } from './format.js';
import { toWellFormed } from './escape.js';
import { oneLine } from './transcript-format.js';

export interface CaseChange {
  id: string;
  title: string;
  /** Target label or URL, for merged multi-target results; absent when both runs have one target. */
  target?: string;
  from: Verdict;
  to: Verdict;
  reason: string;
}

export interface CaseAppearance {
  id: string;
  title: string;
  target?: string;
  verdict: Verdict;
}

export interface PercentileChange {
  histogram: string;
  percentile: 'p50' | 'p90' | 'p99' | 'p999' | 'max';
  base: number;
  next: number;
  /** (next - base) / base, or null when base is 0. */
  ratio: number | null;
}

/** A scenario step's p99 latency or timeout count in both runs (scenario load runs that both have the step). */
export interface StepChange {
  /** The step's key, `request.join`. */
  step: string;
  metric: 'p99' | 'timeouts';
  base: number;
  next: number;
  /** (next - base) / base: 0 when both are 0, null when only base is. */
  ratio: number | null;
}

export interface RunComparison {
  regressed: CaseChange[];
  improved: CaseChange[];
  /** In next only. A failing new case is listed here, not as a regression: the baseline knows nothing of it. */
  appeared: CaseAppearance[];
  disappeared: CaseAppearance[];
  /**
   * Verdict changes to or from `not-run`: neither regressions nor improvements, since one side was not graded
   * (the run that did not run it has a finding saying why).
   */
  notRun: CaseChange[];
  unchanged: number;
  percentiles: PercentileChange[];
  /** Per scenario step, for information like `percentiles`; empty unless both runs followed a scenario. */
  steps: StepChange[];
}

interface Entry {
  id: string;
  title: string;
  target?: string;
  verdict: Verdict;
  reason: string;
}

/**
 * Single-target runs are keyed by case id alone (an embedded server gets a new port each run); as soon as either
 * side is a multi-target matrix, by target and id.
 */
function entries(r: RunResult, byTarget: boolean): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const c of r.cases) {
    if (!byTarget) {
      out.set(c.id, { id: c.id, title: c.title, verdict: c.verdict, reason: c.reason });
      continue;
    }
    const targets = r.targets && c.outcomes ? r.targets : [{ url: r.target.url, label: undefined }];
    targets.forEach((t, i) => {
      const o = c.outcomes?.[i] ?? c;
      const target = t.label ?? t.url;
      out.set(`${t.url}\u0000${c.id}`, { id: c.id, title: c.title, target, verdict: o.verdict, reason: o.reason });
    });
  }
  return out;
}

const PERCENTILES = ['p50', 'p90', 'p99', 'p999', 'max'] as const;

export function compareRuns(base: RunResult, next: RunResult): RunComparison {
  const byTarget = (base.targets?.length ?? 0) > 0 || (next.targets?.length ?? 0) > 0;
  const before = entries(base, byTarget);
  const after = entries(next, byTarget);
  const cmp: RunComparison = { regressed: [], improved: [], appeared: [], disappeared: [], notRun: [], unchanged: 0, percentiles: [], steps: [] };
  const tagged = <T extends object>(e: Entry, rest: T): T & { target?: string } =>
    e.target === undefined ? rest : { ...rest, target: e.target };
  for (const [key, a] of after) {
    const b = before.get(key);
    if (!b) {
      cmp.appeared.push(tagged(a, { id: a.id, title: a.title, verdict: a.verdict }));
      continue;
    }
    const delta = VERDICT_SEVERITY[a.verdict] - VERDICT_SEVERITY[b.verdict];
    const change = tagged(a, { id: a.id, title: a.title, from: b.verdict, to: a.verdict, reason: a.reason });
    if (delta !== 0 && (a.verdict === 'not-run' || b.verdict === 'not-run')) cmp.notRun.push(change);
    else if (delta > 0) cmp.regressed.push(change);
    else if (delta < 0) cmp.improved.push(change);
    else cmp.unchanged += 1;
  }
  for (const [key, b] of before) {
    if (!after.has(key)) cmp.disappeared.push(tagged(b, { id: b.id, title: b.title, verdict: b.verdict }));
  }
  const worstFirst = (x: CaseChange, y: CaseChange): number =>
    VERDICT_SEVERITY[y.to] - VERDICT_SEVERITY[x.to] || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  cmp.regressed.sort(worstFirst);
  cmp.improved.sort(worstFirst);

  if (base.load && next.load) {
    for (const [name, h] of Object.entries(next.load.histograms)) {
      const old = base.load.histograms[name];
      if (!old || old.count === 0 || h.count === 0) continue;
      for (const p of PERCENTILES) {
        cmp.percentiles.push({ histogram: name, percentile: p, base: old[p], next: h[p], ratio: old[p] === 0 ? null : (h[p] - old[p]) / old[p] });
      }
    }
  }
  cmp.steps = stepChanges(base, next);
  return cmp;
}

const ratioOf = (base: number, next: number): number | null => (base === next ? 0 : base === 0 ? null : (next - base) / base);

/**
 * Each step both runs have: its p99 when both recorded latency, and its timeouts when the step can time out (expect,
 * request) or either run counted some. Steps in the next run's order.
 */
function stepChanges(base: RunResult, next: RunResult): StepChange[] {
  const before = base.load?.scenario?.steps;
  const after = next.load?.scenario?.steps;
  if (!before || !after) return [];
  const out: StepChange[] = [];
  for (const [key, n] of Object.entries(after)) {
    const b = before[key];
    if (!b) continue;
    if (b.latency.count > 0 && n.latency.count > 0) out.push({ step: key, metric: 'p99', base: b.latency.p99, next: n.latency.p99, ratio: ratioOf(b.latency.p99, n.latency.p99) });
    if (n.kind === 'expect' || n.kind === 'request' || b.timeouts > 0 || n.timeouts > 0) {
      out.push({ step: key, metric: 'timeouts', base: b.timeouts, next: n.timeouts, ratio: ratioOf(b.timeouts, n.timeouts) });
    }
  }
  return out;
}

export function hasRegression(cmp: RunComparison): boolean {
  return cmp.regressed.length > 0;
}

function caseLine(c: { id: string; title: string; target?: string }): string {
  return `${c.id}${c.target === undefined ? '' : ` [${c.target}]`}  ${c.title}`;
}

/** A plain-text account of the comparison, regressions first. */
export function renderComparisonText(cmp: RunComparison): string {
  const lines: string[] = [];
  const head = hasRegression(cmp) ? `REGRESSION: ${cmp.regressed.length} case(s) got worse` : 'No regression';
  lines.push(
    `${head} (improved ${cmp.improved.length}, appeared ${cmp.appeared.length}, disappeared ${cmp.disappeared.length}, ${cmp.notRun.length > 0 ? `not run in one ${cmp.notRun.length}, ` : ''}unchanged ${cmp.unchanged})`,
  );
  const section = <T>(title: string, items: T[], line: (item: T) => string[]): void => {
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length})`);
    for (const item of items) lines.push(...line(item));
  };
  section('Regressed', cmp.regressed, (c) => [`  ${c.from} -> ${c.to}  ${caseLine(c)}`, `      ${oneLine(c.reason, 200)}`]);
  section('Improved', cmp.improved, (c) => [`  ${c.from} -> ${c.to}  ${caseLine(c)}`]);
  section('Appeared', cmp.appeared, (c) => [`  ${c.verdict}  ${caseLine(c)}`]);
  section('Disappeared', cmp.disappeared, (c) => [`  ${c.verdict}  ${caseLine(c)}`]);
  section('Not run in one of the runs (not a regression by itself)', cmp.notRun, (c) => [`  ${c.from} -> ${c.to}  ${caseLine(c)}`]);
  const pct = (ratio: number | null): string => (ratio === null ? 'n/a' : `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)}%`);
  section('Latency (informational)', cmp.percentiles, (p) => [
    `  ${`${p.histogram}.${p.percentile}`.padEnd(18)} ${formatMs(p.base).padStart(10)} -> ${formatMs(p.next).padStart(10)}  ${pct(p.ratio)}`,
  ]);
  const stepWidth = Math.max(18, ...cmp.steps.map((c) => oneLine(c.step, 80).length + c.metric.length + 1));
  section('Scenario steps (informational)', cmp.steps, (c) => {
    const show = c.metric === 'p99' ? formatMs : formatCount;
    return [`  ${`${oneLine(c.step, 80)}.${c.metric}`.padEnd(stepWidth)} ${show(c.base).padStart(10)} -> ${show(c.next).padStart(10)}  ${pct(c.ratio)}`];
  });
  return toWellFormed(`${lines.join('\n')}\n`);
}
