// The reference client: connects to ws:// or wss://, validates the server's opening handshake completely
// (RFC 6455 §4.1 steps 1-6, and RFC 7692 §7 for permessage-deflate), then runs the sans-I/O Connection over the
// socket through the pump. Events are typed; every wait (handshake, ping, close) has a timeout.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { CloseCode } from '../../protocol/constants.js';
import { Connection, type ConnectionState, type Policy } from '../../protocol/connection/connection.js';
import { cryptoEntropy, type Entropy } from '../../protocol/entropy.js';
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import type { Frame } from '../../protocol/frame/frame.js';
import { buildClientRequest } from '../../protocol/handshake/client-request.js';
import { checkServerResponse } from '../../protocol/handshake/client-response.js';
import { HttpHeadParser } from '../../protocol/handshake/head-parser.js';
import type { Violation } from '../../protocol/violations.js';
import { Pump, type TcpClosed } from '../pump.js';
import { buildTlsConnectOptions, hostOf, portOf, type ClientTlsOptions } from '../tls.js';
import { acceptServerExtensions, buildClientOffer, type ClientDeflateOptions } from './deflate.js';
import { HandshakeError } from './handshake-error.js';
import { TypedEmitter } from './typed-emitter.js';

export interface ClientOptions extends ClientTlsOptions {
  protocols?: string[];
  origin?: string;
  /** Extra request headers, sent in order after the WebSocket ones. */
  headers?: [string, string][];
  /** Offer permessage-deflate (default false). */
  deflate?: boolean | ClientDeflateOptions;
  /** Largest message accepted (1009 beyond). Default 64 MiB. */
  maxPayload?: number;
  /** TCP (and TLS) connect plus the opening handshake. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Time for the close handshake and the server's TCP close after it. Default 5 s. */
  closeTimeoutMs?: number;
  /** Ping every intervalMs; no pong within timeoutMs: a 'dead' event and the connection is dropped. */
  heartbeat?: { intervalMs: number; timeoutMs: number };
  /** Mask keys and Sec-WebSocket-Key come from here (seed it to replay a run byte for byte). */
  entropy?: Entropy;
  /** strict (default): a violation by the server fails the connection; observe: keep decoding. */
  policy?: Policy;
}

export type ClientMessage = { type: 'text'; data: string } | { type: 'binary'; data: Uint8Array };

export interface CloseInfo {
  /** 1005 when the server's close frame had no code, 1006 when there was no close frame. */
  code: number;
  reason: string;
  /** Both close frames were exchanged. */
  wasClean: boolean;
  tcp: TcpClosed;
}

export interface ClientEvents {
  message: ClientMessage;
  ping: { payload: Uint8Array };
  pong: { payload: Uint8Array };
  /** A close frame arrived from the server. */
  'close-frame': { code: number | null; reason: string };
  /** The connection is over and TCP has closed. */
  close: CloseInfo;
  violation: Violation;
  error: { error: Error };
  /** No pong within the heartbeat timeout: the connection is being dropped. */
  dead: { timeoutMs: number };
  /** Every frame as received (for transcripts). */
  frame: Frame;
}

const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
const DEFAULT_PING_TIMEOUT_MS = 10_000;

export class ReferenceClient extends TypedEmitter<ClientEvents> {
  /** Resolves once TCP has closed. */
  readonly closed: Promise<CloseInfo>;
  private resolveClosed!: (info: CloseInfo) => void;
  private readonly pump: Pump;
  private closedFrame: { code: number; reason: string; wasClean: boolean } | null = null;
  private readonly pendingPings = new Map<string, { sentAt: number; resolve: (rtt: number) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private pingCounter = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private closeInfo: CloseInfo | null = null;

  constructor(
    readonly url: string,
    readonly socket: Socket,
    readonly connection: Connection,
    /** The agreed subprotocol, or null. */
    readonly protocol: string | null,
    /** Extensions the server accepted, as it listed them. */
    readonly extensions: ParsedExtension[],
    private readonly opts: ClientOptions,
  ) {
    super();
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.pump = new Pump(socket, connection, {
      closeTimeoutMs: opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
      onEvent: (event) => {
        switch (event.type) {
          case 'frame':
            this.emit('frame', event.frame);
            break;
          case 'text':
            this.emit('message', { type: 'text', data: event.data });
            break;
          case 'binary':
            this.emit('message', { type: 'binary', data: event.data });
            break;
          case 'ping':
            this.emit('ping', { payload: event.payload });
            break;
          case 'pong':
            this.onPong(event.payload);
            this.emit('pong', { payload: event.payload });
            break;
          case 'close':
            this.emit('close-frame', { code: event.code, reason: event.reason });
            break;
          case 'violation':
            this.emit('violation', event.violation);
            break;
          case 'closed':
            this.closedFrame = { code: event.code, reason: event.reason, wasClean: event.wasClean };
            break;
        }
      },
      onTcpClosed: (tcp) => this.onTcpClosed(tcp),
    });
  }

  /**
   * Called once by connectClient, after the handshake, with any bytes that followed the 101 head. Reading starts on
   * the next turn of the event loop, the socket paused until then: whoever awaits the client gets it, and attaches
   * its listeners, before a message that came with the 101 or right behind it is emitted.
   */
  start(rest: Uint8Array): void {
    const socket = this.socket;
    socket.pause();
    // An error in the gap destroys the socket; the pump sees that when it starts (it reports the TCP end).
    const early = (): void => undefined;
    socket.on('error', early);
    setImmediate(() => {
      socket.off('error', early);
      this.pump.start(rest);
      socket.resume();
      const hb = this.opts.heartbeat;
      if (hb !== undefined && !this.pump.closed) {
        this.heartbeatTimer = setInterval(() => this.heartbeat(hb.timeoutMs), hb.intervalMs);
      }
    });
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** Bytes queued in the socket, not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** `fragments`: sizes of the frames to split the message into (RFC 6455 §5.4). */
  sendText(data: string | Uint8Array, opts?: { fragments?: number[] }): void {
    this.connection.sendText(data, opts);
    this.pump.flush();
  }

  sendBinary(data: Uint8Array, opts?: { fragments?: number[] }): void {
    this.connection.sendBinary(data, opts);
    this.pump.flush();
  }

  sendPing(payload: Uint8Array = new Uint8Array(0)): void {
    this.connection.sendPing(payload);
    this.pump.flush();
  }

  sendPong(payload: Uint8Array = new Uint8Array(0)): void {
    this.connection.sendPong(payload);
    this.pump.flush();
  }

  /** Sends a ping and resolves with the round-trip time in ms when its pong arrives (RFC 6455 §5.5.3: same payload). */
  ping(timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<number> {
    if (this.connection.state !== 'open') return Promise.reject(new Error(`cannot ping: the connection is ${this.connection.state}`));
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setUint32(0, ++this.pingCounter);
    new DataView(payload.buffer).setUint32(4, (performance.now() * 1000) >>> 0);
    const key = Buffer.from(payload).toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingPings.delete(key);
        reject(new Error(`no pong within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingPings.set(key, { sentAt: performance.now(), resolve, reject, timer });
      this.sendPing(payload);
    });
  }

  /**
   * Starts the close handshake (RFC 6455 §7.1.2) and resolves when the server has closed TCP, or after the close
   * timeout, when TCP is dropped.
   */
  close(code: number = CloseCode.Normal, reason = ''): Promise<CloseInfo> {
    if (this.connection.state === 'open') {
      this.connection.sendClose(code, reason);
      this.pump.flush();
    }
    return this.closed;
  }

  /** Drops TCP without a close handshake. */
  terminate(): void {
    this.pump.terminate();
  }

  private heartbeat(timeoutMs: number): void {
    if (this.pongTimer !== null || this.connection.state !== 'open') return;
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      this.emit('dead', { timeoutMs });
      this.terminate();
    }, timeoutMs);
    this.sendPing(new Uint8Array(0));
  }

  private onPong(payload: Uint8Array): void {
    // Any pong shows the server is alive (RFC 6455 §5.5.3 allows unsolicited ones too).
    if (this.pongTimer !== null) {
      clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    const key = Buffer.from(payload).toString('hex');
    const pending = this.pendingPings.get(key);
    if (pending === undefined) return;
    this.pendingPings.delete(key);
    clearTimeout(pending.timer);
    pending.resolve(performance.now() - pending.sentAt);
  }

  private onTcpClosed(tcp: TcpClosed): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    for (const p of this.pendingPings.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('the connection closed before the pong'));
    }
    this.pendingPings.clear();
    const c = this.closedFrame ?? { code: CloseCode.Abnormal, reason: '', wasClean: false };
    this.closeInfo = { ...c, tcp };
    if (tcp.end === 'reset' || tcp.end === 'error') {
      this.emit('error', { error: new Error(tcp.errorMessage ?? `TCP ${tcp.end}`) });
    }
    this.emit('close', this.closeInfo);
    this.resolveClosed(this.closeInfo);
  }
}

/** Opens a connection and completes the opening handshake; rejects with a HandshakeError otherwise. */
export function connectClient(url: string | URL, opts: ClientOptions = {}): Promise<ReferenceClient> {
  const target = wsTargetUrl(url);
  if (target instanceof HandshakeError) return Promise.reject(target);
  const entropy = opts.entropy ?? cryptoEntropy();
  const deflateOpts = opts.deflate === true ? {} : opts.deflate === undefined ? false : opts.deflate;
  const offer = buildClientOffer(deflateOpts);
  const maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  const timeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const secure = target.protocol === 'wss:';

  return new Promise((resolve, reject) => {
    const socket: Socket = secure
      ? tlsConnect(buildTlsConnectOptions(target, opts))
      : netConnect({ host: hostOf(target), port: portOf(target), noDelay: true });
    let settled = false;
    const fail = (err: HandshakeError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new HandshakeError('timeout', `no opening handshake within ${timeoutMs} ms`)), timeoutMs);
    const parser = new HttpHeadParser({ maxHeadBytes: 65536 });
    let key = '';
    const onConnect = (): void => {
      socket.setNoDelay(true);
      let request: { bytes: Uint8Array; key: string };
      try {
        request = buildClientRequest({
          url: target,
          entropy,
          origin: opts.origin,
          protocols: opts.protocols,
          extensions: offer?.header,
          headers: opts.headers,
        });
      } catch (e) {
        fail(new HandshakeError('bad-request', (e as Error).message));
        return;
      }
      key = request.key;
      socket.write(request.bytes);
    };
    const onData = (chunk: Uint8Array): void => {
      const r = parser.push(chunk);
      if (r.state === 'partial') return;
      if (r.state === 'error') {
        fail(new HandshakeError('bad-response', r.message));
        return;
      }
      const check = checkServerResponse(r.head, { key, protocols: opts.protocols, extensionOffers: offer?.header });
      if (!check.ok) {
        fail(new HandshakeError(check.id === 'unexpected-status' ? 'http-status' : 'bad-response', check.message, { status: r.head.status, id: check.id }));
        return;
      }
      const accepted = acceptServerExtensions(check.extensions, offer, deflateOpts, maxPayload);
      if (!accepted.ok) {
        fail(new HandshakeError('bad-response', accepted.message, { id: 'extension-not-offered' }));
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      const connection = new Connection({
        role: 'client',
        policy: opts.policy ?? 'strict',
        maxMessageSize: maxPayload,
        maxFrameSize: maxPayload,
        entropy,
        extensions: accepted.extensions,
      });
      const client = new ReferenceClient(target.href, socket, connection, check.protocol, check.extensions, opts);
      client.start(r.rest);
      resolve(client);
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      fail(HandshakeError.fromSocketError(err));
    };
    const onClose = (): void => fail(new HandshakeError('closed', 'the server closed the connection during the opening handshake'));
    socket.once(secure ? 'secureConnect' : 'connect', onConnect);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/** The target of a WebSocket client: a ws:// or wss:// URL (RFC 6455 §3), else the HandshakeError that says why not. */
export function wsTargetUrl(url: string | URL): URL | HandshakeError {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return new HandshakeError('bad-url', `not a URL: ${JSON.stringify(String(url))}`);
  }
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') return new HandshakeError('bad-url', `RFC 6455 §3: not a ws:// or wss:// URL: ${target.href}`);
  return target;
}
