// Failures grouped by cause, so a report reads "12 cases fail for one reason: ..." instead of twelve rows. The
// runner gives run-level findings (the target died, its opening handshake is wrong, it never closes TCP); the other
// failing, non-strict, error and not-run cases are grouped here by verdict, reason code and the reason with its
// case-specific parts (numbers, quoted text, digests) left out. A case is in one finding only (per target).
import { VERDICT_SEVERITY, type CaseOutcome, type Finding, type RunResult, type Verdict } from './schema.js';

/** Reason codes whose code alone names the cause, whatever the details (the frame type, the close code). */
const CODE_IS_CAUSE = new Set(['unclean-close', 'masked-frame', 'target-died', 'handshake-broken', 'needs-echo']);

/** Verdicts a person has to act on, or at least know about. */
export function isFindingVerdict(v: Verdict): boolean {
  return v === 'not-run' || VERDICT_SEVERITY[v] >= VERDICT_SEVERITY['non-strict'];
}

/** Citations stay as they are; numbers, "quoted text" and long hex digests vary from case to case. */
const TOKENS = /(RFC \d+|§\d+(?:\.\d+)*)|("(?:[^"\\]|\\.)*"|\b(?=[0-9a-f]*\d)[0-9a-f]{16,}\b|\d+(?:\.\d+)*)/gi;

/** A reason split into the text its group shares (`parts`) and what varies between them (`values`). */
interface Shape {
  parts: string[];
  values: string[];
}

export function reasonShape(reason: string): Shape {
  const parts: string[] = [];
  const values: string[] = [];
  let from = 0;
  for (const m of reason.matchAll(TOKENS)) {
    if (m[2] === undefined) continue;
    parts.push(reason.slice(from, m.index));
    values.push(m[2]);
    from = m.index + m[0].length;
  }
  parts.push(reason.slice(from));
  return { parts, values };
}

/** The reason as the group states it: parts all its cases agree on are kept, the others become N or "...". */
function template(shapes: readonly Shape[]): string {
  const key = (s: Shape): string => JSON.stringify(s.parts);
  const counts = new Map<string, number>();
  for (const s of shapes) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
  const common = [...counts].reduce((best, cur) => (cur[1] > best[1] ? cur : best))[0];
  const alike = shapes.filter((s) => key(s) === common);
  const { parts } = alike[0]!;
  let out = parts[0]!;
  for (let at = 0; at < parts.length - 1; at++) {
    const first = alike[0]!.values[at]!;
    const same = alike.every((s) => s.values[at] === first);
    out += (same ? first : /^\d/.test(first) ? 'N' : first.startsWith('"') ? '"..."' : '...') + parts[at + 1]!;
  }
  return out;
}

interface Item {
  id: string;
  outcome: Pick<CaseOutcome, 'verdict' | 'reasonCode' | 'reason'>;
}

function groupItems(items: readonly Item[], target: string | undefined): Finding[] {
  const groups = new Map<string, { items: Item[]; shapes: Shape[] }>();
  for (const item of items) {
    const { verdict, reasonCode, reason } = item.outcome;
    const shape = reasonShape(reason);
    const key = `${verdict}|${reasonCode}${CODE_IS_CAUSE.has(reasonCode) ? '' : `|${shape.parts.join('#')}`}`;
    const g = groups.get(key) ?? { items: [], shapes: [] };
    g.items.push(item);
    g.shapes.push(shape);
    groups.set(key, g);
  }
  return [...groups].map(([key, g]) => {
    const first = g.items[0]!.outcome;
    const f: Finding = { key, scope: 'cases', verdict: first.verdict, reasonCode: first.reasonCode, cause: template(g.shapes), cases: g.items.map((x) => x.id) };
    if (target !== undefined) f.target = target;
    return f;
  });
}

/** Run-level findings first, then the worst verdict, then the biggest group. */
function byImportance(a: Finding, b: Finding): number {
  return (
    (a.scope === 'run' ? 0 : 1) - (b.scope === 'run' ? 0 : 1) ||
    VERDICT_SEVERITY[b.verdict] - VERDICT_SEVERITY[a.verdict] ||
    b.cases.length - a.cases.length ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/**
 * The result's findings: its run-level ones (kept as the runner wrote them, minus cases the result no longer has)
 * and groups of its other problem cases, per target in a merged matrix. Pure and idempotent, so a result written
 * before findings existed gets them too.
 */
export function findingsOf(r: RunResult): Finding[] {
  const labels = r.targets && r.targets.length > 0 ? r.targets.map((t) => t.label ?? t.url) : [undefined];
  const out: Finding[] = [];
  labels.forEach((label, i) => {
    const outcomes = new Map<string, Item['outcome']>();
    for (const c of r.cases) {
      const o = label === undefined || !c.outcomes ? c : c.outcomes[i];
      if (o) outcomes.set(c.id, o);
    }
    const taken = new Set<string>();
    for (const f of r.findings ?? []) {
      if (f.scope !== 'run' || (f.target ?? undefined) !== label) continue;
      const cases = f.cases.filter((id) => !taken.has(id) && isFindingVerdict(outcomes.get(id)?.verdict ?? 'pass'));
      if (cases.length === 0) continue;
      for (const id of cases) taken.add(id);
      out.push({ ...f, cases });
    }
    const rest = [...outcomes].filter(([id, o]) => !taken.has(id) && isFindingVerdict(o.verdict)).map(([id, outcome]) => ({ id, outcome }));
    out.push(...groupItems(rest, label));
  });
  return out.sort(byImportance);
}

const PHRASE: Record<Verdict, [one: string, many: string]> = {
  fail: ['1 case fails', 'cases fail for one reason'],
  'non-strict': ['1 case is non-strict', 'cases are non-strict for one reason'],
  error: ['1 case could not be run by wsprobe', 'cases could not be run by wsprobe, for one reason'],
  'not-run': ['1 case was not run', 'cases were not run, for one reason'],
  unimplemented: ['1 case is unimplemented', 'cases are unimplemented, for one reason'],
  informational: ['1 case is informational', 'cases are informational, for one reason'],
  pass: ['1 case passes', 'cases pass'],
};

/** "12 cases fail for one reason: <cause>"; a run-level finding states its cause first. */
export function findingTitle(f: Finding): string {
  const n = f.cases.length;
  const at = f.target === undefined ? '' : `[${f.target}] `;
  if (f.scope === 'run') return `${at}${f.cause}`;
  const [one, many] = PHRASE[f.verdict];
  return `${at}${n === 1 ? one : `${n} ${many}`}: ${f.cause}`;
}

/** Case id -> its finding, for writers that annotate each case (per target label in a matrix). */
export function findingByCase(findings: readonly Finding[]): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const f of findings) for (const id of f.cases) map.set(`${f.target ?? ''}\u0000${id}`, f);
  return map;
}
