// The connection pool of one worker process: opens its share of the connections on schedule, paces heartbeats and
// messages from one timer, records HDR histograms, and reports once a second. It runs in a forked worker process
// (worker.ts) or, for small runs and tests, in the engine's own process. This file is the schedule and the
// connections' lifecycle; what they send and measure is traffic.ts, their timeouts timeouts.ts.
import { performance } from 'node:perf_hooks';
import { cryptoEntropy } from '../../protocol/entropy.js';
import type { FrameTemplates } from '../../peers/load/frame-templates.js';
import { ConnState, type HandshakeExtras, type LoadConnection, type LoadErrorKind, type LoadTarget } from '../../peers/load/load-connection.js';
import type { DeflateLoadHost } from '../../peers/load/deflate-load-connection.js';
import type { H2SessionPool } from '../../peers/load/h2-load-connection.js';
import { newHistogramSet, recordMs, takeEncoded, type HistogramSet } from './histograms.js';
import { newLoadCounters, type DeflateCounters, type LoadCounters } from './load-counters.js';
import { PeriodicSchedule } from './periodic-schedule.js';
import { frameTemplatesOf, h2PoolOf, loadTargetOf, newPool } from './pool.js';
import { ProcessSampler } from './process-sampler.js';
import { stagesOf, totalDurationS, type Stage } from './profile.js';
import { backoffDelay, phaseOf, prefixPhaseOf, targetAt } from './schedule.js';
import { countBelow } from './share.js';
import { SourcePorts } from './source-ports.js';
import { sweepIntervalMs, sweepTimeouts } from './timeouts.js';
import { ScenarioRuntime } from './scenario/runtime.js';
import { Traffic } from './traffic.js';
import type { WorkerCommand, WorkerReport, WorkerSpecMessage } from './worker-report.js';

const REPORT_MS = 1000;
/** Handshakes in progress per worker when the ramp is "as fast as possible". */
const MAX_PENDING = 1000;
const MEMORY_SETTLE_MS = 1000;

export class LoadWorker implements DeflateLoadHost {
  readonly target: LoadTarget;
  readonly templates: FrameTemplates;
  bytesIn = 0;
  bytesOut = 0;
  appBytesIn = 0;
  appBytesOut = 0;
  deflateNegotiated = 0;
  readonly counters: LoadCounters & Partial<DeflateCounters> = newLoadCounters();
  readonly errors: Record<string, number> = {};
  readonly dropsByCode: Record<string, number> = {};
  private readonly histograms: HistogramSet = newHistogramSet();
  private readonly conns: LoadConnection[];
  /** With --http2: the HTTP/2 sessions the connections are streams of. */
  private readonly h2: H2SessionPool | null;
  private readonly stages: Stage[];
  private readonly endMs: number;
  private readonly ports: SourcePorts;
  private heartbeat: PeriodicSchedule | null = null;
  private sends: PeriodicSchedule | null = null;
  private readonly traffic: Traffic;
  /** With --scenario: what the connections send and wait for (the plain traffic then only heartbeats). */
  private readonly scenario: ScenarioRuntime | null;
  private timerDue = Infinity;
  /** A session's moving target (whole-run connections): from `from` at `atMs` towards `to` at `ramp`/s. */
  private dyn = { from: 0, to: 0, atMs: 0, ramp: 0 };
  private readonly sampler = new ProcessSampler();
  private epoch = 0;
  private active = 0;
  private open = 0;
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextReportAt = 0;
  private nextSweepAt = 0;
  private reportSeq = 0;
  private stopping = false;
  private stopDeadline = 0;
  private maxSilenceMs = 0;
  private memory: WorkerReport['memory'];
  /** When to measure memory: a moment after every connection is open, so handshake garbage is gone. */
  private memoryDueAt = 0;
  private resolveDone: (() => void) | null = null;
  private readonly ownPeak: number;
  private readonly sweepMs: number;

  constructor(
    private readonly spec: WorkerSpecMessage,
    private readonly emit: (report: WorkerReport) => void,
  ) {
    const p = spec.profile;
    const entropy = cryptoEntropy();
    this.target = loadTargetOf(p, entropy);
    this.templates = frameTemplatesOf(p, entropy);
    this.h2 = h2PoolOf(this, p);
    this.stages = stagesOf(p);
    this.endMs = spec.session ? Infinity : totalDurationS(this.stages) * 1000;
    this.ownPeak = countBelow(spec.share, spec.totalPeak);
    this.conns = newPool(this, p, spec.share, this.ownPeak);
    this.ports = new SourcePorts(p.sourceIps, spec.worker, spec.workers ?? 1);
    this.traffic = new Traffic(p, this.counters, this.histograms);
    this.scenario = p.scenario
      ? new ScenarioRuntime(p.scenario, this.conns, spec.totalPeak, this.counters, (at) => {
          if (at < this.timerDue) this.schedule(this.now());
        })
      : null;
    this.sweepMs = sweepIntervalMs(p);
  }

  now(): number {
    return performance.now();
  }

  /** Runs the schedule to its end (or until stop()); resolves after the final report. */
  run(): Promise<void> {
    this.sampler.markBaseline();
    this.epoch = performance.now();
    this.sampler.start(this.epoch);
    const p = this.spec.profile;
    const phases = (periodMs: number): Float64Array =>
      Float64Array.from(this.conns, (c) => (this.spec.session ? prefixPhaseOf(c.index, periodMs) : phaseOf(c.index, this.spec.totalPeak, periodMs)));
    if (p.heartbeatMs > 0) this.heartbeat = new PeriodicSchedule(p.heartbeatMs, phases(p.heartbeatMs), this.epoch);
    if (p.messageRate > 0 && p.inFlight === 0) this.sends = new PeriodicSchedule(1000 / p.messageRate, phases(1000 / p.messageRate), this.epoch);
    this.nextReportAt = this.epoch + REPORT_MS;
    this.nextSweepAt = this.epoch + this.sweepMs;
    return new Promise((resolve) => {
      this.resolveDone = resolve;
      this.tick();
    });
  }

  /** Stops early (interrupt): closes every connection, then sends the final report. */
  stop(): void {
    if (!this.stopping) this.beginStop();
    this.schedule(this.now());
  }

  private tick = (): void => {
    this.timer = null;
    const now = this.now();
    const t = now - this.epoch;
    if (!this.stopping) {
      if (t >= this.endMs) this.beginStop();
      else this.activate(t);
    }
    if (!this.stopping) {
      this.heartbeat?.advance(now, this.fireHeartbeat);
      this.sends?.advance(now, this.fireSend);
      this.scenario?.advance(now);
    }
    if (this.memoryDueAt !== 0 && now >= this.memoryDueAt && this.memory === undefined) this.memory = this.sampler.heldMemory(this.open);
    if (now >= this.nextSweepAt) {
      this.maxSilenceMs = sweepTimeouts(this.conns, now, this.spec.profile, this.counters, this.maxSilenceMs);
      this.nextSweepAt = now + this.sweepMs;
    }
    if (this.stopping && (this.liveCount() === 0 || now >= this.stopDeadline)) {
      for (const c of this.conns) c.destroy();
      this.h2?.close();
      this.report(true);
      this.sampler.stop();
      this.resolveDone?.();
      return;
    }
    if (now >= this.nextReportAt) {
      this.report(false);
      this.nextReportAt += REPORT_MS;
      if (this.nextReportAt < now) this.nextReportAt = now + REPORT_MS;
    }
    this.schedule(now);
  };

  private schedule(now: number): void {
    if (this.timer) clearTimeout(this.timer);
    let due = Math.min(this.nextReportAt, this.nextSweepAt);
    if (!this.stopping) {
      if (this.heartbeat) due = Math.min(due, this.heartbeat.nextDueMs());
      if (this.sends) due = Math.min(due, this.sends.nextDueMs());
      if (this.scenario) due = Math.min(due, this.scenario.nextDueMs());
      due = Math.min(due, this.nextActivationMs(now - this.epoch) + this.epoch);
    } else due = Math.min(due, now + 10);
    this.timerDue = due;
    this.timer = setTimeout(this.tick, Math.max(0, due - now));
  }

  /** When the target may next change: 1 ms steps while a stage moves, else the next stage boundary or the end. */
  private nextActivationMs(t: number): number {
    if (this.spec.session) return this.sessionTarget(t) !== this.dyn.to ? t + 1 : Infinity;
    let start = 0;
    let from = 0;
    for (const st of this.stages) {
      const end = start + st.durationS * 1000;
      if (t < end) return st.target !== from ? t + 1 : end;
      start = end;
      from = st.target;
    }
    return this.endMs;
  }

  /** A session's whole-run target at `t`: linear from the last command's start towards its goal. */
  private sessionTarget(t: number): number {
    const d = this.dyn;
    if (d.ramp <= 0 || d.to <= d.from) return d.to;
    return Math.min(d.to, Math.floor(d.from + ((t - d.atMs) * d.ramp) / 1000));
  }

  /** A session command: a new target (grown at the ramp, shrunk at once), or a mark (report now). */
  command(cmd: Extract<WorkerCommand, { type: 'target' | 'mark' }>): void {
    const now = this.now();
    if (cmd.type === 'mark') return this.report(false, cmd.id);
    const t = now - this.epoch;
    this.dyn = { from: Math.min(this.sessionTarget(t), cmd.connections), to: cmd.connections, atMs: t, ramp: cmd.rampPerSecond };
    if (!this.stopping) this.schedule(now);
  }

  private activate(t: number): void {
    const desired = countBelow(this.spec.share, this.spec.session ? this.sessionTarget(t) : targetAt(this.stages, t));
    while (this.active < desired && this.pending < MAX_PENDING) {
      const c = this.conns[this.active++]!;
      this.connect(c);
    }
    while (this.active > desired) {
      const c = this.conns[--this.active]!;
      c.close();
    }
    if (this.ownPeak > 0) this.scheduleMemoryOncePeakHeld();
  }

  /** Memory is measured once, a moment after the whole pool is held open. */
  private scheduleMemoryOncePeakHeld(): void {
    if (this.memory === undefined && this.memoryDueAt === 0 && this.active === this.ownPeak && this.open === this.ownPeak) {
      this.memoryDueAt = this.now() + MEMORY_SETTLE_MS;
    }
  }

  private connect(c: LoadConnection): void {
    this.counters.connectAttempts += 1;
    this.pending += 1;
    try {
      this.ports.open(c);
    } catch {
      // net.connect throws synchronously only for arguments it rejects (e.g. a malformed local address).
      c.state = ConnState.Closed;
      this.pending -= 1;
      this.count('other');
      this.counters.failed += 1;
    }
  }

  private liveCount(): number {
    let n = 0;
    for (const c of this.conns) if (c.state !== ConnState.Closed && c.state !== ConnState.Idle) n++;
    return n;
  }

  private beginStop(): void {
    this.stopping = true;
    this.scenario?.stop();
    this.stopDeadline = this.now() + this.spec.profile.closeTimeoutMs;
    for (const c of this.conns) c.close();
  }

  private fireHeartbeat = (k: number, intended: number): void => this.traffic.heartbeat(this.conns[k]!, intended);

  private fireSend = (k: number, intended: number): void => this.traffic.pacedSend(this.conns[k]!, intended);

  private count(kind: LoadErrorKind | string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  // ---- LoadHost ----

  onOpen(c: LoadConnection, connectMs: number): void {
    this.pending -= 1;
    this.ports.settle(c);
    this.open += 1;
    this.counters.opened += 1;
    if (this.open > this.counters.peakOpen) this.counters.peakOpen = this.open;
    recordMs(this.histograms.connect, connectMs);
    if (c.droppedAt !== 0) {
      recordMs(this.histograms.recover, this.now() - c.droppedAt);
      this.counters.reconnects += 1;
      c.droppedAt = 0;
    }
    c.attempts = 0;
    if (this.stopping || c.slot >= this.active) {
      c.close();
      return;
    }
    if (this.scenario) this.scenario.opened(c);
    else this.traffic.opened(c);
    this.scheduleMemoryOncePeakHeld();
  }

  onFail(c: LoadConnection, kind: LoadErrorKind, _detail: string): void {
    this.pending -= 1;
    if (!this.stopping && c.slot < this.active && this.ports.retryWithNextPort(c, kind)) {
      // Not an attempt of its own: the same attempt, from the next port.
      this.counters.connectAttempts -= 1;
      setImmediate(() => {
        if (c.state === ConnState.Closed && !this.stopping && c.slot < this.active) this.connect(c);
      });
      return;
    }
    this.ports.settle(c);
    this.counters.failed += 1;
    this.count(kind);
    this.retry(c);
  }

  onDrop(c: LoadConnection, cause: string, error: LoadErrorKind | null): void {
    this.scenario?.ended(c);
    this.open -= 1;
    this.counters.dropped += 1;
    this.dropsByCode[cause] = (this.dropsByCode[cause] ?? 0) + 1;
    if (error) this.count(error);
    if (c.droppedAt === 0) c.droppedAt = this.now();
    this.retry(c);
  }

  onClosed(c: LoadConnection, wasOpen: boolean): void {
    this.scenario?.ended(c);
    // Echoes still due when we closed are not the target's failure to answer, on a connection it echoed on at all
    // (one it never echoed on had nothing in flight: every message of it is unmatched).
    if (wasOpen && !this.scenario && c.seqExpected > 0) this.counters.abandoned += Math.max(0, (c.seqSent - c.seqExpected) | 0);
    if (wasOpen) {
      this.counters.closed += 1;
      this.open -= 1;
    } else this.pending -= 1;
  }

  onPong(c: LoadConnection): void {
    this.traffic.pong(c);
  }

  onMessage(c: LoadConnection, payload: Uint8Array, text: boolean): void {
    if (this.scenario) this.scenario.message(c, payload, text);
    else this.traffic.message(c, payload, text, this.stopping);
  }

  handshakeFor(c: LoadConnection): HandshakeExtras | undefined {
    return this.scenario?.handshakeFor(c);
  }

  private retry(c: LoadConnection): void {
    const p = this.spec.profile;
    if (!p.reconnect || this.stopping || c.slot >= this.active) return;
    const delay = backoffDelay(c.attempts, p.reconnectBaseMs, p.reconnectMaxMs);
    c.attempts += 1;
    this.counters.reconnectAttempts += 1;
    setTimeout(() => {
      if (this.stopping || c.slot >= this.active || (c.state !== ConnState.Closed && c.state !== ConnState.Idle)) return;
      this.connect(c);
    }, delay).unref();
  }

  private report(final: boolean, mark?: number): void {
    const now = this.now();
    const load = this.sampler.sample(now);
    const mem = process.memoryUsage();
    this.counters.bytesSent = this.bytesOut;
    this.counters.bytesReceived = this.bytesIn;
    // Plain echo traffic: messages sent that no echo has answered (yet, until the final report).
    if (!this.scenario) this.counters.unmatched = Math.max(0, this.counters.messagesSent - this.counters.echoed - this.counters.abandoned);
    if (this.spec.profile.deflate) {
      this.counters.deflateNegotiated = this.deflateNegotiated;
      this.counters.appBytesSent = this.appBytesOut;
      this.counters.appBytesReceived = this.appBytesIn;
    }
    this.reportSeq += 1;
    this.emit({
      worker: this.spec.worker,
      seq: this.reportSeq,
      final,
      mark,
      tMs: now - this.epoch,
      counters: { ...this.counters },
      errors: { ...this.errors },
      dropsByCode: { ...this.dropsByCode },
      histograms: takeEncoded(this.histograms),
      gauges: {
        open: this.open,
        pending: this.pending,
        target: this.stopping ? 0 : this.active,
        maxSilenceMs: this.maxSilenceMs,
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        cpuPercent: load.cpuPercent,
        cpuSeconds: load.cpuSeconds,
        eventLoopLagMaxMs: load.eventLoopLagMaxMs,
      },
      memory: this.memory,
      scenario: this.scenario?.take(),
      http2: this.h2?.figures(),
    });
    this.maxSilenceMs = 0;
  }
}
