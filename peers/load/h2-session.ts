// The parts of an HTTP/2 load pool (./h2-load-connection.ts) that touch node:http2: one session (an HTTP/2
// connection, h2c by prior knowledge or h2 by ALPN, with raised flow-control windows) and one WebSocket's transport
// on it (its place before the session is ready, then its stream), with the stream listeners every stream shares.
import { connect as h2Connect, type ClientHttp2Session, type ClientHttp2Stream, type Settings } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { addAbortSignal, PassThrough } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { headerListFromObject, headerListFromRaw } from '../../protocol/h2/headers.js';
import type { LoadConnection } from './load-connection.js';
import { errorKind, type LoadErrorKind } from './load-errors.js';
import type { LoadTransport } from './load-host.js';
import type { H2SessionPool } from './h2-load-connection.js';

/**
 * RFC 7540 §6.9.2: our SETTINGS_INITIAL_WINDOW_SIZE, what the server may send on one stream before we acknowledge
 * it, and §6.9: the connection's window (WINDOW_UPDATE on stream 0). Both bound bytes in flight, not memory: every
 * DATA frame is read as it arrives, so a window only has to cover what echo traffic has in flight during a stall of
 * the runner's event loop. The defaults (64 KiB for the stream and for the whole connection) would throttle 100
 * echoing WebSockets sharing one connection to one window per round trip.
 */
const STREAM_WINDOW = 1 << 20;
const SESSION_WINDOW = 32 << 20;
/** nghttp2's memory per session (MB; Node's default 10); past it the session refuses new streams. */
const sessionMemoryMb = (streams: number): number => Math.max(10, Math.ceil(streams / 8));

/**
 * Node's one way to send RST_STREAM(CANCEL) without END_STREAM first is destroying the stream with its AbortError
 * (`close(CANCEL)` ends the writable side first: pending DATA would go out with END_STREAM). One instance serves all.
 */
const CANCEL: Error = (() => {
  const aborted = new AbortController();
  aborted.abort();
  const probe = new PassThrough().on('error', () => {});
  addAbortSignal(aborted.signal, probe);
  return probe.errored ?? new Error('cancel');
})();

const OWNER = Symbol('wsprobe.h2Stream');
type OwnedStream = ClientHttp2Stream & { [OWNER]?: H2Stream };

/** One WebSocket's transport: its place on a session, then its stream once the session is ready. */
export class H2Stream implements LoadTransport {
  stream: OwnedStream | null = null;
  /** The server's END_STREAM arrived. */
  endStream = false;
  /** Counted among its session's open WebSockets. */
  open = false;
  /** Ended by a RST_STREAM (not an orderly END_STREAM). */
  reset = false;
  /** Subprotocols offered when a scenario role chose its own; null: the pool's. */
  protocols: string[] | null = null;

  constructor(
    readonly conn: LoadConnection,
    /** Null once its place is released. */
    public session: H2Session | null,
  ) {}

  get writableLength(): number {
    return this.stream?.writableLength ?? 0;
  }

  write(bytes: Uint8Array): void {
    const s = this.stream;
    if (s !== null && s.writable) s.write(bytes);
  }

  /** RFC 8441 §5: the orderly end of our side is END_STREAM (after our close frame). */
  end(): void {
    const s = this.stream;
    if (s !== null && s.writable) s.end();
  }

  destroy(): void {
    this.session?.pool.cancel(this);
  }

  /** Takes the stream its Extended CONNECT was sent on. */
  attach(stream: ClientHttp2Stream): void {
    const s = stream as OwnedStream;
    s[OWNER] = this;
    this.stream = s;
    s.on('response', onResponse);
    s.on('data', onStreamData);
    s.on('end', onStreamEnd);
    s.on('close', onStreamClose);
    s.on('error', ignore);
  }

  /** Our abort (RFC 8441 §5): RST_STREAM(CANCEL), no END_STREAM before it; the stream's events are no longer ours. */
  cancelStream(): void {
    const s = this.stream;
    if (s === null) return;
    s[OWNER] = undefined;
    this.stream = null;
    if (!s.destroyed) s.destroy(CANCEL);
  }
}

function onResponse(this: OwnedStream, headers: Record<string, unknown>, _flags: number, raw?: string[]): void {
  const t = this[OWNER];
  t?.session?.pool.response(t, raw !== undefined ? headerListFromRaw(raw) : headerListFromObject(headers));
}
function onStreamData(this: OwnedStream, chunk: Buffer): void {
  this[OWNER]?.conn.receive(chunk, true);
}
function onStreamEnd(this: OwnedStream): void {
  const t = this[OWNER];
  if (t) t.endStream = true;
}
function onStreamClose(this: OwnedStream): void {
  const t = this[OWNER];
  if (!t) return;
  this[OWNER] = undefined;
  t.session?.pool.streamClosed(t, this.rstCode ?? null);
}
// The end is judged in onStreamClose; a stream error only has to be listened to.
function ignore(): void {}

/** One HTTP/2 connection of the pool, in its packer slot. */
export class H2Session {
  ready = false;
  dead = false;
  goaway = false;
  /** We ended it (the run is over, or it never got SETTINGS): not lost. */
  closedByUs = false;
  openStreams = 0;
  /** Placed before the server's SETTINGS arrived; their streams start once they have. */
  waiting: H2Stream[] = [];
  /** Streams that ended without a close frame, judged together once the session's own fate is known. */
  dropping: H2Stream[] = [];
  errorKind: LoadErrorKind | null = null;
  errorDetail = '';
  readonly session: ClientHttp2Session;

  /** Going or gone: GOAWAY received, or the connection ended (Node destroys it before its streams report). */
  get lost(): boolean {
    return this.dead || this.goaway || this.session.destroyed;
  }

  constructor(
    readonly pool: H2SessionPool,
    readonly slot: number,
    localAddress: string | undefined,
    localPort: number | undefined,
  ) {
    const t = pool.host.target;
    const tls = t.tls;
    this.session = h2Connect(`${tls ? 'https' : 'http'}://${t.url.host}`, {
      createConnection: () => {
        if (tls === null) return netConnect({ host: t.host, port: t.port, localAddress, localPort, noDelay: true });
        const socket = tlsConnect({ ...tls, ALPNProtocols: ['h2'], localAddress, localPort } as ConnectionOptions);
        socket.setNoDelay(true);
        return socket;
      },
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      maxSessionMemory: sessionMemoryMb(pool.streamsPerConnection),
    });
    const session = this.session;
    session.on('connect', () => {
      // RFC 7540 §3.3: over TLS, HTTP/2 only when the server selected "h2"; a server that took http/1.1 (or no ALPN)
      // would read our preface as a bad HTTP/1.1 request.
      const alpn = session.alpnProtocol;
      if (alpn !== 'h2c' && alpn !== 'h2') return pool.fail(this, 'handshake', `RFC 7540 §3.3: the server did not select h2 by ALPN (${alpn || 'no ALPN'})`);
      session.setLocalWindowSize(SESSION_WINDOW);
    });
    session.on('remoteSettings', (settings: Settings) => pool.settings(this, settings));
    session.on('goaway', () => {
      this.goaway = true;
      pool.retire(this);
    });
    session.on('error', (err: NodeJS.ErrnoException) => {
      if (this.errorKind !== null) return;
      // Node's own HTTP/2 errors (a target that does not speak HTTP/2, a broken frame) have no errno code.
      const http2 = err.code?.startsWith('ERR_HTTP2') === true;
      // RFC 7301 §3.2: a TLS server that supports none of the offered protocols answers no_application_protocol.
      const noH2 = /NO_APPLICATION_PROTOCOL/i.test(err.code ?? '');
      this.errorKind = http2 || noH2 ? (this.ready ? 'protocol' : 'handshake') : errorKind(err);
      if (noH2) this.errorDetail = 'RFC 7540 §3.3: the server does not offer h2 by ALPN (TLS alert no_application_protocol)';
      else this.errorDetail = http2 && !this.ready ? `the target does not speak HTTP/2${tls === null ? ' by prior knowledge (h2c)' : ''} (${err.message})` : err.message;
    });
    session.on('close', () => pool.sessionClosed(this));
  }
}

