// `wsprobe capacity`: the most connections a target holds within an SLO. One load session holds the connections
// from step to step: steps double from --start, each grown on the connections of the step before, judged over a
// steady window after the ramp and a warm-up (step.ts); after a breach, bisection steps start fresh from a settled
// target; then the knee is confirmed by repeats (plan.ts). Each step names its bottleneck, and a step the runner
// limited is never read as the target's breach. docs/capacity.md explains the search.
import { performance } from 'node:perf_hooks';
import { emptySummary, SCHEMA_ID, type CapacityStep, type RunResult } from '../../reports/schema.js';
import { TargetError, type LoadEvent } from '../load/engine.js';
import { startEmbeddedTarget, type EmbeddedTarget } from '../load/embedded-target.js';
import { FD_OVERHEAD, readSystemLimits } from '../load/preflight.js';
import type { LoadProfile } from '../load/profile.js';
import { LoadSession, poolWithinLimits } from '../load/session.js';
import { isLatencyThreshold, parseThreshold } from '../load/thresholds.js';
import { answer, flagsOf, kneeOf, planNext } from './plan.js';
import { StepStats } from './process-stats.js';
import { probeRtt } from './settle.js';
import { runStep } from './step.js';

export { nextStep } from './plan.js';

export interface CapacityOptions {
  slo: string[];
  start: number;
  maxConnections: number;
  stepDurationS: number;
  /** Stop bisecting when the bracket is narrower than this fraction of the lower bound. */
  resolution: number;
  /** Seconds between a step's ramp and its steady window (default 3). */
  warmupS?: number;
  /** Repeats of the last held and first breached counts (default 2). */
  confirm?: number;
  /** Seconds to wait after closing every connection before a fresh step (default 3), then until the target settles. */
  settleS?: number;
  /** A target process on this machine to read CPU and memory from (the embedded server's is read by itself). */
  targetPid?: number;
  serverWorkers?: number;
  /** Run the pool in this process (tests). */
  inline?: boolean;
}

export type CapacityEvent = { type: 'step-start'; connections: number; index: number; start: 'grown' | 'fresh'; repeat: number } | { type: 'step-done'; step: CapacityStep } | LoadEvent;

export async function runCapacity(
  base: LoadProfile,
  opts: CapacityOptions,
  run: { signal?: AbortSignal; onEvent?: (e: CapacityEvent) => void; toolVersion?: string } = {},
): Promise<RunResult> {
  const slo = opts.slo.map(parseThreshold);
  const confirm = opts.confirm ?? 2;
  const warmupS = opts.warmupS ?? 3;
  const startedAt = new Date();
  const t0 = performance.now();
  const limits = readSystemLimits();
  const workers = opts.inline ? 1 : Math.max(1, base.workers);
  const pool = poolWithinLimits(opts.maxConnections, workers, limits, base.sourceIps.length);
  const warnings: string[] = [];
  if (pool < opts.maxConnections) {
    const w = `the open-file limit lets ${workers} worker(s) hold ${pool} connections, fewer than --max-connections ${opts.maxConnections}: the search stops there (raise ulimit -n or add --workers)`;
    warnings.push(w);
    run.onEvent?.({ type: 'warning', message: w });
  }
  const maxConnections = Math.max(1, Math.min(pool, opts.maxConnections));
  let target: EmbeddedTarget | null = null;
  let url = base.url;
  if (url === '') {
    const soft = Math.min(limits.nofileSoft, 1e9);
    const serverWorkers = opts.serverWorkers ?? Math.max(1, Math.ceil(maxConnections / (0.75 * Math.max(1000, soft - FD_OVERHEAD * 4))));
    try {
      target = await startEmbeddedTarget({ workers: serverWorkers, deflate: base.deflate !== undefined });
    } catch (err) {
      throw new TargetError((err as Error).message);
    }
    url = target.url;
  }
  const steps: CapacityStep[] = [];
  let interrupted = false;
  let session: LoadSession | null = null;
  try {
    const probe = { url: new URL(url), tls: { insecure: base.insecure, ca: base.caPem }, defaults: { origin: base.origin, protocols: base.protocols, headers: base.headers } };
    const baselineRttMs = await probeRtt(probe);
    session = await LoadSession.start(
      { ...base, url, connections: maxConnections, stages: undefined, thresholds: [], shard: undefined },
      { inline: opts.inline, onEvent: run.onEvent, limits },
    );
    const ctx = {
      session,
      slo,
      rampPerSecond: base.rampPerSecond,
      warmupS,
      stepDurationS: opts.stepDurationS,
      settleS: opts.settleS ?? 3,
      connectTimeoutMs: base.connectTimeoutMs,
      probe,
      baselineRttMs,
      stats: new StepStats(opts.targetPid ?? target?.pid),
      signal: run.signal,
    };
    const planOpts = { start: opts.start, maxConnections, resolution: opts.resolution, confirm };
    for (let plan = planNext(steps, planOpts); plan !== null && !run.signal?.aborted; plan = planNext(steps, planOpts)) {
      run.onEvent?.({ type: 'step-start', connections: plan.connections, index: steps.length, start: plan.start, repeat: plan.repeat });
      const step = await runStep(plan, ctx);
      if (run.signal?.aborted) {
        interrupted = true;
        break;
      }
      steps.push(step);
      run.onEvent?.({ type: 'step-done', step });
    }
  } finally {
    if (session) await session.stop();
    if (target) await target.stop();
  }
  if (run.signal?.aborted) interrupted = true;
  const latencyMetric = slo.find(isLatencyThreshold)?.metric;
  const flags = [...warnings, ...flagsOf(steps, confirm)];
  return {
    schema: SCHEMA_ID,
    kind: 'capacity',
    tool: { name: 'wsprobe', version: run.toolVersion ?? '0.0.0' },
    target: { url: base.url === '' ? url : base.url, embedded: base.url === '' || undefined },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    interrupted,
    summary: emptySummary(),
    cases: [],
    options: { ...opts, profile: { ...base, caPem: undefined, payloadBase64: undefined, scenario: base.scenario ? base.scenario.name : undefined } },
    capacity: {
      slo: opts.slo,
      maxConnections: answer(steps),
      steps,
      warmupS,
      confirm,
      knee: kneeOf(steps, confirm, latencyMetric),
      ...(flags.length > 0 ? { flags } : {}),
      timeline: session?.timeline ?? [],
    },
  };
}
