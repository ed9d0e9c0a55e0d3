// The engine's view of a scenario run: the workers' step figures summed (counts from each worker's latest report,
// histograms added exactly as they arrive), per-second step figures for the timeline, and the scenario section of
// results.json.
import { newHistogram, summarizeHistogram, type Histogram } from '../../../reports/histogram.js';
import type { ScenarioSection, StepSummary, TimelinePoint } from '../../../reports/schema.js';
import { addEncoded, percentileMs } from '../histograms.js';
import type { ScenarioCounters, ScenarioWorkerReport, StepReport } from './step-metrics.js';

type Counts = Omit<StepReport, 'encoded'>;

export interface StepTotals extends Counts {
  histogram: Histogram;
}

export class ScenarioAggregate {
  private readonly latest = new Map<number, ScenarioWorkerReport>();
  /** Per worker, counts to subtract (a window's start): counts are cumulative per worker. */
  private readonly baseline = new Map<number, ScenarioWorkerReport>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly second = new Map<string, Histogram>();
  private previous = new Map<string, { matched: number; timeouts: number }>();
  /** Step keys in the order first seen (every worker compiles the same file, so the file's order). */
  private readonly keys: string[] = [];

  constructor(private readonly name: string) {}

  setBaseline(worker: number, report: ScenarioWorkerReport): void {
    this.baseline.set(worker, report);
  }

  add(worker: number, report: ScenarioWorkerReport): void {
    this.latest.set(worker, report);
    for (const [key, step] of Object.entries(report.steps)) {
      if (!this.histograms.has(key)) {
        this.keys.push(key);
        this.histograms.set(key, newHistogram());
        this.second.set(key, newHistogram());
      }
      addEncoded(this.histograms.get(key)!, step.encoded);
      addEncoded(this.second.get(key)!, step.encoded);
    }
  }

  /** Every step's counts summed over workers, with its run-wide histogram. */
  steps(): Map<string, StepTotals> {
    const out = new Map<string, StepTotals>();
    for (const key of this.keys) {
      const t: StepTotals = { kind: 'send', name: '', started: 0, matched: 0, timeouts: 0, late: 0, connectionsWithTimeouts: 0, histogram: this.histograms.get(key)! };
      for (const [w, r] of this.latest) {
        const s = r.steps[key];
        if (!s) continue;
        const b = this.baseline.get(w)?.steps[key];
        t.kind = s.kind;
        t.name = s.name;
        t.started += s.started - (b?.started ?? 0);
        t.matched += s.matched - (b?.matched ?? 0);
        t.timeouts += s.timeouts - (b?.timeouts ?? 0);
        t.late += s.late - (b?.late ?? 0);
        t.connectionsWithTimeouts += s.connectionsWithTimeouts - (b?.connectionsWithTimeouts ?? 0);
      }
      out.set(key, t);
    }
    return out;
  }

  counters(): ScenarioCounters {
    const c: ScenarioCounters = { unexpected: 0, connectionsWithUnexpected: 0, unmatched: 0, connectionsWithUnmatched: 0, completed: 0, iterationsSkipped: 0 };
    for (const [w, r] of this.latest) {
      const b = this.baseline.get(w);
      for (const k of Object.keys(c) as (keyof ScenarioCounters)[]) c[k] += r.counters[k] - (b?.counters[k] ?? 0);
    }
    return c;
  }

  /** This second's per-step figures for the timeline; empties the per-second histograms. */
  sampleSecond(): TimelinePoint['steps'] {
    const out: NonNullable<TimelinePoint['steps']> = {};
    const now = new Map<string, { matched: number; timeouts: number }>();
    for (const [key, t] of this.steps()) {
      const prev = this.previous.get(key) ?? { matched: 0, timeouts: 0 };
      now.set(key, { matched: t.matched, timeouts: t.timeouts });
      const h = this.second.get(key)!;
      out[key] = { matched: t.matched - prev.matched, timeouts: t.timeouts - prev.timeouts };
      if (h.totalCount > 0) out[key].p99 = percentileMs(h, 99);
      h.reset();
    }
    this.previous = now;
    return out;
  }

  section(): ScenarioSection {
    const roles = new Map<string, number>();
    for (const r of this.latest.values()) for (const role of r.roles) roles.set(role.name, (roles.get(role.name) ?? 0) + role.connections);
    const steps: Record<string, StepSummary> = {};
    for (const [key, t] of this.steps()) {
      const { histogram, ...counts } = t;
      steps[key] = { ...counts, latency: summarizeHistogram(histogram) };
    }
    return { name: this.name, roles: [...roles].map(([name, connections]) => ({ name, connections })), steps, ...this.counters() };
  }
}
