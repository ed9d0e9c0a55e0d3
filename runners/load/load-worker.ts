// The connection pool of one worker process: opens its share of the connections on schedule, paces heartbeats and
// messages from one timer, records HDR histograms, and reports once a second. It runs in a forked worker process
// (worker.ts) or, for small runs and tests, in the engine's own process.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { cryptoEntropy } from '../../protocol/entropy.js';
import { FrameTemplates } from '../../peers/load/frame-templates.js';
import { LoadConnection, LoadTarget, ConnState, type LoadErrorKind } from '../../peers/load/load-connection.js';
import { DeflateLoadConnection, type DeflateLoadHost } from '../../peers/load/deflate-load-connection.js';
import { readStamp } from '../../peers/load/message-stamp.js';
import { HISTOGRAM_NAMES, encodeHistogram, newHistogram, recordMs, type Histogram, type HistogramName } from './histograms.js';
import { PeriodicSchedule } from './periodic-schedule.js';
import { stagesOf, totalDurationS, type LoadProfile, type Stage } from './profile.js';
import { backoffDelay, phaseOf, targetAt } from './schedule.js';
import { countBelow, indexAt } from './share.js';
import { readSystemLimits } from './preflight.js';
import type { WorkerReport, WorkerSpecMessage } from './worker-report.js';

const REPORT_MS = 1000;
/** Handshakes in progress per worker when the ramp is "as fast as possible". */
const MAX_PENDING = 1000;
const BACKPRESSURE_BYTES = 1 << 20;
const MEMORY_SETTLE_MS = 1000;

function counterSet() {
  return {
    connectAttempts: 0,
    opened: 0,
    failed: 0,
    closed: 0,
    dropped: 0,
    reconnects: 0,
    reconnectAttempts: 0,
    messagesSent: 0,
    messagesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    pingsSent: 0,
    pongsReceived: 0,
    missedPongs: 0,
    pingsSkipped: 0,
    unsolicitedPongs: 0,
    outOfOrder: 0,
    unmatched: 0,
    sendsSkipped: 0,
    peakOpen: 0,
  };
}
export type LoadCounters = ReturnType<typeof counterSet>;
/**
 * Reported with --deflate only: connections that negotiated permessage-deflate, and message payload bytes before
 * compression / after inflation (bytesSent/bytesReceived stay the wire figures). Names that `report merge` sums.
 */
export interface DeflateCounters {
  deflateNegotiated: number;
  appBytesSent: number;
  appBytesReceived: number;
}

export class LoadWorker implements DeflateLoadHost {
  readonly target: LoadTarget;
  readonly templates: FrameTemplates;
  bytesIn = 0;
  bytesOut = 0;
  appBytesIn = 0;
  appBytesOut = 0;
  deflateNegotiated = 0;
  readonly counters: LoadCounters & Partial<DeflateCounters> = counterSet();
  readonly errors: Record<string, number> = {};
  readonly dropsByCode: Record<string, number> = {};
  private readonly histograms: Record<HistogramName, Histogram>;
  private readonly conns: LoadConnection[];
  private readonly stages: Stage[];
  private readonly endMs: number;
  private readonly sourceIps: string[];
  /** Explicit source ports, per source address: this worker's slice of the ephemeral range, used in turn. */
  private readonly portLow: number;
  private readonly portSlice: number;
  private readonly portCursor: number[];
  /** Immediate retries with the next port after EADDRINUSE, per connection attempt. */
  private readonly portRetries = new Map<LoadConnection, number>();
  private heartbeat: PeriodicSchedule | null = null;
  private sends: PeriodicSchedule | null = null;
  private readonly appPing: Uint8Array | null;
  private readonly appPong: Uint8Array | null;
  private readonly stamp = new Float64Array(2);
  private readonly lag = monitorEventLoopDelay({ resolution: 10 });
  private epoch = 0;
  private active = 0;
  private open = 0;
  private pending = 0;
  private timer: NodeJS.Timeout | null = null;
  private nextReportAt = 0;
  private nextSweepAt = 0;
  private reportSeq = 0;
  private lastCpu = process.cpuUsage();
  private lastCpuAt = 0;
  private stopping = false;
  private stopDeadline = 0;
  private maxSilenceMs = 0;
  private memory: WorkerReport['memory'];
  /** When to measure memory: a moment after every connection is open, so handshake garbage is gone. */
  private memoryDueAt = 0;
  private baselineRss = 0;
  private resolveDone: (() => void) | null = null;
  private readonly ownPeak: number;
  private readonly sweepMs: number;

  constructor(
    private readonly spec: WorkerSpecMessage,
    private readonly emit: (report: WorkerReport) => void,
  ) {
    const p: LoadProfile = spec.profile;
    const entropy = cryptoEntropy();
    this.target = new LoadTarget(
      new URL(p.url),
      {
        headers: p.headers,
        protocols: p.protocols,
        origin: p.origin,
        entropy,
        // client_max_window_bits offered without a value: the server may pick a smaller window for us (§7.1.2.2).
        deflate: p.deflate
          ? { clientMaxWindowBits: true, clientNoContextTakeover: p.deflate.noContextTakeover, serverNoContextTakeover: p.deflate.noContextTakeover }
          : undefined,
      },
      { insecure: p.insecure, ca: p.caPem },
    );
    this.templates = new FrameTemplates(
      { size: p.messageSize, binary: p.binary, body: p.payloadBase64 ? Buffer.from(p.payloadBase64, 'base64') : undefined },
      entropy,
    );
    this.stages = stagesOf(p);
    this.endMs = totalDurationS(this.stages) * 1000;
    this.ownPeak = countBelow(spec.share, spec.totalPeak);
    // Without --deflate the pool is plain LoadConnections: no deflate state, no extra fields.
    this.conns = p.deflate
      ? Array.from({ length: this.ownPeak }, (_, k) => new DeflateLoadConnection(this, indexAt(spec.share, k), k))
      : Array.from({ length: this.ownPeak }, (_, k) => new LoadConnection(this, indexAt(spec.share, k), k));
    this.sourceIps = p.sourceIps;
    const limits = readSystemLimits();
    const range = limits.portHigh - limits.portLow + 1;
    const workers = Math.max(1, spec.workers ?? 1);
    this.portSlice = Math.max(1, Math.floor(range / workers));
    this.portLow = limits.portLow + this.portSlice * (spec.worker % workers);
    this.portCursor = p.sourceIps.map(() => 0);
    this.histograms = Object.fromEntries(HISTOGRAM_NAMES.map((n) => [n, newHistogram()])) as Record<HistogramName, Histogram>;
    this.appPing = p.appHeartbeat ? Buffer.from(p.appHeartbeat.send) : null;
    this.appPong = p.appHeartbeat ? Buffer.from(p.appHeartbeat.expect) : null;
    this.sweepMs = Math.max(20, Math.min(250, p.pongTimeoutMs / 4, p.connectTimeoutMs / 4));
  }

  now(): number {
    return performance.now();
  }

  /** Runs the schedule to its end (or until stop()); resolves after the final report. */
  run(): Promise<void> {
    global.gc?.();
    global.gc?.();
    this.baselineRss = process.memoryUsage.rss();
    this.lag.enable();
    this.epoch = performance.now();
    const p = this.spec.profile;
    const phases = (periodMs: number): Float64Array =>
      Float64Array.from(this.conns, (c) => phaseOf(c.index, this.spec.totalPeak, periodMs));
    if (p.heartbeatMs > 0) this.heartbeat = new PeriodicSchedule(p.heartbeatMs, phases(p.heartbeatMs), this.epoch);
    if (p.messageRate > 0 && p.inFlight === 0) this.sends = new PeriodicSchedule(1000 / p.messageRate, phases(1000 / p.messageRate), this.epoch);
    this.lastCpuAt = this.epoch;
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
    }
    if (this.memoryDueAt !== 0 && now >= this.memoryDueAt && this.memory === undefined) this.measureMemory();
    if (now >= this.nextSweepAt) {
      this.sweep(now);
      this.nextSweepAt = now + this.sweepMs;
    }
    if (this.stopping && (this.liveCount() === 0 || now >= this.stopDeadline)) {
      for (const c of this.conns) c.destroy();
      this.report(true);
      this.lag.disable();
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
      due = Math.min(due, this.nextActivationMs(now - this.epoch) + this.epoch);
    } else due = Math.min(due, now + 10);
    this.timer = setTimeout(this.tick, Math.max(0, due - now));
  }

  /** When the target may next change: 1 ms steps while a stage moves, else the next stage boundary or the end. */
  private nextActivationMs(t: number): number {
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

  private activate(t: number): void {
    const desired = countBelow(this.spec.share, targetAt(this.stages, t));
    while (this.active < desired && this.pending < MAX_PENDING) {
      const c = this.conns[this.active++]!;
      this.connect(c);
    }
    while (this.active > desired) {
      const c = this.conns[--this.active]!;
      c.close();
    }
    if (this.memory === undefined && this.memoryDueAt === 0 && this.active === this.ownPeak && this.open === this.ownPeak && this.ownPeak > 0) {
      this.memoryDueAt = this.now() + MEMORY_SETTLE_MS;
    }
  }

  private connect(c: LoadConnection): void {
    this.counters.connectAttempts += 1;
    this.pending += 1;
    const ips = this.sourceIps;
    try {
      if (ips.length === 0) c.open(undefined);
      else {
        // By the worker's own slot, so every worker spreads over every address (global indices are dealt out
        // round-robin, so `index % ips` would give each worker a single address).
        const ip = c.slot % ips.length;
        const port = this.portLow + (this.portCursor[ip]! % this.portSlice);
        this.portCursor[ip]! += 1;
        c.open(ips[ip], port);
      }
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
    this.stopDeadline = this.now() + this.spec.profile.closeTimeoutMs;
    for (const c of this.conns) c.close();
  }

  private fireHeartbeat = (k: number, intended: number): void => {
    const c = this.conns[k]!;
    if (c.state !== ConnState.Open) return;
    const now = this.now();
    recordMs(this.histograms.heartbeatJitter, now - intended);
    if (c.pingSentAt !== 0) {
      this.counters.pingsSkipped += 1;
      return;
    }
    if (this.appPing) {
      c.pingSentAt = now;
      c.sendText(this.appPing);
    } else c.sendPing();
    this.counters.pingsSent += 1;
  };

  private fireSend = (k: number, intended: number): void => {
    const c = this.conns[k]!;
    if (c.state !== ConnState.Open) return;
    if (c.socket!.writableLength > BACKPRESSURE_BYTES) {
      this.counters.sendsSkipped += 1;
      return;
    }
    c.sendMessage(intended * 1000);
    this.counters.messagesSent += 1;
  };

  /** Timeouts (connect, close, pong) and the heartbeat-health gauge, checked for every connection at once. */
  private sweep(now: number): void {
    const p = this.spec.profile;
    let maxSilence = this.maxSilenceMs;
    for (const c of this.conns) {
      switch (c.state) {
        case ConnState.Open:
          if (c.pingSentAt !== 0 && now - c.pingSentAt > p.pongTimeoutMs) {
            c.missedPongs += 1;
            this.counters.missedPongs += 1;
            c.abort('pong-timeout', `no pong within ${p.pongTimeoutMs} ms`);
          } else if (now - c.lastReceivedAt > maxSilence) maxSilence = now - c.lastReceivedAt;
          break;
        case ConnState.Connecting:
        case ConnState.Handshaking:
          if (now - c.startedAt > p.connectTimeoutMs) c.abort('timeout', `no handshake within ${p.connectTimeoutMs} ms`);
          break;
        case ConnState.Closing:
          if (now - c.startedAt > p.closeTimeoutMs) c.destroy();
          break;
        default:
          break;
      }
    }
    this.maxSilenceMs = maxSilence;
  }

  private count(kind: LoadErrorKind | string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  // ---- LoadHost ----

  onOpen(c: LoadConnection, connectMs: number): void {
    this.pending -= 1;
    if (this.portRetries.size > 0) this.portRetries.delete(c);
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
    const inFlight = this.spec.profile.inFlight;
    for (let i = 0; i < inFlight; i++) {
      c.sendMessage(this.now() * 1000);
      this.counters.messagesSent += 1;
    }
    if (this.memory === undefined && this.memoryDueAt === 0 && this.active === this.ownPeak && this.open === this.ownPeak) {
      this.memoryDueAt = this.now() + MEMORY_SETTLE_MS;
    }
  }

  onFail(c: LoadConnection, kind: LoadErrorKind, _detail: string): void {
    this.pending -= 1;
    if ((kind === 'port-in-use' || kind === 'addr-not-available') && this.sourceIps.length > 0) {
      // Another socket holds that source port (or that address-port pair towards this target): try the next port
      // at once, a few times, before it counts.
      const n = this.portRetries.get(c) ?? 0;
      if (n < 16 && !this.stopping && c.slot < this.active) {
        this.portRetries.set(c, n + 1);
        this.counters.connectAttempts -= 1;
        setImmediate(() => {
          if (c.state === ConnState.Closed && !this.stopping && c.slot < this.active) this.connect(c);
        });
        return;
      }
    }
    this.portRetries.delete(c);
    this.counters.failed += 1;
    this.count(kind);
    this.retry(c);
  }

  onDrop(c: LoadConnection, cause: string, error: LoadErrorKind | null): void {
    this.open -= 1;
    this.counters.dropped += 1;
    this.dropsByCode[cause] = (this.dropsByCode[cause] ?? 0) + 1;
    if (error) this.count(error);
    if (c.droppedAt === 0) c.droppedAt = this.now();
    this.retry(c);
  }

  onClosed(_c: LoadConnection, wasOpen: boolean): void {
    if (wasOpen) {
      this.counters.closed += 1;
      this.open -= 1;
    } else this.pending -= 1;
  }

  onPong(c: LoadConnection): void {
    this.counters.pongsReceived += 1;
    if (c.pingSentAt === 0) {
      this.counters.unsolicitedPongs += 1;
      return;
    }
    recordMs(this.histograms.pingRtt, this.now() - c.pingSentAt);
    c.pingSentAt = 0;
  }

  onMessage(c: LoadConnection, payload: Uint8Array, text: boolean): void {
    this.counters.messagesReceived += 1;
    const now = c.lastReceivedAt;
    if (this.appPong && text && c.pingSentAt !== 0 && sameBytes(payload, this.appPong)) {
      this.counters.pongsReceived += 1;
      recordMs(this.histograms.pingRtt, now - c.pingSentAt);
      c.pingSentAt = 0;
      return;
    }
    if (!readStamp(payload, this.stamp)) {
      this.counters.unmatched += 1;
      return;
    }
    const seq = this.stamp[0]!;
    if (seq !== c.seqExpected) this.counters.outOfOrder += 1;
    c.seqExpected = (seq + 1) >>> 0;
    recordMs(this.histograms.messageRtt, now - this.stamp[1]! / 1000);
    if (this.spec.profile.inFlight > 0 && !this.stopping && c.state === ConnState.Open) {
      c.sendMessage(now * 1000);
      this.counters.messagesSent += 1;
    }
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

  private measureMemory(): void {
    global.gc?.();
    global.gc?.();
    const held = process.memoryUsage.rss();
    this.memory = {
      baselineRssBytes: this.baselineRss,
      heldRssBytes: held,
      heldConnections: this.open,
      bytesPerConnection: this.open > 0 ? (held - this.baselineRss) / this.open : 0,
    };
  }

  private report(final: boolean): void {
    const now = this.now();
    const cpu = process.cpuUsage();
    const cpuUs = cpu.user + cpu.system - this.lastCpu.user - this.lastCpu.system;
    const wallMs = Math.max(1, now - this.lastCpuAt);
    this.lastCpu = cpu;
    this.lastCpuAt = now;
    const mem = process.memoryUsage();
    this.counters.bytesSent = this.bytesOut;
    this.counters.bytesReceived = this.bytesIn;
    if (this.spec.profile.deflate) {
      this.counters.deflateNegotiated = this.deflateNegotiated;
      this.counters.appBytesSent = this.appBytesOut;
      this.counters.appBytesReceived = this.appBytesIn;
    }
    const histograms = {} as Record<HistogramName, string>;
    for (const name of HISTOGRAM_NAMES) {
      const h = this.histograms[name];
      histograms[name] = h.totalCount === 0 ? '' : encodeHistogram(h);
      h.reset();
    }
    const lagMax = this.lag.max / 1e6;
    this.lag.reset();
    this.reportSeq += 1;
    this.emit({
      worker: this.spec.worker,
      seq: this.reportSeq,
      final,
      tMs: now - this.epoch,
      counters: { ...this.counters },
      errors: { ...this.errors },
      dropsByCode: { ...this.dropsByCode },
      histograms,
      gauges: {
        open: this.open,
        pending: this.pending,
        target: this.stopping ? 0 : this.active,
        maxSilenceMs: this.maxSilenceMs,
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        cpuPercent: (cpuUs / 1000 / wallMs) * 100,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        eventLoopLagMaxMs: Number.isFinite(lagMax) ? lagMax : 0,
      },
      memory: this.memory,
    });
    this.maxSilenceMs = 0;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

