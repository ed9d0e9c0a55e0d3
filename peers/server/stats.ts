// The reference server's counters and the JSON its stats endpoint serves.

export interface ServerStats {
  pid: number;
  /** WebSocket connections open now (handshake done, TCP not yet closed). */
  openConnections: number;
  /** WebSocket connections accepted since start. */
  totalConnections: number;
  /** Opening handshakes refused with an HTTP error (4xx). */
  rejectedHandshakes: number;
  /** Sockets dropped because the opening handshake did not complete in time. */
  handshakeTimeouts: number;
  /** Connections terminated because no pong came within the heartbeat timeout. */
  heartbeatTimeouts: number;
  /** Protocol violations by clients (each failed its connection). */
  violations: number;
  /** Data messages received from clients / sent to clients. */
  messagesIn: number;
  messagesOut: number;
  /** Bytes read from / written to WebSocket connections after the handshake (frames as on the wire). */
  bytesIn: number;
  bytesOut: number;
  /** One entry per worker process when the server runs on several (node:cluster); the fields above are their sums. */
  workers?: ServerStats[];
}

export type StatCounters = Omit<ServerStats, 'pid' | 'workers'>;

export function emptyCounters(): StatCounters {
  return {
    openConnections: 0,
    totalConnections: 0,
    rejectedHandshakes: 0,
    handshakeTimeouts: 0,
    heartbeatTimeouts: 0,
    violations: 0,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
}

const COUNTER_KEYS = Object.keys(emptyCounters()) as (keyof StatCounters)[];

/** Sums per-worker stats; the result lists the workers too. */
export function aggregateStats(pid: number, workers: ServerStats[]): ServerStats {
  const sum = emptyCounters();
  for (const w of workers) for (const k of COUNTER_KEYS) sum[k] += w[k];
  return { pid, ...sum, workers };
}

/** A plain HTTP/1.1 200 with the stats as JSON; the connection closes after it unless `keepAlive`. */
export function buildStatsResponse(stats: ServerStats, keepAlive = false): Uint8Array {
  const body = Buffer.from(JSON.stringify(stats) + '\n', 'utf8');
  const head =
    'HTTP/1.1 200 OK\r\n' +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Cache-Control: no-store\r\n' +
    `Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}
