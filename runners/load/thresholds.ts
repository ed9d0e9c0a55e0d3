// k6-style thresholds: `ping_rtt.p99<50ms`, `errors.rate<0.1%`, `connect.p95<200ms`, `connections.peak>=10000`.
// A breached threshold sets exit code 1; a malformed one is a usage error whose message carries the grammar.
import { decodeHistogram, newHistogram, type Histogram } from '../../reports/histogram.js';
import type { ThresholdJudge } from '../../reports/merge.js';
import type { LoadSection, ThresholdResult } from '../../reports/schema.js';
import { HISTOGRAM_NAMES, percentileMs, type HistogramName } from './histograms.js';

export const THRESHOLD_GRAMMAR = [
  'threshold := METRIC.STAT OP NUMBER[UNIT]',
  '  latency METRIC: connect | ping_rtt | message_rtt | heartbeat_jitter | recover',
  '          STAT: p50 | p90 | p95 | p99 | p99.9 | (any pNN.N) | min | max | mean | count; UNIT: us | ms | s (default ms)',
  '  errors.rate (UNIT %, or a fraction) | errors.count | errors.<kind> (refused, timeout, reset, handshake-status, protocol, pong-timeout, silent-drop, ...)',
  '  connections.peak | connections.opened | connections.failed | connections.dropped | connections.reconnects',
  '  messages.sent | messages.received | messages.unmatched | messages.unmatched.rate (echo traffic) | pongs.missed',
  '  scenario steps: KIND.NAME.STAT, KIND send | expect | request | subscribe, STAT a latency STAT or started | matched | timeouts | late',
  '  scenario.unexpected | scenario.unmatched | scenario.completed',
  '  OP: < | <= | > | >= | == | !=',
  "  e.g. 'ping_rtt.p99<50ms' 'errors.rate<0.1%' 'connect.p95<200ms' 'connections.peak>=10000'",
].join('\n');

export class ThresholdSyntaxError extends Error {
  override readonly name = 'ThresholdSyntaxError';
}

const LATENCY: Record<string, HistogramName> = {
  connect: 'connect',
  ping_rtt: 'pingRtt',
  pingrtt: 'pingRtt',
  message_rtt: 'messageRtt',
  messagertt: 'messageRtt',
  heartbeat_jitter: 'heartbeatJitter',
  recover: 'recover',
};
const OPS = {
  '<': (a: number, b: number) => a < b,
  '<=': (a: number, b: number) => a <= b,
  '>': (a: number, b: number) => a > b,
  '>=': (a: number, b: number) => a >= b,
  '==': (a: number, b: number) => a === b,
  '!=': (a: number, b: number) => a !== b,
} as const;
type Op = keyof typeof OPS;
const COUNT_FIELDS = new Set(['peak', 'opened', 'failed', 'dropped', 'reconnects']);

export type ThresholdMetric =
  | { kind: 'latency'; histogram: HistogramName; stat: 'min' | 'max' | 'mean' | 'count' | number /* percentile */ }
  | { kind: 'errorRate' }
  | { kind: 'errors'; errorKind: string | null }
  | { kind: 'connections'; field: string }
  | { kind: 'messages'; field: 'sent' | 'received' | 'unmatched' }
  | { kind: 'unmatchedRate' }
  | { kind: 'step'; key: string; stat: StepStat }
  | { kind: 'scenario'; field: 'unexpected' | 'unmatched' | 'completed' }
  | { kind: 'missedPongs' };

type StepStat = 'min' | 'max' | 'mean' | 'count' | 'started' | 'matched' | 'timeouts' | 'late' | number;
const STEP_COUNTS = new Set(['started', 'matched', 'timeouts', 'late']);
const STEP_RE = /^\s*(send|expect|request|subscribe)\.([A-Za-z0-9_-]+)\.([a-z0-9.]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*([a-z%µ]*)\s*$/;

/** A threshold on a scenario step (`request.join.p99<50ms`): names are case-sensitive, as in the file. */
function parseStepThreshold(expr: string, m: RegExpExecArray): Threshold {
  const key = `${m[1]}.${m[2]}`;
  const stat = m[3]!;
  const op = m[4] as Op;
  const number = Number(m[5]);
  const unit = m[6]!;
  if (STEP_COUNTS.has(stat) || stat === 'count') {
    if (unit !== '') fail(expr, 'a count has no unit');
    return { expr, metric: `${key}.${stat}`, parsed: { kind: 'step', key, stat: stat as StepStat }, op, limit: number };
  }
  let parsed: StepStat;
  let canonical: string;
  if (stat === 'min' || stat === 'max' || stat === 'mean') [parsed, canonical] = [stat, stat];
  else if (stat === 'avg') [parsed, canonical] = ['mean', 'mean'];
  else {
    const p = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
    if (!p) fail(expr, `unknown statistic ${JSON.stringify(stat)} (p99, max, ..., started, matched, timeouts, late)`);
    [parsed, canonical] = [Number(p[1]), `p${p[1]!.replace('.', '')}`];
  }
  const limit = unit === 's' ? number * 1000 : unit === 'us' || unit === 'µs' ? number / 1000 : unit === 'ms' || unit === '' ? number : fail(expr, `unknown time unit ${JSON.stringify(unit)} (us, ms, s)`);
  return { expr, metric: `${key}.${canonical}`, parsed: { kind: 'step', key, stat: parsed }, op, limit };
}

export interface Threshold {
  expr: string;
  /** Canonical name, as in results (`pingRtt.p99`, `errors.rate`, `connections.peak`). */
  metric: string;
  parsed: ThresholdMetric;
  op: Op;
  /** In the metric's unit: ms for latency, a fraction for rates, a count otherwise. */
  limit: number;
}

function fail(expr: string, why: string): never {
  throw new ThresholdSyntaxError(`malformed threshold ${JSON.stringify(expr)}: ${why}\n${THRESHOLD_GRAMMAR}`);
}

export function parseThreshold(expr: string): Threshold {
  const step = STEP_RE.exec(expr);
  if (step) return parseStepThreshold(expr, step);
  const m = /^\s*([a-z_]+)(?:\.([a-z0-9_.-]+))?\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*([a-z%]*)\s*$/i.exec(expr);
  if (!m) fail(expr, 'expected METRIC.STAT OP NUMBER[UNIT]');
  const name = m[1]!.toLowerCase();
  const stat = m[2]?.toLowerCase();
  const op = m[3] as Op;
  const number = Number(m[4]);
  const unit = m[5]!.toLowerCase();
  const histogram = LATENCY[name];
  if (histogram) {
    if (stat === undefined) fail(expr, `${name} needs a statistic (p99, max, ...)`);
    let parsed: ThresholdMetric;
    let canonicalStat: string;
    if (stat === 'min' || stat === 'max' || stat === 'mean' || stat === 'count') {
      parsed = { kind: 'latency', histogram, stat };
      canonicalStat = stat;
    } else if (stat === 'avg') {
      parsed = { kind: 'latency', histogram, stat: 'mean' };
      canonicalStat = 'mean';
    } else {
      const p = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
      if (!p) fail(expr, `unknown statistic ${JSON.stringify(stat)}`);
      const pct = Number(p[1]);
      parsed = { kind: 'latency', histogram, stat: pct };
      canonicalStat = `p${p[1]!.replace('.', '')}`;
    }
    let limit = number;
    if (stat === 'count') {
      if (unit !== '') fail(expr, 'a count has no unit');
    } else if (unit === 's') limit = number * 1000;
    else if (unit === 'us' || unit === 'µs') limit = number / 1000;
    else if (unit !== 'ms' && unit !== '') fail(expr, `unknown time unit ${JSON.stringify(unit)} (us, ms, s)`);
    return { expr, metric: `${histogram}.${canonicalStat}`, parsed, op, limit };
  }
  if (name === 'errors') {
    if (stat === 'rate') {
      if (unit !== '%' && unit !== '') fail(expr, 'errors.rate takes % or a fraction');
      return { expr, metric: 'errors.rate', parsed: { kind: 'errorRate' }, op, limit: unit === '%' ? number / 100 : number };
    }
    if (unit !== '') fail(expr, 'a count has no unit');
    if (stat === undefined || stat === 'count') return { expr, metric: 'errors', parsed: { kind: 'errors', errorKind: null }, op, limit: number };
    return { expr, metric: `errors.${stat}`, parsed: { kind: 'errors', errorKind: stat }, op, limit: number };
  }
  if (name === 'messages' && stat === 'unmatched.rate') {
    if (unit !== '%' && unit !== '') fail(expr, 'messages.unmatched.rate takes % or a fraction');
    return { expr, metric: 'messages.unmatched.rate', parsed: { kind: 'unmatchedRate' }, op, limit: unit === '%' ? number / 100 : number };
  }
  if (unit !== '') fail(expr, 'a count has no unit');
  if (name === 'connections') {
    if (stat === undefined || !COUNT_FIELDS.has(stat)) fail(expr, `connections takes .${[...COUNT_FIELDS].join(' | .')}`);
    return { expr, metric: `connections.${stat}`, parsed: { kind: 'connections', field: stat }, op, limit: number };
  }
  if (name === 'scenario') {
    if (stat !== 'unexpected' && stat !== 'unmatched' && stat !== 'completed') fail(expr, 'scenario takes .unexpected, .unmatched or .completed');
    return { expr, metric: `scenario.${stat}`, parsed: { kind: 'scenario', field: stat }, op, limit: number };
  }
  if (name === 'messages') {
    if (stat !== 'sent' && stat !== 'received' && stat !== 'unmatched') fail(expr, 'messages takes .sent, .received, .unmatched or .unmatched.rate');
    return { expr, metric: `messages.${stat}`, parsed: { kind: 'messages', field: stat }, op, limit: number };
  }
  if (name === 'pongs' && stat === 'missed') return { expr, metric: 'pongs.missed', parsed: { kind: 'missedPongs' }, op, limit: number };
  return fail(expr, `unknown metric ${JSON.stringify(name)}`);
}

/** A threshold on a latency (a histogram statistic of the run or of a scenario step), not on a count. */
export function isLatencyThreshold(t: Threshold): boolean {
  return t.parsed.kind === 'latency' || (t.parsed.kind === 'step' && typeof t.parsed.stat === 'number');
}

/** What thresholds are judged on: the run-wide histograms and counts. */
export interface ThresholdInputs {
  histograms: Record<HistogramName, Histogram>;
  connections: Record<string, number>;
  errors: Record<string, number>;
  counters: Record<string, number>;
  /** Scenario runs: per step key (`request.join`), its counts and run-wide latency histogram. */
  steps?: ReadonlyMap<string, { started: number; matched: number; timeouts: number; late: number; histogram: Histogram }>;
  scenario?: { unexpected: number; unmatched: number; completed: number };
}

export function totalErrors(errors: Record<string, number>): number {
  return Object.values(errors).reduce((s, v) => s + v, 0);
}

/** errors.rate: errors per operation (connection attempts, pings and messages sent). */
export function errorRate(inputs: Pick<ThresholdInputs, 'errors' | 'counters'>): number {
  const c = inputs.counters;
  const ops = (c.connectAttempts ?? 0) + (c.pingsSent ?? 0) + (c.messagesSent ?? 0);
  const errs = totalErrors(inputs.errors);
  return ops === 0 ? (errs > 0 ? 1 : 0) : errs / ops;
}

export function measureThreshold(t: Threshold, inputs: ThresholdInputs): number | null {
  const p = t.parsed;
  switch (p.kind) {
    case 'latency':
      return latencyStat(inputs.histograms[p.histogram], p.stat);
    case 'step': {
      const step = inputs.steps?.get(p.key);
      if (step === undefined) return null;
      if (p.stat === 'started' || p.stat === 'matched' || p.stat === 'timeouts' || p.stat === 'late') return step[p.stat];
      return latencyStat(step.histogram, p.stat);
    }
    case 'scenario':
      return inputs.scenario?.[p.field] ?? null;
    case 'unmatchedRate': {
      const sent = inputs.counters.messagesSent ?? 0;
      return sent === 0 ? 0 : (inputs.counters.unmatched ?? 0) / sent;
    }
    case 'errorRate':
      return errorRate(inputs);
    case 'errors':
      return p.errorKind === null ? totalErrors(inputs.errors) : (inputs.errors[p.errorKind] ?? 0);
    case 'connections':
      return inputs.connections[p.field] ?? 0;
    case 'messages':
      return inputs.counters[p.field === 'sent' ? 'messagesSent' : p.field === 'received' ? 'messagesReceived' : 'unmatched'] ?? 0;
    case 'missedPongs':
      return inputs.counters.missedPongs ?? 0;
  }
}

function latencyStat(h: Histogram, stat: 'min' | 'max' | 'mean' | 'count' | number): number | null {
  if (stat === 'count') return h.totalCount;
  if (h.totalCount === 0) return null;
  if (stat === 'min') return h.minNonZeroValue / 1000;
  if (stat === 'max') return percentileMs(h, 100);
  if (stat === 'mean') return h.mean / 1000;
  return percentileMs(h, stat);
}

/** Judges thresholds; a latency with no samples cannot hold an upper bound it never measured, so it fails. */
export function evaluateThresholds(thresholds: readonly Threshold[], inputs: ThresholdInputs): ThresholdResult[] {
  return thresholds.map((t) => {
    const value = measureThreshold(t, inputs);
    return { expr: t.expr, metric: t.metric, value, ok: value !== null && OPS[t.op](value, t.limit) };
  });
}

/** The figures of a result's load section (one run's, or merged shards') as threshold inputs. */
function sectionInputs(load: LoadSection): ThresholdInputs {
  const histograms = {} as Record<HistogramName, Histogram>;
  for (const name of HISTOGRAM_NAMES) {
    const encoded = load.histograms[name]?.encoded ?? '';
    histograms[name] = encoded === '' ? newHistogram() : decodeHistogram(encoded);
  }
  const { dropsByCode: _codes, ...connections } = load.connections;
  const sc = load.scenario;
  const steps = sc
    ? new Map(
        Object.entries(sc.steps).map(([key, st]) => [
          key,
          { ...st, histogram: st.latency.encoded === '' ? newHistogram() : decodeHistogram(st.latency.encoded) },
        ]),
      )
    : undefined;
  return { histograms, connections, errors: load.errors, counters: load.counters, steps, scenario: sc };
}

/**
 * `report merge` judges thresholds again with this: `expr` is parsed by this grammar and judged on the merged
 * section exactly as a run judges it on its own figures; null when `expr` is not in the grammar.
 */
export const judgeThresholdOnSection: ThresholdJudge = (expr, load) => {
  let threshold: Threshold;
  try {
    threshold = parseThreshold(expr);
  } catch (err) {
    if (err instanceof ThresholdSyntaxError) return null;
    throw err;
  }
  const [result] = evaluateThresholds([threshold], sectionInputs(load));
  return { value: result!.value, ok: result!.ok };
};
