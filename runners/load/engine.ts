// The load engine: checks limits, starts the target (embedded) and the workers, samples a timeline once a second,
// emits typed progress events, and returns one RunResult. It writes no files and sets no exit code.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { emptySummary, SCHEMA_ID, type LoadSection, type RunResult, type TimelinePoint } from '../../reports/schema.js';
import { LoadAggregator } from './aggregator.js';
import { startEmbeddedTarget, type EmbeddedTarget } from './embedded-target.js';
import { startHttpProbe, type HttpProbe } from './http-probe.js';
import { checkLimits, FD_OVERHEAD, readSystemLimits, type PreflightReport, type SystemLimits } from './preflight.js';
import { ProcessSampler } from './process-sampler.js';
import { peakTargetOf, socketsFor, stagesOf, totalDurationS, type LoadProfile } from './profile.js';
import { targetAt } from './schedule.js';
import { countBelow, subShare, WHOLE, type IndexShare } from './share.js';
import { implicitThresholds, noEchoWarning } from './implicit-thresholds.js';
import { errorRate, evaluateThresholds, parseThreshold, type Threshold } from './thresholds.js';
import type { WorkerReport, WorkerSpecMessage } from './worker-report.js';
import { startInlineWorker, startProcessWorker, type WorkerHandle } from './worker-handle.js';

export type LoadEvent =
  | { type: 'preflight'; report: PreflightReport }
  | { type: 'target'; url: string; embedded: boolean; serverProcesses?: number }
  | { type: 'started'; workers: number; connections: number }
  | { type: 'tick'; point: TimelinePoint; errorsTotal: number }
  | { type: 'warning'; message: string }
  | { type: 'stopping'; interrupted: boolean };

export interface LoadRunOptions {
  signal?: AbortSignal;
  onEvent?: (event: LoadEvent) => void;
  /** Run the pool in this process instead of forking workers (small runs, tests). */
  inline?: boolean;
  /** Processes of the embedded server (default: enough for the open-file limit). */
  serverWorkers?: number;
  /** TLS for the embedded server (it then speaks wss://). */
  serverTls?: { cert: string; key: string };
  limits?: SystemLimits;
  toolVersion?: string;
}

export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

const SAMPLE_MS = 1000;


export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Parses every threshold first, so a malformed one fails before anything starts. */
export function parseThresholds(exprs: readonly string[]): Threshold[] {
  return exprs.map(parseThreshold);
}

export async function runLoad(input: LoadProfile, opts: LoadRunOptions = {}): Promise<RunResult> {
  const profile: LoadProfile = { ...input };
  const { thresholds, implicit } = implicitThresholds(profile, parseThresholds(input.thresholds));
  const stages = stagesOf(profile);
  const globalPeak = peakTargetOf(profile);
  const share: IndexShare = profile.shard ? subShare(WHOLE, profile.shard.index - 1, profile.shard.count) : WHOLE;
  const ownPeak = countBelow(share, globalPeak);
  const inline = opts.inline === true || profile.workers === 0;
  const workerCount = inline ? 1 : Math.max(1, Math.min(profile.workers, ownPeak));
  const limits = opts.limits ?? readSystemLimits();
  const embedded = profile.url === '';
  // Over HTTP/2 the limits count connections, not WebSockets.
  const sockets = socketsFor(profile, ownPeak, workerCount);
  // Each server process accepts from the shared socket when the kernel wakes it, so their shares are uneven (8,890 /
  // 6,976 / 8,134 of a 24,000-connection ramp): a quarter of each one's file limit is left spare.
  const serverProcesses = embedded
    ? (opts.serverWorkers ?? Math.max(1, Math.ceil(sockets / (0.75 * Math.max(1000, Math.min(limits.nofileSoft, 1e9) - FD_OVERHEAD * 4)))))
    : 0;
  const preflight = checkLimits({ connections: sockets, workers: workerCount, sourceIps: profile.sourceIps.length, serverProcesses }, limits);
  opts.onEvent?.({ type: 'preflight', report: preflight });
  if (!preflight.ok) throw new PreflightError(preflight.problems.join('\n'));

  const startWarnings: string[] = [];
  const startedAt = new Date();
  const t0 = performance.now();
  let target: EmbeddedTarget | null = null;
  if (embedded) {
    try {
      target = await startEmbeddedTarget({ workers: serverProcesses, tls: opts.serverTls, deflate: profile.deflate !== undefined });
    } catch (err) {
      throw new TargetError((err as Error).message);
    }
    profile.url = target.url;
  }
  opts.onEvent?.({ type: 'target', url: profile.url, embedded, serverProcesses: embedded ? serverProcesses : undefined });
  // The echo probe speaks HTTP/1.1; an --http2 run still has the implicit unmatched-messages threshold.
  if (!embedded && !profile.scenario && !profile.http2 && (profile.messageRate > 0 || profile.inFlight > 0)) {
    const warning = await noEchoWarning(profile);
    if (warning !== null) {
      startWarnings.push(warning);
      opts.onEvent?.({ type: 'warning', message: warning });
    }
  }

  const agg = new LoadAggregator(profile.scenario?.name);
  const main = new ProcessSampler();
  main.start();
  const handles: WorkerHandle[] = [];
  let interrupted = false;
  let probe: HttpProbe | null = null;
  let sampler: NodeJS.Timeout | null = null;
  let runStart = 0;
  const onReport = (r: WorkerReport): void => agg.add(r);
  const onLost = (worker: number, how: string): void => {
    const message = `worker ${worker + 1} ${how} before its final report: its last per-second report is kept`;
    agg.lost(worker);
    agg.warnings.push(message);
    opts.onEvent?.({ type: 'warning', message });
  };
  try {
    for (let w = 0; w < workerCount; w++) {
      const spec: WorkerSpecMessage = { profile, share: subShare(share, w, workerCount), totalPeak: globalPeak, worker: w, workers: workerCount };
      handles.push(inline ? startInlineWorker(spec, onReport) : await startProcessWorker(spec, onReport, onLost));
    }
    runStart = performance.now();
    for (const h of handles) h.start();
    opts.onEvent?.({ type: 'started', workers: workerCount, connections: ownPeak });

    const sample = (): void => {
      const now = performance.now();
      const { cpuPercent, eventLoopLagMaxMs: lagMs } = main.sample(now);
      const t = Math.round((now - runStart) / 1000);
      const targetNow = countBelow(share, targetAt(stages, now - runStart));
      const warningsBefore = agg.warnings.length;
      const point = agg.sample(t, targetNow, { cpuPercent, rssBytes: process.memoryUsage.rss(), eventLoopLagMs: lagMs });
      const { errors } = agg.totals();
      opts.onEvent?.({ type: 'tick', point, errorsTotal: Object.values(errors).reduce((s, v) => s + v, 0) });
      for (const w of agg.warnings.slice(warningsBefore)) opts.onEvent?.({ type: 'warning', message: w });
    };
    sampler = setInterval(sample, SAMPLE_MS);

    if (profile.httpProbe) {
      const holdStartS = stages.length > 1 && !profile.stages ? stages[0]!.durationS : 0;
      const holdS = totalDurationS(stages) - holdStartS;
      const delay = setTimeout(() => {
        probe = startHttpProbe(profile.url, profile.httpProbe!, holdS);
      }, holdStartS * 1000);
      opts.signal?.addEventListener('abort', () => clearTimeout(delay), { once: true });
    }

    const onAbort = (): void => {
      interrupted = true;
      opts.onEvent?.({ type: 'stopping', interrupted: true });
      for (const h of handles) h.stop();
      (probe as HttpProbe | null)?.stop();
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });

    // Bounded: the schedule plus the close time plus a margin; a stuck worker is killed, its last report kept.
    const limitMs = totalDurationS(stages) * 1000 + profile.closeTimeoutMs + 15_000;
    const guard = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        agg.warnings.push(`workers did not finish within ${Math.round(limitMs / 1000)} s and were stopped; their last per-second reports are kept`);
        for (const h of handles) h.kill();
        resolve();
      }, limitMs);
      void Promise.all(handles.map((h) => h.finished)).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await guard;
    opts.signal?.removeEventListener('abort', onAbort);
    clearInterval(sampler);
    sampler = null;
    sample();
  } finally {
    if (sampler) clearInterval(sampler);
    for (const h of handles) h.kill();
    main.stop();
    // The probe ends before the target does: requests to a stopping server would count as its errors.
    if (probe) {
      (probe as HttpProbe).stop();
      await (probe as HttpProbe).done;
    }
    if (target) await target.stop();
  }
  const http = probe ? await (probe as HttpProbe).done : undefined;
  const durationMs = performance.now() - t0;
  agg.warnings.unshift(...startWarnings);
  const load = buildLoadSection(profile, agg, { ownPeak, workerCount, thresholds, implicit, share, http, stages });
  return {
    schema: SCHEMA_ID,
    kind: 'load',
    tool: { name: 'wsprobe', version: opts.toolVersion ?? '0.0.0' },
    target: { url: profile.url, embedded: embedded || undefined },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    interrupted,
    summary: emptySummary(),
    cases: [],
    options: { ...input, caPem: input.caPem ? '(given)' : undefined, payloadBase64: undefined, scenario: input.scenario ? withoutData(input.scenario) : undefined },
    load,
  };
}

function buildLoadSection(
  profile: LoadProfile,
  agg: LoadAggregator,
  ctx: { ownPeak: number; workerCount: number; thresholds: Threshold[]; implicit: ReadonlySet<Threshold>; share: IndexShare; http?: Record<string, unknown>; stages: unknown },
): LoadSection {
  const { counters, errors, dropsByCode } = agg.totals();
  const reports = agg.reports();
  // Each worker counts its own peak exactly; their sum can only exceed the simultaneous peak if workers peaked at
  // different moments, and per-second samples can miss a short peak: take the larger.
  const peak = Math.max(agg.peakOpen, counters.peakOpen ?? 0);
  const connections = {
    target: ctx.ownPeak,
    peak,
    opened: counters.opened ?? 0,
    failed: counters.failed ?? 0,
    reconnects: counters.reconnects ?? 0,
    dropped: counters.dropped ?? 0,
    dropsByCode,
  };
  const histograms = agg.summaries();
  const scenario = agg.scenario?.section();
  const thresholdResults = evaluateThresholds(ctx.thresholds, {
    histograms: agg.histograms,
    connections: { peak, opened: connections.opened, failed: connections.failed, reconnects: connections.reconnects, dropped: connections.dropped },
    errors,
    counters,
    steps: agg.scenario?.steps(),
    scenario,
  }).map((r, i) => (ctx.implicit.has(ctx.thresholds[i]!) ? { ...r, note: 'implicit' } : r));
  const perConn = reports.map((r) => r.memory?.bytesPerConnection).filter((v): v is number => v !== undefined);
  const cpuSeconds = reports.reduce((s, r) => s + r.gauges.cpuSeconds, 0) + (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const { caPem: _ca, payloadBase64, scenario: file, ...shown } = profile;
  return {
    profile: {
      ...shown,
      payload: payloadBase64 ? `${Buffer.from(payloadBase64, 'base64').length} bytes` : undefined,
      scenario: file ? withoutData(file) : undefined,
      stages: ctx.stages,
    },
    connections,
    histograms,
    counters: { ...counters, errorRatePercent: errorRate({ errors, counters }) * 100 },
    timeline: agg.timeline,
    errors,
    thresholds: thresholdResults,
    heartbeat: {
      intervalMs: profile.heartbeatMs,
      pongTimeoutMs: profile.pongTimeoutMs,
      pingsSent: counters.pingsSent ?? 0,
      pongsReceived: counters.pongsReceived ?? 0,
      missedPongs: counters.missedPongs ?? 0,
      silentDrops: counters.silentDrops ?? 0,
      latePongs: counters.latePongs ?? 0,
      pingsSkippedOutstanding: counters.pingsSkipped ?? 0,
      maxSilenceMs: Math.round(agg.maxSilenceMs),
      jitterP99Ms: histograms.heartbeatJitter!.p99,
      jitterMaxMs: histograms.heartbeatJitter!.max,
    },
    runner: {
      workers: ctx.workerCount,
      peakRssBytes: agg.peakRssBytes,
      bytesPerConnection: perConn.length > 0 ? Math.max(...perConn) : undefined,
      cpuSeconds: Math.round(cpuSeconds * 100) / 100,
      maxEventLoopLagMs: Math.round(agg.maxEventLoopLagMs * 10) / 10,
      warnings: agg.warnings,
      workerMemory: reports.flatMap((r) =>
        r.memory
          ? [{ worker: r.worker + 1, heldConnections: r.memory.heldConnections, bytesPerConnection: Math.round(r.memory.bytesPerConnection), rssBytes: r.memory.heldRssBytes }]
          : [],
      ),
    },
    http: ctx.http,
    scenario,
    http2: agg.http2(),
    shard: profile.shard,
    timelinePercentiles: 'exact',
  };
}

/** A scenario as results show it: the data file's rows counted, not copied. */
function withoutData(s: NonNullable<LoadProfile['scenario']>): Record<string, unknown> {
  const { data, ...rest } = s;
  return data ? { ...rest, data: `${data.length} rows` } : rest;
}
