// One connection of `wsprobe probe idle`: it opens TCP (or TLS), does the opening handshake, then stays silent and
// notes exactly how and when the path ends it: a close frame (its code, and whether the closing handshake finished
// with a FIN), a FIN without a close frame, or a reset. A path that drops a connection silently (no FIN, no RST)
// leaves it open here; only a probe (a ping or an application heartbeat that gets no answer) shows it. The target's
// frames go through the Observer (peers/raw/observer.ts), the one module that decodes them. The raw peer does not
// fit: its waits end at a case deadline, it does not answer the target's pings, and it keeps no time of last traffic.
import net from 'node:net';
import tls from 'node:tls';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { encodeClosePayload } from '../../protocol/close.js';
import { Opcode } from '../../protocol/constants.js';
import { cryptoEntropy, type Entropy } from '../../protocol/entropy.js';
import { buildTlsConnectOptions, hostOf, portOf } from '../tls.js';
import { encodeFrameSpec, toBytes } from '../raw/frame-spec.js';
import { buildHandshakeRequest, type RequestDefaults } from '../raw/handshake-request.js';
import type { TcpEndKind } from '../raw/observation.js';
import { Observer } from '../raw/observer.js';
import type { FrameSpec, HandshakeOutcome } from '../raw/peer.js';
import { connectErrorKind, PeerConnectError } from '../raw/send-plan.js';
import { Waiters } from '../raw/waiters.js';

export { PeerConnectError } from '../raw/send-plan.js';

/** How the path ended a connection that it ended visibly. A silent drop is the runner's verdict, not an end. */
export interface IdleEnd {
  /** performance.now() of the first sign: the close frame, or the end of TCP. */
  at: number;
  /** Seconds of silence (no byte either way) before that first sign: what the path's idle timer saw. */
  silenceS: number;
  /** A close frame arrived before TCP ended (RFC 6455 §5.5.1). */
  closeFrame: { code: number | null; reason: string } | null;
  /** How TCP ended ('client-drop': we destroyed it; TCP had not ended by itself). null while it has not. */
  tcp: TcpEndKind | null;
  detail?: string;
}

export interface IdleConnectionOptions {
  url: URL;
  tls?: { insecure?: boolean; ca?: string };
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** The run's --header, --origin, --protocol. */
  defaults?: RequestDefaults;
  entropy?: Entropy;
  /** Called once, when the path ends the connection (close frame or TCP end), before any wait resolves. */
  onEnd?: (c: IdleConnection) => void;
}

/** The opening handshake did not give an open connection (not 101, a bad 101, no answer). */
export class IdleHandshakeError extends Error {
  override readonly name = 'IdleHandshakeError';
  constructor(
    message: string,
    readonly outcome: HandshakeOutcome,
  ) {
    super(message);
  }
}

/** What a probe got: an answer (with its round trip), the end of the connection, or silence. */
export type ProbeAnswer = { kind: 'answered'; rttMs: number } | { kind: 'ended' } | { kind: 'silent' };

/** Received payloads are kept only briefly: replies are matched by SHA-256, so a long run holds no payloads. */
const LIMITS = { keepPayloadBytes: 1024, keepTotalBytes: 64 * 1024, maxEvents: 100_000, transcriptHead: 20, transcriptTail: 20 };

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class IdleConnection {
  /** performance.now() of the last byte either way: the silence a path sees is measured from it. */
  lastTrafficAt: number;
  /** performance.now() when the handshake completed. */
  openedAt: number;
  end: IdleEnd | null = null;
  /** Frames the target sent by itself on a connection meant to be silent (each resets a path's idle timer). */
  targetPings = 0;
  targetMessages = 0;
  private readonly observer: Observer;
  private readonly waiters: Waiters;
  private readonly entropy: Entropy;
  private readonly t0: number;
  private seenEvents = 0;
  /** SHA-256 of the reply an application heartbeat waits for, and how many such replies have come. */
  private awaitedReply: string | null = null;
  private repliesIn = 0;
  private destroyed = false;
  private tcpEndedNow: () => void = () => undefined;
  /** Resolves when TCP has ended, however (or the connection was destroyed). */
  private readonly tcpEnded = new Promise<void>((resolve) => (this.tcpEndedNow = resolve));

  private constructor(
    private readonly socket: net.Socket,
    private readonly opts: IdleConnectionOptions,
    t0: number,
  ) {
    this.t0 = t0;
    this.entropy = opts.entropy ?? cryptoEntropy();
    this.observer = new Observer(() => performance.now() - this.t0, LIMITS, (code) => this.onClose(code));
    this.waiters = new Waiters(() => this.end !== null);
    this.lastTrafficAt = performance.now();
    this.openedAt = this.lastTrafficAt;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onTcpEnd('fin'));
    socket.on('error', (err: NodeJS.ErrnoException) => this.onTcpEnd(err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'error', err.code ?? err.message));
    socket.on('close', () => this.onTcpEnd(this.destroyed ? 'client-drop' : 'fin'));
  }

  /** TCP (+ TLS), then the opening handshake. Rejects with PeerConnectError or IdleHandshakeError. */
  static async open(opts: IdleConnectionOptions): Promise<IdleConnection> {
    const t0 = performance.now();
    const socket = await connectSocket(opts);
    const c = new IdleConnection(socket, opts, t0);
    // Handshake time counts as traffic, so the silence of a connection starts at its 101 (or at its failure).
    const outcome = await c.handshake();
    if (!outcome.ok) {
      c.destroy();
      throw new IdleHandshakeError(handshakeProblem(outcome), outcome);
    }
    c.openedAt = c.lastTrafficAt;
    return c;
  }

  private async handshake(): Promise<HandshakeOutcome> {
    const { bytes, pending } = buildHandshakeRequest({}, this.opts.url, this.entropy, this.opts.defaults ?? {});
    this.observer.requestSent(bytes, pending);
    this.write(bytes);
    await this.waiters.wait(() => !this.observer.handshakePending, this.opts.handshakeTimeoutMs);
    if (this.observer.handshakePending) this.observer.responseTimedOut(`no response head within ${this.opts.handshakeTimeoutMs} ms`);
    return this.observer.observation.handshake!;
  }

  /** Seconds since the last byte either way, at `at` (default now). */
  silenceS(at = performance.now()): number {
    return Math.max(0, (at - this.lastTrafficAt) / 1000);
  }

  get ended(): boolean {
    return this.end !== null;
  }

  /** Waits until `until` (performance.now() value) or the end of the connection; true when it ended. */
  async waitUntilOrEnd(until: number): Promise<boolean> {
    await this.waiters.wait(() => this.end !== null || this.destroyed, Math.max(0, until - performance.now()));
    return this.end !== null;
  }

  /** RFC 6455 §5.5.2: a ping, answered by a pong. */
  async ping(timeoutMs: number): Promise<ProbeAnswer> {
    const before = this.observer.pongsIn;
    return this.probe(() => this.sendFrame({ opcode: Opcode.Ping, payload: 'wsprobe idle' }), () => this.observer.pongsIn > before, timeoutMs);
  }

  /** An application heartbeat: a text message, answered by the text `reply` (an echo when they are the same). */
  async appHeartbeat(text: string, reply: string, timeoutMs: number): Promise<ProbeAnswer> {
    this.awaitedReply = sha256(toBytes(reply));
    const before = this.repliesIn;
    return this.probe(() => this.sendFrame({ opcode: Opcode.Text, payload: text }), () => this.repliesIn > before, timeoutMs);
  }

  private async probe(send: () => void, answered: () => boolean, timeoutMs: number): Promise<ProbeAnswer> {
    if (this.end !== null || this.destroyed) return { kind: 'ended' };
    const sentAt = performance.now();
    send();
    const ok = await this.waiters.wait(answered, timeoutMs);
    if (ok) return { kind: 'answered', rttMs: performance.now() - sentAt };
    return this.end !== null ? { kind: 'ended' } : { kind: 'silent' };
  }

  /**
   * Waits for TCP to end after the path's close frame (the closing handshake), at most `ms`. Not a Waiters wait:
   * those end as soon as the connection is over, which the close frame already says.
   */
  async waitForTcpEnd(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.tcpEnded, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Ends our side: a close frame (RFC 6455 §7.1.2) when the connection is open and not silently dropped, then the socket. */
  close(sendCloseFrame: boolean): void {
    if (sendCloseFrame && this.end === null && !this.destroyed) this.sendFrame({ opcode: Opcode.Close, payload: encodeClosePayload(1000) });
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    // end() first so a close frame just written still leaves; destroy() then frees the socket at once.
    this.socket.end();
    this.socket.destroy();
    this.waiters.releaseAll();
    this.tcpEndedNow();
  }

  private write(bytes: Uint8Array): void {
    if (this.destroyed || this.socket.destroyed) return;
    this.lastTrafficAt = performance.now();
    this.socket.write(bytes, () => undefined);
  }

  private sendFrame(spec: FrameSpec): void {
    const { parts, sent } = encodeFrameSpec(spec, this.entropy);
    this.observer.sentFrame(sent);
    for (const p of parts) this.write(p);
  }

  private onData(chunk: Buffer): void {
    // The traffic time moves after the bytes are read, so a close frame in them ends a silence measured before it.
    this.observer.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    this.lastTrafficAt = performance.now();
    const events = this.observer.observation.events;
    for (; this.seenEvents < events.length; this.seenEvents++) {
      const e = events[this.seenEvents]!;
      if (e.kind === 'ping') {
        // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response". A target
        // that pings its clients keeps the path busy: the run reports it, since the silence is then not ours to set.
        this.targetPings++;
        if (this.end === null) this.sendFrame({ opcode: Opcode.Pong, payload: e.payload.subarray(0, 125) });
      } else if (e.kind === 'message') {
        if (this.awaitedReply !== null && e.sha256 === this.awaitedReply) this.repliesIn++;
        else this.targetMessages++;
      }
    }
    this.waiters.notify();
  }

  /**
   * RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint
   * MUST send a Close frame in response." The connection is over from here; TCP's end comes after.
   */
  private onClose(code: number | null): void {
    if (this.end === null) {
      const frame = this.observer.observation.closeReceived;
      const at = performance.now();
      this.end = { at, silenceS: this.silenceS(at), closeFrame: { code, reason: frame?.reason ?? '' }, tcp: null };
      this.sendFrame({ opcode: Opcode.Close, payload: encodeClosePayload(Observer.answerCode(code)) });
      this.opts.onEnd?.(this);
    }
  }

  private onTcpEnd(kind: TcpEndKind, detail?: string): void {
    this.observer.ended(kind, detail);
    this.tcpEndedNow();
    // Our own close or cancel is no end by the path.
    if (this.end === null && this.destroyed) return;
    if (this.end === null) {
      const at = performance.now();
      this.end = { at, silenceS: this.silenceS(at), closeFrame: null, tcp: kind, ...(detail !== undefined ? { detail } : {}) };
      this.opts.onEnd?.(this);
    } else if (this.end.tcp === null) {
      this.end.tcp = kind;
      if (detail !== undefined) this.end.detail = detail;
    }
    this.waiters.notify();
  }
}

function connectSocket(opts: IdleConnectionOptions): Promise<net.Socket> {
  const { url } = opts;
  const secure = url.protocol === 'wss:';
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect(buildTlsConnectOptions(url, { ...(opts.tls?.ca !== undefined ? { ca: opts.tls.ca } : {}), insecure: opts.tls?.insecure === true }))
      : net.connect({ host: hostOf(url), port: portOf(url) });
    const timer = setTimeout(() => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      socket.destroy();
      reject(new PeerConnectError('timeout', `connect to ${url.host} timed out after ${opts.connectTimeoutMs} ms`));
    }, opts.connectTimeoutMs);
    const onFail = (err: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new PeerConnectError(connectErrorKind(err), `${secure ? 'TLS' : 'TCP'} connect to ${url.host} failed: ${err.code ?? err.message}`));
    };
    socket.once('error', onFail);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onFail);
      resolve(socket);
    });
  });
}

/** One line: why the opening handshake gave no open connection (RFC 6455 §4.1). */
export function handshakeProblem(o: HandshakeOutcome): string {
  if (o.failure !== undefined) return `no handshake response (${o.failure}${o.detail !== undefined ? `: ${o.detail}` : ''})`;
  if (o.status !== undefined && o.status !== 101) return `the target answered the opening handshake with ${o.status}${o.head?.statusText ? ` ${o.head.statusText}` : ''}, not 101`;
  if (o.rejection !== undefined) return `RFC 6455 §${o.rejection.rfc}: ${o.rejection.message}`;
  return 'the opening handshake failed';
}
