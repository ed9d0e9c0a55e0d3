// The raw peer on an HTTP/2 stream (RFC 8441): the same client (client-session.ts) and the same Observer as over
// TCP, with the stream as its transport. The opening handshake is an Extended CONNECT on the run's shared
// connection (h2-connection.ts); once the server answers 2xx the stream's DATA carry the WebSocket's bytes. RFC
// 8441 §5 maps the transport's ends: the target's END_STREAM is the FIN ('fin'), RST_STREAM a reset ('reset', the
// error code in the detail), and a connection that goes away (GOAWAY, TCP closed) resets every stream on it. Our
// own FIN is END_STREAM, sent once the target has ended its side (RFC 6455 §7.1.1: the server closes first); our
// drop is RST_STREAM(CANCEL). A header block node:http2 will not send goes out on a connection of its own
// (h2-wire.ts) and is graded on its answer alone.
import { constants as h2c, type ClientHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { addAbortSignal, Duplex } from 'node:stream';
import { cryptoEntropy } from '../../protocol/entropy.js';
import { h2ErrorName, transportEndOf } from '../../protocol/h2/close.js';
import { h2ClientRejection } from '../../protocol/h2/rejections.js';
import { ClientSession, type ClientSessionOptions } from './client-session.js';
import type { H2Connection } from './h2-connection.js';
import { Setting } from './h2-frames.js';
import { blockText, buildH2HandshakeRequest, h2NotApplicable } from './h2-request.js';
import { sendWireRequest } from './h2-wire.js';
import type { H2Control, H2StreamEnd, HandshakeOutcome, HandshakeSpec, Peer } from './peer.js';
import type { PendingHandshake } from './response-check.js';

export interface H2PeerOptions extends ClientSessionOptions {
  /** The HTTP/2 connection the stream goes on (the run's shared one, or another peer's, to share it). */
  connection: H2Connection;
}

/** The transport before the request opened a stream: nothing can be written yet. */
function unopened(): Duplex {
  return new Duplex({
    read() {},
    write(_chunk, _encoding, callback) {
      callback(new Error('no HTTP/2 stream: the opening handshake (an Extended CONNECT) has not been sent'));
    },
  });
}

export class H2Peer extends ClientSession<Duplex> {
  readonly connection: H2Connection;
  override readonly http2: H2Control;
  private stream: ClientHttp2Stream | null = null;
  private endStreamReceived = false;
  private end: H2StreamEnd | null = null;
  private readonly abort = new AbortController();

  private constructor(opts: H2PeerOptions, url: URL, t0: number, deadline: number) {
    super({ socket: unopened(), entropy: opts.entropy ?? cryptoEntropy(), startedAt: t0, deadline, closeReserveMs: opts.closeReserveMs, limits: opts.limits, role: 'client' }, url, opts);
    this.connection = opts.connection;
    this.http2 = this.control();
  }

  /** A peer whose stream will go on `opts.connection`; no I/O until handshake(). */
  static open(opts: H2PeerOptions): H2Peer {
    const url = typeof opts.url === 'string' ? new URL(opts.url) : opts.url;
    const t0 = opts.startedAt ?? performance.now();
    const peer = new H2Peer(opts, url, t0, opts.deadline ?? t0 + 10_000);
    peer.noteTransport(`on the ${opts.connection.transport} connection to ${opts.connection.url.host}`);
    return peer;
  }

  private control(): H2Control {
    const peer = this;
    const conn = this.connection;
    return {
      transport: conn.transport,
      get enableConnectProtocol() {
        return conn.enableConnectProtocol;
      },
      get streamId() {
        return peer.stream?.id;
      },
      streamEnd: () => this.end,
      goaway: () => (conn.goaway ? { code: conn.goaway.code, lastStreamId: conn.goaway.lastStreamId } : null),
      get connectionOpen() {
        return conn.usable;
      },
      sameConnection: (other: Peer) => other instanceof H2Peer && other.connection === conn,
      reset: (reason: string) => this.drop(reason),
    };
  }

  // ---- The opening handshake: an Extended CONNECT ----

  async handshake(spec: HandshakeSpec = {}): Promise<HandshakeOutcome> {
    const notApplicable = h2NotApplicable(spec);
    let built: ReturnType<typeof buildH2HandshakeRequest>;
    try {
      if (notApplicable !== null) throw new Error(`not applicable over HTTP/2: ${notApplicable}`);
      built = buildH2HandshakeRequest(spec, this.url, this.defaults);
    } catch (err) {
      return this.unsent({ key: undefined, ctx: { key: '' } }, (err as Error).message);
    }
    const { block, pending } = built;
    const text = blockText(block);
    this.observer.requestSent({ block: text, length: Buffer.byteLength(text) }, pending);
    this.wrote(Buffer.from(`${text}\r\n\r\n`, 'latin1'));
    const budget = this.waitBudget(spec.timeoutMs, true);
    const extended = block.some(([n]) => n === ':protocol');
    const ignoreSettings = spec.h2?.ignoreSettings === true;
    if (built.needsWire !== null || (extended && ignoreSettings && this.connection.enableConnectProtocol !== true)) {
      return this.wireHandshake(block, built.needsWire ?? 'the server has not sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1', budget);
    }
    if (extended && this.connection.enableConnectProtocol !== true) {
      // RFC 8441 §3: a client MAY use the Extended CONNECT only "Upon receipt of SETTINGS_ENABLE_CONNECT_PROTOCOL
      // with a value of 1"; node:http2 would not send it anyway.
      const r = h2ClientRejection('connect-protocol-not-enabled');
      this.observer.note(`not sent: ${r.message}`);
      this.observer.h2NoResponse('error', r.message, { id: r.id, rfc: r.rfc, message: r.message });
      this.onEnd('error', 'no stream was opened');
      return this.observer.observation.handshake!;
    }
    const r = await this.connection.request(block, Math.max(1, budget));
    if (r.kind === 'response') {
      this.attach(r.stream);
      this.observer.h2Response(r.headers, r.endStream);
      if (r.endStream) this.streamEnded();
    } else if (r.kind === 'timeout') {
      this.observer.responseTimedOut(`no response block within ${Math.round(budget)} ms (the stream was cancelled)`);
      this.onEnd('client-drop', 'no response: we cancelled the stream (RST_STREAM CANCEL)');
    } else if (r.kind === 'reset') {
      this.noResponse({ frame: 'RST_STREAM', code: r.code }, `RST_STREAM ${h2ErrorName(r.code)} before a response${r.code === h2c.NGHTTP2_PROTOCOL_ERROR ? ' (node:http2 also resets a malformed response, a 101 among them, RFC 7540 §8.1.1)' : ''}`);
    } else if (r.kind === 'connection') {
      this.noResponse({ frame: 'connection', detail: r.detail }, `the HTTP/2 connection went away before a response (${r.detail})`);
    } else {
      this.observer.h2NoResponse('error', `node:http2 did not send the request: ${r.detail}`);
      this.onEnd('error', 'no stream was opened');
    }
    return this.observer.observation.handshake!;
  }

  /** The stream ended before any response: a refusal RFC 7540 §8.1.2.6 allows for a malformed request. */
  private noResponse(end: H2StreamEnd, detail: string): void {
    this.end = end;
    const r = h2ClientRejection('reset-before-response', detail);
    this.observer.h2NoResponse('closed', detail, { id: r.id, rfc: r.rfc, message: r.message });
    this.onEnd('reset', detail);
  }

  /** The request could not be built or sent: recorded as an error with the reason, and the "transport" as ended. */
  private unsent(pending: PendingHandshake, reason: string): HandshakeOutcome {
    this.observer.requestSent({ block: '', length: 0 }, pending);
    this.observer.note(reason);
    this.observer.h2NoResponse('error', reason);
    this.onEnd('error', 'no stream was opened');
    return this.observer.observation.handshake!;
  }

  /** Sends the block on a connection of its own; the answer is recorded, and no WebSocket runs on it. */
  private async wireHandshake(block: Parameters<typeof blockText>[0], why: string, budget: number): Promise<HandshakeOutcome> {
    this.observer.note(`sent on a connection of its own, framed by hand (${why}); graded on its answer alone`);
    const r = await sendWireRequest({ url: this.url, tls: this.connection.tls, block, timeoutMs: Math.max(1, budget), waitForSettings: true });
    const connectProtocol = r.settings?.filter(([id]) => id === Setting.EnableConnectProtocol).pop()?.[1];
    this.observer.note(`that connection's SETTINGS: SETTINGS_ENABLE_CONNECT_PROTOCOL ${connectProtocol === undefined ? 'not sent' : `= ${connectProtocol}`}`);
    if (r.response !== undefined) {
      this.observer.h2Response(r.response.headers, r.response.endStream);
      this.end = r.response.endStream ? { frame: 'END_STREAM' } : { frame: 'RST_STREAM', code: h2c.NGHTTP2_CANCEL };
      this.onEnd(r.response.endStream ? 'fin' : 'client-drop', r.response.endStream ? 'END_STREAM with the response' : 'we cancelled the stream after its answer (RST_STREAM CANCEL)');
    } else if (r.rstCode !== undefined) {
      this.noResponse({ frame: 'RST_STREAM', code: r.rstCode }, `RST_STREAM ${h2ErrorName(r.rstCode)} before a response`);
    } else if (r.failure === 'timeout') {
      this.observer.responseTimedOut(r.detail ?? 'no answer');
      this.onEnd('client-drop', r.detail);
    } else {
      this.end = { frame: 'connection', detail: r.detail ?? 'closed' };
      this.observer.h2NoResponse(r.failure === 'error' ? 'error' : 'closed', r.detail ?? 'no answer');
      this.onEnd(r.failure === 'error' ? 'error' : 'reset', r.detail);
    }
    return this.observer.observation.handshake!;
  }

  // ---- The stream as the transport ----

  private attach(stream: ClientHttp2Stream): void {
    this.stream = stream;
    // Node's public way to RST_STREAM(CANCEL) with no END_STREAM before it (see peers/client/h2.ts asPumpSocket).
    addAbortSignal(this.abort.signal, stream);
    this.useSocket(stream as unknown as Duplex);
    stream.on('data', (chunk: Buffer) => {
      this.observer.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      this.waiters.notify();
    });
    // Node also emits 'end' on a stream a RST_STREAM closed, but then it is closed already: no END_STREAM.
    stream.on('end', () => {
      if (!stream.closed) this.streamEnded();
    });
    stream.on('error', () => undefined);
    stream.on('close', () => this.streamClosed(stream));
  }

  /** The target's END_STREAM: its FIN (RFC 8441 §5). We end our side too, as a client closes its socket then. */
  private streamEnded(): void {
    this.endStreamReceived = true;
    this.end ??= { frame: 'END_STREAM' };
    this.onEnd('fin', 'END_STREAM');
    const s = this.stream;
    if (s !== null && !s.writableEnded && !s.destroyed) s.end();
  }

  private streamClosed(stream: ClientHttp2Stream): void {
    const code = stream.rstCode ?? null;
    const conn = this.connection;
    const lost = !this.endStreamReceived && (conn.session.destroyed || conn.session.closed || conn.goaway !== null) && (code === null || code !== h2c.NGHTTP2_NO_ERROR);
    if (lost) {
      const why = conn.goaway ? `GOAWAY ${h2ErrorName(conn.goaway.code)}` : 'the connection closed';
      this.end ??= { frame: 'connection', detail: why };
      this.onEnd('reset', `the HTTP/2 connection went away under the stream (${why})`);
    } else if (transportEndOf({ endStream: this.endStreamReceived, rstCode: code }) === 'reset') {
      this.end ??= { frame: 'RST_STREAM', code: code ?? h2c.NGHTTP2_CANCEL };
      this.onEnd('reset', `RST_STREAM ${h2ErrorName(code ?? h2c.NGHTTP2_CANCEL)}`);
    } else this.onEnd('fin', 'END_STREAM');
  }

  protected override release(): void {
    const s = this.stream;
    if (s === null || s.closed || s.destroyed) return;
    // The target ended its side: ours ends in order (END_STREAM). Else the stream is dropped: RST_STREAM(CANCEL).
    if (this.endStreamReceived) {
      if (!s.writableEnded) s.end();
    } else this.abort.abort();
  }
}
