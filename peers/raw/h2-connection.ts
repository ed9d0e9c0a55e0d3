// One HTTP/2 connection for raw peers (RFC 8441): h2 (TLS, ALPN "h2", RFC 7540 §3.3) for wss:, h2c by prior
// knowledge (RFC 7540 §3.4) for ws:. Many raw peers' streams share it at once, which is the point of WebSockets
// over HTTP/2: a run holds one (H2ConnectionPool) and opens a new one only when the target has closed the last.
// The connection records what the target said at its level: its first SETTINGS (RFC 8441 §3's setting among them)
// and any GOAWAY (RFC 7540 §6.8).
import { connect as h2Connect, constants as h2c, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { headerListFromObject, headerListFromRaw, headerListToObject, type H2HeaderList } from '../../protocol/h2/headers.js';
import { closeH2Session } from '../client/h2.js';
import { buildTlsConnectOptions } from '../tls.js';
import { connectErrorKind, PeerConnectError } from './send-plan.js';

export interface H2ConnectOptions {
  url: URL;
  tls?: { ca?: string | Buffer; caFile?: string; insecure?: boolean; servername?: string };
  /** Time for TCP, TLS and the server's first SETTINGS. Default 10 s. */
  timeoutMs?: number;
}

/** What became of a request: its response block, a reset, the connection's end, or nothing in time. */
export type H2RequestResult =
  | { kind: 'response'; stream: ClientHttp2Stream; headers: H2HeaderList; endStream: boolean }
  | { kind: 'reset'; code: number }
  | { kind: 'connection'; detail: string }
  | { kind: 'timeout' }
  | { kind: 'refused'; detail: string };

/**
 * Session-level flow control: the connection window we open (RFC 7540 §6.9.2). Many cases move megabytes on one
 * connection at once; the 64 KiB default would serialise them. Each stream keeps the default stream window, so a
 * server still has to respect per-stream flow control (the flow-control case depends on it).
 */
const CONNECTION_WINDOW = 64 * 1024 * 1024;
/** node:http2's per-session memory cap, in MB (its default of 10 refuses streams under load). */
const SESSION_MEMORY_MB = 256;

export class H2Connection {
  readonly transport: 'h2' | 'h2c';
  /** The server's GOAWAY, once one arrived. */
  goaway: { code: number; lastStreamId: number; at: number } | null = null;
  /** Why the connection ended, once it did ('TCP closed' when it just went away). */
  endReason: string | null = null;
  /** Resolves once the connection has closed. */
  readonly closed: Promise<void>;

  private constructor(
    readonly url: URL,
    readonly session: ClientHttp2Session,
    readonly tls: H2ConnectOptions['tls'],
  ) {
    this.transport = url.protocol === 'wss:' || url.protocol === 'https:' ? 'h2' : 'h2c';
    session.on('goaway', (code: number, lastStreamId: number) => {
      this.goaway ??= { code, lastStreamId, at: performance.now() };
    });
    this.closed = new Promise((resolve) => {
      const done = (): void => {
        this.endReason ??= this.goaway ? `GOAWAY ${this.goaway.code}` : 'TCP closed';
        resolve();
      };
      if (session.closed || session.destroyed) done();
      else session.once('close', done);
    });
  }

  /**
   * Connects and waits for the server's first SETTINGS (RFC 7540 §3.5: its first frame), which is recorded whatever
   * it says: a missing SETTINGS_ENABLE_CONNECT_PROTOCOL is a finding about the target, not a failure to connect.
   * Rejects with PeerConnectError when no HTTP/2 connection comes about.
   */
  static connect(opts: H2ConnectOptions): Promise<H2Connection> {
    const url = opts.url;
    const secure = url.protocol === 'wss:' || url.protocol === 'https:';
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const what = secure ? 'h2 (TLS, ALPN)' : 'h2c (prior knowledge)';
    return new Promise((resolve, reject) => {
      const tlsOptions = secure ? buildTlsConnectOptions(url, { ca: opts.tls?.ca, caFile: opts.tls?.caFile, insecure: opts.tls?.insecure }) : {};
      if (secure && opts.tls?.servername !== undefined) tlsOptions.servername = opts.tls.servername;
      const session = h2Connect(`${secure ? 'https' : 'http'}://${url.host}`, {
        ...tlsOptions,
        ...(secure ? { ALPNProtocols: ['h2'] } : {}),
        maxSessionMemory: SESSION_MEMORY_MB,
        // A server's PINGs and SETTINGS are answered by nghttp2; an unbounded queue of ours never builds up.
        settings: { enablePush: false },
      });
      // Later errors end the session; each stream reads its own end from it.
      session.on('error', () => undefined);
      let settled = false;
      const fail = (kind: ConstructorParameters<typeof PeerConnectError>[0], message: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        session.destroy();
        reject(new PeerConnectError(kind, `HTTP/2 ${what} connect to ${url.host} failed: ${message}`));
      };
      const timer = setTimeout(() => fail('timeout', `no SETTINGS within ${timeoutMs} ms`), timeoutMs);
      session.once('error', (err: NodeJS.ErrnoException) => fail(connectErrorKind(err), err.message));
      session.once('close', () => fail('error', 'the connection closed before the server sent its SETTINGS (is HTTP/2 served there?)'));
      session.once('remoteSettings', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        session.setLocalWindowSize(CONNECTION_WINDOW);
        resolve(new H2Connection(url, session, opts.tls));
      });
    });
  }

  /** RFC 8441 §3: the server's SETTINGS_ENABLE_CONNECT_PROTOCOL as received; undefined when it never sent one. */
  get enableConnectProtocol(): boolean | undefined {
    return this.session.remoteSettings.enableConnectProtocol;
  }

  /** New streams can still be opened: not closed, and no GOAWAY (RFC 7540 §6.8: none above its last stream id). */
  get usable(): boolean {
    return !this.session.closed && !this.session.destroyed && this.goaway === null;
  }

  /**
   * Sends a header block on a new stream (not ending it) and waits for the response block. Never rejects: node:http2
   * refusing the block, a reset, the connection's end and the timeout (the stream then cancelled) are results.
   */
  request(block: H2HeaderList, timeoutMs: number): Promise<H2RequestResult> {
    let stream: ClientHttp2Stream;
    try {
      stream = this.session.request(headerListToObject(block), { endStream: false });
    } catch (err) {
      return Promise.resolve({ kind: 'refused', detail: (err as Error).message });
    }
    return new Promise((resolve) => {
      const done = (r: H2RequestResult): void => {
        clearTimeout(timer);
        stream.off('response', onResponse);
        stream.off('close', onClose);
        resolve(r);
      };
      const timer = setTimeout(() => {
        if (!stream.closed) stream.close(h2c.NGHTTP2_CANCEL);
        done({ kind: 'timeout' });
      }, timeoutMs);
      const onResponse = (headers: Record<string, unknown>, flags: number, raw?: string[]): void => {
        const list = raw !== undefined ? headerListFromRaw(raw) : headerListFromObject(headers);
        done({ kind: 'response', stream, headers: list, endStream: (flags & h2c.NGHTTP2_FLAG_END_STREAM) !== 0 });
      };
      const onClose = (): void => {
        const code = stream.rstCode;
        if ((this.session.destroyed || this.session.closed || this.goaway !== null) && (code === undefined || code !== h2c.NGHTTP2_NO_ERROR)) {
          done({ kind: 'connection', detail: this.goaway ? `GOAWAY (error code ${this.goaway.code})` : 'the connection closed' });
        } else done({ kind: 'reset', code: code ?? h2c.NGHTTP2_CANCEL });
      };
      stream.on('error', () => undefined);
      stream.on('response', onResponse);
      stream.on('close', onClose);
    });
  }

  /** Ends the connection: GOAWAY, then the streams still open are dropped after `timeoutMs`. */
  close(timeoutMs = 2000): Promise<void> {
    return closeH2Session(this.session, this.closed, timeoutMs);
  }

  destroy(): void {
    this.session.destroy();
  }
}

/**
 * The run's shared connection: every case's stream goes on it while it lasts; once the target has closed it (or
 * sent GOAWAY) the next case gets a new one. Connects once for concurrent callers.
 */
export class H2ConnectionPool {
  private current: H2Connection | null = null;
  private connecting: Promise<H2Connection> | null = null;
  private readonly all = new Set<H2Connection>();

  constructor(private readonly opts: H2ConnectOptions) {}

  get(): Promise<H2Connection> {
    if (this.current?.usable) return Promise.resolve(this.current);
    this.connecting ??= H2Connection.connect(this.opts).then(
      (c) => {
        this.current = c;
        this.connecting = null;
        this.all.add(c);
        void c.closed.then(() => this.all.delete(c));
        return c;
      },
      (err: unknown) => {
        this.connecting = null;
        throw err;
      },
    );
    return this.connecting;
  }

  /** Closes every connection the pool opened. */
  async close(): Promise<void> {
    await Promise.all([...this.all].map((c) => c.close()));
  }
}
