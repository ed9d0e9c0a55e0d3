// The raw peer: a WebSocket client that sends anything (correct or corrupted handshakes, illegal frames, bytes in
// any chunking, with pauses) and records everything the target does, without enforcing any rule on it. It is a thin
// socket shell: bytes the target sends go to the Observer (observer.ts), which decodes and checks them; this class
// owns only the socket, the writes and the waits. Every wait ends by its timeout or the case deadline.
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { concatBytes } from '../../protocol/bytes.js';
import { cryptoEntropy, type Entropy } from '../../protocol/entropy.js';
import { buildTlsConnectOptions, hostOf, portOf } from '../tls.js';
import { buildHandshakeRequest, type RequestDefaults } from './handshake-request.js';
import type { TcpEndKind } from './observation.js';
import type { ObserverLimits } from './observer.js';
import type { HandshakeOutcome, HandshakeSpec, Peer } from './peer.js';
import { connectErrorKind, PeerConnectError } from './send-plan.js';
import { WireSession } from './wire-session.js';

export type { Peer } from './peer.js';
export { PeerConnectError, type PeerConnectErrorKind } from './send-plan.js';

export type RawPeerLimits = ObserverLimits;

export interface RawPeerOptions {
  url: URL | string;
  /** Mask keys and Sec-WebSocket-Key (seed it for replayable runs). Default: crypto randomness. */
  entropy?: Entropy;
  tls?: { ca?: string | Buffer; caFile?: string; insecure?: boolean; servername?: string };
  /** TCP (+ TLS) connect timeout. Default: the time to the deadline, at most 10 s. */
  connectTimeoutMs?: number;
  /** performance.now() value at which every wait ends. Default: 10 s after connect() was called. */
  deadline?: number;
  /** performance.now() value the transcript's times count from. Default: when connect() was called. */
  startedAt?: number;
  /** Time kept back from ordinary waits for the closing handshake. Default: a quarter of the budget, at most 3 s. */
  closeReserveMs?: number;
  limits?: RawPeerLimits;
  /** Applied to every generated handshake unless the spec overrides them (the run's --origin, --protocol, --header). */
  defaults?: RequestDefaults;
  /** Keep every byte sent (handshake included), for replays that must send the same bytes. Default false. */
  keepSent?: boolean;
}

export class RawPeer extends WireSession implements Peer {
  readonly url: URL;
  private readonly defaults: RequestDefaults;
  private readonly sent: Uint8Array[] | null;
  private pendingDrop: string | null = null;

  private constructor(socket: net.Socket, url: URL, opts: RawPeerOptions, t0: number, deadline: number) {
    super({ socket, entropy: opts.entropy ?? cryptoEntropy(), startedAt: t0, deadline, closeReserveMs: opts.closeReserveMs, limits: opts.limits, role: 'client' });
    this.url = url;
    this.defaults = opts.defaults ?? {};
    this.sent = opts.keepSent ? [] : null;
    this.listen();
  }

  /** Opens TCP (ws:) or TLS (wss:) to the URL's host and port. Rejects with PeerConnectError. */
  static connect(opts: RawPeerOptions): Promise<RawPeer> {
    const url = typeof opts.url === 'string' ? new URL(opts.url) : opts.url;
    const t0 = opts.startedAt ?? performance.now();
    const deadline = opts.deadline ?? t0 + 10_000;
    const timeoutMs = Math.max(1, Math.min(opts.connectTimeoutMs ?? 10_000, deadline - performance.now()));
    const secure = url.protocol === 'wss:' || url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let socket: net.Socket;
      const onFail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        const kind = connectErrorKind(err as NodeJS.ErrnoException);
        reject(new PeerConnectError(kind, `${secure ? 'TLS' : 'TCP'} connect to ${url.host} failed: ${err.message}`));
      };
      if (secure) {
        const o = buildTlsConnectOptions(url, { ca: opts.tls?.ca, caFile: opts.tls?.caFile, insecure: opts.tls?.insecure });
        if (opts.tls?.servername !== undefined) o.servername = opts.tls.servername;
        socket = tls.connect(o);
      } else {
        socket = net.connect({ host: hostOf(url), port: portOf(url) });
      }
      const timer = setTimeout(() => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        socket.destroy();
        reject(new PeerConnectError('timeout', `connect to ${url.host} timed out after ${Math.round(timeoutMs)} ms`));
      }, timeoutMs);
      socket.once('error', onFail);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onFail);
        const peer = new RawPeer(socket, url, opts, t0, deadline);
        peer.observer.record({ dir: 'local', kind: 'tcp', text: `connected to ${url.host}${secure ? ' (TLS)' : ''}` });
        resolve(peer);
      });
    });
  }

  /** Every byte sent so far (with `keepSent`), handshake included. */
  sentBytes(): Uint8Array {
    return concatBytes(this.sent ?? []);
  }

  protected override wrote(bytes: Uint8Array): void {
    this.sent?.push(bytes);
  }

  protected override notSentReason(): string {
    return 'the target closed';
  }

  protected override onEnd(kind: TcpEndKind, detail?: string): void {
    if (this.pendingDrop !== null) {
      kind = 'client-drop';
      detail = this.pendingDrop;
    }
    super.onEnd(kind, detail);
  }

  protected override onCloseFrame(code: number | null): void {
    this.answerClose(code);
  }

  // ---- Handshake ----

  async handshake(spec: HandshakeSpec = {}): Promise<HandshakeOutcome> {
    const { bytes, pending } = buildHandshakeRequest(spec, this.url, this.entropy, this.defaults);
    this.observer.requestSent(bytes, pending);
    const all = spec.trailing && spec.trailing.length > 0 ? concatBytes([bytes, spec.trailing]) : bytes;
    await this.sendChunks([all], spec.send ?? {});
    const budget = this.waitBudget(spec.timeoutMs, true);
    await this.waiters.wait(() => !this.observer.handshakePending, budget);
    if (this.observer.handshakePending) this.observer.responseTimedOut(`no response head within ${Math.round(budget)} ms`);
    return this.observer.observation.handshake!;
  }

  async close(code = 1000, reason?: string | Uint8Array, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.observer.observation.closeSent === null && !this.writeBlocked) await this.sendClose(code, reason);
    const budget = (): number => this.waitBudget(opts.timeoutMs, false);
    await this.waiters.wait(() => this.closed, budget());
    // RFC 6455 §7.1.1: "the server SHOULD close the underlying TCP connection first"; §5.5.1: after sending and
    // receiving a close, an endpoint "MUST close the underlying TCP connection".
    await this.waiters.wait(() => this.ended, budget());
    if (!this.ended) this.drop('the target did not close TCP within the case budget');
  }

  /** Destroys the socket, recording 'client-drop' with the reason when TCP was still open. */
  drop(reason: string): void {
    if (this.observer.observation.tcpEnd === null) this.pendingDrop = reason;
    this.destroy();
  }

  /** Releases everything: the socket, the timers of pending waits. Safe to call more than once. */
  destroy(): void {
    if (!this.destroyed) {
      this.destroyed = true;
      if (this.observer.observation.tcpEnd === null && this.pendingDrop === null) this.pendingDrop = 'harness ended the case';
      this.socket.destroy();
      this.onEnd('client-drop');
    }
    this.waiters.releaseAll();
  }
}
