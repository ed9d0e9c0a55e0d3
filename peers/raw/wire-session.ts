// What the raw peer (a client towards a server under test) and the wire server peer (a server towards a client under
// test) share: one socket, the Observer that decodes and checks what the other side sends, the case deadline with
// its reserve for the closing handshake, bounded waits, and the sending of any bytes or frames in any chunking with
// pauses. The two subclasses add only what their role does differently: how the connection is opened, which side
// masks (RFC 6455 §5.1: a client masks every frame, a server none), how a close frame is answered and who ends TCP
// first (§7.1.1: the server). Nothing here throws because the other side misbehaved.
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { encodeClosePayload } from '../../protocol/close.js';
import { Opcode } from '../../protocol/constants.js';
import type { Entropy } from '../../protocol/entropy.js';
import type { TranscriptEntry } from '../../reports/schema.js';
import type { DeflateStage } from './deflate-stage.js';
import { encodeFrameSpec, toBytes } from './frame-spec.js';
import type { Observation, TcpEndKind } from './observation.js';
import { Observer, type ObserverLimits } from './observer.js';
import type { FrameSpec, SendOptions } from './peer.js';
import { chunksFor } from './send-plan.js';
import { Waiters } from './waiters.js';

/**
 * What a session writes to and reads from: a Duplex (a TCP or TLS socket, or an HTTP/2 stream, RFC 8441), with
 * Nagle's switch where the transport has one.
 */
export type WireSocket = Duplex & { setNoDelay?(noDelay?: boolean): unknown };

export interface WireSessionOptions<S extends WireSocket = net.Socket> {
  socket: S;
  entropy: Entropy;
  /** performance.now() value the transcript's times count from. */
  startedAt: number;
  /** performance.now() value at which every wait ends. */
  deadline: number;
  /** Time kept back from ordinary waits for the closing handshake. Default: a quarter of the budget, at most 3 s. */
  closeReserveMs?: number;
  limits?: ObserverLimits;
  /** Which side we are: 'client' (the raw peer) decodes a server's frames, 'server' a client's. */
  role: 'client' | 'server';
}

export abstract class WireSession<S extends WireSocket = net.Socket> {
  /** Replaced once by an HTTP/2 stream's session, whose stream exists only after the request (useSocket). */
  protected socket: S;
  protected readonly entropy: Entropy;
  protected readonly observer: Observer;
  protected readonly waiters: Waiters;
  protected destroyed = false;
  private readonly t0: number;
  private readonly deadline: number;
  private readonly closeReserveMs: number;
  /** The mask a frame gets when its spec names none: a seeded random key as a client, none as a server (§5.1). */
  private readonly defaultMask: FrameSpec['mask'];
  /** Data messages we finished sending, and how many of them a wait has since given the other side time to answer. */
  private messagesOut = 0;
  private messagesAwaited = 0;

  protected constructor(opts: WireSessionOptions<S>) {
    this.socket = opts.socket;
    this.entropy = opts.entropy;
    this.t0 = opts.startedAt;
    this.deadline = opts.deadline;
    this.closeReserveMs = opts.closeReserveMs ?? Math.min(3000, Math.max(0, opts.deadline - opts.startedAt) / 4);
    this.defaultMask = opts.role === 'client' ? 'random' : null;
    this.observer = new Observer(() => this.now(), opts.limits, (code) => this.onCloseFrame(code), opts.role === 'server' ? { role: 'server' } : undefined);
    this.waiters = new Waiters(() => this.observer.observation.tcpEnd !== null);
  }

  /** The other side's close frame arrived (code null: none or invalid); answering it is the role's business. */
  protected abstract onCloseFrame(code: number | null): void;

  /** Why nothing more can be sent, for the transcript ("the target closed"). */
  protected abstract notSentReason(): string;

  /** Swaps in the transport that now exists (the HTTP/2 stream its request opened); call listen() after. */
  protected useSocket(socket: S): void {
    this.socket = socket;
  }

  /** Listens to the socket: bytes to the observer, its end and errors recorded. */
  protected listen(): void {
    const socket = this.socket;
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => {
      this.observer.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      this.waiters.notify();
    });
    socket.on('end', () => this.onEnd('fin'));
    socket.on('error', (err: NodeJS.ErrnoException) => this.onError(err));
    socket.on('close', () => this.onEnd('fin'));
  }

  // ---- Time and waits ----

  protected now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  /** The time an ordinary wait may take: up to the deadline minus the close reserve. */
  protected waitBudget(timeoutMs: number | undefined, reserve: boolean): number {
    const left = this.remainingMs() - (reserve ? this.closeReserveMs : 0);
    return Math.max(0, Math.min(timeoutMs ?? Infinity, left));
  }

  /** A wait for an answer: whatever its outcome, the messages sent so far have had their chance to be echoed. */
  private async awaitAnswer(check: () => boolean, timeoutMs: number | undefined): Promise<boolean> {
    const sentBefore = this.messagesOut;
    const ok = await this.waiters.wait(check, this.waitBudget(timeoutMs, true));
    this.messagesAwaited = Math.max(this.messagesAwaited, sentBefore);
    return ok;
  }

  waitForMessages(count: number, timeoutMs?: number): Promise<boolean> {
    return this.awaitAnswer(() => this.observer.messagesIn >= count, timeoutMs);
  }

  waitForPongs(count: number, timeoutMs?: number): Promise<boolean> {
    return this.awaitAnswer(() => this.observer.pongsIn >= count, timeoutMs);
  }

  waitForFrames(count: number, timeoutMs?: number): Promise<boolean> {
    return this.awaitAnswer(() => this.observer.observation.framesIn >= count, timeoutMs);
  }

  waitForClose(timeoutMs?: number): Promise<boolean> {
    return this.waiters.wait(() => this.closed, this.waitBudget(timeoutMs, true));
  }

  waitForEnd(timeoutMs?: number): Promise<boolean> {
    return this.waiters.wait(() => this.ended, this.waitBudget(timeoutMs, true));
  }

  /** Waits until `check` holds (checked on every arrival), the timeout, or the end of TCP. */
  waitUntil(check: () => boolean, timeoutMs?: number): Promise<boolean> {
    return this.waiters.wait(check, this.waitBudget(timeoutMs, false));
  }

  async pause(ms: number): Promise<void> {
    await this.waiters.wait(() => this.ended, this.waitBudget(ms, false));
  }

  get closed(): boolean {
    const obs = this.observer.observation;
    return obs.closeReceived !== null || obs.tcpEnd !== null;
  }

  get ended(): boolean {
    return this.observer.observation.tcpEnd !== null;
  }

  get deflate(): DeflateStage | null {
    return this.observer.deflate;
  }

  // ---- Recording ----

  mark(name: string): void {
    this.observer.mark(name);
  }

  metric(name: string, value: number): void {
    this.observer.observation.metrics[name] = value;
  }

  note(text: string): void {
    this.observer.note(text);
  }

  observation(): Observation {
    return this.observer.observation;
  }

  /** The runner's deadline passed: recorded so the grader can say so. */
  markTimedOut(): void {
    this.observer.observation.timedOut = true;
    this.observer.note('case deadline reached');
  }

  /** The transcript in reports/schema.ts form: the first and last entries, with the number left out between. */
  transcript(): { entries: TranscriptEntry[]; omitted: number } {
    return this.observer.transcriptEntries();
  }

  // ---- TCP ----

  protected onEnd(kind: TcpEndKind, detail?: string): void {
    this.observer.ended(kind, detail);
    this.waiters.notify();
  }

  private onError(err: NodeJS.ErrnoException): void {
    const obs = this.observer.observation;
    if (obs.tcpEnd !== null) {
      obs.writeErrors.push({ t: this.now(), detail: err.code ?? err.message });
      return;
    }
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.onEnd('reset', err.code);
    else this.onEnd('error', err.code ?? err.message);
  }

  // ---- Sending ----

  /** True when nothing more may be written: TCP ended, the peer was destroyed, or the other side's close arrived. */
  protected get writeBlocked(): boolean {
    const obs = this.observer.observation;
    return this.destroyed || obs.tcpEnd !== null || obs.closeReceived !== null;
  }

  /** Hook for every chunk written (the raw peer keeps them for replays). */
  protected wrote(_bytes: Uint8Array): void {}

  /** Writes one chunk; `flush`: resolve once the socket took it (or at the deadline), else at once. */
  protected rawWrite(bytes: Uint8Array, flush = true): Promise<boolean> {
    const obs = this.observer.observation;
    if (this.destroyed || obs.tcpEnd !== null || this.socket.destroyed || this.socket.writableEnded) return Promise.resolve(false);
    obs.bytesOut += bytes.length;
    this.wrote(bytes);
    let done = false;
    this.socket.write(bytes, (err) => {
      if (err) obs.writeErrors.push({ t: this.now(), detail: (err as NodeJS.ErrnoException).code ?? err.message });
      done = true;
      if (flush) this.waiters.notify();
    });
    return flush ? this.waiters.wait(() => done, this.waitBudget(undefined, false)) : Promise.resolve(true);
  }

  private notSent(what: string): void {
    const text = `${what} not sent: ${this.notSentReason()}`;
    this.observer.observation.writeErrors.push({ t: this.now(), detail: text });
    this.observer.note(text);
  }

  protected async sendChunks(parts: Uint8Array[], opts: SendOptions): Promise<void> {
    const chunks = chunksFor(parts, opts.chop ?? 'whole');
    const pause = opts.pauseMs ?? 0;
    const maxPauses = opts.maxPauses ?? Infinity;
    for (let i = 0; i < chunks.length; i++) {
      if (this.writeBlocked) return this.notSent(`${chunks.slice(i).reduce((n, c) => n + c.length, 0)} bytes`);
      if (this.remainingMs() <= 0) return this.observer.note('sending stopped at the case deadline');
      // Each chunk is its own write (TCP_NODELAY: its own segment); without a pause only the last one is awaited,
      // so a stream chopped into hundreds of writes does not wait for hundreds of write callbacks.
      const pauseHere = pause > 0 && i < chunks.length - 1 && i < maxPauses;
      await this.rawWrite(chunks[i]!, pauseHere || i === chunks.length - 1);
      if (pauseHere) await this.pause(pause);
    }
  }

  /** Encodes one frame (masked as the role masks unless the spec says otherwise), records it, counts a message. */
  private encode(spec: FrameSpec, auto = false): Uint8Array[] {
    const { parts, sent } = encodeFrameSpec(spec.mask === undefined ? { ...spec, mask: this.defaultMask } : spec, this.entropy);
    const obs = this.observer.observation;
    const firstClose = obs.closeSent === null;
    this.observer.sentFrame(sent, auto);
    // Messages sent since the last wait for answers: the other side may answer a close that follows them at once
    // without echoing them (Autobahn 7.1.6), which the grader tells apart from one that never echoes.
    if (firstClose && obs.closeSent !== null) obs.closeSent.unawaited = this.messagesOut - this.messagesAwaited;
    if (sent.fin && spec.opcode <= Opcode.Binary) this.messagesOut++;
    return parts;
  }

  /**
   * RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint
   * MUST send a Close frame in response. (When sending a Close frame in response, the endpoint typically echos the
   * status code it received.)" An invalid code is answered with 1002. False when nothing was sent.
   */
  protected answerClose(code: number | null): boolean {
    const obs = this.observer.observation;
    if (obs.closeSent !== null || obs.tcpEnd !== null || this.destroyed) return false;
    const payload = encodeClosePayload(Observer.answerCode(code));
    for (const part of this.encode({ opcode: Opcode.Close, payload }, true)) void this.rawWrite(part, false);
    return true;
  }

  async send(bytes: Uint8Array, opts: SendOptions = {}): Promise<void> {
    this.observer.sentBytes(bytes);
    await this.sendChunks([bytes], opts);
  }

  async sendFrame(spec: FrameSpec, opts: SendOptions = {}): Promise<void> {
    await this.sendFrames([spec], opts);
  }

  async sendFrames(specs: FrameSpec[], opts: SendOptions = {}): Promise<void> {
    if (this.writeBlocked) return this.notSent(`${specs.length} frame(s)`);
    const chop = opts.chop ?? 'whole';
    if (chop === 'frame' || ((opts.pauseMs ?? 0) > 0 && chop === 'whole')) {
      // Frame by frame: each frame recorded when it goes out, so the transcript shows the pauses.
      for (let i = 0; i < specs.length; i++) {
        if (this.writeBlocked) return this.notSent(`${specs.length - i} frame(s)`);
        await this.sendChunks(this.encode(specs[i]!), { chop: 'whole' });
        if ((opts.pauseMs ?? 0) > 0 && i < specs.length - 1) await this.pause(opts.pauseMs!);
      }
      return;
    }
    await this.sendChunks(specs.flatMap((s) => this.encode(s)), opts);
  }

  async sendMessage(opcode: 0x1 | 0x2, payload: Uint8Array | string, opts: SendOptions & { fragmentSize?: number } = {}): Promise<void> {
    // RFC 7692 §6: once permessage-deflate is negotiated the message is compressed, RSV1 on its first frame only.
    const stage = this.observer.deflate;
    const bytes = stage ? stage.compress(toBytes(payload), opcode) : toBytes(payload);
    const size = opts.fragmentSize;
    if (size === undefined || size <= 0 || bytes.length <= size) {
      await this.sendFrames([{ opcode, payload: bytes, rsv1: stage !== null }], opts);
      return;
    }
    const specs: FrameSpec[] = [];
    for (let i = 0; i < bytes.length; i += size) {
      const end = Math.min(bytes.length, i + size);
      specs.push({ opcode: i === 0 ? opcode : Opcode.Continuation, payload: bytes.subarray(i, end), fin: end === bytes.length, rsv1: stage !== null && i === 0 });
    }
    await this.sendFrames(specs, opts);
  }

  sendPing(payload?: Uint8Array | string, opts?: SendOptions): Promise<void> {
    return this.sendFrame({ opcode: Opcode.Ping, payload: toBytes(payload) }, opts);
  }

  sendPong(payload?: Uint8Array | string, opts?: SendOptions): Promise<void> {
    return this.sendFrame({ opcode: Opcode.Pong, payload: toBytes(payload) }, opts);
  }

  sendClose(code?: number, reason?: string | Uint8Array, opts?: SendOptions): Promise<void> {
    const payload = code === undefined ? new Uint8Array(0) : encodeClosePayload(code, reason ?? new Uint8Array(0));
    return this.sendFrame({ opcode: Opcode.Close, payload }, opts);
  }
}
