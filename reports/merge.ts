// `report merge`: one RunResult from several. Conformance and fuzz results of different targets become a matrix
// (targets[] and cases[].outcomes); results of one target become a union. Load shards merge exactly: HDR histograms
// add bucket by bucket and percentiles are read from the sum, never averaged. Thresholds are judged again on the
// merged figures by the caller's judge (the load runner's grammar: reports/ does not import runners).
import {
  SCHEMA_ID,
  VERDICT_SEVERITY,
  summarize,
  type CaseOutcome,
  type CaseResult,
  type Finding,
  type LoadSection,
  type RunResult,
  type ThresholdResult,
  type TimelinePoint,
  type Verdict,
} from './schema.js';
import { addEncodedHistograms } from './histogram.js';
import { addTimelineSteps, mergeScenarios } from './merge-scenario.js';

export class MergeError extends Error {
  override name = 'MergeError';
}

/**
 * Judges a load threshold expression on merged figures as the load runner judges it on one run: its measured value
 * and whether it holds; null when the expression is not one it can judge.
 */
export type ThresholdJudge = (expr: string, load: LoadSection) => { value: number | null; ok: boolean } | null;

export interface MergeOptions {
  /** Without one, a load threshold is ok only if it was ok on every shard. */
  judgeThreshold?: ThresholdJudge;
}

export function mergeRuns(results: readonly RunResult[], options: MergeOptions = {}): RunResult {
  if (results.length === 0) throw new MergeError('nothing to merge: no results given');
  for (const r of results) {
    if (r.schema !== SCHEMA_ID) throw new MergeError(`cannot merge schema "${r.schema}" with "${SCHEMA_ID}"`);
  }
  const kinds = [...new Set(results.map((r) => r.kind))];
  if (kinds.length > 1) throw new MergeError(`cannot merge results of different kinds: ${kinds.join(', ')}`);
  if (results.length === 1) return results[0]!;
  switch (kinds[0]!) {
    case 'conformance':
    case 'fuzz':
      return mergeCaseRuns(results);
    case 'load':
      return mergeLoadShards(results, options.judgeThreshold);
    case 'capacity':
      throw new MergeError('capacity results cannot be merged: each is a search of its own; compare them instead');
    case 'probe':
      throw new MergeError('probe results cannot be merged: each measures one path at one time');
  }
}

// ---- shared ----

function runSpan(results: readonly RunResult[]): { startedAt: string; durationMs: number } {
  const starts = results.map((r) => Date.parse(r.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...results.map((r, i) => starts[i]! + r.durationMs));
  return { startedAt: new Date(start).toISOString(), durationMs: end - start };
}

function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICT_SEVERITY[b] > VERDICT_SEVERITY[a] ? b : a;
}

function baseOf(results: readonly RunResult[]): Omit<RunResult, 'cases' | 'summary'> {
  const first = results[0]!;
  return {
    schema: SCHEMA_ID,
    kind: first.kind,
    tool: first.tool,
    target: first.target,
    ...runSpan(results),
    interrupted: results.some((r) => r.interrupted),
    ...(first.options ? { options: first.options } : {}),
    // Client runs (`wsprobe test-client`) stay client runs; the client section is the first run's.
    ...(first.role !== undefined ? { role: first.role } : {}),
    ...(first.client !== undefined ? { client: first.client } : {}),
  };
}

// ---- conformance and fuzz ----

interface Column {
  url: string;
  label?: string;
  /** Case id -> outcome for this target. */
  outcomes: Map<string, CaseOutcome>;
}

function outcomeOf(c: CaseResult): CaseOutcome {
  const o: CaseOutcome = {
    verdict: c.verdict,
    reasonCode: c.reasonCode,
    reason: c.reason,
    observed: c.observed,
    durationMs: c.durationMs,
    transcript: c.transcript,
  };
  if (c.transcriptOmitted !== undefined) o.transcriptOmitted = c.transcriptOmitted;
  return o;
}

/** The columns a result contributes: its targets[] when it is a matrix already, else its one target. */
function columnsOf(r: RunResult): Column[] {
  if (r.targets && r.targets.length > 0) {
    return r.targets.map((t, i) => ({
      url: t.url,
      ...(t.label !== undefined ? { label: t.label } : {}),
      outcomes: new Map(r.cases.filter((c) => c.outcomes?.[i]).map((c) => [c.id, c.outcomes![i]!])),
    }));
  }
  return [{ url: r.target.url, outcomes: new Map(r.cases.map((c) => [c.id, outcomeOf(c)])) }];
}

/**
 * For one id seen twice against one target (overlapping shards), the worse outcome is kept; a graded outcome always
 * beats `not-run` (the shard that ran it knows more than the one that could not).
 */
function unionInto(into: Column, from: Column): void {
  for (const [id, o] of from.outcomes) {
    const had = into.outcomes.get(id);
    const replaces = !had || (o.verdict !== 'not-run' && (had.verdict === 'not-run' || VERDICT_SEVERITY[o.verdict] > VERDICT_SEVERITY[had.verdict]));
    if (replaces) into.outcomes.set(id, o);
  }
}

/** The inputs' run-level findings (the target died, its handshake is wrong), one per target and key. */
function runFindings(results: readonly RunResult[], targetOf: (r: RunResult, f: Finding) => string | undefined): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const r of results) {
    for (const f of r.findings ?? []) {
      if (f.scope !== 'run') continue;
      const target = targetOf(r, f);
      const key = `${target ?? ''}\u0000${f.key}`;
      const had = byKey.get(key);
      if (had) had.cases = [...new Set([...had.cases, ...f.cases])];
      else {
        const { target: _old, ...rest } = f;
        byKey.set(key, { ...rest, cases: [...f.cases], ...(target !== undefined ? { target } : {}) });
      }
    }
  }
  return [...byKey.values()];
}

function mergeCaseRuns(results: readonly RunResult[]): RunResult {
  // Case metadata (title, rfc, expected, fuzz fields) from the first result that has the case.
  const meta = new Map<string, CaseResult>();
  for (const r of results) for (const c of r.cases) if (!meta.has(c.id)) meta.set(c.id, c);

  const columns: Column[] = [];
  for (const col of results.flatMap(columnsOf)) {
    const same = columns.find((c) => c.url === col.url && c.label === col.label);
    if (same) unionInto(same, col);
    else columns.push(col);
  }
  const base = baseOf(results);
  const fuzz = results.find((r) => r.fuzz)?.fuzz;

  if (columns.length === 1) {
    const only = columns[0]!;
    const cases = [...meta.values()].map((m) => {
      const { outcomes: _drop, ...rest } = m;
      const o = only.outcomes.get(m.id)!;
      const c: CaseResult = { ...rest, ...o, transcript: o.transcript ?? [] };
      if (o.transcriptOmitted === undefined) delete c.transcriptOmitted;
      return c;
    });
    const findings = runFindings(results, () => undefined);
    return { ...base, ...(fuzz ? { fuzz } : {}), ...(findings.length > 0 ? { findings } : {}), target: { ...base.target, url: only.url }, summary: summarize(cases), cases };
  }

  const notRun = (): CaseOutcome => ({
    verdict: 'not-run',
    reasonCode: 'not-run',
    reason: 'Case not run against this target (absent from its result file).',
    observed: '',
    durationMs: 0,
    transcript: [],
  });
  const cases = [...meta.values()].map((m) => {
    const outcomes = columns.map((col) => col.outcomes.get(m.id) ?? notRun());
    // The row's verdict is its worst outcome, so "failing first" and the summary see any target's failure.
    const worst = outcomes.reduce((w, o) => (VERDICT_SEVERITY[o.verdict] > VERDICT_SEVERITY[w.verdict] ? o : w));
    const c: CaseResult = {
      ...m,
      verdict: outcomes.map((o) => o.verdict).reduce(worse),
      reasonCode: worst.reasonCode,
      reason: worst.reason,
      observed: worst.observed,
      durationMs: outcomes.reduce((s, o) => s + o.durationMs, 0),
      transcript: [],
      outcomes,
    };
    delete c.transcriptOmitted;
    return c;
  });
  const targets = columns.map((col, i) => ({
    url: col.url,
    label: col.label ?? labelFor(col.url, i, columns),
    summary: summarize(cases.map((c) => c.outcomes![i]!)),
  }));
  // A single-target input's findings belong to its column; a matrix input's to the column of the same URL.
  const findings = runFindings(results, (r, f) => {
    const url = r.targets && r.targets.length > 0 ? r.targets.find((t) => (t.label ?? t.url) === f.target)?.url : r.target.url;
    const i = columns.findIndex((col) => col.url === url);
    return i === -1 ? undefined : targets[i]!.label;
  }).filter((f) => f.target !== undefined);
  return { ...base, ...(fuzz ? { fuzz } : {}), ...(findings.length > 0 ? { findings } : {}), targets, summary: summarize(cases), cases };
}

/** host:port (and path when it tells targets apart). */
function labelFor(url: string, index: number, columns: readonly Column[]): string {
  try {
    const u = new URL(url);
    const short = `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
    const clash = columns.filter((c) => c.url === url).length > 1;
    return clash ? `${short} #${index + 1}` : short;
  } catch {
    return url;
  }
}

// ---- load shards ----

/**
 * Figures that do not add across shards, by name: durations and settings (`intervalMs`, `jitterP99Ms`), rates
 * (`errorRatePercent`), peaks and maxima. The merge keeps their largest value (an upper bound); the rest are counts
 * and add up.
 */
const NOT_ADDITIVE = /(Ms|Percent|Rate|Bytes)$|^(peak|max|min)|P\d+/;

function sumRecords(records: readonly (Record<string, number> | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rec of records) {
    for (const [k, v] of Object.entries(rec ?? {})) {
      out[k] = k in out ? (NOT_ADDITIVE.test(k) ? Math.max(out[k]!, v) : out[k]! + v) : v;
    }
  }
  return out;
}

const SUMMED_POINT_FIELDS = [
  'open',
  'target',
  'opened',
  'closed',
  'messagesSent',
  'messagesReceived',
  'bytesSent',
  'bytesReceived',
  'pingsSent',
  'pongsReceived',
  'errors',
  'reconnects',
  'runnerRssBytes',
] as const;
/** Per-second figures that cannot be added: the merged point keeps the largest (an upper bound for the p99s). */
const MAX_POINT_FIELDS = ['pingRttP99', 'messageRttP99', 'runnerCpuPercent', 'eventLoopLagMs'] as const;

/** Aligns shard timelines on wall-clock seconds (shards start at different moments) and sums each second. */
function mergeTimelines(results: readonly RunResult[], startMs: number): TimelinePoint[] {
  const bySecond = new Map<number, TimelinePoint>();
  for (const r of results) {
    const offset = Math.round((Date.parse(r.startedAt) - startMs) / 1000);
    for (const p of r.load!.timeline) {
      const t = p.t + offset;
      let acc = bySecond.get(t);
      if (!acc) {
        acc = { t, open: 0, target: 0, opened: 0, closed: 0, messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0, pingsSent: 0, pongsReceived: 0, errors: 0, reconnects: 0 };
        bySecond.set(t, acc);
      }
      for (const f of SUMMED_POINT_FIELDS) {
        const v = p[f];
        if (v !== undefined) acc[f] = (acc[f] ?? 0) + v;
      }
      for (const f of MAX_POINT_FIELDS) {
        const v = p[f];
        if (v !== undefined) acc[f] = Math.max(acc[f] ?? -Infinity, v);
      }
      addTimelineSteps(acc, p);
    }
  }
  return [...bySecond.values()].sort((a, b) => a.t - b.t);
}

/**
 * Thresholds the judge can read are judged again on the merged figures; any other is ok only if it was ok on every
 * shard, and says so in its note.
 */
function mergeThresholds(results: readonly RunResult[], merged: LoadSection, judge: ThresholdJudge | undefined): ThresholdResult[] {
  const byExpr = new Map<string, ThresholdResult[]>();
  for (const r of results) for (const t of r.load!.thresholds) byExpr.set(t.expr, [...(byExpr.get(t.expr) ?? []), t]);
  return [...byExpr.entries()].map(([expr, shards]) => {
    const metric = shards[0]!.metric;
    const judged = judge?.(expr, merged) ?? null;
    if (judged !== null) return { expr, metric, value: judged.value, ok: judged.ok, note: `re-evaluated on ${results.length} merged shards` };
    return {
      expr,
      metric,
      value: null,
      ok: shards.length === results.length && shards.every((t) => t.ok),
      note: `not re-evaluable after merge: ok only if ok on every shard (${shards.filter((t) => t.ok).length}/${results.length})`,
    };
  });
}

/** --http2 shards: counts add; the mean streams per connection is weighed by each shard's connections at its peak. */
function mergeHttp2(hs: NonNullable<LoadSection['http2']>[]): NonNullable<LoadSection['http2']> {
  const sum = (f: (h: NonNullable<LoadSection['http2']>) => number): number => hs.reduce((s, h) => s + f(h), 0);
  const atPeak = sum((h) => h.sessionsAtPeak);
  const limits = hs.flatMap((h) => (h.maxConcurrentStreams === undefined ? [] : [h.maxConcurrentStreams]));
  return {
    sessions: sum((h) => h.sessions),
    sessionsAtPeak: atPeak,
    streamsPerSession: {
      max: Math.max(...hs.map((h) => h.streamsPerSession.max)),
      mean: atPeak > 0 ? Math.round((sum((h) => h.streamsPerSession.mean * h.sessionsAtPeak) / atPeak) * 100) / 100 : 0,
    },
    streamsPerConnection: Math.min(...hs.map((h) => h.streamsPerConnection)),
    ...(limits.length > 0 ? { maxConcurrentStreams: Math.min(...limits) } : {}),
    sessionsLost: sum((h) => h.sessionsLost),
    streamsLost: sum((h) => h.streamsLost),
    streamsReset: sum((h) => h.streamsReset),
  };
}

function mergeLoadShards(results: readonly RunResult[], judge: ThresholdJudge | undefined): RunResult {
  const missing = results.findIndex((r) => !r.load);
  if (missing !== -1) throw new MergeError(`load result #${missing + 1} has no "load" section`);
  const urls = [...new Set(results.map((r) => r.target.url))];
  // Shards that each started an embedded reference server see different ports of the same kind of target.
  const allEmbedded = results.every((r) => r.target.embedded === true);
  if (urls.length > 1 && !allEmbedded) throw new MergeError(`load shards of different targets cannot be merged: ${urls.join(', ')}`);
  const loads = results.map((r) => r.load!);
  const base = baseOf(results);

  const names = [...new Set(loads.flatMap((l) => Object.keys(l.histograms)))];
  const histograms = Object.fromEntries(
    names.map((n) => [n, addEncodedHistograms(loads.map((l) => l.histograms[n]?.encoded ?? ''))]),
  ) as LoadSection['histograms'];
  const timeline = mergeTimelines(results, Date.parse(base.startedAt));
  const sum = (f: (l: LoadSection) => number): number => loads.reduce((s, l) => s + f(l), 0);

  const load: LoadSection = {
    profile: loads[0]!.profile,
    connections: {
      target: sum((l) => l.connections.target),
      // Peaks of different shards need not coincide: read the peak from the aligned timeline when there is one.
      peak: timeline.length > 0 ? Math.max(...timeline.map((p) => p.open)) : sum((l) => l.connections.peak),
      opened: sum((l) => l.connections.opened),
      failed: sum((l) => l.connections.failed),
      reconnects: sum((l) => l.connections.reconnects),
      dropped: sum((l) => l.connections.dropped),
      dropsByCode: sumRecords(loads.map((l) => l.connections.dropsByCode)),
    },
    histograms,
    counters: sumRecords(loads.map((l) => l.counters)),
    timeline,
    errors: sumRecords(loads.map((l) => l.errors)),
    thresholds: [],
    mergedFrom: sum((l) => l.mergedFrom ?? 1),
    timelinePercentiles: 'max-of-shards',
  };
  if (loads.some((l) => l.heartbeat)) load.heartbeat = sumRecords(loads.map((l) => l.heartbeat));
  const runners = loads.flatMap((l) => (l.runner ? [l.runner] : []));
  if (runners.length > 0) {
    const runner: NonNullable<LoadSection['runner']> = {
      workers: runners.reduce((s, r) => s + r.workers, 0),
      peakRssBytes: runners.reduce((s, r) => s + r.peakRssBytes, 0),
      warnings: [...new Set(runners.flatMap((r) => r.warnings))],
    };
    if (runners.every((r) => r.cpuSeconds !== undefined)) runner.cpuSeconds = runners.reduce((s, r) => s + r.cpuSeconds!, 0);
    const lags = runners.flatMap((r) => (r.maxEventLoopLagMs === undefined ? [] : [r.maxEventLoopLagMs]));
    if (lags.length > 0) runner.maxEventLoopLagMs = Math.max(...lags);
    if (load.connections.peak > 0) runner.bytesPerConnection = runner.peakRssBytes / load.connections.peak;
    load.runner = runner;
  }
  const scenarios = loads.flatMap((l) => (l.scenario ? [l.scenario] : []));
  if (scenarios.length > 0) {
    // Shards of one `--scenario` run all have the section, with one name; anything else is not one run split up.
    if (scenarios.length < loads.length) throw new MergeError(`load shards mix scenario and plain runs: ${scenarios.length} of ${loads.length} followed a scenario`);
    const names = [...new Set(scenarios.map((s) => s.name))];
    if (names.length > 1) throw new MergeError(`load shards of different scenarios cannot be merged: ${names.join(', ')}`);
    load.scenario = mergeScenarios(scenarios);
  }
  const h2s = loads.flatMap((l) => (l.http2 ? [l.http2] : []));
  if (h2s.length > 0) load.http2 = mergeHttp2(h2s);
  if ('peakOpen' in load.counters) load.counters.peakOpen = load.connections.peak;
  load.thresholds = mergeThresholds(results, load, judge);
  const byId = new Map<string, CaseResult>();
  for (const c of results.flatMap((r) => r.cases)) {
    const had = byId.get(c.id);
    if (!had || VERDICT_SEVERITY[c.verdict] > VERDICT_SEVERITY[had.verdict]) byId.set(c.id, c);
  }
  const cases = [...byId.values()];
  return { ...base, summary: summarize(cases), cases, load };
}
