// The versioned RunResult: the one contract between runners, report writers, CI baselines and users' scripts.
// Change it only by adding optional fields; anything else bumps SCHEMA_ID.

export const SCHEMA_ID = 'wsprobe/result@1' as const;

/**
 * `not-run` (added in @1): the case could not run (no connection opens, the target died before its turn) and was
 * not graded. Results written before it have no `summary['not-run']`: read it as 0 (parseRunResult fills it in).
 */
export const VERDICTS = ['pass', 'non-strict', 'fail', 'informational', 'unimplemented', 'error', 'not-run'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Verdicts ordered from worst to best, for sorting ("failing first") and for --fail-on. `not-run` sorts after the
 * graded problems and before what is fine; it is never a failure (or a regression) by itself.
 */
export const VERDICT_SEVERITY: Record<Verdict, number> = {
  error: 5,
  fail: 4,
  'non-strict': 3,
  'not-run': 2.5,
  unimplemented: 2,
  informational: 1,
  pass: 0,
};

export const RUN_KINDS = ['conformance', 'fuzz', 'load', 'capacity', 'probe'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** One line of a case transcript: a frame either way, raw bytes, a handshake head, a TCP event or a note. */
export interface TranscriptEntry {
  /** Milliseconds since the case started. */
  t: number;
  /** out: we sent it; in: the target sent it; local: an event seen by the harness (timeout, TCP end, note). */
  dir: 'out' | 'in' | 'local';
  kind: 'frame' | 'bytes' | 'handshake' | 'tcp' | 'note';
  opcode?: number;
  fin?: boolean;
  /** RSV bits as a 3-bit number: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
  rsv?: number;
  masked?: boolean;
  /** Exact payload (or byte) length, even when the preview is elided. */
  length?: number;
  /** Readable preview, elided past a limit. */
  preview?: string;
  previewEncoding?: 'text' | 'hex';
  closeCode?: number;
  closeReason?: string;
  /** Free text for handshake heads, TCP events (fin, reset, error) and notes. */
  text?: string;
}

export interface CaseResult {
  id: string;
  title: string;
  /** Area (first segment of the id): handshake, framing, control, fragmentation, utf8, close, limits, masking, deflate, ... */
  area: string;
  rfc: string[];
  autobahn: string[];
  verdict: Verdict;
  /** Stable machine-readable reason code: ok, wrong-code, unclean-close, late-fail, timeout, no-echo, ... */
  reasonCode: string;
  /** Human reason, citing the RFC section. */
  reason: string;
  expected: string;
  observed: string;
  durationMs: number;
  timeoutMs?: number;
  transcript: TranscriptEntry[];
  /** Entries left out of `transcript` (never dropped silently). */
  transcriptOmitted?: number;
  /** Case-specific measurements, e.g. { rttMs: 1.2 } for the limits cases. */
  metrics?: Record<string, number>;
  // Fuzz cases:
  seed?: number;
  path?: string;
  replay?: string;
  counterexample?: string[];
  numRuns?: number;
  /** Merged multi-target conformance results: one outcome per entry of RunResult.targets, same order. */
  outcomes?: CaseOutcome[];
}

export interface CaseOutcome {
  verdict: Verdict;
  reasonCode: string;
  reason: string;
  observed: string;
  durationMs: number;
  transcript?: TranscriptEntry[];
  transcriptOmitted?: number;
}

export interface HistogramSummary {
  unit: 'ms';
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** The HDR histogram, encoded (hdr-histogram-js encodeIntoCompressedBase64), values in microseconds. */
  encoded: string;
}

export interface TimelinePoint {
  /** Seconds since the run started. */
  t: number;
  open: number;
  target: number;
  opened: number;
  closed: number;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  pingsSent: number;
  pongsReceived: number;
  errors: number;
  reconnects: number;
  pingRttP99?: number;
  messageRttP99?: number;
  runnerCpuPercent?: number;
  runnerRssBytes?: number;
  eventLoopLagMs?: number;
  /** Scenario runs: per named step (`request.join`), this second's matches and, when any, their p99 (ms). */
  steps?: Record<string, { matched: number; timeouts: number; p99?: number }>;
}

export interface ThresholdResult {
  expr: string;
  metric: string;
  value: number | null;
  ok: boolean;
  /** How the value was obtained when it is not a plain measurement, e.g. after `report merge`. */
  note?: string;
}

export interface LoadSection {
  profile: Record<string, unknown>;
  connections: {
    target: number;
    peak: number;
    opened: number;
    failed: number;
    reconnects: number;
    dropped: number;
    /** Drops by close code ('1006' for TCP loss) or cause. */
    dropsByCode: Record<string, number>;
  };
  histograms: {
    connect: HistogramSummary;
    pingRtt: HistogramSummary;
    messageRtt: HistogramSummary;
    [name: string]: HistogramSummary;
  };
  counters: Record<string, number>;
  timeline: TimelinePoint[];
  errors: Record<string, number>;
  thresholds: ThresholdResult[];
  heartbeat?: Record<string, number>;
  runner?: {
    workers: number;
    peakRssBytes: number;
    bytesPerConnection?: number;
    cpuSeconds?: number;
    maxEventLoopLagMs?: number;
    warnings: string[];
    /** Per worker process: connections held when memory was measured and RSS growth per connection after GC. */
    workerMemory?: { worker: number; heldConnections: number; bytesPerConnection: number; rssBytes: number }[];
  };
  http?: Record<string, unknown>;
  /** Present when the run followed a scenario (--scenario). */
  scenario?: ScenarioSection;
  /** `--http2` runs (RFC 8441, added in @1): the HTTP/2 connections the WebSockets were streams of. */
  http2?: {
    /** Connections opened (SETTINGS allowed Extended CONNECT), and those carrying WebSockets when most were open. */
    sessions: number;
    sessionsAtPeak: number;
    /** WebSockets per connection: the most on one at once; the mean over `sessionsAtPeak`. */
    streamsPerSession: { max: number; mean: number };
    /** --streams-per-connection as used: lowered to the server's SETTINGS_MAX_CONCURRENT_STREAMS when that is less. */
    streamsPerConnection: number;
    maxConcurrentStreams?: number;
    /** Connections that ended without our asking, WebSockets dropped with them, WebSockets the server reset alone. */
    sessionsLost: number;
    streamsLost: number;
    streamsReset: number;
  };
  shard?: { index: number; count: number };
  /** Shards merged into this result (report merge). */
  mergedFrom?: number;
  /**
   * How the per-second percentiles of `timeline` were obtained: 'exact' from one histogram per second (one run),
   * 'max-of-shards' after merging shards (an upper bound; the run-wide `histograms` stay exact).
   */
  timelinePercentiles?: 'exact' | 'max-of-shards';
}

/**
 * One named step of a scenario (`wsprobe load --scenario`), summed over every connection that ran it. `started`:
 * messages sent (send), waits begun (expect), requests sent (request), subscriptions made (subscribe). `matched`:
 * waits and requests answered in time, messages a subscription received. `latency`: expect from the wait's start,
 * request from its send, subscribe from the time stamp the sender put in the message.
 */
export interface StepSummary {
  kind: 'send' | 'expect' | 'request' | 'subscribe';
  name: string;
  started: number;
  matched: number;
  timeouts: number;
  /** Replies that came after their request had timed out (request only). */
  late: number;
  /** Connections on which the step timed out at least once. */
  connectionsWithTimeouts: number;
  latency: HistogramSummary;
}

/** What a scenario run adds to the load section. */
export interface ScenarioSection {
  name: string;
  /** Connections each role was given (of this shard's). */
  roles: { name: string; connections: number }[];
  /** Keyed `kind.name`, in the order the file names them. */
  steps: Record<string, StepSummary>;
  /** Messages that matched no waiting expect or request and no subscription, and connections that got any. */
  unexpected: number;
  connectionsWithUnexpected: number;
  /** Requests and expects that got no match in time, and connections that had any. */
  unmatched: number;
  connectionsWithUnmatched: number;
  /** Connections that finished every step of their role (a `close` step or the last step ended). */
  completed: number;
  /** Loop iterations whose start fell due while the previous was still running (`every`), skipped. */
  iterationsSkipped: number;
}

export interface CapacityStep {
  connections: number;
  /** The SLO held (outcome 'held'); false for 'breached' and 'runner-limited'. */
  ok: boolean;
  breached: string[];
  thresholds: ThresholdResult[];
  /** Steady-window p99s (ms) and error rate (a fraction). */
  pingRttP99?: number;
  connectP99?: number;
  errorRate?: number;
  durationMs: number;
  /**
   * 'held': the SLO held over the steady window; 'breached': it did not and the target was the limit;
   * 'runner-limited': it did not, but the runner (CPU, event-loop lag, heartbeat jitter) was the limit, so the step
   * says nothing of the target.
   */
  outcome?: 'held' | 'breached' | 'runner-limited';
  /** 'grown': the step added connections to the ones the step before held; 'fresh': it began from none, after the
   * previous connections were closed and the target had settled. */
  start?: 'grown' | 'fresh';
  /** 0 for the search's own run of this count; 1, 2, ... for the confirmation repeats (--confirm). */
  repeat?: number;
  /** Seconds since the search began: when the ramp began, when the steady window (after the warm-up) began and ended. */
  window?: { rampStartS: number; steadyStartS: number; steadyEndS: number };
  /** Latency over the steady window (ms). */
  pingRtt?: LatencyFigures;
  messageRtt?: LatencyFigures;
  /** The ramp's own figures (from the ramp's start to the steady window), judged only by an SLO on connect.*. */
  ramp?: { seconds: number; opened: number; failed: number; errors: number; connectP50?: number; connectP99?: number };
  bottleneck?: Bottleneck;
}

export interface LatencyFigures {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Which side limited a step, with the figures that say so (steady window). */
export interface Bottleneck {
  limit: 'target' | 'runner' | 'none';
  /** One line: why. */
  reason: string;
  /** The busiest runner process's mean CPU over the window (100 = one core). */
  runnerCpuPercent: number;
  /** The largest event-loop lag of any runner process in the window. */
  eventLoopLagMs: number;
  /** How late heartbeats left against their schedule (p99): delay the runner adds to every RTT it measures. */
  heartbeatJitterP99Ms?: number;
  /** The whole machine's CPU use over the window (100 = every core busy). */
  machineCpuPercent?: number;
  /** The target's processes (the embedded server, or --target-pid): CPU (100 = one core) and resident memory. */
  targetCpuPercent?: number;
  targetRssBytes?: number;
}

export interface CapacitySection {
  slo: string[];
  /** The largest count that held the SLO (confirmed when confirm > 0); null when even the first step did not. */
  maxConnections: number | null;
  steps: CapacityStep[];
  /** Seconds of warm-up between a step's ramp and its steady window. */
  warmupS?: number;
  /** Repeats of the last held and first breached counts (--confirm). */
  confirm?: number;
  knee?: {
    lastHeld: number | null;
    firstBreached: number | null;
    /** Every repeat agreed: lastHeld held each time and firstBreached breached each time. */
    confirmed: boolean;
    /** The first latency SLO's value over the repeats of each side: [min, max]. */
    spread?: { metric: string; held?: [number, number]; breached?: [number, number] };
  };
  /** What a planner must know: a non-monotonic curve, runner-limited steps, an unconfirmed knee (one line each). */
  flags?: string[];
  /** The search's per-second timeline (all steps on one time axis; windows in steps[].window). */
  timeline?: TimelinePoint[];
}

/**
 * How the path ended an idle connection (`wsprobe probe idle`): a close frame (its code; `handshake`: we answered
 * and TCP then ended with a FIN, the closing handshake of RFC 6455 §7.1), a FIN or a reset without a close frame,
 * or a silent drop (still open here, but the probe got no answer).
 */
export interface ProbeEnding {
  how: 'close-frame' | 'fin' | 'reset' | 'error' | 'silent-drop';
  code?: number | null;
  reason?: string;
  handshake?: boolean;
  detail?: string;
}

/** One silent connection of a probe round. */
export interface ProbeConnection {
  /** The silence (seconds) after which it was probed. */
  silenceS: number;
  /** 'cancelled': a shorter silence had already killed, so its probe could not narrow the bracket. 'failed': it never opened. */
  outcome: 'survived' | 'killed' | 'cancelled' | 'failed';
  /** Killed: the silence (seconds) it ended after: its probe time for a silent drop, the exact end otherwise. */
  endedAfterS?: number;
  ending?: ProbeEnding;
  /** Survived: the probe's round trip (ms). */
  rttMs?: number;
  /** Failed: why, one line. */
  error?: string;
}

export interface ProbeRound {
  /** Seconds since the probe began. */
  startS: number;
  durationS: number;
  connections: ProbeConnection[];
  /** The bracket after the round. */
  survivedS: number;
  killedS: number | null;
}

/** A connection that sent a heartbeat every `intervalS` for the whole probe. */
export interface ProbeHeartbeat {
  intervalS: number;
  /** 'ping': WebSocket pings; 'app': the --app-heartbeat text message and its reply. */
  via: 'ping' | 'app';
  /**
   * 'kept-alive': a heartbeat was answered after the connection had lived longer than the idle timeout (or, when no
   * timeout was found, it lived through the probe); 'died'; 'untested': the probe ended first, or it never opened.
   */
  verdict: 'kept-alive' | 'died' | 'untested';
  beats: number;
  answered: number;
  /** Seconds the connection lived (to its end, or to the end of the probe). */
  livedS: number;
  ending?: ProbeEnding;
  error?: string;
}

/** What `wsprobe probe idle` found: the path's idle timeout, how it ends idle connections, which heartbeats help. */
export interface ProbeSection {
  check: 'idle';
  maxS: number;
  resolutionS: number;
  probeTimeoutS: number;
  connectionsPerRound: number;
  /** The idle timeout (seconds), null when every silence up to maxS survived. */
  idleTimeoutS: number | null;
  /** The longest silence survived (seconds) and the shortest that killed (null: none). */
  survivedS: number;
  killedS: number | null;
  /** false: a silence survived that is longer than one that killed (a timeout that varies between connections). */
  consistent: boolean;
  /** false: the search stopped (interrupted, time cap) before the bracket was within the resolution. */
  complete: boolean;
  /** How the killed silent connections ended, most common first. */
  endings: (ProbeEnding & { count: number })[];
  rounds: ProbeRound[];
  heartbeats: ProbeHeartbeat[];
  /** The longest heartbeat interval (seconds) that kept its connection alive; null when none did. */
  longestKeptAliveS: number | null;
  recommended: { intervalS: number; marginS: number; basis: string } | null;
  /** --expect-idle-at-least: ok when the timeout found is no shorter (or none was found). */
  expectation?: { atLeastS: number; ok: boolean; message: string };
  /** Frames the target sent by itself on silent connections: each resets the path's idle timer. */
  targetTraffic?: { pings: number; messages: number };
  warnings: string[];
}

export interface FuzzSection {
  suites: string[];
  seed: number;
  runs: number;
  casesPerSecond?: number;
}

/**
 * Cases that share one cause (added in @1). A run-level finding (`scope: 'run'`: the target died, its opening
 * handshake is wrong for every connection) comes first; the others group failing cases by reason code and the
 * reason with its case-specific parts (numbers, quoted text, digests) left out. Each case is in at most one finding.
 */
export interface Finding {
  /** Stable grouping key: reason code, verdict and the normalised reason. */
  key: string;
  scope: 'run' | 'cases';
  /** The worst verdict among its cases. */
  verdict: Verdict;
  reasonCode: string;
  /** The cause in one line, without the count ("the target answered ... with 400"). */
  cause: string;
  /** Case ids, in run order. */
  cases: string[];
  /** Merged multi-target results: the target (label or URL) the finding is about. */
  target?: string;
}

/**
 * What the conformance pre-flight learned about the target (added in @1, optional): whether it echoes text and
 * binary messages, how many messages it sent unprompted (a greeting), whether it closed on a message it does not
 * understand. `source`: 'preflight', or 'option' when --echo / --no-echo decided. `echo`: whether the run graded
 * echoes; false: the cases that need one were not run (`needs-echo`).
 */
export interface TargetProfile {
  echo: boolean;
  source: 'preflight' | 'option';
  echoesText?: boolean;
  echoesBinary?: boolean;
  unsolicited?: number;
  closesOnUnknown?: boolean;
}

/** The summary's first line when the target does not echo: null otherwise. */
export function noEchoLine(r: RunResult): string | null {
  if (r.target.profile?.echo !== false) return null;
  const notRun = r.cases.filter((c) => c.reasonCode === 'needs-echo').length;
  return `the target does not echo: ${notRun} case${notRun === 1 ? '' : 's'} need an echo and were not run; ${r.cases.length - notRun} case${r.cases.length - notRun === 1 ? '' : 's'} ran`;
}

/** The client under test of a `wsprobe test-client` run (added in @1, optional): its agent name and driver. */
export interface ClientSection {
  agent?: string;
  driver?: string;
  /** The ws:// (or wss://) URL the client was pointed at. */
  url: string;
}

export interface RunResult {
  schema: typeof SCHEMA_ID;
  kind: RunKind;
  /** Which side wsprobe tested (added in @1, optional): 'server' when absent; 'client' for `wsprobe test-client`. */
  role?: 'server' | 'client';
  client?: ClientSection;
  tool: { name: 'wsprobe'; version: string };
  /**
   * `transport` (added in @1, optional): the run went over HTTP/2 (RFC 8441), h2 by ALPN or h2c by prior
   * knowledge; absent: HTTP/1.1.
   */
  target: { url: string; embedded?: boolean; profile?: TargetProfile; transport?: 'h2' | 'h2c' };
  /** Several targets (merged conformance matrix); cases[].outcomes follow this order. */
  targets?: { url: string; label?: string; summary?: Record<Verdict, number> }[];
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  summary: Record<Verdict, number>;
  cases: CaseResult[];
  options?: Record<string, unknown>;
  /** Failures grouped by cause, run-level ones first (conformance and fuzz). */
  findings?: Finding[];
  fuzz?: FuzzSection;
  load?: LoadSection;
  capacity?: CapacitySection;
  probe?: ProbeSection;
}

export function emptySummary(): Record<Verdict, number> {
  return { pass: 0, 'non-strict': 0, fail: 0, informational: 0, unimplemented: 0, error: 0, 'not-run': 0 };
}

export function summarize(cases: readonly { verdict: Verdict }[]): Record<Verdict, number> {
  const summary = emptySummary();
  for (const c of cases) summary[c.verdict] += 1;
  return summary;
}
