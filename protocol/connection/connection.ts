// The sans-I/O WebSocket connection (RFC 6455 §5-§7): bytes in through receive()/receiveEof(), events and bytes to
// write out through drain(). It never touches a socket or a timer; the close timeout lives in peers/.
// A peer's misbehaviour never throws: it becomes a 'violation' event and, under the strict policy, the connection
// is failed with the violation's close code. Under 'observe' decoding goes on, so a harness sees what comes next.
// This file is the state machine and the close handshake; messages are assembled by message-assembler.ts and frames
// written by frame-writer.ts.
import { decodeClosePayload, encodeClosePayload } from '../close.js';
import { MAX_CONTROL_PAYLOAD, Opcode } from '../constants.js';
import { cryptoEntropy } from '../entropy.js';
import { FrameDecoder } from '../frame/decoder.js';
import { rsvBits, type DecodedFrame, type Frame } from '../frame/frame.js';
import { validateFrame } from '../frame/validate.js';
import { violation, type Violation } from '../violations.js';
import { closedCode, closeReason, closeReply, readClose, type HeldClose } from './close-handshake.js';
import type { ConnectionEvent, Drained, WritesSink } from './events.js';
import { FrameWriter } from './frame-writer.js';
import { MessageAssembler } from './message-assembler.js';
import type { ConnectionOptions, ConnectionState, Policy, Role, SendOptions } from './options.js';
import { SlotQueue } from './slot-queue.js';

export type { ConnectionEvent, Drained, WritesSink } from './events.js';
export type { ConnectionOptions, ConnectionState, Policy, Role, SendOptions } from './options.js';

const EMPTY = new Uint8Array(0);
const utf8Encoder = new TextEncoder();

export class Connection {
  readonly role: Role;
  readonly policy: Policy;
  private current: ConnectionState;
  private readonly decoder: FrameDecoder;
  private readonly allowedRsv: number;
  private readonly autoPong: boolean;
  private readonly frameEvents: boolean;
  private readonly peerRole: Role;
  private readonly assembler: MessageAssembler;
  private readonly writer: FrameWriter;
  private readonly events = new SlotQueue<ConnectionEvent>();
  private eof = false;

  private closeSent = false;
  private closeReceived = false;
  private receivedCode: number | null = null;
  private receivedReason = '';
  /** We failed the connection (a violation under strict, or fail()): only a close from the peer matters now. */
  private failing = false;
  private frameAfterCloseReported = false;
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
    const extensions = opts.extensions ?? [];
    let rsv = 0;
    for (const ext of extensions) rsv |= ext.rsvMask;
    this.allowedRsv = rsv & 7;
    this.autoPong = opts.autoPong ?? true;
    this.frameEvents = opts.frameEvents ?? true;
    this.assembler = new MessageAssembler({
      role: this.role,
      strict: this.policy === 'strict',
      maxMessageSize: opts.maxMessageSize ?? Infinity,
      allowedRsv: this.allowedRsv,
      extensions,
      textAsBytes: opts.textAsBytes ?? false,
      report: (v) => this.onViolation(v),
    });
    this.writer = new FrameWriter(this.role === 'client', opts.entropy ?? cryptoEntropy(), extensions);
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
    if (op === Opcode.Ping || op === Opcode.Pong) return this.sendControl(op, frame.payload);
    if (this.current !== 'open') return false;
    this.writer.frame(op, frame.payload, fin, rsvBits({ rsv1, rsv2, rsv3 }));
    this.sendMessageOpen = !fin;
    return true;
  }

  sendPing(payload: Uint8Array = EMPTY): boolean {
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`RFC 6455 §5.5: ping payload ${payload.length} > 125`);
    return this.sendControl(Opcode.Ping, payload);
  }

  sendPong(payload: Uint8Array = EMPTY): boolean {
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`RFC 6455 §5.5: pong payload ${payload.length} > 125`);
    return this.sendControl(Opcode.Pong, payload);
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
    this.assembler.reset();
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
    if (this.heldClose !== null && this.events.count === 0) this.releaseClose();
    return { events: this.events.take(), writes: this.writer.writes.take(), eof: this.eof };
  }

  /**
   * drain() without allocating, for a transport's hot path, in three calls made in this order: drainWrites() (the
   * writes, handed to `sink`), then `eofRequested`, then drainEvents() (the events, handed to `handler` one by one).
   * Together they do what one drain() does, the order rule included; repeat until drainEvents() returns 0.
   */
  drainWrites(sink: WritesSink): void {
    if (this.heldClose !== null && this.events.count === 0) this.releaseClose();
    this.writer.writes.lendAll(sink);
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
    return this.events.forEach(handler);
  }

  private emit(event: ConnectionEvent): void {
    this.events.push(event);
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
    this.assembler.checkPendingSize(decoder);
    if (this.heldClose === null && decoder.pendingOpcode >= 0 && !this.failing && !this.closeReceived) {
      this.assembler.checkPartialUtf8(decoder);
    }
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

  private onFrame(frame: DecodedFrame): void {
    // Bytes of this frame's payload already checked as UTF-8 while it arrived.
    const early = this.assembler.takeEarlyChecked();
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
    const v = validateFrame(frame, { role: this.role, allowedRsv: this.allowedRsv, messageOpen: this.assembler.messageOpen });
    if (v !== null) {
      this.onViolation(v);
      if (strict) return;
    }
    switch (op) {
      case Opcode.Continuation:
      case Opcode.Text:
      case Opcode.Binary: {
        const message = this.assembler.onDataFrame(frame, early);
        if (message !== null) this.emit(message);
        return;
      }
      case Opcode.Close:
        this.onClose(frame, v);
        return;
      case Opcode.Ping:
        this.emit({ type: 'ping', payload: frame.payload });
        // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it
        // already received a Close frame." §5.5.3: "A Pong frame sent in response to a Ping frame must have
        // identical "Application data" as found in the message body of the Ping frame being replied to."
        if (this.autoPong && !this.closeReceived && frame.payload.length <= MAX_CONTROL_PAYLOAD) {
          this.sendControl(Opcode.Pong, frame.payload);
        }
        return;
      case Opcode.Pong:
        this.emit({ type: 'pong', payload: frame.payload });
        return;
      default:
        return; // a reserved opcode under observe: already reported
    }
  }

  private onClose(frame: DecodedFrame, v: Violation | null): void {
    if (this.closeReceived) return; // a second close, under observe: already reported
    const { code, reason } = readClose(frame.payload);
    this.closeReceived = true;
    this.receivedCode = code;
    this.receivedReason = reason;
    this.assembler.reset();
    this.emit({ type: 'close', code, reason });
    // RFC 6455 §5.5.1: a Close is answered with a Close (closeReply), held until the events before it are out.
    if (!this.closeSent) this.heldClose = { kind: 'reply', payload: closeReply(code, v) };
    else this.afterHandshake();
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

  /** A Ping or Pong, unless our Close is out (RFC 6455 §5.5.1) or the connection is not (yet) open. */
  private sendControl(opcode: number, payload: Uint8Array): boolean {
    if (this.closeSent || (this.current !== 'open' && this.current !== 'closing')) return false;
    this.writer.frame(opcode, payload, true, 0);
    return true;
  }

  private sendMessage(opcode: number, data: Uint8Array, opts: SendOptions | undefined): boolean {
    // RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a Close frame."
    if (this.current !== 'open') return false;
    if (this.sendMessageOpen) throw new Error('a fragmented message sent with sendFrame is still open');
    this.writer.message(opcode, data, opts?.fragments);
    return true;
  }

  private writeClose(payload: Uint8Array): void {
    this.writer.frame(Opcode.Close, payload, true, 0);
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

  /** TCP is (being) closed: the connection is over, with the code of RFC 6455 §7.1.5 (closedCode). */
  private finish(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.assembler.reset();
    const code = closedCode(this.closeReceived, this.receivedCode);
    this.emit({ type: 'closed', code, reason: this.receivedReason, wasClean: this.closeSent && this.closeReceived });
  }
}
