// The observer: sans-I/O, bytes in, an Observation out. Whoever drives a connection (the raw peer of the
// conformance cases over TCP or an HTTP/2 stream, the fuzzers' driver, the wire server peer of client cases) feeds
// it what the target sent and tells it what was sent and when TCP ended; it checks the response, decodes frames,
// checks every frame the target sends with validateFrame and the message rules (the one place target frames are
// judged, so every mode reports the same violation ids), reassembles and inflates messages, and records a bounded
// transcript. It decides no verdict: the grader does. No sockets, no timers: the caller supplies the clock.
//
// Role: by default we are the client and the target a server. In server role (client cases: the target is a
// WebSocket client) the driver has parsed the request head itself and hands it over (recordRequest); the target's
// frames are checked as a server receives them (RFC 6455 §5.1: they must be masked).
import { createHash, type Hash } from 'node:crypto';
import { decodeClosePayload, isCloseViolation, isValidWireCloseCode } from '../../protocol/close.js';
import { isControlOpcode, isReservedOpcode, MAX_CONTROL_PAYLOAD, Opcode, opcodeName } from '../../protocol/constants.js';
import { FrameDecoder } from '../../protocol/frame/decoder.js';
import { rsvBits, type DecodedFrame } from '../../protocol/frame/frame.js';
import { validateFrame } from '../../protocol/frame/validate.js';
import { HttpHeadParser, type HttpHead } from '../../protocol/handshake/head-parser.js';
import type { H2HeaderList } from '../../protocol/h2/headers.js';
import { Utf8Validator } from '../../protocol/utf8.js';
import { violation } from '../../protocol/violations.js';
import type { TranscriptEntry } from '../../reports/schema.js';
import type { DeflateStage } from './deflate-stage.js';
import { emptyObservation, type Observation, type ObservedEvent, type TcpEndKind } from './observation.js';
import type { HandshakeOutcome } from './peer.js';
import { previewHead, previewPayload } from './preview.js';
import { checkH1Outcome, checkH2Outcome, type CheckedResponse, type PendingHandshake } from './response-check.js';
import { Transcript } from './transcript.js';

export type { PendingHandshake } from './response-check.js';

export interface ObserverLimits {
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

/** A frame we sent, as the transcript shows it. */
export interface SentFrame {
  opcode: number;
  payload: Uint8Array;
  fin: boolean;
  rsv: number;
  masked: boolean;
  lengthOverride?: number | bigint;
}

interface OpenMessage {
  opcode: number;
  length: number;
  frames: number;
  hash: Hash;
  kept: Uint8Array[] | null;
  utf8: Utf8Validator | null;
}

/** Server role: bytes a client sends before our response are kept for decoding up to this many (then counted). */
const MAX_EARLY_BYTES = 1024 * 1024;

export interface ObserverOptions {
  /** Which end we are. Default 'client' (the target is a server). */
  role?: 'client' | 'server';
}

/** 'request': server role, the request is in but our response has not gone out. */
type Phase = 'idle' | 'handshake' | 'request' | 'frames' | 'http-body' | 'undecodable';

export class Observer {
  readonly observation: Observation = emptyObservation();
  /** Messages (reassembled) and pongs received, for the drivers' waits. */
  messagesIn = 0;
  pongsIn = 0;
  private phase: Phase = 'idle';
  private headParser: HttpHeadParser | null = null;
  private pending: (PendingHandshake & { sentAt: number; done: boolean }) | null = null;
  private readonly decoder: FrameDecoder;
  private message: OpenMessage | null = null;
  private keptTotal = 0;
  private deflateStage: DeflateStage | null = null;
  private readonly limits: Required<ObserverLimits>;
  private readonly transcript: Transcript;
  private readonly role: 'client' | 'server';
  /** Server role: bytes the client sent before our response (RFC 6455 §4.1: it MUST wait for the response). */
  private early: Uint8Array[] = [];
  private earlyBytes = 0;

  /**
   * `now`: ms since the case started. `onClose`: called once when the target's first close frame arrives, with its
   * code, so the driver can answer it (RFC 6455 §5.5.1) before anything else is written.
   */
  constructor(
    private readonly now: () => number,
    limits: ObserverLimits = {},
    private readonly onClose?: (code: number | null) => void,
    opts: ObserverOptions = {},
  ) {
    this.role = opts.role ?? 'client';
    this.limits = {
      keepPayloadBytes: limits.keepPayloadBytes ?? 1024 * 1024,
      keepTotalBytes: limits.keepTotalBytes ?? 8 * 1024 * 1024,
      maxEvents: limits.maxEvents ?? 20_000,
      maxFrameBytes: limits.maxFrameBytes ?? 64 * 1024 * 1024,
      transcriptHead: limits.transcriptHead ?? 300,
      transcriptTail: limits.transcriptTail ?? 100,
    };
    this.decoder = new FrameDecoder({ maxPayload: this.limits.maxFrameBytes });
    this.transcript = new Transcript(this.limits.transcriptHead, this.limits.transcriptTail);
  }

  /** permessage-deflate, once the response accepted our offer (RFC 7692). */
  get deflate(): DeflateStage | null {
    return this.deflateStage;
  }

  get handshakePending(): boolean {
    return this.pending !== null && !this.pending.done;
  }

  /** Bytes of an unfinished frame still buffered. */
  get bufferedBytes(): number {
    return this.phase === 'frames' ? this.decoder.buffered : 0;
  }

  // ---- Recording ----

  record(e: Omit<TranscriptEntry, 't'>): void {
    this.transcript.add({ t: this.now(), ...e } as TranscriptEntry);
  }

  transcriptEntries(): { entries: TranscriptEntry[]; omitted: number } {
    return this.transcript.entries(this.now());
  }

  private pushEvent(e: ObservedEvent): void {
    if (this.observation.events.length >= this.limits.maxEvents) {
      this.observation.truncated = true;
      return;
    }
    this.observation.events.push(e);
  }

  mark(name: string): void {
    this.observation.marks.push({ name, t: this.now() });
    this.record({ dir: 'local', kind: 'note', text: `mark: ${name}` });
  }

  note(text: string): void {
    this.record({ dir: 'local', kind: 'note', text });
  }

  /** A frame we sent: recorded, and our first close frame noted (`auto`: the answer to the target's close). */
  sentFrame(f: SentFrame, auto = false): void {
    const entry: Omit<TranscriptEntry, 't'> = { dir: 'out', kind: 'frame', opcode: f.opcode, fin: f.fin, rsv: f.rsv, masked: f.masked, length: f.payload.length };
    if (f.opcode === Opcode.Close && f.payload.length >= 2) {
      entry.closeCode = (f.payload[0]! << 8) | f.payload[1]!;
      if (f.payload.length > 2) Object.assign(entry, previewPayload(f.payload.subarray(2)));
    } else if (f.payload.length > 0) Object.assign(entry, previewPayload(f.payload));
    if (f.lengthOverride !== undefined) entry.text = `header length ${String(f.lengthOverride)}`;
    this.record(entry);
    if (f.opcode === Opcode.Close && this.observation.closeSent === null) {
      const code = f.payload.length >= 2 ? (f.payload[0]! << 8) | f.payload[1]! : null;
      this.observation.closeSent = { t: this.now(), code, auto };
    }
  }

  sentBytes(bytes: Uint8Array): void {
    this.record({ dir: 'out', kind: 'bytes', length: bytes.length, ...previewPayload(bytes) });
  }

  // ---- The opening handshake ----

  /**
   * Our request went out: an HTTP/1.1 head, whose answer is the next bytes; or, over HTTP/2 (RFC 8441), the
   * Extended CONNECT's header block as text, whose answer is a header block (h2Response), not bytes.
   */
  requestSent(head: Uint8Array | { block: string; length: number }, pending: PendingHandshake): void {
    const h1 = head instanceof Uint8Array;
    this.phase = 'handshake';
    this.headParser = h1 ? new HttpHeadParser({ maxHeadBytes: 65536 }) : null;
    this.pending = { ...pending, sentAt: this.now(), done: false };
    this.record({ dir: 'out', kind: 'handshake', length: head.length, text: previewHead(h1 ? Buffer.from(head).toString('latin1') : head.block) });
  }

  /** No response head came in time (the driver's timer). */
  responseTimedOut(detail: string): void {
    this.handshakeDone({ ok: false, failure: 'timeout', detail });
  }

  private handshakeDone(outcome: HandshakeOutcome): void {
    const p = this.pending;
    if (!p || p.done) return;
    p.done = true;
    outcome.ms = Math.round((this.now() - p.sentAt) * 1000) / 1000;
    this.observation.handshake = { ...outcome, t: this.now() };
  }

  private onHead(chunk: Uint8Array): void {
    // Over HTTP/2 the response is a header block (h2Response); stream bytes before it are recorded only.
    if (this.headParser === null) {
      this.record({ dir: 'in', kind: 'bytes', length: chunk.length, ...previewPayload(chunk) });
      return;
    }
    const r = this.headParser.push(chunk);
    if (r.state === 'partial') return;
    if (r.state === 'error') {
      this.record({ dir: 'in', kind: 'bytes', length: chunk.length, ...previewPayload(chunk) });
      this.handshakeDone({ ok: false, failure: 'malformed', detail: `${r.status}: ${r.message}` });
      this.phase = 'http-body';
      return;
    }
    const head = r.head;
    this.record({ dir: 'in', kind: 'handshake', text: previewHead([head.startLine, ...head.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n')) });
    this.responded(checkH1Outcome(head, this.pending!), r.rest);
  }

  /** The checked response: recorded, and what follows it decoded as frames once the WebSocket is open. */
  private responded(checked: CheckedResponse, rest: Uint8Array): void {
    this.deflateStage = checked.stage;
    this.handshakeDone(checked.outcome);
    this.phase = checked.open ? 'frames' : 'http-body';
    if (rest.length === 0) return;
    if (checked.open) this.decodeFrames(rest);
    else this.record({ dir: 'in', kind: 'bytes', length: rest.length, ...previewPayload(rest) });
  }

  // ---- The opening handshake over HTTP/2 (RFC 8441) ----

  /** The response header block arrived (`endStream`: no tunnel follows); RFC 8441 §5's checks decide the outcome. */
  h2Response(list: H2HeaderList, endStream: boolean): void {
    if (!this.handshakePending) return;
    this.record({ dir: 'in', kind: 'handshake', text: previewHead(list.map(([k, v]) => `${k}: ${v}`).join('\r\n')) });
    this.responded(checkH2Outcome(list, this.pending!, endStream), new Uint8Array(0));
  }

  /** No response block: the stream or the connection ended first, or the request could not be sent. */
  h2NoResponse(failure: 'closed' | 'error', detail: string, rejection?: HandshakeOutcome['rejection']): void {
    this.handshakeDone({ ok: false, failure, detail, ...(rejection ? { rejection } : {}) });
    this.phase = 'http-body';
  }

  // ---- Server role: the client's request and our response ----

  /** The client's opening handshake as parsed by the driver, and the §4.1 rule it broke (null: none). */
  recordRequest(head: HttpHead, violation: { id: string; rfc: string; message: string } | null, t = this.now()): void {
    this.phase = 'request';
    this.observation.request = { t, head, violation };
    this.record({ dir: 'in', kind: 'handshake', text: previewHead([head.startLine, ...head.headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n')) });
    if (violation) this.record({ dir: 'local', kind: 'note', text: violation.message });
  }

  /**
   * Our response went out (`status`: null when the bytes hold no status line). Whatever the status, what the client
   * sends next is decoded as frames: a client that takes a refused or invalid handshake for an open connection
   * shows it by sending frames (RFC 6455 §4.1). `deflate`: the permessage-deflate stage the response agreed to.
   */
  responseSent(head: Uint8Array, status: number | null, deflate: DeflateStage | null = null): void {
    this.observation.responseSent = { t: this.now(), status };
    this.record({ dir: 'out', kind: 'handshake', length: head.length, text: previewHead(Buffer.from(head).toString('latin1')) });
    this.deflateStage = deflate;
    this.phase = 'frames';
    const early = this.early;
    this.early = [];
    for (const chunk of early) this.decodeFrames(chunk);
  }

  // ---- Incoming bytes ----

  receive(chunk: Uint8Array): void {
    this.observation.bytesIn += chunk.length;
    if (this.phase === 'handshake') this.onHead(chunk);
    else if (this.phase === 'frames') this.decodeFrames(chunk);
    else if (this.phase === 'request') this.onEarly(chunk);
    else this.record({ dir: 'in', kind: 'bytes', length: chunk.length, ...previewPayload(chunk) });
  }

  /** Bytes before our response: a §4.1 breach by the client, noted, and decoded once the response is out. */
  private onEarly(chunk: Uint8Array): void {
    if (this.earlyBytes === 0) this.record({ dir: 'local', kind: 'note', text: 'the client sent data before our response (RFC 6455 §4.1: it MUST wait for the response)' });
    this.record({ dir: 'in', kind: 'bytes', length: chunk.length, ...previewPayload(chunk) });
    if (this.earlyBytes + chunk.length > MAX_EARLY_BYTES) {
      this.observation.truncated = true;
      return;
    }
    this.earlyBytes += chunk.length;
    this.early.push(chunk.slice());
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
          this.observation.undecodable = r.violation;
          this.phase = 'undecodable';
          return;
        }
        continue;
      }
      this.onFrame(r.frame);
    }
  }

  private recordIn(frame: DecodedFrame, close: ReturnType<typeof decodeClosePayload> | null): void {
    const entry: Omit<TranscriptEntry, 't'> = {
      dir: 'in',
      kind: 'frame',
      opcode: frame.opcode,
      fin: frame.fin,
      rsv: rsvBits(frame),
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
  }

  private onFrame(frame: DecodedFrame): void {
    const obs = this.observation;
    obs.framesIn++;
    const t = this.now();
    const close = frame.opcode === Opcode.Close ? decodeClosePayload(frame.payload) : null;
    this.recordIn(frame, close);
    // RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a Close frame."
    if (obs.closeReceived !== null) {
      const v = violation('frame-after-close', `${opcodeName(frame.opcode)} frame after the ${this.role === 'server' ? 'client' : 'server'}'s close frame`);
      this.pushEvent({ kind: 'violation', t, violation: v, opcode: frame.opcode });
      return;
    }
    const v = validateFrame(frame, { role: this.role, allowedRsv: this.deflateStage?.rsvMask ?? 0, messageOpen: this.message !== null });
    if (v) this.pushEvent({ kind: 'violation', t, violation: v, opcode: frame.opcode });
    if (isReservedOpcode(frame.opcode)) return;
    if (isControlOpcode(frame.opcode)) {
      this.onControl(frame, close, t);
      return;
    }
    this.onData(frame, t);
  }

  private onControl(frame: DecodedFrame, close: ReturnType<typeof decodeClosePayload> | null, t: number): void {
    // Oversized or fragmented control frames are recorded as violations and otherwise read as sent.
    if (frame.opcode === Opcode.Ping) {
      this.pushEvent({ kind: 'ping', t, payload: frame.payload.slice(0, MAX_CONTROL_PAYLOAD + 1) });
    } else if (frame.opcode === Opcode.Pong) {
      this.pongsIn++;
      this.pushEvent({ kind: 'pong', t, payload: frame.payload.slice(0, 4096) });
    } else {
      const valid = close && !isCloseViolation(close) ? close : null;
      const code = valid ? valid.code : frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : null;
      const reason = valid ? valid.reason : '';
      this.observation.closeReceived = { t, code, reason };
      this.pushEvent({ kind: 'close', t, code, reason, length: frame.payload.length });
      this.onClose?.(code);
    }
  }

  private onData(frame: DecodedFrame, t: number): void {
    if (frame.opcode === Opcode.Continuation) {
      if (this.message === null) return; // continuation with nothing open: a violation, already recorded
    } else {
      if (this.message !== null) this.endPartialMessage(t);
      const utf8 = frame.opcode === Opcode.Text ? new Utf8Validator() : null;
      this.message = { opcode: frame.opcode, length: 0, frames: 0, hash: createHash('sha256'), kept: [], utf8 };
    }
    const m = this.message!;
    m.frames++;
    // RFC 7692 §6: a message with RSV1 on its first frame is compressed; the stage inflates it at its last frame.
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
    this.append(m, payload);
    if (frame.fin) this.endMessage(m, t);
  }

  private append(m: OpenMessage, payload: Uint8Array): void {
    m.length += payload.length;
    m.hash.update(payload);
    // RFC 6455 §8.1: text is UTF-8; checked as it arrives, so a long message is never kept whole for it.
    if (m.utf8 !== null && m.utf8.push(payload) !== -1) m.utf8 = null;
    if (m.kept === null) return;
    if (m.length <= this.limits.keepPayloadBytes && this.keptTotal + payload.length <= this.limits.keepTotalBytes) {
      m.kept.push(payload.slice());
      this.keptTotal += payload.length;
    } else {
      m.kept = null;
      this.observation.truncated = true;
    }
  }

  private endMessage(m: OpenMessage, t: number): void {
    this.message = null;
    this.messagesIn++;
    if (m.opcode === Opcode.Text && (m.utf8 === null || !m.utf8.end())) {
      this.pushEvent({ kind: 'violation', t, violation: violation('invalid-utf8', 'the target sent a text message that is not valid UTF-8'), opcode: m.opcode });
    }
    const event: ObservedEvent = { kind: 'message', t, opcode: m.opcode, frames: m.frames, length: m.length, sha256: m.hash.digest('hex') };
    if (m.kept !== null) event.bytes = m.kept.length === 1 ? m.kept[0]! : Buffer.concat(m.kept);
    this.pushEvent(event);
  }

  private endPartialMessage(t: number): void {
    const m = this.message;
    if (!m) return;
    this.message = null;
    this.pushEvent({ kind: 'partial-message', t, opcode: m.opcode, length: m.length });
  }

  /** The code our answer to the target's close carries (RFC 6455 §5.5.1: typically the echo; 1002 for an invalid code). */
  static answerCode(code: number | null): number | undefined {
    return code === null ? undefined : isValidWireCloseCode(code) ? code : 1002;
  }

  // ---- The end of TCP ----

  /** TCP ended (once; later calls are ignored). */
  ended(kind: TcpEndKind, detail?: string): void {
    const obs = this.observation;
    if (obs.tcpEnd !== null) return;
    const t = this.now();
    const buffered = this.bufferedBytes;
    obs.tcpEnd = detail !== undefined ? { t, kind, detail } : { t, kind };
    if (this.message !== null) this.endPartialMessage(t);
    if (this.handshakePending) this.handshakeDone({ ok: false, failure: 'closed', detail: `TCP ${kind} before a response` });
    this.record({ dir: 'local', kind: 'tcp', text: `${kind}${detail ? `: ${detail}` : ''}${buffered > 0 ? ` (${buffered} bytes of an unfinished frame)` : ''}` });
  }
}
