// A load session: workers that stay up while their connection target moves (capacity search), with the figures
// split into windows by marks (window.ts). The per-second timeline, worker handling and the runner's own figures are
// the engine's (engine.ts runs one fixed schedule; a session is driven step by step from outside).
import { performance } from 'node:perf_hooks';
import type { TimelinePoint } from '../../reports/schema.js';
import { LoadAggregator } from './aggregator.js';
import type { LoadEvent } from './engine.js';
import { checkLimits, readSystemLimits, type SystemLimits } from './preflight.js';
import { ProcessSampler } from './process-sampler.js';
import type { LoadProfile } from './profile.js';
import { subShare, WHOLE } from './share.js';
import { LoadWindow } from './window.js';
import { startInlineWorker, startProcessWorker, type WorkerHandle } from './worker-handle.js';
import type { WorkerReport } from './worker-report.js';

const SAMPLE_MS = 1000;
const MARK_TIMEOUT_MS = 10_000;
const REFRESH_MS = 200;

export interface SessionOptions {
  inline?: boolean;
  onEvent?: (e: LoadEvent) => void;
  limits?: SystemLimits;
}

/** The largest pool the machine's limits allow for `workers` processes (the whole of `wanted` when they allow it). */
export function poolWithinLimits(wanted: number, workers: number, limits: SystemLimits, sourceIps: number): number {
  const ok = (n: number): boolean => checkLimits({ connections: n, workers, sourceIps, serverProcesses: 0 }, limits).ok;
  if (ok(wanted)) return wanted;
  let lo = 0;
  let hi = wanted;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export class LoadSession {
  readonly agg: LoadAggregator;
  private readonly handles: WorkerHandle[] = [];
  private readonly windows = new Map<LoadWindow, number | null>();
  private readonly markWaits = new Map<number, { pending: Set<number>; resolve: () => void }>();
  private readonly checks = new Set<() => void>();
  private readonly main = new ProcessSampler();
  private readonly lost = new Set<number>();
  private sampler: NodeJS.Timeout | null = null;
  private nextMark = 1;
  private t0 = 0;
  private currentTarget = 0;

  private constructor(
    readonly profile: LoadProfile,
    private readonly opts: SessionOptions,
  ) {
    this.agg = new LoadAggregator(profile.scenario?.name);
  }

  /** Starts the workers with a pool of `profile.connections` (none open until `target`). */
  static async start(profile: LoadProfile, opts: SessionOptions = {}): Promise<LoadSession> {
    const s = new LoadSession(profile, opts);
    const inline = opts.inline === true || profile.workers === 0;
    const workers = inline ? 1 : Math.max(1, Math.min(profile.workers, profile.connections));
    const onReport = (r: WorkerReport): void => s.onReport(r);
    const onLost = (w: number, how: string): void => {
      s.lost.add(w);
      s.agg.lost(w);
      const message = `worker ${w + 1} ${how}: its connections are gone; its last per-second report is kept`;
      s.agg.warnings.push(message);
      opts.onEvent?.({ type: 'warning', message });
      s.settleMarks();
      for (const check of s.checks) check();
    };
    for (let w = 0; w < workers; w++) {
      const spec = { profile, share: subShare(WHOLE, w, workers), totalPeak: profile.connections, worker: w, workers, session: true };
      s.handles.push(inline ? startInlineWorker(spec, onReport) : await startProcessWorker(spec, onReport, onLost));
    }
    s.main.start();
    s.t0 = performance.now();
    for (const h of s.handles) h.start();
    s.sampler = setInterval(() => s.sample(), SAMPLE_MS);
    return s;
  }

  /** Seconds since the session started. */
  elapsedS(): number {
    return (performance.now() - this.t0) / 1000;
  }

  get timeline(): TimelinePoint[] {
    return this.agg.timeline;
  }

  /** Moves the whole-run target: grown at `rampPerSecond` (0: as fast as the workers open them), shrunk at once. */
  target(connections: number, rampPerSecond: number): void {
    this.currentTarget = connections;
    for (const h of this.handles) h.send({ type: 'target', connections, rampPerSecond });
  }

  /** Connections open now (from the workers' latest reports, at most a second old, or a mark's). */
  open(): number {
    return this.agg.reports().reduce((s, r) => s + (r.final ? 0 : r.gauges.open), 0);
  }

  /** The ramp to `n` is over: every connection below it has been tried and none is still connecting. */
  rampDone(n: number): boolean {
    let target = 0;
    let pending = 0;
    for (const r of this.agg.reports()) {
      if (r.final) continue;
      target += r.gauges.target;
      pending += r.gauges.pending;
    }
    return target >= n && pending === 0;
  }

  /**
   * Resolves true once `pred` holds (checked at every report), false after `timeoutMs`. While it waits, the workers
   * are asked to report every REFRESH_MS (a mark no window uses), so the wait ends soon after the state changes.
   */
  waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        this.checks.delete(check);
        clearTimeout(timer);
        clearInterval(refresh);
        resolve(ok);
      };
      const check = (): void => {
        if (pred()) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const refresh = setInterval(() => {
        const id = this.nextMark++;
        for (const h of this.handles) h.send({ type: 'mark', id });
      }, REFRESH_MS);
      this.checks.add(check);
    });
  }

  /** Opens a window: its figures start after every worker's report for a new mark. */
  async beginWindow(): Promise<LoadWindow> {
    const id = this.nextMark++;
    const win = new LoadWindow(id, this.profile.scenario?.name);
    this.windows.set(win, null);
    await this.mark(id);
    return win;
  }

  /** Closes `win`: its figures end with every worker's report for a new mark. */
  async endWindow(win: LoadWindow): Promise<LoadWindow> {
    const id = this.nextMark++;
    this.windows.set(win, id);
    await this.mark(id);
    this.windows.delete(win);
    return win;
  }

  /** Stops every worker (each closes its connections and sends its final report). */
  async stop(): Promise<void> {
    for (const h of this.handles) h.stop();
    const all = Promise.all(this.handles.map((h) => h.finished));
    const limit = new Promise<void>((r) => setTimeout(r, this.profile.closeTimeoutMs + 15_000).unref());
    await Promise.race([all, limit]);
    for (const h of this.handles) h.kill();
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    this.main.stop();
  }

  private mark(id: number): Promise<void> {
    const pending = new Set(this.handles.map((h) => h.index).filter((w) => !this.lost.has(w)));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.markWaits.delete(id);
        resolve();
      }, MARK_TIMEOUT_MS);
      this.markWaits.set(id, {
        pending,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const h of this.handles) h.send({ type: 'mark', id });
      if (pending.size === 0) this.settleMarks();
    });
  }

  private settleMarks(): void {
    for (const [id, wait] of this.markWaits) {
      for (const w of this.lost) wait.pending.delete(w);
      if (wait.pending.size === 0) {
        this.markWaits.delete(id);
        wait.resolve();
      }
    }
  }

  private onReport(r: WorkerReport): void {
    this.agg.add(r);
    for (const [win, end] of this.windows) win.add(r, end);
    if (r.mark !== undefined) {
      this.markWaits.get(r.mark)?.pending.delete(r.worker);
      this.settleMarks();
    }
    for (const check of [...this.checks]) check();
  }

  private sample(): void {
    const now = performance.now();
    const { cpuPercent, eventLoopLagMaxMs } = this.main.sample(now);
    const before = this.agg.warnings.length;
    const point = this.agg.sample(Math.round((now - this.t0) / 1000), this.currentTarget, {
      cpuPercent,
      rssBytes: process.memoryUsage.rss(),
      eventLoopLagMs: eventLoopLagMaxMs,
    });
    const errorsTotal = Object.values(this.agg.totals().errors).reduce((s, v) => s + v, 0);
    this.opts.onEvent?.({ type: 'tick', point, errorsTotal });
    for (const w of this.agg.warnings.slice(before)) this.opts.onEvent?.({ type: 'warning', message: w });
  }
}

export { readSystemLimits };
