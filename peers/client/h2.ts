// The reference client over HTTP/2 (RFC 8441): one HTTP/2 connection (h2 over TLS with ALPN, or h2c by prior
// knowledge), SETTINGS_ENABLE_CONNECT_PROTOCOL awaited before any Extended CONNECT, then any number of WebSockets,
// one per stream. Each stream runs the same sans-I/O Connection through the same pump and ReferenceClient as over
// TCP: the stream is the pump's "socket", with RFC 8441 §5's mapping of TCP ends (asPumpSocket).
import { connect as h2Connect, constants as h2c, type ClientHttp2Session, type ClientHttp2Stream, type Http2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { addAbortSignal } from 'node:stream';
import { Connection } from '../../protocol/connection/connection.js';
import { cryptoEntropy } from '../../protocol/entropy.js';
import { H2ErrorCode, h2ErrorName, transportEndOf } from '../../protocol/h2/close.js';
import { buildH2Request, checkH2Response } from '../../protocol/h2/client-request.js';
import { headerListFromObject, headerListFromRaw, headerListToObject, type H2HeaderList } from '../../protocol/h2/headers.js';
import { h2ClientRejection } from '../../protocol/h2/rejections.js';
import { checkExtendedConnectAllowed } from '../../protocol/h2/settings.js';
import { buildTlsConnectOptions } from '../tls.js';
import { ReferenceClient, wsTargetUrl, type ClientOptions } from './client.js';
import { acceptServerExtensions, buildClientOffer } from './deflate.js';
import { HandshakeError } from './handshake-error.js';

/** Per-stream options: a path on the session's origin, and any of the client options. */
export interface H2StreamOptions extends Omit<ClientOptions, 'caFile' | 'ca' | 'insecure'> {
  /** Resource path (and query) of this WebSocket; default: the session URL's. */
  path?: string;
}

const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const EMPTY = new Uint8Array(0);

/**
 * An HTTP/2 stream as the pump's socket. The pump and ReferenceClient use only the Duplex surface of a net.Socket
 * (data/end/error/close/drain; write, cork, end, destroy, pause, writableLength), which a stream has. RFC 8441 §5
 * maps TCP ends onto the stream: end() already sends END_STREAM (the FIN); here destroy() (the pump's drop, after
 * the close timeout or on terminate) sends RST_STREAM(CANCEL) alone, where Node would send NO_ERROR, and a
 * peer's reset reaches the pump as the socket error a TCP reset would be (ECONNRESET), so it reads 'reset'.
 */
export function asPumpSocket(stream: Http2Stream): Socket {
  const controller = new AbortController();
  // Node's public way to RST_STREAM(CANCEL) without END_STREAM first: destroy with its AbortError (stream.close()
  // would end the writable side, END_STREAM, before the RST_STREAM).
  addAbortSignal(controller.signal, stream);
  const destroy = stream.destroy.bind(stream);
  let local = false;
  stream.destroy = (error?: Error): typeof stream => {
    if (error === undefined && !stream.destroyed && !stream.closed) {
      local = true;
      controller.abort();
      return stream;
    }
    return destroy(error);
  };
  let endStream = false;
  let errored = false;
  let reported = false;
  const reportReset = (): void => {
    if (local || errored || reported) return;
    const code = stream.rstCode ?? null;
    if (transportEndOf({ endStream, rstCode: code }) !== 'reset') return;
    reported = true;
    const err: NodeJS.ErrnoException = new Error(`RST_STREAM (${code === null ? 'connection lost' : h2ErrorName(code)}): the stream was reset (RFC 8441 §5)`);
    err.code = 'ECONNRESET';
    stream.emit('error', err);
  };
  // Registered before the pump's listeners, so the pump learns of a reset before it sees the end. Node also emits
  // 'end' on a stream a RST_STREAM closed, but then the stream is already closed: that 'end' is no END_STREAM.
  stream.once('end', () => {
    if (stream.closed) reportReset();
    else endStream = true;
  });
  stream.once('error', () => (errored = true));
  stream.once('close', reportReset);
  return stream as unknown as Socket;
}

/** The stream and the server's response header block, before any RFC 8441 check (the raw peer's seam). */
export interface H2StreamResponse {
  stream: ClientHttp2Stream;
  headers: H2HeaderList;
  /** The response carried END_STREAM (no tunnel follows). */
  endStream: boolean;
}

/**
 * Sends a request header block on a new stream and waits for the response's; rejects with a HandshakeError when
 * the stream is reset or closed first, or after timeoutMs (the stream is then cancelled).
 */
export function requestH2Stream(session: ClientHttp2Session, request: H2HeaderList, timeoutMs: number): Promise<H2StreamResponse> {
  return new Promise((resolve, reject) => {
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headerListToObject(request), { endStream: false });
    } catch (err) {
      reject(new HandshakeError('bad-request', (err as Error).message));
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      stream.off('response', onResponse);
      stream.off('error', onEnded);
      stream.off('close', onEnded);
    };
    const fail = (err: HandshakeError): void => {
      done();
      stream.on('error', () => {});
      if (!stream.closed) stream.close(h2c.NGHTTP2_CANCEL);
      reject(err);
    };
    const timer = setTimeout(() => fail(new HandshakeError('timeout', `no response on the HTTP/2 stream within ${timeoutMs} ms`)), timeoutMs);
    const onResponse = (headers: Record<string, unknown>, flags: number, raw?: string[]): void => {
      done();
      const list = raw !== undefined ? headerListFromRaw(raw) : headerListFromObject(headers);
      resolve({ stream, headers: list, endStream: (flags & h2c.NGHTTP2_FLAG_END_STREAM) !== 0 });
    };
    const onEnded = (): void => {
      const code = stream.rstCode;
      if (session.closed || session.destroyed) {
        fail(new HandshakeError('closed', 'the HTTP/2 connection closed before the response'));
        return;
      }
      // A stream reset with PROTOCOL_ERROR before any response is usually Node's HTTP/2 layer refusing a malformed
      // response (a 101 among them, RFC 7540 §8.1.1) before the application could see it.
      const why = code === H2ErrorCode.ProtocolError ? ' (the HTTP/2 layer resets a malformed response, such as a 101)' : '';
      const r = h2ClientRejection('reset-before-response', `the stream was reset with ${h2ErrorName(code ?? 0)} before a response${why}`);
      fail(new HandshakeError('bad-response', r.message, { id: r.id }));
    };
    stream.on('response', onResponse);
    stream.on('error', onEnded);
    stream.on('close', onEnded);
  });
}

/** One HTTP/2 connection to a server that accepts RFC 8441 WebSockets. */
export class H2WebSocketSession {
  /** Resolves once the HTTP/2 connection has closed. */
  readonly closed: Promise<void>;
  private readonly clients = new Set<ReferenceClient>();

  private constructor(
    readonly url: URL,
    readonly session: ClientHttp2Session,
    private readonly opts: ClientOptions,
  ) {
    this.closed = new Promise((resolve) => {
      if (session.closed || session.destroyed) resolve();
      else session.once('close', () => resolve());
    });
  }

  /**
   * Connects (TLS with ALPN h2 for wss:, prior knowledge for ws:) and waits for the server's first SETTINGS, which
   * must carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 §3; RFC 7540 §3.5 makes SETTINGS the server's first
   * frame, so a later one is not waited for).
   */
  static connect(url: string | URL, opts: ClientOptions = {}): Promise<H2WebSocketSession> {
    const target = wsTargetUrl(url);
    if (target instanceof HandshakeError) return Promise.reject(target);
    const secure = target.protocol === 'wss:';
    const timeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const session = h2Connect(
        `${secure ? 'https' : 'http'}://${target.host}`,
        secure ? { ...buildTlsConnectOptions(target, opts), ALPNProtocols: ['h2'] } : {},
      );
      // Errors after the handshake end the session; its streams see them as their own ends.
      session.on('error', () => {});
      let settled = false;
      const fail = (err: HandshakeError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        session.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new HandshakeError('timeout', `no HTTP/2 SETTINGS within ${timeoutMs} ms`)), timeoutMs);
      session.once('error', (err: NodeJS.ErrnoException) => fail(HandshakeError.fromSocketError(err)));
      session.once('close', () => fail(new HandshakeError('closed', 'the server closed the HTTP/2 connection before its SETTINGS')));
      session.once('remoteSettings', (settings) => {
        const allowed = checkExtendedConnectAllowed(settings);
        if (!allowed.ok) {
          fail(new HandshakeError('bad-response', allowed.message, { id: allowed.id }));
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(new H2WebSocketSession(target, session, opts));
      });
    });
  }

  /** WebSockets open on this connection. */
  get openStreams(): number {
    return this.clients.size;
  }

  /** Opens a WebSocket on a new stream; rejects with a HandshakeError (its id from protocol/h2/rejections.ts). */
  async open(overrides: H2StreamOptions = {}): Promise<ReferenceClient> {
    const { path, ...rest } = overrides;
    const opts: ClientOptions = { ...this.opts, ...rest };
    // RFC 8441 §3, checked again per stream: the setting is the server's, and only its SETTINGS can grant it.
    const allowed = checkExtendedConnectAllowed(this.session.remoteSettings);
    if (!allowed.ok) throw new HandshakeError('bad-response', allowed.message, { id: allowed.id });
    if (this.session.closed || this.session.destroyed) throw new HandshakeError('closed', 'the HTTP/2 connection is closed');
    const target = path === undefined ? this.url : new URL(path, this.url);
    const entropy = opts.entropy ?? cryptoEntropy();
    const deflateOpts = opts.deflate === true ? {} : opts.deflate === undefined ? false : opts.deflate;
    const offer = buildClientOffer(deflateOpts);
    const maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    const timeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    let request: H2HeaderList;
    try {
      request = buildH2Request({ url: target, origin: opts.origin, protocols: opts.protocols, extensions: offer?.header, headers: opts.headers });
    } catch (err) {
      throw new HandshakeError('bad-request', (err as Error).message);
    }
    const { stream, headers } = await requestH2Stream(this.session, request, timeoutMs);
    const check = checkH2Response(headers, { protocols: opts.protocols, extensionOffers: offer?.header });
    const statusText = headers.find(([n]) => n === ':status')?.[1];
    const status = statusText === undefined ? undefined : Number(statusText);
    if (!check.ok) {
      const body = check.id === 'unexpected-status' ? await readBody(stream, timeoutMs) : '';
      cancel(stream);
      const kind = check.id === 'unexpected-status' ? 'http-status' : 'bad-response';
      throw new HandshakeError(kind, body === '' ? check.message : `${check.message}: ${body}`, { status, id: check.id });
    }
    const accepted = acceptServerExtensions(check.extensions, offer, deflateOpts, maxPayload);
    if (!accepted.ok) {
      cancel(stream);
      throw new HandshakeError('bad-response', accepted.message, { status, id: 'extension-not-offered' });
    }
    const connection = new Connection({
      role: 'client',
      policy: opts.policy ?? 'strict',
      maxMessageSize: maxPayload,
      maxFrameSize: maxPayload,
      entropy,
      extensions: accepted.extensions,
    });
    const client = new ReferenceClient(target.href, asPumpSocket(stream), connection, check.protocol, check.extensions, opts);
    this.clients.add(client);
    void client.closed.then(() => this.clients.delete(client));
    client.start(EMPTY);
    return client;
  }

  /**
   * Ends the HTTP/2 connection: GOAWAY, then the open streams are left to finish; after timeoutMs whatever is still
   * open is dropped. WebSockets should be closed first (their close handshakes are theirs, not the session's).
   */
  close(timeoutMs = 5_000): Promise<void> {
    return closeH2Session(this.session, this.closed, timeoutMs);
  }

  /** Drops the connection and every stream on it at once. */
  destroy(): void {
    this.session.destroy();
  }
}

/** One WebSocket on its own HTTP/2 connection; the connection closes when the WebSocket does. */
export async function connectClientH2(url: string | URL, opts: ClientOptions = {}): Promise<ReferenceClient> {
  const session = await H2WebSocketSession.connect(url, opts);
  try {
    const client = await session.open();
    void client.closed.then(() => session.close());
    return client;
  } catch (err) {
    session.destroy();
    throw err;
  }
}

function cancel(stream: ClientHttp2Stream): void {
  stream.on('error', () => {});
  if (!stream.closed) stream.close(h2c.NGHTTP2_CANCEL);
}

/** The first line of a refusal's body (at most 1 KiB), for the error message; '' when none arrives in time. */
function readBody(stream: ClientHttp2Stream, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', finish);
      stream.off('close', finish);
      resolve(Buffer.concat(chunks).toString('utf8').split('\n')[0]!.trim().slice(0, 1024));
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= 1024) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    stream.on('data', onData);
    stream.once('end', finish);
    stream.once('close', finish);
  });
}

/** Ends an HTTP/2 connection: GOAWAY, then what is still open is dropped after `timeoutMs`; resolves once closed. */
export async function closeH2Session(session: ClientHttp2Session, closed: Promise<void>, timeoutMs: number): Promise<void> {
  if (!session.closed && !session.destroyed) session.close();
  const timer = setTimeout(() => session.destroy(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
