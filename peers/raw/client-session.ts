// What the raw peer does as the client of a server under test, whatever carries it: the target's close answered
// (RFC 6455 §5.5.1), our closing handshake with the wait for the server to end the transport first (§7.1.1), the
// drop at the deadline recorded as 'client-drop', and the bytes kept for replays. The transports are the
// subclasses: TCP or TLS with an HTTP/1.1 handshake (raw-peer.ts), an HTTP/2 stream opened by an Extended CONNECT
// (h2-peer.ts, RFC 8441), where "TCP" in the observation means the stream (§5: END_STREAM is the FIN).
import { concatBytes } from '../../protocol/bytes.js';
import type { RequestDefaults } from './handshake-request.js';
import type { TcpEndKind } from './observation.js';
import type { ObserverLimits } from './observer.js';
import type { H2Control, HandshakeOutcome, HandshakeSpec, Peer } from './peer.js';
import { WireSession, type WireSessionOptions, type WireSocket } from './wire-session.js';
import type { Entropy } from '../../protocol/entropy.js';

export type RawPeerLimits = ObserverLimits;

/** Options every client transport shares. */
export interface ClientSessionOptions {
  url: URL | string;
  /** Mask keys and Sec-WebSocket-Key (seed it for replayable runs). Default: crypto randomness. */
  entropy?: Entropy;
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

export abstract class ClientSession<S extends WireSocket = WireSocket> extends WireSession<S> implements Peer {
  readonly url: URL;
  /** Set by a transport whose WebSocket is an HTTP/2 stream (h2-peer.ts). */
  declare readonly http2?: H2Control;
  protected readonly defaults: RequestDefaults;
  private readonly sent: Uint8Array[] | null;
  private pendingDrop: string | null = null;

  protected constructor(session: WireSessionOptions<S>, url: URL, opts: Pick<ClientSessionOptions, 'defaults' | 'keepSent'>) {
    super(session);
    this.url = url;
    this.defaults = opts.defaults ?? {};
    this.sent = opts.keepSent ? [] : null;
  }

  abstract handshake(spec?: HandshakeSpec): Promise<HandshakeOutcome>;

  /** Ends the transport at once (a socket destroyed, a stream reset); the subclass knows how. */
  protected abstract release(): void;

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

  async close(code = 1000, reason?: string | Uint8Array, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.observer.observation.closeSent === null && !this.writeBlocked) await this.sendClose(code, reason);
    const budget = (): number => this.waitBudget(opts.timeoutMs, false);
    await this.waiters.wait(() => this.closed, budget());
    // RFC 6455 §7.1.1: "the server SHOULD close the underlying TCP connection first"; §5.5.1: after sending and
    // receiving a close, an endpoint "MUST close the underlying TCP connection".
    await this.waiters.wait(() => this.ended, budget());
    if (!this.ended) this.drop('the target did not close TCP within the case budget');
  }

  /** Ends the transport at once, recording 'client-drop' with the reason when it was still open. */
  drop(reason: string): void {
    if (this.observer.observation.tcpEnd === null) this.pendingDrop = reason;
    this.destroy();
  }

  /** Releases everything: the transport, the timers of pending waits. Safe to call more than once. */
  destroy(): void {
    if (!this.destroyed) {
      this.destroyed = true;
      if (this.observer.observation.tcpEnd === null && this.pendingDrop === null) this.pendingDrop = 'harness ended the case';
      this.release();
      this.onEnd('client-drop');
    }
    this.waiters.releaseAll();
  }

  /** Records what the harness saw of the transport (connected, the stream opened). */
  protected noteTransport(text: string): void {
    this.observer.record({ dir: 'local', kind: 'tcp', text });
  }
}
