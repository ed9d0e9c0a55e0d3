// One capacity step on a held session: (fresh: close everything and wait until the target settles), ramp to N,
// warm up, then a steady window on which the SLO is judged. Latency SLOs are judged on the steady window only, but
// connect latency on the ramp, where connections open; error and connection counts over the whole step (a refused
// connection during the ramp is the target's answer). A step must also hold its N connections. The step names
// its bottleneck.
import type { Bottleneck, CapacityStep, LatencyFigures, ThresholdResult } from '../../reports/schema.js';
import { percentileMs, type HistogramSet } from '../load/histograms.js';
import type { LoadSession } from '../load/session.js';
import { evaluateThresholds, isLatencyThreshold, type Threshold, type ThresholdInputs } from '../load/thresholds.js';
import type { LoadWindow } from '../load/window.js';
import type { StepStats } from './process-stats.js';
import { waitSettled, type ProbeTarget } from './settle.js';

export interface StepPlan {
  connections: number;
  start: 'grown' | 'fresh';
  repeat: number;
}

export interface StepContext {
  session: LoadSession;
  slo: Threshold[];
  rampPerSecond: number;
  warmupS: number;
  stepDurationS: number;
  settleS: number;
  connectTimeoutMs: number;
  probe: ProbeTarget;
  baselineRttMs: number | null;
  stats: StepStats;
  signal?: AbortSignal;
}

/** Thresholds of the runner itself: above these, the figures measured the runner. */
export const RUNNER_CPU_PERCENT = 90;
export const RUNNER_LAG_MS = 100;

/** A timed wait (the warm-up, the steady window) that an interrupt ends early. */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

function latency(h: HistogramSet[keyof HistogramSet]): LatencyFigures | undefined {
  if (h.totalCount === 0) return undefined;
  const p = (q: number): number => Math.round(percentileMs(h, q) * 1000) / 1000;
  return { count: h.totalCount, p50: p(50), p90: p(90), p99: p(99), p999: p(99.9), max: p(100) };
}

export function windowInputs(w: LoadWindow): ThresholdInputs {
  const counters = w.counters();
  const open = w.openAtEnd();
  return {
    histograms: w.histograms,
    connections: { peak: open, opened: counters.opened ?? 0, failed: counters.failed ?? 0, dropped: counters.dropped ?? 0, reconnects: counters.reconnects ?? 0 },
    errors: w.errors(),
    counters,
    steps: w.scenario?.steps(),
    scenario: w.scenario?.counters(),
  };
}

/** The smallest latency limit among the SLOs (ms), for the jitter test; null when no SLO bounds a latency from above. */
function latencyLimitMs(slo: readonly Threshold[]): number | null {
  const limits = slo
    .filter((t) => isLatencyThreshold(t) && (t.op === '<' || t.op === '<='))
    .map((t) => t.limit);
  return limits.length > 0 ? Math.min(...limits) : null;
}

/**
 * Which side limited the step. The runner was busy when a process of it was above 90% CPU, its event loop lagged
 * 100 ms, or heartbeats left late by half the latency SLO. A breach is the runner's only when its own delay can
 * explain it: every breached latency within twice that delay of its limit (a breach far beyond it is the target's
 * whatever the runner did), and other breaches (errors, connections not held) only with the runner's CPU or event
 * loop saturated.
 */
export function judgeBottleneck(
  breached: readonly ThresholdResult[],
  slo: readonly Threshold[],
  runner: { busiestCpuPercent: number; eventLoopLagMaxMs: number },
  jitterP99Ms: number | undefined,
  machine: { machineCpuPercent?: number; targetCpuPercent?: number; targetRssBytes?: number },
): Bottleneck {
  const limitMs = latencyLimitMs(slo);
  const saturated = runner.busiestCpuPercent >= RUNNER_CPU_PERCENT || runner.eventLoopLagMaxMs >= RUNNER_LAG_MS;
  const why: string[] = [];
  if (runner.busiestCpuPercent >= RUNNER_CPU_PERCENT) why.push(`a runner process at ${Math.round(runner.busiestCpuPercent)}% CPU`);
  if (runner.eventLoopLagMaxMs >= RUNNER_LAG_MS) why.push(`event-loop lag ${Math.round(runner.eventLoopLagMaxMs)} ms`);
  if (jitterP99Ms !== undefined && limitMs !== null && jitterP99Ms >= limitMs / 2) {
    why.push(`heartbeats left ${jitterP99Ms.toFixed(1)} ms late (p99), half the ${limitMs} ms SLO or more`);
  }
  const base = {
    runnerCpuPercent: runner.busiestCpuPercent,
    eventLoopLagMs: runner.eventLoopLagMaxMs,
    ...(jitterP99Ms !== undefined ? { heartbeatJitterP99Ms: Math.round(jitterP99Ms * 1000) / 1000 } : {}),
    ...machine,
  };
  const delay = Math.max(jitterP99Ms ?? 0, runner.eventLoopLagMaxMs);
  const shared =
    machine.machineCpuPercent !== undefined && machine.machineCpuPercent >= 95
      ? `; the machine's CPU was ${Math.round(machine.machineCpuPercent)}% busy: runner and target compete for it`
      : '';
  if (breached.length === 0) {
    if (why.length > 0) return { limit: 'runner', reason: `the SLO held, though the runner was busy (${why.join(', ')})${shared}`, ...base };
    return { limit: 'none', reason: 'the SLO held; the runner had headroom', ...base };
  }
  const explained = why.length > 0 && breached.every((r) => {
    const t = slo.find((x) => x.expr === r.expr);
    const isLatency = t !== undefined && isLatencyThreshold(t);
    return isLatency ? r.value !== null && r.value - t!.limit <= 2 * delay : saturated;
  });
  if (explained) return { limit: 'runner', reason: `the runner was the limit: ${why.join(', ')}${shared}`, ...base };
  const target = machine.targetCpuPercent !== undefined ? ` (target at ${Math.round(machine.targetCpuPercent)}% CPU)` : '';
  const busy = why.length > 0 ? `, beyond what the runner's own delay (${Math.round(delay)} ms) explains` : ': the runner had headroom';
  return { limit: 'target', reason: `the target was the limit${target}${busy}${shared}`, ...base };
}

export async function runStep(plan: StepPlan, ctx: StepContext): Promise<CapacityStep> {
  const { session } = ctx;
  const began = Date.now();
  if (plan.start === 'fresh' && session.open() > 0) {
    session.target(0, 0);
    await session.waitFor(() => session.open() === 0, ctx.connectTimeoutMs + 10_000);
    await waitSettled(ctx.probe, ctx.baselineRttMs, ctx.settleS * 1000, Math.max(10_000, ctx.settleS * 4000));
  }
  const rampStartS = session.elapsedS();
  const ramp = await session.beginWindow();
  session.target(plan.connections, ctx.rampPerSecond);
  const rampBudget = (ctx.rampPerSecond > 0 ? (plan.connections / ctx.rampPerSecond) * 2000 : 0) + ctx.connectTimeoutMs + 10_000;
  await session.waitFor(() => session.open() >= plan.connections || session.rampDone(plan.connections) || ctx.signal?.aborted === true, rampBudget);
  await sleep(ctx.warmupS * 1000, ctx.signal);
  await session.endWindow(ramp);
  const steady = await session.beginWindow();
  const steadyStartS = session.elapsedS();
  ctx.stats.begin();
  await sleep(ctx.stepDurationS * 1000, ctx.signal);
  const machine = ctx.stats.end();
  await session.endWindow(steady);
  const steadyEndS = session.elapsedS();

  const steadyIn = windowInputs(steady);
  const rampIn = windowInputs(ramp);
  const wholeIn = { ...steadyIn, errors: addCounts(rampIn.errors, steadyIn.errors), counters: addCounts(rampIn.counters, steadyIn.counters) };
  const held = steady.openAtEnd();
  const thresholds = ctx.slo.map((t) => {
    const k = t.parsed.kind;
    if (k === 'latency' && t.parsed.histogram === 'connect') return { ...evaluateThresholds([t], rampIn)[0]!, note: 'judged on the ramp, where connections open' };
    if (k === 'errors' || k === 'errorRate' || k === 'connections') return { ...evaluateThresholds([t], wholeIn)[0]!, note: 'judged over the ramp and the steady window' };
    return evaluateThresholds([t], steadyIn)[0]!;
  });
  thresholds.push({
    expr: `connections.held>=${plan.connections}`,
    metric: 'connections.held',
    value: held,
    ok: held >= plan.connections,
    note: 'every step must hold its connections through its steady window',
  });
  const breached = thresholds.filter((t) => !t.ok).map((t) => t.expr);
  const jitter = steady.histograms.heartbeatJitter.totalCount > 0 ? percentileMs(steady.histograms.heartbeatJitter, 99) : undefined;
  const bottleneck = judgeBottleneck(thresholds.filter((t) => !t.ok), ctx.slo, steady.runner(), jitter, machine);
  const outcome = breached.length === 0 ? 'held' : bottleneck.limit === 'runner' ? 'runner-limited' : 'breached';
  const ops = (wholeIn.counters.connectAttempts ?? 0) + (wholeIn.counters.pingsSent ?? 0) + (wholeIn.counters.messagesSent ?? 0);
  const errs = Object.values(wholeIn.errors).reduce((s, v) => s + v, 0);
  const rampConnect = latency(ramp.histograms.connect);
  const pingRtt = latency(steady.histograms.pingRtt);
  return {
    connections: plan.connections,
    ok: outcome === 'held',
    breached,
    thresholds,
    pingRttP99: pingRtt?.p99,
    connectP99: rampConnect?.p99,
    errorRate: ops === 0 ? (errs > 0 ? 1 : 0) : errs / ops,
    durationMs: Date.now() - began,
    outcome,
    start: plan.start,
    repeat: plan.repeat,
    window: { rampStartS: round1(rampStartS), steadyStartS: round1(steadyStartS), steadyEndS: round1(steadyEndS) },
    pingRtt,
    messageRtt: latency(steady.histograms.messageRtt),
    ramp: {
      seconds: round1(steadyStartS - rampStartS),
      opened: rampIn.counters.opened ?? 0,
      failed: rampIn.counters.failed ?? 0,
      errors: Object.values(rampIn.errors).reduce((s, v) => s + v, 0),
      ...(rampConnect ? { connectP50: rampConnect.p50, connectP99: rampConnect.p99 } : {}),
    },
    bottleneck,
  };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}
