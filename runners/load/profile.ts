// A load profile: everything a run needs, plain data, so it can travel to worker processes over IPC and into
// results.json (load.profile) unchanged.

export interface Stage {
  /** Seconds to move linearly from the previous target to this one (k6 stages). */
  durationS: number;
  target: number;
}

export interface AppHeartbeat {
  /** Text message sent as the heartbeat. */
  send: string;
  /** Text message the server answers with. */
  expect: string;
}

export interface LoadProfile {
  url: string;
  /** Connections to hold (ignored when `stages` is given: the largest stage target is used). */
  connections: number;
  /** New connections per second during the ramp; 0 opens them as fast as possible. */
  rampPerSecond: number;
  /** Hold time after the ramp, seconds. */
  durationS: number;
  stages?: Stage[];
  /** WebSocket ping interval per connection, ms; 0 = no heartbeat. */
  heartbeatMs: number;
  pongTimeoutMs: number;
  appHeartbeat?: AppHeartbeat;
  reconnect: boolean;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Messages per second per connection (open model); 0 = none. */
  messageRate: number;
  /** Closed model: messages kept in flight per connection, the next sent on each echo; 0 = off. */
  inFlight: number;
  messageSize: number;
  binary: boolean;
  /**
   * Offer permessage-deflate (RFC 7692) in every handshake; `noContextTakeover` offers client_ and
   * server_no_context_takeover too. Absent: no offer and no deflate state at all.
   */
  deflate?: { noContextTakeover: boolean };
  /** Message body (base64), from --payload FILE; the 20-byte stamp is put in front of it. */
  payloadBase64?: string;
  connectTimeoutMs: number;
  /** Time a connection gets to close cleanly at the end before it is destroyed. */
  closeTimeoutMs: number;
  workers: number;
  sourceIps: string[];
  headers: [string, string][];
  protocols: string[];
  origin?: string;
  insecure: boolean;
  /** PEM of a CA to trust for wss://. */
  caPem?: string;
  /** 1-based shard index and count. */
  shard?: { index: number; count: number };
  thresholds: string[];
  httpProbe?: string;
  /**
   * WebSockets over HTTP/2 (RFC 8441, --http2): each a stream of a shared HTTP/2 connection carrying up to
   * `streamsPerConnection` (fewer when the server's SETTINGS_MAX_CONCURRENT_STREAMS says so). Absent: HTTP/1.1.
   */
  http2?: { streamsPerConnection: number };
  /** What each connection does (--scenario): replaces --message-rate / --in-flight traffic. */
  scenario?: import('./scenario/model.js').Scenario;
}

export const PROFILE_DEFAULTS = {
  connections: 100,
  rampPerSecond: 0,
  durationS: 10,
  heartbeatMs: 10_000,
  pongTimeoutMs: 5_000,
  reconnect: false,
  reconnectBaseMs: 100,
  reconnectMaxMs: 10_000,
  messageRate: 0,
  inFlight: 0,
  messageSize: 32,
  binary: false,
  connectTimeoutMs: 10_000,
  closeTimeoutMs: 2_000,
  sourceIps: [] as string[],
  headers: [] as [string, string][],
  protocols: [] as string[],
  insecure: false,
  thresholds: [] as string[],
} as const;

/** The stages a profile runs: explicit ones, or ramp to `connections` then hold for `durationS`. */
export function stagesOf(p: Pick<LoadProfile, 'connections' | 'rampPerSecond' | 'durationS' | 'stages'>): Stage[] {
  if (p.stages && p.stages.length > 0) return p.stages;
  const rampS = p.rampPerSecond > 0 ? p.connections / p.rampPerSecond : 0;
  return [
    { durationS: rampS, target: p.connections },
    { durationS: p.durationS, target: p.connections },
  ];
}

/** The largest number of connections the profile ever asks for. */
export function peakTargetOf(p: Pick<LoadProfile, 'connections' | 'rampPerSecond' | 'durationS' | 'stages'>): number {
  return Math.max(0, ...stagesOf(p).map((s) => s.target));
}

/** Streams per HTTP/2 connection when --http2 is given without --streams-per-connection. */
export const DEFAULT_STREAMS_PER_CONNECTION = 100;

/**
 * Sockets `n` WebSockets need (what the file and port limits count): one each over HTTP/1.1; over HTTP/2 one per
 * connection, with a partly filled connection in each of `processes` workers.
 */
export function socketsFor(p: Pick<LoadProfile, 'http2'>, n: number, processes: number): number {
  if (!p.http2 || n === 0) return n;
  return Math.min(n, Math.ceil(n / p.http2.streamsPerConnection) + Math.max(1, processes) - 1);
}

export function totalDurationS(stages: readonly Stage[]): number {
  return stages.reduce((s, st) => s + st.durationS, 0);
}
