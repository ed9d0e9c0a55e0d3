// A window of a load session: the figures between two marks (capacity measures each step's ramp and steady state
// this way). A mark makes every worker report at once, so what came before it is told exactly from what follows:
// a worker's histograms count in the window from the report after its start mark up to and including its end-mark
// report; counters are cumulative per worker, so the window's are the end mark's minus the start mark's.
import { newHistogramSet, addEncoded, HISTOGRAM_NAMES, type HistogramSet } from './histograms.js';
import { ScenarioAggregate } from './scenario/aggregate.js';
import type { WorkerReport } from './worker-report.js';

export interface RunnerWindowFigures {
  /** The busiest runner process's mean CPU over the window (100 = one core). */
  busiestCpuPercent: number;
  eventLoopLagMaxMs: number;
}

export class LoadWindow {
  readonly histograms: HistogramSet = newHistogramSet();
  readonly scenario: ScenarioAggregate | null;
  private readonly starts = new Map<number, WorkerReport>();
  private readonly ends = new Map<number, WorkerReport>();
  /** Per worker: CPU samples and the largest lag seen while the window was open. */
  private readonly cpu = new Map<number, number[]>();
  private lagMaxMs = 0;
  /** Open/closed per worker; a worker absent from `starts` has not reached the start mark yet. */
  private readonly open = new Set<number>();

  constructor(
    readonly startMark: number,
    scenarioName: string | undefined,
  ) {
    this.scenario = scenarioName !== undefined ? new ScenarioAggregate(scenarioName) : null;
  }

  /** Every report of the session passes here, in each worker's order. */
  add(r: WorkerReport, endMark: number | null): void {
    const w = r.worker;
    if (this.open.has(w)) {
      for (const name of HISTOGRAM_NAMES) addEncoded(this.histograms[name], r.histograms[name]);
      if (r.scenario) this.scenario?.add(w, r.scenario);
      if (r.mark === undefined) {
        const samples = this.cpu.get(w) ?? [];
        samples.push(r.gauges.cpuPercent);
        this.cpu.set(w, samples);
      }
      if (r.gauges.eventLoopLagMaxMs > this.lagMaxMs) this.lagMaxMs = r.gauges.eventLoopLagMaxMs;
      if (endMark !== null && r.mark === endMark) {
        this.open.delete(w);
        this.ends.set(w, r);
      }
    } else if (r.mark === this.startMark) {
      this.starts.set(w, r);
      this.open.add(w);
      if (r.scenario) this.scenario?.setBaseline(w, r.scenario);
    }
  }

  /** Counter `name` over the window, summed over workers that reached both marks. */
  private delta(pick: (r: WorkerReport) => Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [w, end] of this.ends) {
      const start = this.starts.get(w)!;
      const a = pick(start);
      for (const [k, v] of Object.entries(pick(end))) out[k] = (out[k] ?? 0) + v - (a[k] ?? 0);
    }
    return out;
  }

  counters(): Record<string, number> {
    return this.delta((r) => r.counters);
  }

  errors(): Record<string, number> {
    const e = this.delta((r) => r.errors);
    for (const k of Object.keys(e)) if (e[k] === 0) delete e[k];
    return e;
  }

  /** Connections open at the end mark. */
  openAtEnd(): number {
    let n = 0;
    for (const r of this.ends.values()) n += r.gauges.open;
    return n;
  }

  runner(): RunnerWindowFigures {
    let busiest = 0;
    for (const samples of this.cpu.values()) {
      if (samples.length === 0) continue;
      const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
      if (mean > busiest) busiest = mean;
    }
    return { busiestCpuPercent: Math.round(busiest * 10) / 10, eventLoopLagMaxMs: Math.round(this.lagMaxMs * 10) / 10 };
  }
}
