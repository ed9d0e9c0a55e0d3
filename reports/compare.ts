// `report compare BASE NEXT`: what changed between two runs, keyed on stable case ids. A regression is a case whose
// verdict got worse by VERDICT_SEVERITY; it is what makes the CLI exit 1. Load percentiles are shown for
// information only (timings vary from run to run; thresholds are the place to fail on them).
import { VERDICT_SEVERITY, type RunResult, type Verdict } from './schema.js';
import { formatMs } from './format.js';
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
  const cmp: RunComparison = { regressed: [], improved: [], appeared: [], disappeared: [], notRun: [], unchanged: 0, percentiles: [] };
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
  return cmp;
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
  section('Latency (informational)', cmp.percentiles, (p) => {
    const pct = p.ratio === null ? 'n/a' : `${p.ratio >= 0 ? '+' : ''}${(p.ratio * 100).toFixed(1)}%`;
    return [`  ${`${p.histogram}.${p.percentile}`.padEnd(18)} ${formatMs(p.base).padStart(10)} -> ${formatMs(p.next).padStart(10)}  ${pct}`];
  });
  return toWellFormed(`${lines.join('\n')}\n`);
}
