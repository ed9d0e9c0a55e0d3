// The words and figures of a capacity search (`wsprobe capacity`), shared by the text and HTML writers so both say
// the same thing: the answer with its confirmation, the knee's spread, each step's outcome, window, ramp and
// bottleneck, and the SLO limits the charts draw. Pure: CapacitySection in, strings and numbers out.
import type { Bottleneck, CapacitySection, CapacityStep, LatencyFigures } from './schema.js';
import { formatBytes, formatCount, formatMs, formatNumber } from './format.js';

export type Outcome = NonNullable<CapacityStep['outcome']>;

/** Results written before the search rewrite have no outcome: `ok` says held or breached. */
export function outcomeOf(s: CapacityStep): Outcome {
  return s.outcome ?? (s.ok ? 'held' : 'breached');
}

/** A result of the rewritten search carries at least one of its fields; older results keep their old layout. */
export function isSearchResult(cap: CapacitySection): boolean {
  const top = cap.knee ?? cap.flags ?? cap.timeline ?? cap.warmupS ?? cap.confirm;
  return (
    top !== undefined ||
    cap.steps.some((s) => [s.outcome, s.start, s.repeat, s.window, s.pingRtt, s.messageRtt, s.ramp, s.bottleneck].some((v) => v !== undefined))
  );
}

// ---- SLO limits (the grammar is runners/load/thresholds.ts; reports/ may not import it, so a small regex here) ----

export interface LatencySlo {
  expr: string;
  /** The figures it bounds: ping or message RTT, or a scenario step's latency (`request.join`). */
  metric: 'pingRtt' | 'messageRtt' | { step: string };
  /** `p99`, `p99.9`. */
  stat: string;
  limitMs: number;
}

const NUMBER_UNIT = String.raw`\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?\s*$`;
const RTT_SLO = new RegExp(String.raw`^\s*(ping_?rtt|message_?rtt)\.(p\d{1,2}(?:\.\d+)?|p100)` + NUMBER_UNIT, 'i');
const STEP_SLO = new RegExp(String.raw`^\s*((?:send|expect|request|subscribe)\.[A-Za-z0-9_-]+)\.(p\d{1,2}(?:\.\d+)?|p100)` + NUMBER_UNIT);
const ERROR_RATE_SLO = /^\s*errors\.rate\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/i;

function toMs(value: number, unit: string | undefined): number {
  const u = (unit ?? 'ms').toLowerCase();
  return u === 's' ? value * 1000 : u === 'us' || u === 'µs' ? value / 1000 : value;
}

/** The first upper bound on a latency percentile among the SLOs (the one the curve draws), or null. */
export function latencySlo(slo: readonly string[]): LatencySlo | null {
  for (const expr of slo) {
    const rtt = RTT_SLO.exec(expr);
    if (rtt) {
      const metric = rtt[1]!.toLowerCase().startsWith('ping') ? 'pingRtt' : 'messageRtt';
      return { expr, metric, stat: rtt[2]!.toLowerCase(), limitMs: toMs(Number(rtt[4]), rtt[5]) };
    }
    const step = STEP_SLO.exec(expr);
    if (step) return { expr, metric: { step: step[1]! }, stat: step[2]!, limitMs: toMs(Number(step[4]), step[5]) };
  }
  return null;
}

/** The first upper bound on errors.rate, as a fraction, or null. */
export function errorRateSlo(slo: readonly string[]): { expr: string; limit: number } | null {
  for (const expr of slo) {
    const m = ERROR_RATE_SLO.exec(expr);
    if (m) return { expr, limit: m[3] === '%' ? Number(m[2]) / 100 : Number(m[2]) };
  }
  return null;
}

// ---- latency figures ----

export type LatencySource = 'pingRtt' | 'messageRtt';

const hasFigures = (f: LatencyFigures | undefined): boolean => f !== undefined && f.count > 0;

/**
 * Which RTT the curve shows: the one the latency SLO names when the steps measured it, else ping RTT, else message
 * RTT (a target measured without heartbeats).
 */
export function latencySource(cap: CapacitySection): LatencySource {
  const slo = latencySlo(cap.slo);
  if (slo?.metric === 'messageRtt' && cap.steps.some((s) => hasFigures(s.messageRtt))) return 'messageRtt';
  if (cap.steps.some((s) => hasFigures(s.pingRtt) || s.pingRttP99 !== undefined)) return 'pingRtt';
  return cap.steps.some((s) => hasFigures(s.messageRtt)) ? 'messageRtt' : 'pingRtt';
}

export const SOURCE_LABEL: Record<LatencySource, string> = { pingRtt: 'ping RTT', messageRtt: 'message RTT' };

/** A step's steady-window percentiles from `source` (older results: ping p99 only). */
export function latencyOf(s: CapacityStep, source: LatencySource): { p50?: number; p90?: number; p99?: number } {
  const f = s[source];
  if (f !== undefined && f.count > 0) return { p50: f.p50, p90: f.p90, p99: f.p99 };
  return source === 'pingRtt' && s.pingRttP99 !== undefined ? { p99: s.pingRttP99 } : {};
}

// ---- the answer ----

export interface Runs {
  runs: number;
  held: number;
  breached: number;
  runnerLimited: number;
}

/** Every run of a connection count: the search's own and the confirmation repeats. */
export function runsAt(steps: readonly CapacityStep[], connections: number): Runs {
  const at = steps.filter((s) => s.connections === connections).map(outcomeOf);
  return {
    runs: at.length,
    held: at.filter((o) => o === 'held').length,
    breached: at.filter((o) => o === 'breached').length,
    runnerLimited: at.filter((o) => o === 'runner-limited').length,
  };
}

function runsPhrase(r: Runs, side: 'held' | 'breached', n: number): string {
  const limited = r.runnerLimited > 0 ? ` (${r.runnerLimited} runner-limited)` : '';
  return `${r[side]}/${r.runs} ${side} at ${formatCount(n)}${limited}`;
}

/**
 * "max connections within SLO: 725 (confirmed: 3/3 held at 725, 3/3 breached at 800)". Without a knee (a result
 * of the first search) the count alone.
 */
export function answerLine(cap: CapacitySection): { text: string; confirmed: boolean | null } {
  const count = cap.maxConnections === null ? 'none' : formatCount(cap.maxConnections);
  const head = `max connections within SLO: ${count}`;
  const knee = cap.knee;
  if (!knee) return { text: cap.maxConnections === null ? `${head} (the first step did not hold)` : head, confirmed: null };
  const parts: string[] = [];
  if (knee.lastHeld !== null) parts.push(runsPhrase(runsAt(cap.steps, knee.lastHeld), 'held', knee.lastHeld));
  else parts.push('no count held');
  if (knee.firstBreached !== null) parts.push(runsPhrase(runsAt(cap.steps, knee.firstBreached), 'breached', knee.firstBreached));
  else parts.push('no count breached up to the largest tried');
  return { text: `${head} (${knee.confirmed ? 'confirmed' : 'unconfirmed'}: ${parts.join(', ')})`, confirmed: knee.confirmed };
}

function rangeText(metric: string, [lo, hi]: readonly [number, number]): string {
  if (/^errors\.rate/.test(metric)) return lo === hi ? percent(lo) : `${percent(lo).replace('%', '')}-${percent(hi)}`;
  return lo === hi ? formatMs(lo) : `${formatMs(lo).replace(' ms', '')}-${formatMs(hi)}`;
}

/** "3 runs at 725: p99 4.30-4.80 ms; 3 runs at 800: 25.0-27.2 ms", or null when the knee has no spread. */
export function spreadLine(cap: CapacitySection): string | null {
  const knee = cap.knee;
  const spread = knee?.spread;
  if (!knee || !spread) return null;
  const stat = spread.metric.split('.').pop() ?? spread.metric;
  const side = (n: number | null, range: [number, number] | undefined): string[] => {
    if (n === null || range === undefined) return [];
    const runs = runsAt(cap.steps, n).runs;
    return [`${runs} run${runs === 1 ? '' : 's'} at ${formatCount(n)}: ${stat} ${rangeText(spread.metric, range)}`];
  };
  const parts = [...side(knee.lastHeld, spread.held), ...side(knee.firstBreached, spread.breached)];
  return parts.length > 0 ? parts.join('; ') : null;
}

// ---- one step ----

export function percent(fraction: number | undefined): string {
  return fraction === undefined ? '-' : `${(fraction * 100).toFixed(2)}%`;
}

/** The steady window, seconds since the search began: "12.0-22.0 s". */
export function windowText(s: CapacityStep): string {
  const w = s.window;
  return w === undefined ? '-' : `${w.steadyStartS.toFixed(1)}-${w.steadyEndS.toFixed(1)} s`;
}

/** "-" for the search's own run of a count, "1/2" for the first of two confirmation repeats. */
export function repeatText(s: CapacityStep, confirm: number | undefined): string {
  if (s.repeat === undefined || s.repeat === 0) return '-';
  return confirm !== undefined && confirm > 0 ? `${s.repeat}/${confirm}` : String(s.repeat);
}

/** The ramp's own figures: "1.2 s, connect p99 3.10 ms, 0 errors" (failed connections when any). */
export function rampText(s: CapacityStep): string {
  const r = s.ramp;
  if (r === undefined) return '-';
  const parts = [`${formatNumber(r.seconds, 1)} s`];
  if (r.connectP99 !== undefined) parts.push(`connect p99 ${formatMs(r.connectP99)}`);
  if (r.failed > 0) parts.push(`${formatCount(r.failed)} failed`);
  parts.push(`${formatCount(r.errors)} error${r.errors === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** The figures behind a bottleneck: runner CPU, lag, heartbeat jitter, then the target's and the machine's. */
export function bottleneckFigures(b: Bottleneck): string[] {
  const out = [`runner CPU ${formatNumber(b.runnerCpuPercent, 0)}%`, `lag ${formatMs(b.eventLoopLagMs)}`];
  if (b.heartbeatJitterP99Ms !== undefined) out.push(`jitter p99 ${formatMs(b.heartbeatJitterP99Ms)}`);
  if (b.targetCpuPercent !== undefined) out.push(`target CPU ${formatNumber(b.targetCpuPercent, 0)}%`);
  if (b.targetRssBytes !== undefined) out.push(`target RSS ${formatBytes(b.targetRssBytes)}`);
  if (b.machineCpuPercent !== undefined) out.push(`machine CPU ${formatNumber(b.machineCpuPercent, 0)}%`);
  return out;
}

/**
 * What the outcome column says after the label. A runner-limited step's SLO was not judged (its figures measured
 * the runner), so it never lists thresholds as breached.
 */
export function outcomeNote(s: CapacityStep): string {
  const o = outcomeOf(s);
  if (o === 'runner-limited') return 'SLO not judged: the runner was the limit';
  return o === 'breached' ? s.breached.join('; ') : '';
}

/** The median of values (the curve's line through repeated runs of one count). */
export function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}
