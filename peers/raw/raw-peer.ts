// The raw peer: a WebSocket client that sends anything (correct or corrupted handshakes, illegal frames, bytes in
// any chunking, with pauses) and records everything the target does, without enforcing any rule on it. It is a thin
// socket shell: bytes the target sends go to the Observer (observer.ts), which decodes and checks them; this class
// owns only the socket, the writes and the waits. Every wait ends by its timeout or the case deadline.
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { concatBytes } from '../../protocol/bytes.js';
import { encodeClosePayload } from '../../protocol/close.js';
import { Opcode } from '../../protocol/constants.js';
import { cryptoEntropy, type Entropy } from '../../protocol/entropy.js';
import type { TranscriptEntry } from '../../reports/schema.js';
import { buildTlsConnectOptions, hostOf, portOf } from '../tls.js';
import type { DeflateStage } from './deflate-stage.js';
import { encodeFrameSpec, toBytes } from './frame-spec.js';
import { buildHandshakeRequest, type RequestDefaults } from './handshake-request.js';
import type { Observation, TcpEndKind } from './observation.js';
import { Observer, type ObserverLimits } from './observer.js';
import type { FrameSpec, HandshakeOutcome, HandshakeSpec, Peer, SendOptions } from './peer.js';
import { chunksFor, connectErrorKind, PeerConnectError } from './send-plan.js';
import { Waiters } from './waiters.js';

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

export class RawPeer implements Peer {
  readonly url: URL;
  private readonly socket: net.Socket;
  private readonly entropy: Entropy;
  private readonly t0: number;
  private readonly deadline: number;
  private readonly closeReserveMs: number;
  private readonly defaults: RequestDefaults;
  private readonly observer: Observer;
  private readonly waiters: Waiters;
  private readonly sent: Uint8Array[] | null;
  private destroyed = false;
  private pendingDrop: string | null = null;
  /** Data messages we finished sending, and how many of them a wait has since given the target time to answer. */
  private messagesOut = 0;
  private messagesAwaited = 0;

  private constructor(socket: net.Socket, url: URL, opts: RawPeerOptions, t0: number, deadline: number) {
    this.socket = socket;
    this.url = url;
    this.entropy = opts.entropy ?? cryptoEntropy();
    this.t0 = t0;
    this.deadline = deadline;
    this.closeReserveMs = opts.closeReserveMs ?? Math.min(3000, Math.max(0, deadline - t0) / 4);
    this.defaults = opts.defaults ?? {};
    this.sent = opts.keepSent ? [] : null;
    this.observer = new Observer(() => this.now(), opts.limits, (code) => this.answerClose(code));
    this.waiters = new Waiters(() => this.observer.observation.tcpEnd !== null);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.observer.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      this.waiters.notify();
    });
    socket.on('end', () => this.onEnd('fin'));
    socket.on('error', (err: NodeJS.ErrnoException) => this.onError(err));
    socket.on('close', () => this.onEnd('fin'));
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

  // ---- Time and waits ----

  private now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - performance.now());
  }

  /** The time an ordinary wait may take: up to the deadline minus the close reserve. */
  private waitBudget(timeoutMs: number | undefined, reserve: boolean): number {
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

  /** Every byte sent so far (with `keepSent`), handshake included. */
  sentBytes(): Uint8Array {
    return concatBytes(this.sent ?? []);
  }

  private onEnd(kind: TcpEndKind, detail?: string): void {
    if (this.pendingDrop !== null) {
      kind = 'client-drop';
      detail = this.pendingDrop;
    }
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

  // ---- Sending ----

  /** True when nothing more may be written: TCP ended, the peer was destroyed, or the target's close arrived. */
  private get writeBlocked(): boolean {
    const obs = this.observer.observation;
    return this.destroyed || obs.tcpEnd !== null || obs.closeReceived !== null;
  }

  /** Writes one chunk; `flush`: resolve once the socket took it (or at the deadline), else at once. */
  private rawWrite(bytes: Uint8Array, flush = true): Promise<boolean> {
    const obs = this.observer.observation;
    if (this.destroyed || obs.tcpEnd !== null || this.socket.destroyed) return Promise.resolve(false);
    obs.bytesOut += bytes.length;
    this.sent?.push(bytes);
    let done = false;
    this.socket.write(bytes, (err) => {
      if (err) obs.writeErrors.push({ t: this.now(), detail: (err as NodeJS.ErrnoException).code ?? err.message });
      done = true;
      if (flush) this.waiters.notify();
    });
    return flush ? this.waiters.wait(() => done, this.waitBudget(undefined, false)) : Promise.resolve(true);
  }

  private notSent(what: string): void {
    this.observer.observation.writeErrors.push({ t: this.now(), detail: `${what} not sent: the target closed` });
    this.observer.note(`${what} not sent: the target closed`);
  }

  private async sendChunks(parts: Uint8Array[], opts: SendOptions): Promise<void> {
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

  /** Encodes one frame, records it and counts a finished data message. */
  private encode(spec: FrameSpec, auto = false): Uint8Array[] {
    const { parts, sent } = encodeFrameSpec(spec, this.entropy);
    const obs = this.observer.observation;
    const firstClose = obs.closeSent === null;
    this.observer.sentFrame(sent, auto);
    // Messages sent since the last wait for answers: a target may answer a close that follows them at once
    // without echoing them (Autobahn 7.1.6), which the grader tells apart from a target that never echoes.
    if (firstClose && obs.closeSent !== null) obs.closeSent.unawaited = this.messagesOut - this.messagesAwaited;
    if (sent.fin && spec.opcode <= Opcode.Binary) this.messagesOut++;
    return parts;
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

  async close(code = 1000, reason?: string | Uint8Array, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.observer.observation.closeSent === null && !this.writeBlocked) await this.sendClose(code, reason);
    const budget = (): number => this.waitBudget(opts.timeoutMs, false);
    await this.waiters.wait(() => this.closed, budget());
    // RFC 6455 §7.1.1: "the server SHOULD close the underlying TCP connection first"; §5.5.1: after sending and
    // receiving a close, an endpoint "MUST close the underlying TCP connection".
    await this.waiters.wait(() => this.ended, budget());
    if (!this.ended) this.drop('the target did not close TCP within the case budget');
  }

  /**
   * RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint
   * MUST send a Close frame in response. (When sending a Close frame in response, the endpoint typically echos the
   * status code it received.)" An invalid code is answered with 1002.
   */
  private answerClose(code: number | null): void {
    const obs = this.observer.observation;
    if (obs.closeSent !== null || obs.tcpEnd !== null) return;
    const payload = encodeClosePayload(Observer.answerCode(code));
    for (const part of this.encode({ opcode: Opcode.Close, payload }, true)) void this.rawWrite(part, false);
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
