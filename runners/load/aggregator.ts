// The engine's view of the run: the workers' reports summed. Histograms add exactly (each report carries only new
// values); counters are cumulative per worker, so the latest report of each worker is the truth, and a worker that
// died keeps its last report. Once a second `sample()` turns the totals into a timeline point.
import type { LoadSection, TimelinePoint } from '../../reports/schema.js';
import { summarizeHistogram } from '../../reports/histogram.js';
import { HISTOGRAM_NAMES, addEncoded, newHistogramSet, percentileMs, type HistogramSet } from './histograms.js';
import { ScenarioAggregate } from './scenario/aggregate.js';
import type { WorkerReport } from './worker-report.js';

const BOTTLENECK_CPU_PERCENT = 90;
const BOTTLENECK_LAG_MS = 100;

export interface RunnerSample {
  cpuPercent: number;
  rssBytes: number;
  eventLoopLagMs: number;
}

export class LoadAggregator {
  readonly histograms: HistogramSet = newHistogramSet();
  /** This second's values only, for the timeline's p99s. */
  private readonly second: HistogramSet = newHistogramSet();
  private readonly latest = new Map<number, WorkerReport>();
  private previous: Record<string, number> = {};
  readonly timeline: TimelinePoint[] = [];
  readonly warnings: string[] = [];
  peakOpen = 0;
  peakRssBytes = 0;
  maxEventLoopLagMs = 0;
  maxSilenceMs = 0;
  private hotSeconds = 0;
  /** --http2 notes the workers reported, each turned into one warning. */
  private readonly notes = new Set<string>();
  /** Scenario runs: the per-step figures. */
  readonly scenario: ScenarioAggregate | null;

  constructor(scenarioName?: string) {
    this.scenario = scenarioName !== undefined ? new ScenarioAggregate(scenarioName) : null;
  }

  add(report: WorkerReport): void {
    const had = this.latest.get(report.worker);
    if (had && had.seq >= report.seq) return;
    this.latest.set(report.worker, report);
    for (const name of HISTOGRAM_NAMES) {
      const e = report.histograms[name];
      if (e) {
        addEncoded(this.histograms[name], e);
        addEncoded(this.second[name], e);
      }
    }
    if (report.scenario) this.scenario?.add(report.worker, report.scenario);
    for (const note of report.http2?.notes ?? []) {
      if (this.notes.has(note)) continue;
      this.notes.add(note);
      this.warnings.push(`HTTP/2: ${note}`);
    }
    if (report.gauges.maxSilenceMs > this.maxSilenceMs) this.maxSilenceMs = report.gauges.maxSilenceMs;
    const open = this.sum((r) => r.gauges.open);
    if (open > this.peakOpen) this.peakOpen = open;
  }

  /** A worker died: its counters and histograms stay, but it holds no connections any more. */
  lost(worker: number): void {
    const r = this.latest.get(worker);
    if (r) this.latest.set(worker, { ...r, final: true, gauges: { ...r.gauges, open: 0, pending: 0, target: 0, cpuPercent: 0 } });
  }

  reports(): WorkerReport[] {
    return [...this.latest.values()];
  }

  private sum(f: (r: WorkerReport) => number): number {
    let s = 0;
    for (const r of this.latest.values()) s += f(r);
    return s;
  }

  totals(): { counters: Record<string, number>; errors: Record<string, number>; dropsByCode: Record<string, number> } {
    const add = (into: Record<string, number>, from: Record<string, number>): void => {
      for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
    };
    const counters: Record<string, number> = {};
    const errors: Record<string, number> = {};
    const dropsByCode: Record<string, number> = {};
    for (const r of this.latest.values()) {
      add(counters, r.counters);
      add(errors, r.errors);
      add(dropsByCode, r.dropsByCode);
    }
    return { counters, errors, dropsByCode };
  }

  /** One timeline point: per-second deltas of the totals, this second's p99s, and the runner's own figures. */
  sample(t: number, target: number, main: RunnerSample): TimelinePoint {
    const { counters, errors } = this.totals();
    const errorsTotal = Object.values(errors).reduce((s, v) => s + v, 0);
    const cur: Record<string, number> = { ...counters, errorsTotal };
    const prev = this.previous;
    const d = (k: string): number => (cur[k] ?? 0) - (prev[k] ?? 0);
    this.previous = cur;
    const last = this.timeline[this.timeline.length - 1];
    if (last !== undefined && t <= last.t) t = last.t + 1;
    const workers = this.reports();
    const cpu = main.cpuPercent + workers.reduce((s, r) => s + (r.final ? 0 : r.gauges.cpuPercent), 0);
    const rss = main.rssBytes + workers.reduce((s, r) => s + (r.final ? 0 : r.gauges.rssBytes), 0);
    const lag = Math.max(main.eventLoopLagMs, ...workers.map((r) => r.gauges.eventLoopLagMaxMs));
    const point: TimelinePoint = {
      t,
      open: this.sum((r) => r.gauges.open),
      target,
      opened: d('opened'),
      closed: d('closed') + d('dropped'),
      messagesSent: d('messagesSent'),
      messagesReceived: d('messagesReceived'),
      bytesSent: d('bytesSent'),
      bytesReceived: d('bytesReceived'),
      pingsSent: d('pingsSent'),
      pongsReceived: d('pongsReceived'),
      errors: d('errorsTotal'),
      reconnects: d('reconnects'),
      runnerCpuPercent: Math.round(cpu * 10) / 10,
      runnerRssBytes: rss,
      eventLoopLagMs: Math.round(lag * 10) / 10,
    };
    if (this.second.pingRtt.totalCount > 0) point.pingRttP99 = percentileMs(this.second.pingRtt, 99);
    if (this.second.messageRtt.totalCount > 0) point.messageRttP99 = percentileMs(this.second.messageRtt, 99);
    for (const name of HISTOGRAM_NAMES) this.second[name].reset();
    if (this.scenario) point.steps = this.scenario.sampleSecond();
    if (point.open > this.peakOpen) this.peakOpen = point.open;
    if (rss > this.peakRssBytes) this.peakRssBytes = rss;
    if (lag > this.maxEventLoopLagMs) this.maxEventLoopLagMs = lag;
    this.checkBottleneck(t, workers, main, lag);
    this.timeline.push(point);
    return point;
  }

  /** The runner, not the target, limits the run when a worker (or the engine) is pegged or its event loop lags. */
  private checkBottleneck(t: number, workers: WorkerReport[], main: RunnerSample, lag: number): void {
    const hot = workers.filter((r) => !r.final && r.gauges.cpuPercent >= BOTTLENECK_CPU_PERCENT);
    const pegged = hot.length > 0 || main.cpuPercent >= BOTTLENECK_CPU_PERCENT || lag >= BOTTLENECK_LAG_MS;
    this.hotSeconds = pegged ? this.hotSeconds + 1 : 0;
    if (this.hotSeconds === 3) {
      const who = hot.map((r) => `worker ${r.worker + 1} at ${Math.round(r.gauges.cpuPercent)}% CPU`);
      if (main.cpuPercent >= BOTTLENECK_CPU_PERCENT) who.push(`engine at ${Math.round(main.cpuPercent)}% CPU`);
      if (lag >= BOTTLENECK_LAG_MS) who.push(`event-loop lag ${Math.round(lag)} ms`);
      this.warnings.push(
        `at t=${t}s the runner itself was the bottleneck for 3 s (${who.join(', ')}): latencies include the runner's own ` +
          `delay; add --workers, run shards on more machines (--shard), or lower the rate`,
      );
    }
  }

  /**
   * --http2: the workers' HTTP/2 sessions together. The mean streams per session weighs each worker by the sessions
   * it had carrying WebSockets when its WebSockets peaked (the workers ramp together, so their peaks coincide).
   */
  http2(): LoadSection['http2'] {
    const figs = this.reports().flatMap((r) => (r.http2 ? [r.http2] : []));
    if (figs.length === 0) return undefined;
    const sum = (f: (h: (typeof figs)[number]) => number): number => figs.reduce((s, h) => s + f(h), 0);
    const atPeak = sum((h) => h.sessionsAtPeak);
    const limits = figs.flatMap((h) => (h.maxConcurrentStreams === undefined ? [] : [h.maxConcurrentStreams]));
    return {
      sessions: sum((h) => h.sessionsOpened),
      sessionsAtPeak: atPeak,
      streamsPerSession: {
        max: Math.max(...figs.map((h) => h.maxStreamsPerSession)),
        mean: atPeak > 0 ? Math.round((sum((h) => h.peakStreams) / atPeak) * 100) / 100 : 0,
      },
      streamsPerConnection: Math.min(...figs.map((h) => h.streamLimit)),
      ...(limits.length > 0 ? { maxConcurrentStreams: Math.min(...limits) } : {}),
      sessionsLost: sum((h) => h.sessionsLost),
      streamsLost: sum((h) => h.streamsLost),
      streamsReset: sum((h) => h.streamsReset),
    };
  }

  summaries(): LoadSection['histograms'] {
    return Object.fromEntries(HISTOGRAM_NAMES.map((n) => [n, summarizeHistogram(this.histograms[n])])) as LoadSection['histograms'];
  }
}
