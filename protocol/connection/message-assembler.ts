// The receive side of a Connection: data frames assembled into messages within the size limit, text checked as
// UTF-8 while it arrives (fail-fast, RFC 6455 §8.1), extensions undone, and the message event made. Violations go
// to the Connection through `report`, which decides what they do to the connection.
import { allocForOverwrite } from '../bytes.js';
import { Opcode } from '../constants.js';
import type { MessageExtension } from '../extensions/extension.js';
import type { FrameDecoder } from '../frame/decoder.js';
import { rsvBits, type DecodedFrame } from '../frame/frame.js';
import { validateFrame } from '../frame/validate.js';
import { firstInvalidUtf8Index, Utf8Validator } from '../utf8.js';
import { violation, type Violation } from '../violations.js';
import { decodeText, LazyTextEvent, type ConnectionEvent } from './events.js';
import type { Role } from './options.js';

const EMPTY = new Uint8Array(0);
const NO_MESSAGE = -1;
const UNCHECKED = -1;
const NOT_CHECKED = -2;
/** RSV1 as rsvBits() packs it. */
const RSV1 = 4;

export interface AssemblerOptions {
  role: Role;
  /** Under strict a violation ends the message (and the Connection fails); under observe assembly goes on. */
  strict: boolean;
  maxMessageSize: number;
  /** RSV bits the negotiated extensions give meaning to (rsvBits() packing). */
  allowedRsv: number;
  extensions: readonly MessageExtension[];
  textAsBytes: boolean;
  report: (v: Violation) => void;
}

export class MessageAssembler {
  private readonly role: Role;
  private readonly strict: boolean;
  private readonly maxMessageSize: number;
  private readonly allowedRsv: number;
  private readonly extensions: readonly MessageExtension[];
  private readonly textAsBytes: boolean;
  private readonly report: (v: Violation) => void;

  // The incoming message being assembled (opcode NO_MESSAGE when none is open).
  private msgOpcode = NO_MESSAGE;
  private msgRsv = 0;
  private msgParts: Uint8Array[] = [];
  private msgSize = 0;
  /** Text checked fragment by fragment (false for compressed text: checked after decoding). */
  private msgCheckUtf8 = false;
  private msgBad = false;
  private readonly utf8 = new Utf8Validator();
  /** message-too-big already reported from the pending frame's header. */
  private tooBigReported = false;
  /**
   * UTF-8 fail-fast inside one frame (checkPartialUtf8): bytes of the text frame in progress already checked,
   * UNCHECKED before its first piece is looked at, NOT_CHECKED when it is not checked piece by piece.
   */
  private earlyUtf8 = UNCHECKED;

  constructor(opts: AssemblerOptions) {
    this.role = opts.role;
    this.strict = opts.strict;
    this.maxMessageSize = opts.maxMessageSize;
    this.allowedRsv = opts.allowedRsv;
    this.extensions = opts.extensions;
    this.textAsBytes = opts.textAsBytes;
    this.report = opts.report;
  }

  /** A fragmented message is open (the next data frame must be a continuation, RFC 6455 §5.4). */
  get messageOpen(): boolean {
    return this.msgOpcode !== NO_MESSAGE;
  }

  /** A whole frame is in: how many bytes at the start of its payload checkPartialUtf8 already checked. */
  takeEarlyChecked(): number {
    const early = this.earlyUtf8 > 0 ? this.earlyUtf8 : 0;
    this.earlyUtf8 = UNCHECKED;
    return early;
  }

  /** Drops the message in progress (close, failure, end of the connection). */
  reset(): void {
    this.msgOpcode = NO_MESSAGE;
    this.msgRsv = 0;
    if (this.msgParts.length > 0) this.msgParts = [];
    this.msgSize = 0;
    this.msgCheckUtf8 = false;
    this.msgBad = false;
    this.utf8.reset();
    // A frame in progress checked early belonged to the message just dropped: it is checked whole when complete.
    if (this.earlyUtf8 >= 0) this.earlyUtf8 = NOT_CHECKED;
  }

  /**
   * A data frame that passed validation (or any, under observe); `early`: bytes at the start of its payload
   * already checked as UTF-8. Returns the message event when the frame completes a message.
   */
  onDataFrame(frame: DecodedFrame, early: number): ConnectionEvent | null {
    const payload = frame.payload;
    const n = payload.length;
    if (frame.opcode !== Opcode.Continuation) {
      const rsv = rsvBits(frame);
      if (early === 0) {
        // A new message (under observe it may replace one left open: already reported).
        if (this.msgOpcode !== NO_MESSAGE || this.msgBad) this.reset();
        this.msgCheckUtf8 = frame.opcode === Opcode.Text && (rsv & this.allowedRsv) === 0;
        if (this.msgCheckUtf8) this.utf8.reset();
      }
      this.msgRsv = rsv;
      if (!this.checkSize(n)) return null;
      if (this.msgCheckUtf8 && !this.checkUtf8(early === 0 ? payload : payload.subarray(early), early, frame.fin)) return null;
      if (frame.fin) return this.deliver(frame.opcode, payload, rsv);
      this.msgOpcode = frame.opcode;
      this.msgParts.push(payload);
      this.msgSize = n;
      return null;
    }
    if (this.msgOpcode === NO_MESSAGE) return null; // continuation with no message, under observe: already reported
    const offset = this.msgSize;
    this.msgSize += n;
    if (!this.checkSize(this.msgSize)) return null;
    if (this.msgCheckUtf8 && !this.checkUtf8(early === 0 ? payload : payload.subarray(early), offset + early, frame.fin)) return null;
    if (n > 0) this.msgParts.push(payload);
    if (!frame.fin) return null;
    const parts = this.msgParts;
    let whole: Uint8Array;
    if (parts.length === 1) whole = parts[0]!;
    else {
      whole = allocForOverwrite(this.msgSize);
      let at = 0;
      for (const part of parts) {
        whole.set(part, at);
        at += part.length;
      }
    }
    const op = this.msgOpcode;
    const rsv = this.msgRsv;
    this.reset();
    return this.deliver(op, whole, rsv);
  }

  /** A data frame whose header is in but whose payload is not: report a too-big message now, not after it arrives. */
  checkPendingSize(decoder: FrameDecoder): void {
    const pending = decoder.pendingPayloadLength;
    if (pending < 0 || this.tooBigReported || this.maxMessageSize === Infinity) return;
    const op = decoder.pendingOpcode;
    if (op > Opcode.Binary) return;
    const total = (op === Opcode.Continuation && this.msgOpcode !== NO_MESSAGE ? this.msgSize : 0) + pending;
    if (total > this.maxMessageSize) {
      this.tooBigReported = true;
      this.report(violation('message-too-big', `message of at least ${total} bytes > limit ${this.maxMessageSize}`));
    }
  }

  /**
   * RFC 6455 §8.1 fail-fast inside one frame: the payload of a text frame (or of a continuation of text) that has
   * not fully arrived is checked as UTF-8 piece by piece, so invalid text fails the connection at the first invalid
   * byte, not once the whole frame is in. Only frames whose header is valid are checked early; a frame that arrives
   * in one chunk never gets here. checkUtf8 checks the rest when the frame completes. The Connection calls this only
   * while a frame is pending and neither side has failed or received a Close.
   */
  checkPartialUtf8(decoder: FrameDecoder): void {
    if (this.earlyUtf8 === NOT_CHECKED) return;
    const bytes = decoder.partialPayload();
    if (bytes === null || bytes.length === 0) return;
    if (this.earlyUtf8 === UNCHECKED) {
      const op = decoder.pendingOpcode;
      const header = decoder.pendingHeader!;
      const isText = op === Opcode.Text && ((header.rsv1 ? RSV1 : 0) & this.allowedRsv) === 0;
      const isTextContinuation = op === Opcode.Continuation && this.msgOpcode === Opcode.Text && this.msgCheckUtf8 && !this.msgBad;
      const n = header.payloadLength;
      const v =
        isText || isTextContinuation
          ? validateFrame({ ...header, payload: EMPTY }, { role: this.role, allowedRsv: this.allowedRsv, messageOpen: this.msgOpcode !== NO_MESSAGE, checkMinimalLength: false })
          : null;
      // The minimal-length rule needs the payload length, which the header has (validateFrame reads the payload's).
      const minimal = header.lengthForm === (n < 126 ? 7 : n < 0x10000 ? 16 : 64);
      if (!(isText || isTextContinuation) || v !== null || !minimal) {
        this.earlyUtf8 = NOT_CHECKED;
        return;
      }
      if (isText) {
        // The message starts here rather than when the frame completes (onDataFrame skips its own start).
        this.reset();
        this.msgCheckUtf8 = true;
      }
      this.earlyUtf8 = 0;
    }
    if (this.msgBad) return;
    const offset = (decoder.pendingOpcode === Opcode.Continuation ? this.msgSize : 0) + this.earlyUtf8;
    this.earlyUtf8 += bytes.length;
    const at = this.utf8.push(bytes);
    if (at === -1) return;
    this.msgBad = true;
    this.report(violation('invalid-utf8', `text is not UTF-8 at byte ${offset + at} of the message`));
  }

  /** RFC 6455 §10.4: an endpoint may refuse frames and messages above its limits, with 1009 (§7.4.1). */
  private checkSize(size: number): boolean {
    if (size <= this.maxMessageSize) return true;
    if (this.tooBigReported) {
      this.tooBigReported = false;
      return !this.strict;
    }
    this.report(violation('message-too-big', `message of ${size} bytes > limit ${this.maxMessageSize}`));
    return !this.strict;
  }

  /**
   * RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not,
   * in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_." Checked per fragment, so
   * the first bad fragment fails the message (fail-fast) before the rest arrives.
   */
  private checkUtf8(bytes: Uint8Array, messageOffset: number, fin: boolean): boolean {
    if (this.msgBad) return true;
    const at = this.utf8.push(bytes);
    let problem: string | null = null;
    if (at !== -1) problem = `text is not UTF-8 at byte ${messageOffset + at} of the message`;
    else if (fin && !this.utf8.end()) problem = 'text message ends inside a UTF-8 sequence';
    if (problem === null) return true;
    this.msgBad = true;
    this.report(violation('invalid-utf8', problem));
    return !this.strict;
  }

  private deliver(opcode: number, payload: Uint8Array, rsv: number): ConnectionEvent | null {
    let data = payload;
    const compressed = (rsv & this.allowedRsv) !== 0;
    if (compressed) {
      // RFC 6455 §9: extensions were applied in the order of negotiation when sending, so they are undone in
      // reverse; each only on messages carrying its bit.
      for (let i = this.extensions.length - 1; i >= 0; i--) {
        const ext = this.extensions[i]!;
        if ((ext.rsvMask & rsv) === 0) continue;
        const out = ext.decode({ rsv1: (rsv & RSV1) !== 0, opcode, payload: data });
        if (!(out instanceof Uint8Array)) {
          this.report(out);
          return null;
        }
        data = out;
      }
      if (data.length > this.maxMessageSize) {
        this.report(violation('message-too-big', `decoded message of ${data.length} bytes > limit ${this.maxMessageSize}`));
        if (this.strict) return null;
      }
      if (opcode === Opcode.Text) {
        const at = firstInvalidUtf8Index(data);
        if (at !== -1) {
          this.report(violation('invalid-utf8', at === data.length ? 'text message ends inside a UTF-8 sequence' : `text is not UTF-8 at byte ${at} of the message`));
          if (this.strict) return null;
        }
      }
    }
    if (opcode !== Opcode.Text) return { type: 'binary', data };
    if (this.textAsBytes) return new LazyTextEvent(data);
    return { type: 'text', data: decodeText(data) };
  }
}
