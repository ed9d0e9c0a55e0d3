// The figures a worker keeps for a scenario: per named step, cumulative counts and an HDR histogram of latencies
// (only the values since the last report travel, so the engine's sum is exact, as for the run's other histograms),
// and the run-wide unexpected / unmatched counts with the number of connections each touched.
import { encodeHistogram, newHistogram, type Histogram } from '../../../reports/histogram.js';
import type { ScenarioSection, StepSummary } from '../../../reports/schema.js';
import type { MetricKind } from './model.js';

/** One step's figures as a worker reports them: counts cumulative, `encoded` only what is new since the last report. */
export type StepReport = Omit<StepSummary, 'latency'> & { encoded: string };

/** The run-wide scenario counts (the ScenarioSection fields besides its name, roles and steps). */
export type ScenarioCounters = Omit<ScenarioSection, 'name' | 'roles' | 'steps'>;

export interface ScenarioWorkerReport {
  counters: ScenarioCounters;
  steps: Record<string, StepReport>;
  /** Connections of this worker's share per role. */
  roles: { name: string; connections: number }[];
}

/** One named step's live figures in a worker. */
export class StepMetric {
  started = 0;
  matched = 0;
  timeouts = 0;
  late = 0;
  connectionsWithTimeouts = 0;
  readonly histogram: Histogram = newHistogram();
  /** Slots (pool positions) that timed out at least once. */
  private readonly timedOut: Uint8Array;

  constructor(
    readonly kind: MetricKind,
    readonly name: string,
    poolSize: number,
  ) {
    this.timedOut = new Uint8Array(poolSize);
  }

  /** Records a latency in ms as whole microseconds (at least 1: the smallest value HDR tells apart). */
  record(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  timeout(slot: number): void {
    this.timeouts += 1;
    if (this.timedOut[slot] === 0) {
      this.timedOut[slot] = 1;
      this.connectionsWithTimeouts += 1;
    }
  }

  /** The report of this step; empties the histogram (its values now travel with the report). */
  take(): StepReport {
    const h = this.histogram;
    const encoded = h.totalCount === 0 ? '' : encodeHistogram(h);
    h.reset();
    const { kind, name, started, matched, timeouts, late, connectionsWithTimeouts } = this;
    return { kind, name, started, matched, timeouts, late, connectionsWithTimeouts, encoded };
  }
}

/** Marks per slot, counting each slot once: connections that got an unexpected message, or had an unmatched wait. */
export class SlotMarks {
  private readonly marks: Uint8Array;
  count = 0;
  total = 0;
  constructor(poolSize: number) {
    this.marks = new Uint8Array(poolSize);
  }
  mark(slot: number): void {
    this.total += 1;
    if (this.marks[slot] === 0) {
      this.marks[slot] = 1;
      this.count += 1;
    }
  }
}
