// The raw peer: a WebSocket client that sends anything (correct or corrupted handshakes, illegal frames, bytes in
// any chunking, with pauses) and records everything the target does, without enforcing any rule on it. Incoming
// bytes are decoded with the frame decoder and each frame is judged with validateFrame, but judging is recording:
// the grader decides. Every wait ends by its timeout or the case deadline; memory is bounded by the limits.
import { createHash, type Hash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { decodeClosePayload, encodeClosePayload, isCloseViolation, isValidWireCloseCode } from '../protocol/close.js';
import { isControlOpcode, isReservedOpcode, MAX_CONTROL_PAYLOAD, Opcode, opcodeName } from '../protocol/constants.js';
import { cryptoEntropy, type Entropy } from '../protocol/entropy.js';
import { FrameDecoder } from '../protocol/frame/decoder.js';
import { encodeFrame, encodeFrameUnchecked } from '../protocol/frame/encode.js';
import type { DecodedFrame } from '../protocol/frame/frame.js';
import { validateFrame } from '../protocol/frame/validate.js';
import { buildClientRequest } from '../protocol/handshake/client-request.js';
import { checkServerResponse } from '../protocol/handshake/client-response.js';
import { HttpHeadParser } from '../protocol/handshake/head-parser.js';
import { violation, type Violation } from '../protocol/violations.js';
import type { TranscriptEntry } from '../reports/schema.js';
import type { Observation, ObservedEvent, TcpEndKind } from './raw/observation.js';
import { emptyObservation } from './raw/observation.js';
import type { Chop, FrameSpec, HandshakeOutcome, HandshakeSpec, Peer, SendOptions } from './raw/peer.js';
import { previewHead, previewPayload } from './raw/preview.js';
import { negotiateDeflateStage, type DeflateStage, type DeflateStageOptions } from './raw/deflate-stage.js';
import { buildTlsConnectOptions, hostOf, portOf } from './tls.js';

export type { Peer } from './raw/peer.js';

export interface RawPeerLimits {
  /** Payload bytes kept per received message (beyond: length and SHA-256 only). Default 1 MiB. */
  keepPayloadBytes?: number;
  /** Payload bytes kept over the whole connection. Default 8 MiB. */
  keepTotalBytes?: number;
  /** Events (messages, control frames, violations) kept; later ones are counted only. Default 20 000. */
  maxEvents?: number;
  /** Largest frame the decoder accepts; a larger one is recorded as a violation and skipped. Default 64 MiB. */
  maxFrameBytes?: number;
  /** Transcript entries kept: the first `transcriptHead` and the last `transcriptTail`. Default 300 and 100. */
  transcriptHead?: number;
  transcriptTail?: number;
}

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
  defaults?: { origin?: string; protocols?: string[]; headers?: [string, string][] };
}

export type PeerConnectErrorKind = 'refused' | 'timeout' | 'tls' | 'dns' | 'error';

export class PeerConnectError extends Error {
  override readonly name = 'PeerConnectError';
  constructor(
    readonly kind: PeerConnectErrorKind,
    message: string,
  ) {
    super(message);
  }
}

interface Waiter {
  check: () => boolean;
  resolve: (ok: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

interface OpenMessage {
  opcode: number;
  length: number;
  frames: number;
  hash: Hash;
  kept: Uint8Array[] | null;
}

type Phase = 'idle' | 'handshake' | 'frames' | 'http-body' | 'undecodable';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

function toBytes(p: Uint8Array | string | undefined): Uint8Array {
  if (p === undefined) return EMPTY;
  return typeof p === 'string' ? encoder.encode(p) : p;
}

function connectErrorKind(err: NodeJS.ErrnoException): PeerConnectErrorKind {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate|SSL|TLS|self[- ]signed/i.test(`${code} ${err.message}`)) {
    return 'tls';
  }
  return 'error';
}

export class RawPeer implements Peer {
  readonly url: URL;
  private readonly socket: net.Socket;
  private readonly entropy: Entropy;
  private readonly t0: number;
  private readonly deadline: number;
  private readonly closeReserveMs: number;
  private readonly limits: Required<RawPeerLimits>;
  private readonly defaults: NonNullable<RawPeerOptions['defaults']>;

  private phase: Phase = 'idle';
  private headParser: HttpHeadParser | null = null;
  private decoder: FrameDecoder;
  private message: OpenMessage | null = null;
  private keptTotal = 0;
  private messagesIn = 0;
  private pongsIn = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly obs: Observation;
  private readonly head: TranscriptEntry[] = [];
  private readonly tail: TranscriptEntry[] = [];
  private omitted = 0;
  private destroyed = false;
  private pendingDrop: string | null = null;
  /** permessage-deflate, once the handshake negotiated it (RFC 7692). */
  private deflateStage: DeflateStage | null = null;

  private constructor(socket: net.Socket, url: URL, opts: RawPeerOptions, t0: number, deadline: number) {
    this.socket = socket;
    this.url = url;
    this.entropy = opts.entropy ?? cryptoEntropy();
    this.t0 = t0;
    this.deadline = deadline;
    const budget = Math.max(0, deadline - t0);
    this.closeReserveMs = opts.closeReserveMs ?? Math.min(3000, budget / 4);
    this.limits = {
      keepPayloadBytes: opts.limits?.keepPayloadBytes ?? 1024 * 1024,
      keepTotalBytes: opts.limits?.keepTotalBytes ?? 8 * 1024 * 1024,
      maxEvents: opts.limits?.maxEvents ?? 20_000,
      maxFrameBytes: opts.limits?.maxFrameBytes ?? 64 * 1024 * 1024,
      transcriptHead: opts.limits?.transcriptHead ?? 300,
      transcriptTail: opts.limits?.transcriptTail ?? 100,
    };
    this.defaults = opts.defaults ?? {};
    this.decoder = new FrameDecoder({ maxPayload: this.limits.maxFrameBytes });
    this.obs = emptyObservation();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
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
        peer.record({ dir: 'local', kind: 'tcp', text: `connected to ${url.host}${secure ? ' (TLS)' : ''}` });
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

  /** Resolves true when `check` holds, false at the timeout or when TCP ended and it still does not hold. */
  private wait(check: () => boolean, ms: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (this.obs.tcpEnd !== null || ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w: Waiter = { check, resolve, timer: undefined };
      w.timer = setTimeout(() => {
        this.waiters.delete(w);
        resolve(check());
      }, ms);
      this.waiters.add(w);
    });
  }

  private notify(): void {
    const ended = this.obs.tcpEnd !== null;
    for (const w of [...this.waiters]) {
      const ok = w.check();
      if (ok || ended) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve(ok);
      }
    }
  }

  waitForMessages(count: number, timeoutMs?: number): Promise<boolean> {
    return this.wait(() => this.messagesIn >= count, this.waitBudget(timeoutMs, true));
  }

  waitForPongs(count: number, timeoutMs?: number): Promise<boolean> {
    return this.wait(() => this.pongsIn >= count, this.waitBudget(timeoutMs, true));
  }

  waitForFrames(count: number, timeoutMs?: number): Promise<boolean> {
    return this.wait(() => this.obs.framesIn >= count, this.waitBudget(timeoutMs, true));
  }

  waitForClose(timeoutMs?: number): Promise<boolean> {
    return this.wait(() => this.closed, this.waitBudget(timeoutMs, true));
  }

  waitForEnd(timeoutMs?: number): Promise<boolean> {
    return this.wait(() => this.ended, this.waitBudget(timeoutMs, true));
  }

  async pause(ms: number): Promise<void> {
    await this.wait(() => this.ended, this.waitBudget(ms, false));
  }

  get closed(): boolean {
    return this.obs.closeReceived !== null || this.obs.tcpEnd !== null;
  }

  get deflate(): DeflateStage | null {
    return this.deflateStage;
  }

  get ended(): boolean {
    return this.obs.tcpEnd !== null;
  }

  // ---- Recording ----

  private record(e: Omit<TranscriptEntry, 't'>): void {
    const entry = { t: this.now(), ...e } as TranscriptEntry;
    if (this.head.length < this.limits.transcriptHead) {
      this.head.push(entry);
      return;
    }
    this.tail.push(entry);
    if (this.tail.length > this.limits.transcriptTail) {
      this.tail.shift();
      this.omitted++;
    }
  }

  private pushEvent(e: ObservedEvent): void {
    if (this.obs.events.length >= this.limits.maxEvents) {
      this.obs.truncated = true;
      return;
    }
    this.obs.events.push(e);
  }

  mark(name: string): void {
    this.obs.marks.push({ name, t: this.now() });
    this.record({ dir: 'local', kind: 'note', text: `mark: ${name}` });
  }

  metric(name: string, value: number): void {
    this.obs.metrics[name] = value;
  }

  note(text: string): void {
    this.record({ dir: 'local', kind: 'note', text });
  }

  observation(): Observation {
    return this.obs;
  }

  /** The runner's deadline passed: recorded so the grader can say so. */
  markTimedOut(): void {
    this.obs.timedOut = true;
    this.record({ dir: 'local', kind: 'note', text: 'case deadline reached' });
  }

  /** The transcript in reports/schema.ts form: the first and last entries, with the number left out between. */
  transcript(): { entries: TranscriptEntry[]; omitted: number } {
    if (this.omitted === 0) return { entries: [...this.head, ...this.tail], omitted: 0 };
    const gap: TranscriptEntry = {
      t: this.tail[0]?.t ?? this.now(),
      dir: 'local',
      kind: 'note',
      text: `${this.omitted} transcript entries omitted`,
    };
    return { entries: [...this.head, gap, ...this.tail], omitted: this.omitted };
  }

  // ---- Incoming bytes ----

  private onData(chunk: Uint8Array): void {
    this.obs.bytesIn += chunk.length;
    switch (this.phase) {
      case 'idle':
      case 'http-body':
      case 'undecodable':
        this.record({ dir: 'in', kind: 'bytes', length: chunk.length, ...previewPayload(chunk) });
        break;
      case 'handshake':
        this.onHandshakeBytes(chunk);
        break;
      case 'frames':
        this.decodeFrames(chunk);
        break;
    }
    this.notify();
  }

  private decodeFrames(chunk: Uint8Array): void {
    if (chunk.length > 0) this.decoder.push(chunk);
    for (;;) {
      const r = this.decoder.next();
      if (r === null) return;
      if (r.type === 'error') {
        this.pushEvent({ kind: 'violation', t: this.now(), violation: r.violation });
        this.record({ dir: 'in', kind: 'note', text: r.violation.message });
        if (r.violation.id === 'length-msb-set') {
          // RFC 6455 §5.2: framing is lost; later bytes are only counted.
          this.obs.undecodable = r.violation;
          this.phase = 'undecodable';
          return;
        }
        continue;
      }
      this.onFrame(r.frame);
    }
  }

  private onFrame(frame: DecodedFrame): void {
    this.obs.framesIn++;
    const t = this.now();
    const close = frame.opcode === Opcode.Close ? decodeClosePayload(frame.payload) : null;
    const entry: Omit<TranscriptEntry, 't'> = {
      dir: 'in',
      kind: 'frame',
      opcode: frame.opcode,
      fin: frame.fin,
      rsv: (frame.rsv1 ? 4 : 0) | (frame.rsv2 ? 2 : 0) | (frame.rsv3 ? 1 : 0),
      masked: frame.masked,
      length: frame.payload.length,
    };
    if (close && !isCloseViolation(close)) {
      if (close.code !== null) entry.closeCode = close.code;
      if (close.reason) entry.closeReason = close.reason;
    } else if (frame.payload.length > 0) {
      Object.assign(entry, previewPayload(frame.payload));
    }
    this.record(entry);

    // RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a Close frame."
    if (this.obs.closeReceived !== null) {
      const v = violation('frame-after-close', `${opcodeName(frame.opcode)} frame after the server's close frame`);
      this.pushEvent({ kind: 'violation', t, violation: v, opcode: frame.opcode });
      return;
    }
    const v = validateFrame(frame, { role: 'client', allowedRsv: this.deflateStage?.rsvMask ?? 0, messageOpen: this.message !== null });
    if (v) this.pushEvent({ kind: 'violation', t, violation: v, opcode: frame.opcode });
    if (isReservedOpcode(frame.opcode)) return;
    if (isControlOpcode(frame.opcode)) {
      // Oversized or fragmented control frames are recorded as violations above and otherwise read as sent.
      if (frame.opcode === Opcode.Ping) this.pushEvent({ kind: 'ping', t, payload: frame.payload.slice(0, MAX_CONTROL_PAYLOAD + 1) });
      else if (frame.opcode === Opcode.Pong) {
        this.pongsIn++;
        this.pushEvent({ kind: 'pong', t, payload: frame.payload.slice(0, 4096) });
      } else {
        const code = close && !isCloseViolation(close) ? close.code : frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : null;
        const reason = close && !isCloseViolation(close) ? close.reason : '';
        this.obs.closeReceived = { t, code, reason };
        this.pushEvent({ kind: 'close', t, code, reason, length: frame.payload.length });
        this.answerClose(code);
      }
      return;
    }
    if (frame.opcode === Opcode.Continuation) {
      if (this.message === null) return; // continuation with nothing open: a violation, already recorded
    } else {
      if (this.message !== null) this.endPartialMessage(t);
      this.message = { opcode: frame.opcode, length: 0, frames: 0, hash: createHash('sha256'), kept: [] };
    }
    const m = this.message!;
    m.frames++;
    // RFC 7692 §6.1: a message with RSV1 on its first frame is compressed; the stage inflates it at its last frame.
    const payload = this.deflateStage ? this.deflateStage.receive(frame, m.frames === 1) : frame.payload;
    if (payload === null) return;
    if (!(payload instanceof Uint8Array)) {
      // The message arrived but does not inflate: counted, so waits for it end; the violation is the record.
      this.message = null;
      this.messagesIn++;
      this.pushEvent({ kind: 'violation', t, violation: payload, opcode: m.opcode });
      this.record({ dir: 'in', kind: 'note', text: payload.message });
      return;
    }
    m.length += payload.length;
    m.hash.update(payload);
    if (m.kept !== null) {
      if (m.length <= this.limits.keepPayloadBytes && this.keptTotal + payload.length <= this.limits.keepTotalBytes) {
        m.kept.push(payload.slice());
        this.keptTotal += payload.length;
      } else {
        m.kept = null;
        this.obs.truncated = true;
      }
    }
    if (frame.fin) {
      this.message = null;
      this.messagesIn++;
      let bytes: Uint8Array | undefined;
      if (m.kept !== null) bytes = m.kept.length === 1 ? m.kept[0]! : Buffer.concat(m.kept);
      const event: ObservedEvent = { kind: 'message', t, opcode: m.opcode, frames: m.frames, length: m.length, sha256: m.hash.digest('hex') };
      if (bytes !== undefined) event.bytes = bytes;
      this.pushEvent(event);
    }
  }

  private endPartialMessage(t: number): void {
    const m = this.message;
    if (!m) return;
    this.message = null;
    this.pushEvent({ kind: 'partial-message', t, opcode: m.opcode, length: m.length });
  }

  /**
   * RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint
   * MUST send a Close frame in response. (When sending a Close frame in response, the endpoint typically echos the
   * status code it received.)" An invalid code is answered with 1002.
   */
  private answerClose(code: number | null): void {
    if (this.obs.closeSent !== null || this.obs.tcpEnd !== null) return;
    const reply = code === null ? undefined : isValidWireCloseCode(code) ? code : 1002;
    const payload = encodeClosePayload(reply);
    this.obs.closeSent = { t: this.now(), code: reply ?? null, auto: true };
    const bytes = this.encode({ opcode: Opcode.Close, payload });
    this.recordOut({ opcode: Opcode.Close, payload }, true);
    for (const part of bytes) this.rawWrite(part);
  }

  private onHandshakeBytes(chunk: Uint8Array): void {
    const parser = this.headParser!;
    const r = parser.push(chunk);
    if (r.state === 'partial') return;
    if (r.state === 'error') {
      this.record({ dir: 'in', kind: 'bytes', length: chunk.length, ...previewPayload(chunk) });
      this.handshakeDone({ ok: false, failure: 'malformed', detail: `${r.status}: ${r.message}` });
      this.phase = 'http-body';
      return;
    }
    const head = r.head;
    this.record({ dir: 'in', kind: 'handshake', text: previewHead([head.startLine, ...head.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n')) });
    const pending = this.pendingHandshake!;
    const outcome: HandshakeOutcome = { ok: false, head, key: pending.key };
    if (head.status !== undefined) outcome.status = head.status;
    const check = pending.key !== undefined ? checkServerResponse(head, pending.ctx) : null;
    if (check?.ok) {
      outcome.ok = true;
      outcome.extensions = check.extensions;
      // RFC 7692 §5: a permessage-deflate response our offer did not allow fails the connection.
      const d = negotiateDeflateStage(check.extensions, pending.ctx.extensionOffers, pending.deflate);
      if (d.kind === 'rejected') {
        outcome.ok = false;
        outcome.rejection = { id: d.id, rfc: d.rfc, message: d.message };
      } else if (d.kind === 'accepted') {
        this.deflateStage = d.stage;
        outcome.deflate = d.agreement;
      }
    }
    else if (check) outcome.rejection = { id: check.id, rfc: check.rfc, message: check.message };
    else outcome.rejection = { id: 'no-key', rfc: '4.1', message: 'the request had no Sec-WebSocket-Key to check the response against' };
    this.handshakeDone(outcome);
    if (head.status === 101) {
      // RFC 6455 §4.2.2: the server may send frames right after its response; they follow the head.
      this.phase = 'frames';
      if (r.rest.length > 0) this.decodeFrames(r.rest);
    } else {
      this.phase = 'http-body';
      if (r.rest.length > 0) this.record({ dir: 'in', kind: 'bytes', length: r.rest.length, ...previewPayload(r.rest) });
    }
  }

  private pendingHandshake: { sentAt: number; key: string | undefined; ctx: { key: string; protocols?: string[]; extensionOffers?: string }; done: boolean; deflate?: DeflateStageOptions } | null = null;

  private handshakeDone(outcome: HandshakeOutcome): void {
    const p = this.pendingHandshake;
    if (!p || p.done) return;
    p.done = true;
    outcome.ms = Math.round((this.now() - p.sentAt) * 1000) / 1000;
    this.obs.handshake = { ...outcome, t: this.now() };
  }

  private onEnd(kind: TcpEndKind, detail?: string): void {
    if (this.obs.tcpEnd !== null) return;
    const t = this.now();
    if (this.pendingDrop !== null) {
      kind = 'client-drop';
      detail = this.pendingDrop;
    }
    this.obs.tcpEnd = detail !== undefined ? { t, kind, detail } : { t, kind };
    if (this.message !== null) this.endPartialMessage(t);
    if (this.pendingHandshake && !this.pendingHandshake.done) this.handshakeDone({ ok: false, failure: 'closed', detail: `TCP ${kind} before a response` });
    const pending = this.decoder.buffered;
    this.record({ dir: 'local', kind: 'tcp', text: `${kind}${detail ? `: ${detail}` : ''}${pending > 0 && this.phase === 'frames' ? ` (${pending} bytes of an unfinished frame)` : ''}` });
    this.notify();
  }

  private onError(err: NodeJS.ErrnoException): void {
    if (this.obs.tcpEnd !== null) {
      this.obs.writeErrors.push({ t: this.now(), detail: err.code ?? err.message });
      return;
    }
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.onEnd('reset', err.code);
    else this.onEnd('error', err.code ?? err.message);
  }

  // ---- Handshake ----

  async handshake(spec: HandshakeSpec = {}): Promise<HandshakeOutcome> {
    const { bytes, key, ctx } = this.buildHandshake(spec);
    this.phase = 'handshake';
    this.headParser = new HttpHeadParser();
    this.pendingHandshake = { sentAt: this.now(), key, ctx, done: false, ...(spec.deflate ? { deflate: spec.deflate } : {}) };
    this.record({ dir: 'out', kind: 'handshake', length: bytes.length, text: previewHead(Buffer.from(bytes).toString('latin1')) });
    const all = spec.trailing && spec.trailing.length > 0 ? Buffer.concat([bytes, spec.trailing]) : bytes;
    await this.sendChunks([all], spec.send ?? {});
    const budget = this.waitBudget(spec.timeoutMs, true);
    await this.wait(() => this.pendingHandshake!.done, budget);
    if (!this.pendingHandshake.done) this.handshakeDone({ ok: false, failure: 'timeout', detail: `no response head within ${Math.round(budget)} ms` });
    return this.obs.handshake!;
  }

  private buildHandshake(spec: HandshakeSpec): { bytes: Uint8Array; key: string | undefined; ctx: { key: string; protocols?: string[]; extensionOffers?: string } } {
    if (spec.raw !== undefined) {
      const bytes = typeof spec.raw === 'string' ? new Uint8Array(Buffer.from(spec.raw, 'latin1')) : spec.raw;
      const text = Buffer.from(bytes).toString('latin1');
      const values = (name: string): string[] =>
        [...text.matchAll(new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*?)[ \\t]*(?=\\r\\n)`, 'gi'))].map((m) => m[1]!);
      const key = values('sec-websocket-key')[0];
      // The offers in the raw head are what the response is checked against (RFC 6455 §4.1: a subprotocol or
      // extension the client did not offer fails the connection).
      const ctx: { key: string; protocols?: string[]; extensionOffers?: string } = { key: key ?? '' };
      const protocols = values('sec-websocket-protocol').flatMap((v) => v.split(',')).map((p) => p.trim()).filter((p) => p !== '');
      if (protocols.length > 0) ctx.protocols = protocols;
      const extensions = values('sec-websocket-extensions');
      if (extensions.length > 0) ctx.extensionOffers = extensions.join(', ');
      return { bytes, key, ctx };
    }
    const protocols = spec.protocols ?? this.defaults.protocols;
    const origin = spec.origin ?? this.defaults.origin;
    const built = buildClientRequest({
      url: this.url,
      entropy: this.entropy,
      ...(spec.key !== undefined ? { key: spec.key } : {}),
      ...(origin !== undefined ? { origin } : {}),
      ...(protocols !== undefined ? { protocols } : {}),
      ...(spec.extensions !== undefined ? { extensions: spec.extensions } : {}),
      ...(this.defaults.headers !== undefined ? { headers: this.defaults.headers } : {}),
    });
    const ctx: { key: string; protocols?: string[]; extensionOffers?: string } = { key: built.key };
    if (protocols !== undefined) ctx.protocols = protocols;
    if (spec.extensions !== undefined) ctx.extensionOffers = spec.extensions;
    const edited =
      spec.method !== undefined ||
      spec.path !== undefined ||
      spec.httpVersion !== undefined ||
      spec.version !== undefined ||
      (spec.removeHeaders?.length ?? 0) > 0 ||
      (spec.replaceHeaders?.length ?? 0) > 0 ||
      (spec.addHeaders?.length ?? 0) > 0;
    if (!edited) return { bytes: built.bytes, key: built.key, ctx };
    const text = Buffer.from(built.bytes).toString('latin1');
    const lines = text.slice(0, -4).split('\r\n');
    const [method, target, version] = lines[0]!.split(' ');
    lines[0] = `${spec.method ?? method} ${spec.path ?? target} ${spec.httpVersion ?? version}`;
    let headers: [string, string][] = lines.slice(1).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()];
    });
    const replace: [string, string][] = [...(spec.replaceHeaders ?? [])];
    if (spec.version !== undefined) replace.push(['Sec-WebSocket-Version', spec.version]);
    const remove = new Set((spec.removeHeaders ?? []).map((h) => h.toLowerCase()));
    headers = headers.filter(([n]) => !remove.has(n.toLowerCase()));
    for (const [name, value] of replace) {
      const lower = name.toLowerCase();
      if (headers.some(([n]) => n.toLowerCase() === lower)) headers = headers.map(([n, v]) => (n.toLowerCase() === lower ? [n, value] : [n, v]));
      else headers.push([name, value]);
    }
    headers.push(...(spec.addHeaders ?? []));
    const out = `${lines[0]}\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}${headers.length > 0 ? '\r\n' : ''}\r\n`;
    const keyHeader = headers.find(([n]) => n.toLowerCase() === 'sec-websocket-key');
    const key = keyHeader?.[1];
    return { bytes: new Uint8Array(Buffer.from(out, 'latin1')), key, ctx: { ...ctx, key: key ?? '' } };
  }

  // ---- Sending ----

  /** True when nothing more may be written: TCP ended, the peer was destroyed, or the target's close arrived. */
  private get writeBlocked(): boolean {
    return this.destroyed || this.obs.tcpEnd !== null || this.obs.closeReceived !== null;
  }

  private rawWrite(bytes: Uint8Array): Promise<boolean> {
    if (this.destroyed || this.obs.tcpEnd !== null || this.socket.destroyed) return Promise.resolve(false);
    this.obs.bytesOut += bytes.length;
    let done = false;
    this.socket.write(bytes, (err) => {
      if (err) this.obs.writeErrors.push({ t: this.now(), detail: (err as NodeJS.ErrnoException).code ?? err.message });
      done = true;
      this.notify();
    });
    return this.wait(() => done, this.waitBudget(undefined, false));
  }

  private async sendChunks(parts: Uint8Array[], opts: SendOptions): Promise<void> {
    const chop: Chop = opts.chop ?? 'whole';
    const pause = opts.pauseMs ?? 0;
    let chunks: Uint8Array[];
    const total = parts.reduce((n, p) => n + p.length, 0);
    if (chop === 'whole') {
      chunks = parts.length === 1 ? parts : [Buffer.concat(parts, total)];
    } else if (chop === 'frame') {
      // sendFrames writes frame by frame itself; raw bytes have no frames to split at.
      chunks = [Buffer.concat(parts, total)];
    } else {
      const size = chop === 'byte' ? 1 : Math.max(1, Math.floor(chop));
      const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
      chunks = [];
      for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, Math.min(all.length, i + size)));
    }
    for (let i = 0; i < chunks.length; i++) {
      if (this.writeBlocked) {
        const left = chunks.slice(i).reduce((n, c) => n + c.length, 0);
        this.obs.writeErrors.push({ t: this.now(), detail: `${left} bytes not sent: the target closed` });
        this.record({ dir: 'local', kind: 'note', text: `${left} bytes not sent: the target closed` });
        return;
      }
      if (this.remainingMs() <= 0) {
        this.record({ dir: 'local', kind: 'note', text: 'sending stopped at the case deadline' });
        return;
      }
      await this.rawWrite(chunks[i]!);
      if (pause > 0 && i < chunks.length - 1) await this.pause(pause);
    }
  }

  private encode(spec: FrameSpec): Uint8Array[] {
    const payload = toBytes(spec.payload);
    let mask: Uint8Array | null;
    if (spec.mask === undefined || spec.mask === 'random') {
      mask = new Uint8Array(4);
      this.entropy.fill(mask);
    } else mask = spec.mask;
    const illegal =
      spec.lengthOverride !== undefined ||
      spec.lengthForm !== undefined ||
      (isControlOpcode(spec.opcode) && (payload.length > MAX_CONTROL_PAYLOAD || spec.fin === false));
    if (illegal) {
      const u: Parameters<typeof encodeFrameUnchecked>[0] = { opcode: spec.opcode, payload, mask, fin: spec.fin ?? true };
      if (spec.rsv1) u.rsv1 = true;
      if (spec.rsv2) u.rsv2 = true;
      if (spec.rsv3) u.rsv3 = true;
      if (spec.lengthOverride !== undefined) u.lengthOverride = spec.lengthOverride;
      if (spec.lengthForm !== undefined) u.lengthForm = spec.lengthForm;
      return [encodeFrameUnchecked(u)];
    }
    const [header, body] = encodeFrame({ opcode: spec.opcode, payload, mask, fin: spec.fin ?? true, rsv1: !!spec.rsv1, rsv2: !!spec.rsv2, rsv3: !!spec.rsv3 });
    return body.length === 0 ? [header] : [header, body];
  }

  private recordOut(spec: FrameSpec, masked: boolean): void {
    const payload = toBytes(spec.payload);
    const entry: Omit<TranscriptEntry, 't'> = {
      dir: 'out',
      kind: 'frame',
      opcode: spec.opcode,
      fin: spec.fin ?? true,
      rsv: (spec.rsv1 ? 4 : 0) | (spec.rsv2 ? 2 : 0) | (spec.rsv3 ? 1 : 0),
      masked,
      length: payload.length,
    };
    if (spec.opcode === Opcode.Close && payload.length >= 2) {
      entry.closeCode = (payload[0]! << 8) | payload[1]!;
      if (payload.length > 2) Object.assign(entry, previewPayload(payload.subarray(2)));
    } else if (payload.length > 0) Object.assign(entry, previewPayload(payload));
    if (spec.lengthOverride !== undefined) entry.text = `header length ${String(spec.lengthOverride)}`;
    this.record(entry);
  }

  private noteClose(spec: FrameSpec): void {
    if (spec.opcode !== Opcode.Close || this.obs.closeSent !== null) return;
    const p = toBytes(spec.payload);
    this.obs.closeSent = { t: this.now(), code: p.length >= 2 ? (p[0]! << 8) | p[1]! : null, auto: false };
  }

  async send(bytes: Uint8Array, opts: SendOptions = {}): Promise<void> {
    this.record({ dir: 'out', kind: 'bytes', length: bytes.length, ...previewPayload(bytes) });
    await this.sendChunks([bytes], opts);
  }

  async sendFrame(spec: FrameSpec, opts: SendOptions = {}): Promise<void> {
    await this.sendFrames([spec], opts);
  }

  async sendFrames(specs: FrameSpec[], opts: SendOptions = {}): Promise<void> {
    if (this.writeBlocked) {
      this.obs.writeErrors.push({ t: this.now(), detail: `${specs.length} frame(s) not sent: the target closed` });
      this.record({ dir: 'local', kind: 'note', text: `${specs.length} frame(s) not sent: the target closed` });
      return;
    }
    if ((opts.chop ?? 'whole') === 'frame' || ((opts.pauseMs ?? 0) > 0 && (opts.chop ?? 'whole') === 'whole')) {
      // Frame by frame: each frame recorded when it goes out, so the transcript shows the pauses.
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i]!;
        if (this.writeBlocked) {
          this.obs.writeErrors.push({ t: this.now(), detail: `${specs.length - i} frame(s) not sent: the target closed` });
          this.record({ dir: 'local', kind: 'note', text: `${specs.length - i} frame(s) not sent: the target closed` });
          return;
        }
        const parts = this.encode(spec);
        this.recordOut(spec, spec.mask !== null);
        this.noteClose(spec);
        await this.sendChunks(parts, { chop: 'whole' });
        if ((opts.pauseMs ?? 0) > 0 && i < specs.length - 1) await this.pause(opts.pauseMs!);
      }
      return;
    }
    const parts: Uint8Array[] = [];
    for (const spec of specs) {
      parts.push(...this.encode(spec));
      this.recordOut(spec, spec.mask !== null);
      this.noteClose(spec);
    }
    await this.sendChunks(parts, opts);
  }

  async sendMessage(opcode: 0x1 | 0x2, payload: Uint8Array | string, opts: SendOptions & { fragmentSize?: number } = {}): Promise<void> {
    // RFC 7692 §6: once permessage-deflate is negotiated the message is compressed, RSV1 on its first frame only.
    const rsv1 = this.deflateStage !== null;
    const bytes = this.deflateStage ? this.deflateStage.compress(toBytes(payload), opcode) : toBytes(payload);
    const size = opts.fragmentSize;
    if (size === undefined || size <= 0 || bytes.length <= size) {
      await this.sendFrames([{ opcode, payload: bytes, rsv1 }], opts);
      return;
    }
    const specs: FrameSpec[] = [];
    for (let i = 0; i < bytes.length; i += size) {
      const end = Math.min(bytes.length, i + size);
      specs.push({ opcode: i === 0 ? opcode : Opcode.Continuation, payload: bytes.subarray(i, end), fin: end === bytes.length, rsv1: rsv1 && i === 0 });
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
    const payload = code === undefined ? EMPTY : encodeClosePayload(code, reason ?? EMPTY);
    return this.sendFrame({ opcode: Opcode.Close, payload }, opts);
  }

  async close(code = 1000, reason?: string | Uint8Array, opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.obs.closeSent === null && !this.writeBlocked) await this.sendClose(code, reason);
    const budget = (): number => this.waitBudget(opts.timeoutMs, false);
    await this.wait(() => this.closed, budget());
    // RFC 6455 §7.1.1: "the server SHOULD close the underlying TCP connection first"; §5.5.1: after sending and
    // receiving a close, an endpoint "MUST close the underlying TCP connection".
    await this.wait(() => this.ended, budget());
    if (!this.ended) this.drop(`the target did not close TCP within the case budget`);
  }

  /** Destroys the socket, recording 'client-drop' with the reason when TCP was still open. */
  drop(reason: string): void {
    if (this.obs.tcpEnd === null) this.pendingDrop = reason;
    this.destroy();
  }

  /** Releases everything: the socket, the timers of pending waits. Safe to call more than once. */
  destroy(): void {
    if (!this.destroyed) {
      this.destroyed = true;
      if (this.obs.tcpEnd === null && this.pendingDrop === null) this.pendingDrop = 'harness ended the case';
      this.socket.destroy();
      this.onEnd('client-drop');
    }
    for (const w of [...this.waiters]) {
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve(w.check());
    }
  }
}
