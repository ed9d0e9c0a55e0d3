// What a worker tells the engine, once a second and once more when it stops. Counters are cumulative (a lost or
// late report loses nothing); histograms hold only the values since the previous report, so the engine's sum of
// every report is exact, and a worker that dies has everything up to its last report kept.
import type { HistogramName } from './histograms.js';

export interface WorkerReport {
  worker: number;
  /** 1, 2, ... per worker. */
  seq: number;
  /** The report a `mark` command asked for: it holds everything up to the mark and nothing after it. */
  mark?: number;
  final: boolean;
  /** Ms since the worker's start. */
  tMs: number;
  counters: Record<string, number>;
  errors: Record<string, number>;
  dropsByCode: Record<string, number>;
  /** Encoded HDR histograms (microseconds) of the values recorded since the previous report. */
  histograms: Record<HistogramName, string>;
  gauges: {
    open: number;
    pending: number;
    /** Connections this worker is asked to hold now. */
    target: number;
    maxSilenceMs: number;
    rssBytes: number;
    heapUsedBytes: number;
    cpuPercent: number;
    cpuSeconds: number;
    eventLoopLagMaxMs: number;
  };
  /** With --scenario: per-step figures (counts cumulative, histograms new since the last report). */
  scenario?: import('./scenario/step-metrics.js').ScenarioWorkerReport;
  /** RSS growth per open connection after GC, measured once the ramp is complete. */
  memory?: { baselineRssBytes: number; heldRssBytes: number; heldConnections: number; bytesPerConnection: number };
  /** With --http2: the worker's HTTP/2 sessions (counts cumulative, gauges now). */
  http2?: import('../../peers/load/h2-load-connection.js').H2Figures;
}

/**
 * Engine -> worker. A session (capacity) moves the connection target while the workers run (`target`: grow or
 * shrink to `connections` of the whole run, at `rampPerSecond`, 0 as fast as possible) and splits the figures into
 * windows (`mark`: the worker reports at once, carrying the mark, so what came before it is told from what follows).
 */
export type WorkerCommand =
  | { type: 'start'; spec: WorkerSpecMessage }
  | { type: 'stop' }
  | { type: 'target'; connections: number; rampPerSecond: number }
  | { type: 'mark'; id: number };

export interface WorkerSpecMessage {
  profile: import('./profile.js').LoadProfile;
  share: import('./share.js').IndexShare;
  /** The global peak (for heartbeat phases over the whole run). */
  totalPeak: number;
  worker: number;
  /** Workers of this run (source ports are split between them). */
  workers: number;
  /** A session: no schedule of its own; the target moves by `target` commands until `stop`. */
  session?: boolean;
}
