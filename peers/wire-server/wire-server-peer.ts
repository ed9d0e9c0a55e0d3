// The wire server peer: the server a WebSocket client under test connects to, one connection per client case. It
// answers the client's opening handshake with any response (handshake.ts), sends any frame (unmasked unless the spec
// masks it), and records everything the client does through the Observer in server role, which decodes and checks
// the client's frames (RFC 6455 §5.1: they must be masked). Like the raw peer it is a thin socket shell: it owns the
// socket, the writes and the waits, answers the client's close and, as the server, closes TCP first (§7.1.1). It
// never throws on client misbehaviour, and every wait ends by its timeout or the case deadline.
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { seededEntropy } from '../../protocol/entropy.js';
import type { HttpHead } from '../../protocol/handshake/head-parser.js';
import type { ObserverLimits } from '../raw/observer.js';
import { WireSession } from '../raw/wire-session.js';
import { buildResponse, readRequest } from './handshake.js';
import type { ReceivedRequest, ResponseSpec, ServerPeer } from './server-peer.js';

export interface WireServerPeerOptions {
  /** The accepted connection (TCP or TLS), its request head already read by the runner. */
  socket: net.Socket;
  /** The client's request head, parsed with protocol/handshake's HttpHeadParser. */
  head: HttpHead;
  /** Bytes that followed the head in the same reads (frames a client pipelined, against §4.1). */
  leftover: Uint8Array;
  /** Seeds the Entropy of mask keys, should a case mask a frame on purpose. */
  seed: number;
  /** The case deadline: the performance.now() value at which every wait ends (like RawPeer's `deadline`). */
  deadlineMs: number;
  limits?: ObserverLimits;
  /** performance.now() value the transcript's times count from. Default: when accept() is called. */
  startedAt?: number;
  /** Time kept back from ordinary waits for the closing handshake. Default: a quarter of the budget, at most 3 s. */
  closeReserveMs?: number;
}

/** How long finished() waits for the socket to close once TCP was ended. */
const FINISH_WAIT_MS = 1000;

export class WireServerPeer extends WireSession implements ServerPeer {
  readonly request: ReceivedRequest;
  private responded = false;
  private socketClosed = false;

  private constructor(opts: WireServerPeerOptions) {
    super({
      socket: opts.socket,
      entropy: seededEntropy(opts.seed),
      startedAt: opts.startedAt ?? performance.now(),
      deadline: opts.deadlineMs,
      closeReserveMs: opts.closeReserveMs,
      limits: opts.limits,
      role: 'server',
    });
    this.request = readRequest(opts.head);
  }

  /** Takes over an accepted connection whose request head the runner has read. Never throws on the client's doing. */
  static accept(opts: WireServerPeerOptions): WireServerPeer {
    const peer = new WireServerPeer(opts);
    peer.attach(opts.head, opts.leftover);
    return peer;
  }

  private attach(head: HttpHead, leftover: Uint8Array): void {
    const socket = this.socket;
    const from = socket.remoteAddress !== undefined ? ` from ${socket.remoteAddress}:${socket.remotePort}` : '';
    this.observer.record({ dir: 'local', kind: 'tcp', text: `client connected${from}` });
    this.observer.recordRequest(head, this.request.violation);
    this.listen();
    socket.on('close', () => {
      this.socketClosed = true;
    });
    if (leftover.length > 0) this.observer.receive(leftover);
    if (socket.destroyed || socket.readableEnded) this.onEnd('fin', 'closed before the case started');
    else socket.resume();
  }

  protected override notSentReason(): string {
    return this.observer.observation.closeReceived !== null ? 'the client closed' : 'TCP has ended';
  }

  // ---- TCP ----

  /** We end TCP (FIN after the pending writes), recorded as 'server-close' with why. */
  private endTcp(detail: string): void {
    if (this.observer.observation.tcpEnd === null) this.onEnd('server-close', detail);
    if (!this.socket.destroyed) this.socket.end();
  }

  /**
   * The client's close frame: answered (RFC 6455 §5.5.1, echoing the code) unless ours went out first. Once both
   * close frames have crossed, "the server SHOULD close the underlying TCP connection first" (§7.1.1): so we do, at
   * once.
   */
  protected override onCloseFrame(code: number | null): void {
    if (this.observer.observation.tcpEnd !== null || this.destroyed) return;
    if (this.answerClose(code)) this.endTcp(`answered the client's close, then closed TCP first (RFC 6455 §7.1.1)`);
    else this.endTcp('closing handshake done: the server closes TCP first (RFC 6455 §7.1.1)');
  }

  /** Ends TCP without a close frame: 'fin' (end) or 'reset' (RST). */
  drop(how: 'fin' | 'reset' = 'fin'): void {
    if (this.observer.observation.tcpEnd === null) this.onEnd('server-close', `dropped by the case (${how === 'reset' ? 'RST' : 'FIN'})`);
    if (this.socket.destroyed) return;
    if (how === 'fin') {
      this.socket.end();
      return;
    }
    try {
      this.socket.resetAndDestroy();
    } catch {
      // Node resets only a plain TCP handle (a TLS socket throws ERR_INVALID_HANDLE_TYPE): destroyed instead.
      this.observer.note('RST not possible on this transport: the socket was destroyed instead');
      this.socket.destroy();
    }
  }

  /** Ends TCP now (the runner, at the deadline or after the case) and releases every wait. Safe to call again. */
  destroy(): void {
    if (!this.destroyed) {
      this.destroyed = true;
      if (this.observer.observation.tcpEnd === null) this.onEnd('server-close', 'harness ended the case');
      this.socket.destroy();
    }
    this.waiters.releaseAll();
  }

  /** Resolves once the socket has closed, or after a short bounded wait. */
  finished(): Promise<void> {
    if (this.socketClosed || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.socket.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, FINISH_WAIT_MS);
      this.socket.once('close', done);
    });
  }

  // ---- The opening handshake ----

  async respond(spec: ResponseSpec = {}): Promise<void> {
    if (this.responded) return this.observer.note('respond() called again: only the first response is sent');
    this.responded = true;
    const built = buildResponse(this.request, spec);
    // Recorded first, so what the client sends once it has the response is decoded as frames.
    this.observer.responseSent(built.bytes, built.status, built.deflate);
    await this.sendChunks([built.bytes], spec.send ?? {});
  }

  /**
   * The server's closing handshake (RFC 6455 §7.1.2): our close (default 1000) unless one went out, then the
   * client's close frame, then we close TCP (§7.1.1: the server first; done as the client's close arrives). Without
   * an answer in time TCP is closed anyway and the observation shows no close frame from the client.
   */
  async close(code = 1000, reason?: string | Uint8Array, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.observer.observation.closeSent === null && !this.writeBlocked) await this.sendClose(code, reason);
    const budget = this.waitBudget(opts.timeoutMs, false);
    await this.waiters.wait(() => this.closed, budget);
    if (!this.ended) this.endTcp(`no close frame from the client within ${Math.round(budget)} ms; the server closed TCP`);
  }
}
