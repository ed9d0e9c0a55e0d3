// `wsprobe capacity`: load steps of growing size (doubling from --start) until the SLO breaks, then bisection
// between the last step that held and the first that broke. The answer is the largest connection count that held
// the SLO, with every step kept as the curve.
import { performance } from 'node:perf_hooks';
import { emptySummary, SCHEMA_ID, type CapacityStep, type RunResult } from '../../reports/schema.js';
import { runLoad, type LoadEvent, TargetError } from '../load/engine.js';
import { startEmbeddedTarget, type EmbeddedTarget } from '../load/embedded-target.js';
import { FD_OVERHEAD, readSystemLimits } from '../load/preflight.js';
import type { LoadProfile } from '../load/profile.js';
import { parseThreshold } from '../load/thresholds.js';

export interface CapacityOptions {
  slo: string[];
  start: number;
  maxConnections: number;
  stepDurationS: number;
  /** Stop bisecting when the bracket is narrower than this fraction of the lower bound. */
  resolution: number;
  serverWorkers?: number;
}

export type CapacityEvent = { type: 'step-start'; connections: number; index: number } | { type: 'step-done'; step: CapacityStep } | LoadEvent;

/** The next step to run given what is known, or null when the search is done. */
export function nextStep(lastOk: number | null, firstBad: number | null, opts: Pick<CapacityOptions, 'start' | 'maxConnections' | 'resolution'>): number | null {
  if (firstBad === null) {
    if (lastOk === null) return Math.min(opts.start, opts.maxConnections);
    if (lastOk >= opts.maxConnections) return null;
    return Math.min(opts.maxConnections, lastOk * 2);
  }
  const lo = lastOk ?? 0;
  const gap = firstBad - lo;
  if (gap <= 1 || gap <= Math.max(1, Math.floor(lo * opts.resolution))) return null;
  return Math.floor((lo + firstBad) / 2);
}

export async function runCapacity(
  base: LoadProfile,
  opts: CapacityOptions,
  run: { signal?: AbortSignal; onEvent?: (e: CapacityEvent) => void; toolVersion?: string } = {},
): Promise<RunResult> {
  opts.slo.forEach(parseThreshold);
  const startedAt = new Date();
  const t0 = performance.now();
  let target: EmbeddedTarget | null = null;
  let url = base.url;
  if (url === '') {
    const soft = Math.min(readSystemLimits().nofileSoft, 1e9);
    const workers = opts.serverWorkers ?? Math.max(1, Math.ceil(opts.maxConnections / Math.max(1000, soft - FD_OVERHEAD * 4)));
    try {
      target = await startEmbeddedTarget({ workers, deflate: base.deflate !== undefined });
    } catch (err) {
      throw new TargetError((err as Error).message);
    }
    url = target.url;
  }
  const steps: CapacityStep[] = [];
  let lastOk: number | null = null;
  let firstBad: number | null = null;
  let best: RunResult | null = null;
  let interrupted = false;
  try {
    for (let n = nextStep(lastOk, firstBad, opts); n !== null && !run.signal?.aborted; n = nextStep(lastOk, firstBad, opts)) {
      run.onEvent?.({ type: 'step-start', connections: n, index: steps.length });
      const r = await runLoad(
        { ...base, url, connections: n, durationS: opts.stepDurationS, stages: undefined, thresholds: opts.slo, shard: undefined },
        { signal: run.signal, onEvent: run.onEvent, toolVersion: run.toolVersion },
      );
      const load = r.load!;
      if (r.interrupted) {
        interrupted = true;
        break;
      }
      const breached = load.thresholds.filter((t) => !t.ok).map((t) => t.expr);
      const step: CapacityStep = {
        connections: n,
        ok: breached.length === 0,
        breached,
        thresholds: load.thresholds,
        pingRttP99: load.histograms.pingRtt.count > 0 ? load.histograms.pingRtt.p99 : undefined,
        connectP99: load.histograms.connect.count > 0 ? load.histograms.connect.p99 : undefined,
        errorRate: (load.counters.errorRatePercent ?? 0) / 100,
        durationMs: r.durationMs,
      };
      steps.push(step);
      run.onEvent?.({ type: 'step-done', step });
      if (step.ok) {
        lastOk = n;
        best = r;
      } else firstBad = n;
    }
  } finally {
    if (target) await target.stop();
  }
  if (run.signal?.aborted) interrupted = true;
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
    options: { ...opts, profile: { ...base, caPem: undefined, payloadBase64: undefined } },
    capacity: { slo: opts.slo, maxConnections: lastOk, steps },
    load: best?.load,
  };
}
