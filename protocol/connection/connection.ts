// The sans-I/O WebSocket connection (RFC 6455 §5-§7): bytes in through receive()/receiveEof(), events and bytes to
// write out through drain(). It never touches a socket or a timer; the close timeout lives in peers/.
// A peer's misbehaviour never throws: it becomes a 'violation' event and, under the strict policy, the connection
// is failed with the violation's close code. Under 'observe' decoding goes on, so a harness sees what comes next.
import { Buffer } from 'node:buffer';
import { allocForOverwrite } from '../bytes.js';
import { decodeClosePayload, encodeClosePayload, isCloseViolation } from '../close.js';
import { CloseCode, MAX_CONTROL_PAYLOAD, Opcode } from '../constants.js';
import { cryptoEntropy, type Entropy } from '../entropy.js';
import type { MessageExtension } from '../extensions/extension.js';
import { FrameDecoder } from '../frame/decoder.js';
import { encodeHeader, maskedPayload } from '../frame/encode.js';
import type { DecodedFrame, Frame } from '../frame/frame.js';
import { validateFrame } from '../frame/validate.js';
import { firstInvalidUtf8Index, Utf8Validator } from '../utf8.js';
import { violation, type Violation } from '../violations.js';

export type Role = 'client' | 'server';
export type Policy = 'strict' | 'observe';
export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

export interface ConnectionOptions {
  role: Role;
  /** Default 'strict'. */
  policy?: Policy;
  /** Largest message (all fragments, after extensions) accepted; above it: 'message-too-big' (1009). */
  maxMessageSize?: number;
  /** Largest frame payload accepted; above it: 'frame-too-big' (1009), reported once the header is in. */
  maxFrameSize?: number;
  /** Source of client masking keys. Default: cryptographic. */
  entropy?: Entropy;
  /** Negotiated extensions, in the order of the handshake response. */
  extensions?: MessageExtension[];
  /** Answer pings with pongs carrying the same payload. Default true. */
  autoPong?: boolean;
  /** Default 'open': peers run the HTTP handshake first. 'connecting' buffers input until open(). */
  state?: ConnectionState;
  /** Emit a 'frame' event for every received frame (transcripts). Default true; load clients turn it off. */
  frameEvents?: boolean;
  /**
   * Text events also carry the message's validated UTF-8 `bytes`, and their `data` string is decoded only when
   * read (an echo server sends the bytes back without decoding and re-encoding them). Default false.
   */
  textAsBytes?: boolean;
}

export type ConnectionEvent =
  | { type: 'frame'; frame: Frame }
  | { type: 'text'; data: string; /** With `textAsBytes`: the message's UTF-8 bytes. */ bytes?: Uint8Array }
  | { type: 'binary'; data: Uint8Array }
  | { type: 'ping'; payload: Uint8Array }
  | { type: 'pong'; payload: Uint8Array }
  | { type: 'close'; code: number | null; reason: string }
  | { type: 'violation'; violation: Violation }
  | { type: 'closed'; code: number; reason: string; wasClean: boolean };

export interface SendOptions {
  /** Payload sizes of the frames to split the message into; bytes left over go into one last frame. */
  fragments?: number[];
}

/** Receives the writes of drainWrites(): `chunks[0]` to `chunks[count - 1]`, valid only during the call. */
export type WritesSink = (chunks: readonly Uint8Array[], count: number) => void;

export interface Drained {
  events: ConnectionEvent[];
  writes: Uint8Array[];
  /** True once the caller should end TCP (stays true). */
  eof: boolean;
}

const EMPTY = new Uint8Array(0);
const NO_MESSAGE = -1;
const UNCHECKED = -1;
const NOT_CHECKED = -2;

/** The reply to the peer's Close (its payload), or the failure close for a violation under strict. */
type HeldClose = { kind: 'reply'; payload: Uint8Array } | { kind: 'fail'; code: number; reason: string };
const utf8Encoder = new TextEncoder();

/** UTF-8 to string, keeping a leading U+FEFF (TextDecoder would strip it) and replacing bad bytes. */
function decodeText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** A text event of a `textAsBytes` connection: the string is decoded on first read, if ever. */
class LazyTextEvent {
  readonly type = 'text' as const;
  private text: string | undefined = undefined;
  constructor(readonly bytes: Uint8Array) {}
  get data(): string {
    this.text ??= decodeText(this.bytes);
    return this.text;
  }
}

/** A close reason of at most 123 bytes (RFC 6455 §5.5: control payload <= 125, 2 of them the code). */
function closeReason(text: string): Uint8Array {
  const bytes = utf8Encoder.encode(text);
  if (bytes.length <= MAX_CONTROL_PAYLOAD - 2) return bytes;
  let end = MAX_CONTROL_PAYLOAD - 2;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // do not cut a character in half
  return bytes.subarray(0, end);
}

export class Connection {
  readonly role: Role;
  readonly policy: Policy;
  private current: ConnectionState;
  private readonly decoder: FrameDecoder;
  private readonly entropy: Entropy;
  private readonly extensions: MessageExtension[];
  private readonly allowedRsv: number;
  private readonly maxMessageSize: number;
  private readonly autoPong: boolean;
  private readonly frameEvents: boolean;
  private readonly textAsBytes: boolean;
  private readonly peerRole: Role;

  // Queued events and writes: slots [0, count) of arrays that drainEvents()/drainWrites() reuse (a spare one takes
  // what is queued during a dispatch; null while in use); drain() hands the filled array over instead.
  private events: (ConnectionEvent | undefined)[] = [];
  private eventCount = 0;
  private spareEvents: (ConnectionEvent | undefined)[] | null = [];
  private writes: (Uint8Array | undefined)[] = [];
  private writeCount = 0;
  private spareWrites: (Uint8Array | undefined)[] | null = [];
  private eof = false;

  private closeSent = false;
  private closeReceived = false;
  private receivedCode: number | null = null;
  private receivedReason = '';
  /** We failed the connection (a violation under strict, or fail()): only a close from the peer matters now. */
  private failing = false;
  private frameAfterCloseReported = false;

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

  /** A close that processing input made due, held until the events before it are handed out (see drain()). */
  private heldClose: HeldClose | null = null;

  /** A fragmented message sent through sendFrame is open. */
  private sendMessageOpen = false;

  constructor(opts: ConnectionOptions) {
    this.role = opts.role;
    this.peerRole = opts.role === 'client' ? 'server' : 'client';
    this.policy = opts.policy ?? 'strict';
    this.current = opts.state ?? 'open';
    this.decoder = new FrameDecoder(opts.maxFrameSize === undefined ? {} : { maxPayload: opts.maxFrameSize });
    this.entropy = opts.entropy ?? cryptoEntropy();
    this.extensions = opts.extensions ?? [];
    let rsv = 0;
    for (const ext of this.extensions) rsv |= ext.rsvMask;
    this.allowedRsv = rsv & 7;
    this.maxMessageSize = opts.maxMessageSize ?? Infinity;
    this.autoPong = opts.autoPong ?? true;
    this.frameEvents = opts.frameEvents ?? true;
    this.textAsBytes = opts.textAsBytes ?? false;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** connecting -> open (after the HTTP handshake); decodes input buffered meanwhile. */
  open(): void {
    if (this.current !== 'connecting') return;
    this.current = 'open';
    this.process();
  }

  receive(bytes: Uint8Array): void {
    if (this.current === 'closed' && this.policy === 'strict') return;
    this.decoder.push(bytes);
    if (this.current === 'connecting') return;
    this.process();
  }

  /** The peer closed TCP (or it broke). */
  receiveEof(): void {
    if (this.heldClose !== null) this.releaseClose();
    if (this.current === 'closed') return;
    if (!(this.closeSent && this.closeReceived)) {
      // RFC 6455 §7.1.5: closed with no Close frame received: the close code is 1006. A peer that owed us a Close
      // frame (none sent, or ours unanswered, §5.5.1) and dropped TCP instead is reported.
      if (!this.closeReceived && !this.failing) {
        const pending = this.decoder.buffered > 0 ? ` (${this.decoder.buffered} bytes of an unfinished frame)` : '';
        this.emit({ type: 'violation', violation: violation('unexpected-eof', `TCP closed without a close handshake${pending}`) });
      }
    }
    this.eof = true;
    this.finish();
  }

  sendText(data: string | Uint8Array, opts?: SendOptions): boolean {
    return this.sendMessage(Opcode.Text, typeof data === 'string' ? utf8Encoder.encode(data) : data, opts);
  }

  sendBinary(data: Uint8Array, opts?: SendOptions): boolean {
    return this.sendMessage(Opcode.Binary, data, opts);
  }

  /**
   * Sends one frame, masked per role, after checking it is legal for the peer to receive (throws TypeError if not:
   * illegal frames are the raw peer's business). Tracks fragmented messages so control frames can go in between.
   */
  sendFrame(frame: Partial<Frame> & { opcode: number; payload: Uint8Array }): boolean {
    const fin = frame.fin ?? true;
    const rsv1 = frame.rsv1 ?? false;
    const rsv2 = frame.rsv2 ?? false;
    const rsv3 = frame.rsv3 ?? false;
    const v = validateFrame(
      { fin, rsv1, rsv2, rsv3, opcode: frame.opcode, masked: this.role === 'client', payload: frame.payload },
      { role: this.peerRole, allowedRsv: this.allowedRsv, messageOpen: this.sendMessageOpen },
    );
    if (v !== null) throw new TypeError(`sendFrame: ${v.message}`);
    const op = frame.opcode;
    if (op === Opcode.Close) {
      const close = decodeClosePayload(frame.payload) as { code: number | null; reason: string };
      return this.sendClose(close.code ?? undefined, close.reason || undefined);
    }
    if (op === Opcode.Ping || op === Opcode.Pong) {
      if (!this.canSendControl()) return false;
      this.writeFrame(op, frame.payload, true, false, false, false);
      return true;
    }
    if (this.current !== 'open') return false;
    this.writeFrame(op, frame.payload, fin, rsv1, rsv2, rsv3);
    this.sendMessageOpen = !fin;
    return true;
  }

  sendPing(payload: Uint8Array = EMPTY): boolean {
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`RFC 6455 §5.5: ping payload ${payload.length} > 125`);
    if (!this.canSendControl()) return false;
    this.writeFrame(Opcode.Ping, payload, true, false, false, false);
    return true;
  }

  sendPong(payload: Uint8Array = EMPTY): boolean {
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`RFC 6455 §5.5: pong payload ${payload.length} > 125`);
    if (!this.canSendControl()) return false;
    this.writeFrame(Opcode.Pong, payload, true, false, false, false);
    return true;
  }

  /**
   * Starts (or, after the peer's Close, completes) the close handshake. Without a code the Close frame is empty.
   * Any 16-bit code can be sent (a harness may send invalid ones on purpose); the reason must fit in 123 bytes.
   */
  sendClose(code?: number, reason?: string): boolean {
    if (this.closeSent || this.current === 'closed' || this.current === 'connecting') return false;
    const payload = encodeClosePayload(code, reason);
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError('RFC 6455 §5.5: close reason longer than 123 bytes');
    this.writeClose(payload);
    return true;
  }

  /**
   * Fails the connection (RFC 6455 §7.1.7): a Close frame with `code`, then EOF per role. The server closes TCP
   * at once (§7.1.1: "the server MUST close the underlying TCP connection immediately"); the client waits for the
   * server to close it (or for the caller's timeout, in peers/).
   */
  fail(code: number, reason?: string): void {
    if (this.current === 'closed') return;
    this.failing = true;
    this.resetMessage();
    if (!this.closeSent && this.current !== 'connecting') {
      const payload = encodeClosePayload(code, reason === undefined ? undefined : closeReason(reason));
      this.writeClose(payload);
    }
    if (this.role === 'server' || this.current === 'connecting') {
      this.eof = true;
      this.finish();
    } else if (this.current === 'open') {
      this.current = 'closing';
    }
  }

  /**
   * Hands out the events and the bytes to write. The caller reacts to the events (which may queue sends), then
   * drains again, until a drain returns no events.
   *
   * The order rule: a Close that processing input made due (the reply to the peer's Close, or under strict the
   * failure close for a violation) is held, and input behind it waits, until a drain finds no events left to hand
   * out: the events before it were handed out earlier and whatever the application sent in reaction is already
   * queued, so it goes out ahead of the Close. Echoing a message that arrived in the same TCP read as the Close
   * (or as invalid data) is then not lost behind it. RFC 6455 §5.5.1 allows the wait: "If an endpoint receives a
   * Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response. ...
   * It SHOULD do so as soon as practical. An endpoint MAY delay sending a Close frame until its current message is
   * sent"; and §7.1.7 only asks that a failing endpoint "SHOULD send a Close frame with an appropriate status code
   * ... before proceeding to _Close the WebSocket Connection_", not that data received intact before the failure
   * be dropped. While a Close is held the state stays 'open', so sends still work; the application's own
   * sendClose() or fail() meanwhile replaces the held one. receiveEof() releases it at once.
   */
  drain(): Drained {
    if (this.heldClose !== null && this.eventCount === 0) this.releaseClose();
    let events: ConnectionEvent[] = [];
    if (this.eventCount > 0) {
      const list = this.events;
      list.length = this.eventCount;
      events = list as ConnectionEvent[];
      this.events = [];
      this.eventCount = 0;
    }
    let writes: Uint8Array[] = [];
    if (this.writeCount > 0) {
      const list = this.writes;
      list.length = this.writeCount;
      writes = list as Uint8Array[];
      this.writes = [];
      this.writeCount = 0;
    }
    return { events, writes, eof: this.eof };
  }

  /**
   * drain() without allocating, for a transport's hot path, in three calls made in this order: drainWrites() (the
   * writes, handed to `sink`), then `eofRequested`, then drainEvents() (the events, handed to `handler` one by one).
   * Together they do what one drain() does, the order rule included; repeat until drainEvents() returns 0.
   */
  drainWrites(sink: WritesSink): void {
    if (this.heldClose !== null && this.eventCount === 0) this.releaseClose();
    const n = this.writeCount;
    if (n === 0) return;
    const list = this.writes;
    this.writes = this.spareWrites ?? [];
    this.spareWrites = null;
    this.writeCount = 0;
    try {
      sink(list as Uint8Array[], n);
    } finally {
      for (let i = 0; i < n; i++) list[i] = undefined;
      this.spareWrites = list;
    }
  }

  /** drain()'s `eof`: true once the caller should end TCP (stays true). See drainWrites(). */
  get eofRequested(): boolean {
    return this.eof;
  }

  /**
   * Calls `handler` for each queued event, in order, and returns how many there were; events queued meanwhile (by
   * a handler's sends) wait for the next call. See drainWrites().
   */
  drainEvents(handler: (event: ConnectionEvent) => void): number {
    const n = this.eventCount;
    if (n === 0) return 0;
    const list = this.events;
    this.events = this.spareEvents ?? [];
    this.spareEvents = null;
    this.eventCount = 0;
    try {
      for (let i = 0; i < n; i++) {
        const event = list[i]!;
        list[i] = undefined;
        handler(event);
      }
    } finally {
      for (let i = 0; i < n; i++) list[i] = undefined;
      this.spareEvents = list;
    }
    return n;
  }

  private emit(event: ConnectionEvent): void {
    this.events[this.eventCount++] = event;
  }

  // ---- receiving ----

  private process(): void {
    const decoder = this.decoder;
    for (;;) {
      if (this.current === 'closed' && this.policy === 'strict') return;
      // Input behind a held Close waits for its release (drain()).
      if (this.heldClose !== null) return;
      const r = decoder.poll();
      if (r === null) break;
      if ('opcode' in r) this.onFrame(r);
      else this.onViolation(r);
    }
    this.checkPendingSize();
    if (this.heldClose === null && decoder.pendingOpcode >= 0) this.checkPartialUtf8();
  }

  /** Sends the held Close (unless the application closed or failed meanwhile), then decodes the input behind it. */
  private releaseClose(): void {
    const held = this.heldClose!;
    this.heldClose = null;
    if (held.kind === 'reply') {
      if (!this.closeSent && this.current !== 'closed') this.writeClose(held.payload);
    } else {
      this.fail(held.code, held.reason);
    }
    if (this.current !== 'connecting') this.process();
  }

  /** A data frame whose header is in but whose payload is not: report a too-big message now, not after it arrives. */
  private checkPendingSize(): void {
    const pending = this.decoder.pendingPayloadLength;
    if (pending < 0 || this.tooBigReported || this.maxMessageSize === Infinity) return;
    const op = this.decoder.pendingOpcode;
    if (op > Opcode.Binary) return;
    const total = (op === Opcode.Continuation && this.msgOpcode !== NO_MESSAGE ? this.msgSize : 0) + pending;
    if (total > this.maxMessageSize) {
      this.tooBigReported = true;
      this.onViolation(violation('message-too-big', `message of at least ${total} bytes > limit ${this.maxMessageSize}`));
    }
  }

  /**
   * RFC 6455 §8.1 fail-fast inside one frame: the payload of a text frame (or of a continuation of text) that has
   * not fully arrived is checked as UTF-8 piece by piece, so invalid text fails the connection at the first invalid
   * byte, not once the whole frame is in. Only frames whose header is valid are checked early; a frame that arrives
   * in one chunk never gets here. checkUtf8 checks the rest when the frame completes.
   */
  private checkPartialUtf8(): void {
    if (this.earlyUtf8 === NOT_CHECKED || this.failing || this.closeReceived) return;
    const bytes = this.decoder.partialPayload();
    if (bytes === null || bytes.length === 0) return;
    if (this.earlyUtf8 === UNCHECKED) {
      const op = this.decoder.pendingOpcode;
      const header = this.decoder.pendingHeader!;
      const isText = op === Opcode.Text && ((header.rsv1 ? 4 : 0) & this.allowedRsv) === 0;
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
        this.resetMessage();
        this.msgCheckUtf8 = true;
      }
      this.earlyUtf8 = 0;
    }
    if (this.msgBad) return;
    const offset = (this.decoder.pendingOpcode === Opcode.Continuation ? this.msgSize : 0) + this.earlyUtf8;
    this.earlyUtf8 += bytes.length;
    const at = this.utf8.push(bytes);
    if (at === -1) return;
    this.msgBad = true;
    this.onViolation(violation('invalid-utf8', `text is not UTF-8 at byte ${offset + at} of the message`));
  }

  private onFrame(frame: DecodedFrame): void {
    // Bytes of this frame's payload already checked as UTF-8 while it arrived.
    const early = this.earlyUtf8 > 0 ? this.earlyUtf8 : 0;
    this.earlyUtf8 = UNCHECKED;
    if (this.frameEvents) this.emit({ type: 'frame', frame });
    const op = frame.opcode;
    const strict = this.policy === 'strict';
    if (this.failing && strict) {
      // After failing we only wait for the peer's Close (RFC 6455 §7.1.7); everything else is ignored.
      if (op === Opcode.Close) this.onClose(frame, null);
      return;
    }
    if (this.closeReceived) {
      // RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a Close frame."
      if (!this.frameAfterCloseReported) {
        this.frameAfterCloseReported = true;
        this.emit({
          type: 'violation',
          violation: violation('frame-after-close', `${op === Opcode.Close ? 'second close' : 'frame'} received after a close frame`),
        });
      }
      if (strict) return;
    }
    const v = validateFrame(frame, { role: this.role, allowedRsv: this.allowedRsv, messageOpen: this.msgOpcode !== NO_MESSAGE });
    if (v !== null) {
      this.onViolation(v);
      if (strict) return;
    }
    switch (op) {
      case Opcode.Continuation:
      case Opcode.Text:
      case Opcode.Binary:
        this.onDataFrame(frame, early);
        return;
      case Opcode.Close:
        this.onClose(frame, v);
        return;
      case Opcode.Ping:
        this.emit({ type: 'ping', payload: frame.payload });
        // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it
        // already received a Close frame." §5.5.3: "A Pong frame sent in response to a Ping frame must have
        // identical "Application data" as found in the message body of the Ping frame being replied to."
        if (this.autoPong && !this.closeReceived && frame.payload.length <= MAX_CONTROL_PAYLOAD && this.canSendControl()) {
          this.writeFrame(Opcode.Pong, frame.payload, true, false, false, false);
        }
        return;
      case Opcode.Pong:
        this.emit({ type: 'pong', payload: frame.payload });
        return;
      default:
        return; // a reserved opcode under observe: already reported
    }
  }

  /** `early`: bytes at the start of the payload already checked as UTF-8 (checkPartialUtf8). */
  private onDataFrame(frame: DecodedFrame, early: number): void {
    const payload = frame.payload;
    const n = payload.length;
    if (frame.opcode !== Opcode.Continuation) {
      const rsv = (frame.rsv1 ? 4 : 0) | (frame.rsv2 ? 2 : 0) | (frame.rsv3 ? 1 : 0);
      if (early === 0) {
        // A new message (under observe it may replace one left open: already reported).
        if (this.msgOpcode !== NO_MESSAGE || this.msgBad) this.resetMessage();
        this.msgCheckUtf8 = frame.opcode === Opcode.Text && (rsv & this.allowedRsv) === 0;
        if (this.msgCheckUtf8) this.utf8.reset();
      }
      this.msgRsv = rsv;
      if (!this.checkSize(n)) return;
      if (this.msgCheckUtf8 && !this.checkUtf8(early === 0 ? payload : payload.subarray(early), early, frame.fin)) return;
      if (frame.fin) {
        this.deliver(frame.opcode, payload, rsv);
        return;
      }
      this.msgOpcode = frame.opcode;
      this.msgParts.push(payload);
      this.msgSize = n;
      return;
    }
    if (this.msgOpcode === NO_MESSAGE) return; // continuation with no message, under observe: already reported
    const offset = this.msgSize;
    this.msgSize += n;
    if (!this.checkSize(this.msgSize)) return;
    if (this.msgCheckUtf8 && !this.checkUtf8(early === 0 ? payload : payload.subarray(early), offset + early, frame.fin)) return;
    if (n > 0) this.msgParts.push(payload);
    if (!frame.fin) return;
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
    this.resetMessage();
    this.deliver(op, whole, rsv);
  }

  /** RFC 6455 §10.4: an endpoint may refuse frames and messages above its limits, with 1009 (§7.4.1). */
  private checkSize(size: number): boolean {
    if (size <= this.maxMessageSize) return true;
    if (this.tooBigReported) {
      this.tooBigReported = false;
      return this.policy !== 'strict';
    }
    this.onViolation(violation('message-too-big', `message of ${size} bytes > limit ${this.maxMessageSize}`));
    return this.policy !== 'strict';
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
    this.onViolation(violation('invalid-utf8', problem));
    return this.policy !== 'strict';
  }

  private deliver(opcode: number, payload: Uint8Array, rsv: number): void {
    let data = payload;
    const compressed = (rsv & this.allowedRsv) !== 0;
    if (compressed) {
      // RFC 6455 §9: extensions were applied in the order of negotiation when sending, so they are undone in
      // reverse; each only on messages carrying its bit.
      for (let i = this.extensions.length - 1; i >= 0; i--) {
        const ext = this.extensions[i]!;
        if ((ext.rsvMask & rsv) === 0) continue;
        const out = ext.decode({ rsv1: (rsv & 4) !== 0, opcode, payload: data });
        if (!(out instanceof Uint8Array)) {
          this.onViolation(out);
          return;
        }
        data = out;
      }
      if (data.length > this.maxMessageSize) {
        this.onViolation(violation('message-too-big', `decoded message of ${data.length} bytes > limit ${this.maxMessageSize}`));
        if (this.policy === 'strict') return;
      }
      if (opcode === Opcode.Text) {
        const at = firstInvalidUtf8Index(data);
        if (at !== -1) {
          this.onViolation(violation('invalid-utf8', at === data.length ? 'text message ends inside a UTF-8 sequence' : `text is not UTF-8 at byte ${at} of the message`));
          if (this.policy === 'strict') return;
        }
      }
    }
    if (opcode !== Opcode.Text) this.emit({ type: 'binary', data });
    else if (this.textAsBytes) this.emit(new LazyTextEvent(data));
    else this.emit({ type: 'text', data: decodeText(data) });
  }

  private onClose(frame: DecodedFrame, v: Violation | null): void {
    const wasReceived = this.closeReceived;
    let code: number | null = null;
    let reason = '';
    const parsed = decodeClosePayload(frame.payload);
    if (!isCloseViolation(parsed)) {
      code = parsed.code;
      reason = parsed.reason;
    } else if (frame.payload.length >= 2) {
      // Observe: report what arrived anyway.
      code = (frame.payload[0]! << 8) | frame.payload[1]!;
      reason = decodeText(frame.payload.subarray(2));
    }
    if (wasReceived) return; // a second close, under observe: already reported
    this.closeReceived = true;
    this.receivedCode = code;
    this.receivedReason = reason;
    this.resetMessage();
    this.emit({ type: 'close', code, reason });
    if (!this.closeSent) {
      // RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the
      // endpoint MUST send a Close frame in response. (When sending a Close frame in response, the endpoint
      // typically echos the status code it received.)" A Close with no code is answered with an empty Close: there
      // is no code to echo, and 1005 "MUST NOT be set as a status code in a Close control frame" (§7.4.1).
      // Under observe, a Close we found invalid is answered with the code that invalidity calls for.
      const reply = v !== null ? encodeClosePayload(v.closeCode) : encodeClosePayload(code ?? undefined);
      this.heldClose = { kind: 'reply', payload: reply };
      return;
    }
    this.afterHandshake();
  }

  private onViolation(v: Violation): void {
    if ((this.failing || this.heldClose?.kind === 'fail') && this.policy === 'strict') return;
    this.emit({ type: 'violation', violation: v });
    // RFC 6455 §7.1.7: "_Fail the WebSocket Connection_ ... the endpoint SHOULD send a Close frame with an
    // appropriate status code (Section 7.4) before proceeding to _Close the WebSocket Connection_." Held until the
    // events before it are handed out (drain()).
    if (this.policy === 'strict' && this.heldClose === null) this.heldClose = { kind: 'fail', code: v.closeCode, reason: v.message };
  }

  // ---- sending ----

  private canSendControl(): boolean {
    return !this.closeSent && (this.current === 'open' || this.current === 'closing');
  }

  private sendMessage(opcode: number, data: Uint8Array, opts: SendOptions | undefined): boolean {
    // RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a Close frame."
    if (this.current !== 'open') return false;
    if (this.sendMessageOpen) throw new Error('a fragmented message sent with sendFrame is still open');
    let payload = data;
    let rsv1 = false;
    for (const ext of this.extensions) {
      const out = ext.encode({ opcode, payload });
      payload = out.payload;
      rsv1 ||= out.rsv1;
    }
    const sizes = opts?.fragments;
    if (sizes === undefined || sizes.length === 0) {
      this.writeFrame(opcode, payload, true, rsv1, false, false);
      return true;
    }
    // RFC 6455 §5.4: first frame with the opcode, the rest continuations, FIN on the last; RFC 7692 §6: RSV1 on the
    // first frame only.
    let at = 0;
    let first = true;
    for (let i = 0; i < sizes.length; i++) {
      const size = Math.max(0, Math.min(sizes[i]!, payload.length - at));
      const last = i === sizes.length - 1 && at + size === payload.length;
      this.writeFrame(first ? opcode : Opcode.Continuation, payload.subarray(at, at + size), last, first && rsv1, false, false);
      first = false;
      at += size;
      if (last) return true;
    }
    this.writeFrame(Opcode.Continuation, payload.subarray(at), true, false, false, false);
    return true;
  }

  private writeFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv1: boolean, rsv2: boolean, rsv3: boolean): void {
    let mask: Uint8Array | null = null;
    if (this.role === 'client') {
      // RFC 6455 §5.3: "The masking key is a 32-bit value chosen at random by the client ... MUST pick a fresh
      // masking key for each frame".
      mask = new Uint8Array(4);
      this.entropy.fill(mask);
    }
    const b0 = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | (rsv3 ? 0x10 : 0) | opcode;
    this.writes[this.writeCount++] = encodeHeader(b0, payload.length, mask);
    if (payload.length > 0) this.writes[this.writeCount++] = maskedPayload(payload, mask);
  }

  private writeClose(payload: Uint8Array): void {
    this.writeFrame(Opcode.Close, payload, true, false, false, false);
    this.closeSent = true;
    if (this.closeReceived) this.afterHandshake();
    else if (this.current === 'open') this.current = 'closing';
  }

  /** Both Close frames are exchanged. RFC 6455 §7.1.1: "the server MUST close the underlying TCP connection
   * immediately; the client SHOULD wait for the server to close the connection". */
  private afterHandshake(): void {
    if (this.role === 'server') {
      this.eof = true;
      this.finish();
    } else if (this.current === 'open') {
      this.current = 'closing';
    }
  }

  /** TCP is (being) closed: the connection is over. RFC 6455 §7.1.5: the close code is the received one, 1005 for a
   * Close without one, 1006 when none arrived. */
  private finish(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.resetMessage();
    const code = this.closeReceived ? (this.receivedCode ?? CloseCode.NoStatus) : CloseCode.Abnormal;
    this.emit({ type: 'closed', code, reason: this.receivedReason, wasClean: this.closeSent && this.closeReceived });
  }

  private resetMessage(): void {
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
}
