// Socket <-> Connection glue, the only place where the sans-I/O core meets TCP. Bytes read go into
// connection.receive; drain()'s writes go to the socket (several writes of one drain are corked into one
// writev, header and payload stay separate buffers); drain()'s eof ends TCP. Every wait here is timed: once
// the close handshake has begun, the peer has closeTimeoutMs to finish it before TCP is dropped.
import type { Socket } from 'node:net';
import type { Connection, ConnectionEvent } from '../protocol/connection/connection.js';

/** How TCP ended, for transcripts and load errors. */
export const TcpEnd = {
  /** The peer sent FIN first. */
  RemoteFin: 'remote-fin',
  /** We sent FIN first (the server after a close handshake, or a failed connection). */
  LocalFin: 'local-fin',
  /** ECONNRESET or EPIPE. */
  Reset: 'reset',
  /** Any other socket error. */
  Error: 'error',
  /** The peer did not finish the close handshake (or close TCP) in time; we destroyed the socket. */
  CloseTimeout: 'close-timeout',
  /** terminate() was called (pong timeout, shutdown deadline). */
  Terminated: 'terminated',
} as const;
export type TcpEnd = (typeof TcpEnd)[keyof typeof TcpEnd];

export interface TcpClosed {
  end: TcpEnd;
  /** The socket error's code (ECONNRESET, EPIPE, ...) when there was one. */
  errorCode?: string;
  errorMessage?: string;
}

export interface PumpOptions {
  /** Called for every event the connection emits, in order; may call the connection's send methods. */
  onEvent: (event: ConnectionEvent) => void;
  /** Called once when the socket has closed, after the connection's own 'closed' event. */
  onTcpClosed?: (info: TcpClosed) => void;
  /** Time allowed for the close handshake and the TCP close after it. Default 5000 ms. */
  closeTimeoutMs?: number;
  /** Reading pauses while more than this many bytes wait in the socket's write buffer. Default 1 MiB. */
  highWaterMark?: number;
  /** Byte counters to add to (a server shares one object among its connections). */
  counters?: ByteCounters;
}

export interface ByteCounters {
  bytesIn: number;
  bytesOut: number;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 5000;
const DEFAULT_HIGH_WATER_MARK = 1 << 20;
/** Writes of one drain totalling at most this many bytes go out as one buffer. */
const SMALL_WRITE = 1024;

export class Pump {
  /** Bytes read and written, frames as on the wire. */
  readonly counters: ByteCounters;
  private readonly onEvent: (event: ConnectionEvent) => void;
  private readonly onTcpClosed: ((info: TcpClosed) => void) | undefined;
  private readonly closeTimeoutMs: number;
  private readonly highWaterMark: number;
  private flushing = false;
  private again = false;
  private ended = false;
  private remoteEnded = false;
  private pausedForWrites = false;
  private closeTimer: NodeJS.Timeout | null = null;
  private endKind: TcpEnd | null = null;
  private errorCode: string | undefined;
  private errorMessage: string | undefined;
  private tcpClosed = false;
  private readonly writeChunks: (chunks: readonly Uint8Array[], count: number) => void;

  constructor(
    readonly socket: Socket,
    readonly connection: Connection,
    opts: PumpOptions,
  ) {
    this.onEvent = opts.onEvent;
    this.onTcpClosed = opts.onTcpClosed;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.highWaterMark = opts.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.counters = opts.counters ?? { bytesIn: 0, bytesOut: 0 };
    this.writeChunks = (chunks, count) => this.write(chunks, count);
  }

  /** Attaches to the socket. `initial`: bytes that arrived with the handshake head (frames sent right after it). */
  start(initial?: Uint8Array): void {
    const socket = this.socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    if (initial !== undefined && initial.length > 0) this.onData(initial);
    else this.flush();
    if (socket.destroyed) this.onClose();
  }

  get closed(): boolean {
    return this.tcpClosed;
  }

  /**
   * Writes what the connection has queued, handles its eof, and dispatches its events. Call after any send* on
   * the connection. Re-entrant calls (from an event handler) are folded into the running flush.
   */
  flush(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    const conn = this.connection;
    try {
      do {
        this.again = false;
        // The allocation-free form of conn.drain(): writes, eof, then events.
        conn.drainWrites(this.writeChunks);
        if (conn.eofRequested) this.endTcp();
        // Handlers may queue replies (echo, pong): one more drain picks them up.
        if (conn.drainEvents(this.onEvent) > 0) this.again = true;
      } while (this.again);
    } finally {
      this.flushing = false;
    }
    if (this.closeTimer === null && !this.tcpClosed && (conn.state === 'closing' || conn.state === 'closed')) {
      this.armCloseTimer();
    }
  }

  /** Drops TCP now (pong timeout, shutdown deadline). The connection sees EOF and reports 1006. */
  terminate(): void {
    if (this.endKind === null) this.endKind = TcpEnd.Terminated;
    this.socket.destroy();
  }

  private write(writes: readonly Uint8Array[], n: number): void {
    const socket = this.socket;
    if (this.ended || socket.destroyed) return;
    if (n === 1) {
      const w = writes[0]!;
      this.counters.bytesOut += w.length;
      socket.write(w);
    } else {
      let total = 0;
      for (let i = 0; i < n; i++) total += writes[i]!.length;
      this.counters.bytesOut += total;
      if (total <= SMALL_WRITE) {
        // Small frames: one copy into one buffer is cheaper than a writev (one write request instead of an array
        // of chunks, no Uint8Array-to-Buffer wrapping per chunk). Large payloads are never copied.
        const merged = Buffer.allocUnsafe(total);
        let at = 0;
        for (let i = 0; i < n; i++) {
          merged.set(writes[i]!, at);
          at += writes[i]!.length;
        }
        socket.write(merged);
      } else {
        socket.cork();
        for (let i = 0; i < n; i++) socket.write(writes[i]!);
        socket.uncork();
      }
    }
    // Backpressure: a peer that does not read must not make us buffer without bound, so stop reading from it
    // until our writes drain.
    if (!this.pausedForWrites && socket.writableLength > this.highWaterMark) {
      this.pausedForWrites = true;
      socket.pause();
    }
  }

  private endTcp(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.endKind === null) this.endKind = this.remoteEnded ? TcpEnd.RemoteFin : TcpEnd.LocalFin;
    this.socket.end();
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    if (this.closeTimer !== null || this.tcpClosed) return;
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      if (this.tcpClosed) return;
      if (this.endKind === null || this.endKind === TcpEnd.LocalFin) this.endKind = TcpEnd.CloseTimeout;
      this.socket.destroy();
    }, this.closeTimeoutMs);
  }

  private readonly onData = (chunk: Uint8Array): void => {
    this.counters.bytesIn += chunk.length;
    try {
      this.connection.receive(chunk);
      this.flush();
    } catch (err) {
      // A bug in the core or in a handler must cost this connection only, never the whole server.
      this.fault(err);
    }
  };

  private fault(err: unknown): void {
    if (this.errorMessage === undefined) this.errorMessage = `internal error: ${err instanceof Error ? err.message : String(err)}`;
    this.endKind = TcpEnd.Error;
    this.socket.destroy();
  }

  private readonly onEnd = (): void => {
    this.remoteEnded = true;
    if (this.endKind === null) this.endKind = TcpEnd.RemoteFin;
    this.connection.receiveEof();
    this.flush();
  };

  private readonly onDrain = (): void => {
    if (this.pausedForWrites && this.socket.writableLength <= this.highWaterMark) {
      this.pausedForWrites = false;
      this.socket.resume();
    }
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    if (this.errorCode !== undefined || this.errorMessage !== undefined) return;
    this.errorCode = err.code;
    this.errorMessage = err.message;
    if (this.endKind === null || this.endKind === TcpEnd.LocalFin) {
      this.endKind = err.code === 'ECONNRESET' || err.code === 'EPIPE' ? TcpEnd.Reset : TcpEnd.Error;
    }
  };

  private readonly onClose = (): void => {
    if (this.tcpClosed) return;
    this.tcpClosed = true;
    if (this.closeTimer !== null) {
      clearTimeout(this.closeTimer);
      this.closeTimer = null;
    }
    this.ended = true;
    if (this.connection.state !== 'closed') {
      this.connection.receiveEof();
      this.flush();
    }
    const info: TcpClosed = { end: this.endKind ?? TcpEnd.RemoteFin };
    if (this.errorCode !== undefined) info.errorCode = this.errorCode;
    if (this.errorMessage !== undefined) info.errorMessage = this.errorMessage;
    this.onTcpClosed?.(info);
  };
}
