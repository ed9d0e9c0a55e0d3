// The frame decoder: an explicit integer state machine over a ByteQueue (RFC 6455 §5.2 base framing).
// It reports structural errors only (a 64-bit length with the MSB set, a frame above maxPayload); whether a frame is
// legal is validateFrame's business, so a harness can record illegal frames without failing. The result is the same
// for any split of the input into chunks. Payloads are views into the pushed chunks when a frame lies in one chunk,
// else assembled once into their final buffer as the pieces arrive; masked payloads are unmasked in place, so the
// decoder owns the chunks pushed to it.
import { allocForOverwrite, ByteQueue } from '../bytes.js';
import { applyMask } from '../mask.js';
import { violation, type Violation } from '../violations.js';
import type { DecodedFrame, FrameHeader, LengthForm } from './frame.js';

export type DecodeResult = { type: 'frame'; frame: DecodedFrame } | { type: 'error'; violation: Violation };

export interface FrameDecoderOptions {
  /** Largest payload accepted; a longer frame is a 'frame-too-big' error as soon as its header is in. */
  maxPayload?: number;
}

/** The decoder never allocates a payload larger than this (2 GiB - 1): larger frames are 'frame-too-big'. */
export const DECODER_HARD_MAX_PAYLOAD = 0x7fff_ffff;

const State = {
  Header: 0,
  Payload: 1,
  /** Discarding the payload of a frame reported as too big, then decoding resumes. */
  Skip: 2,
  /** Framing is lost (length MSB set): nothing more can be decoded. */
  Failed: 3,
} as const;
type State = (typeof State)[keyof typeof State];

const EMPTY = new Uint8Array(0);
const TWO_32 = 0x1_0000_0000;

export class FrameDecoder {
  maxPayload: number;
  private readonly queue = new ByteQueue();
  private state: State = State.Header;
  // The header of the frame being received (valid in Payload and Skip).
  private b0 = 0;
  private masked = false;
  private maskKey: Uint8Array | undefined = undefined;
  private payloadLength = 0;
  private lengthForm: LengthForm = 7;
  /** Assembly buffer of a payload that arrives in pieces, and how much of it is filled. */
  private partial: Uint8Array | null = null;
  private received = 0;
  /** How much of `partial` partialPayload() has handed out. */
  private partialSeen = 0;
  private skipRemaining = 0;

  constructor(opts: FrameDecoderOptions = {}) {
    this.maxPayload = Math.min(opts.maxPayload ?? DECODER_HARD_MAX_PAYLOAD, DECODER_HARD_MAX_PAYLOAD);
  }

  push(chunk: Uint8Array): void {
    if (this.state === State.Failed) return;
    const partial = this.partial;
    if (partial !== null && this.queue.length === 0) {
      // A payload being assembled takes its bytes straight from the chunk (one copy, no queue slot); only what
      // follows it is queued.
      const from = this.received;
      const want = this.payloadLength - from;
      const n = chunk.length;
      const take = n < want ? n : want;
      partial.set(take === n ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, take), from);
      if (this.masked) applyMask(partial.subarray(from, from + take), this.maskKey!, from);
      this.received = from + take;
      if (take < n) this.queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset + take, n - take));
      return;
    }
    this.queue.push(chunk);
  }

  /** Bytes pushed but not yet returned in a frame (including a partly received payload). */
  get buffered(): number {
    return this.queue.length + (this.partial === null ? 0 : this.received);
  }

  /** True after an error that ends decoding for good. */
  get failed(): boolean {
    return this.state === State.Failed;
  }

  /** Header of the frame being received, once its header is in. */
  get pendingHeader(): FrameHeader | null {
    if (this.state !== State.Payload) return null;
    const b0 = this.b0;
    return {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked: this.masked,
      ...(this.maskKey ? { maskKey: this.maskKey } : {}),
      payloadLength: this.payloadLength,
      lengthForm: this.lengthForm,
    };
  }

  /** Payload length of the frame being received, -1 when between frames (no allocation, for limit checks). */
  get pendingPayloadLength(): number {
    return this.state === State.Payload ? this.payloadLength : -1;
  }

  /** Opcode of the frame being received, -1 when between frames. */
  get pendingOpcode(): number {
    return this.state === State.Payload ? this.b0 & 0x0f : -1;
  }

  /**
   * The unmasked payload bytes of the frame being received that arrived since the last call (a view into the
   * assembly buffer), or null when there are none. Call it after poll() returned null: a receiver can then look at
   * a payload as it arrives (UTF-8 fail-fast) without waiting for the whole frame. The frame poll() returns later
   * still carries the whole payload.
   */
  partialPayload(): Uint8Array | null {
    const partial = this.partial;
    if (this.state !== State.Payload || partial === null || this.partialSeen >= this.received) return null;
    const from = this.partialSeen;
    this.partialSeen = this.received;
    return partial.subarray(from, this.received);
  }

  /** The next frame or error, or null when more bytes are needed. */
  next(): DecodeResult | null {
    const r = this.poll();
    if (r === null) return null;
    return 'opcode' in r ? { type: 'frame', frame: r } : { type: 'error', violation: r };
  }

  /** As next(), without the result wrapper: a frame (has `opcode`), a Violation (has `id`) or null. */
  poll(): DecodedFrame | Violation | null {
    const q = this.queue;
    for (;;) {
      switch (this.state) {
        case State.Header: {
          // Fast path: a frame with a 7- or 16-bit length lying wholly in the first chunk is read straight from it,
          // its payload (and mask key) as views of the chunk.
          const chunk = q.firstChunk;
          const off = q.firstOffset;
          const inChunk = chunk.length - off;
          if (inChunk >= 2) {
            const b1 = chunk[off + 1]!;
            const len7 = b1 & 0x7f;
            if (len7 < 127) {
              const masked = b1 >= 0x80;
              const lengthAt = len7 === 126 ? 4 : 2;
              const headerLength = lengthAt + (masked ? 4 : 0);
              if (inChunk >= headerLength) {
                const length = len7 === 126 ? (chunk[off + 2]! << 8) | chunk[off + 3]! : len7;
                if (inChunk - headerLength >= length && length <= this.maxPayload) {
                  const at = chunk.byteOffset + off;
                  let key: Uint8Array | undefined;
                  let payload: Uint8Array = EMPTY;
                  if (length > 0) payload = new Uint8Array(chunk.buffer, at + headerLength, length);
                  if (masked) {
                    // A 4-byte copy is cheaper than a view (a small array lives on the JS heap).
                    const k = off + lengthAt;
                    key = new Uint8Array(4);
                    key[0] = chunk[k]!;
                    key[1] = chunk[k + 1]!;
                    key[2] = chunk[k + 2]!;
                    key[3] = chunk[k + 3]!;
                    if (length > 0) applyMask(payload, key);
                  }
                  this.b0 = chunk[off]!;
                  this.masked = masked;
                  this.maskKey = key;
                  this.payloadLength = length;
                  this.lengthForm = len7 === 126 ? 16 : 7;
                  q.skip(headerLength + length);
                  return this.frame(payload);
                }
              }
            }
          }
          const avail = q.length;
          if (avail < 2) return null;
          const b0 = q.peekByte(0);
          const b1 = q.peekByte(1);
          const len7 = b1 & 0x7f;
          const masked = (b1 & 0x80) !== 0;
          const extra = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
          const headerLength = 2 + extra + (masked ? 4 : 0);
          if (avail < headerLength) return null;
          let length: number;
          let form: LengthForm;
          if (extra === 0) {
            length = len7;
            form = 7;
          } else if (extra === 2) {
            length = (q.peekByte(2) << 8) | q.peekByte(3);
            form = 16;
          } else {
            const hi = ((q.peekByte(2) << 24) | (q.peekByte(3) << 16) | (q.peekByte(4) << 8) | q.peekByte(5)) >>> 0;
            const lo = ((q.peekByte(6) << 24) | (q.peekByte(7) << 16) | (q.peekByte(8) << 8) | q.peekByte(9)) >>> 0;
            // RFC 6455 §5.2: "the most significant bit MUST be 0" in the 64-bit length.
            if (hi >= 0x8000_0000) {
              this.state = State.Failed;
              this.queue.skip(this.queue.length);
              return violation('length-msb-set', '64-bit payload length with the most significant bit set');
            }
            length = hi * TWO_32 + lo;
            form = 64;
          }
          q.skip(2 + extra);
          this.b0 = b0;
          this.masked = masked;
          this.maskKey = masked ? q.read(4) : undefined;
          this.payloadLength = length;
          this.lengthForm = form;
          if (length > this.maxPayload) {
            this.state = State.Skip;
            this.skipRemaining = length;
            return violation('frame-too-big', `frame payload ${length} bytes > limit ${this.maxPayload}`);
          }
          if (length === 0) return this.frame(EMPTY);
          this.state = State.Payload;
          break;
        }
        case State.Payload: {
          const length = this.payloadLength;
          let partial = this.partial;
          if (partial === null) {
            if (q.length >= length) {
              const payload = q.read(length);
              if (this.masked) applyMask(payload, this.maskKey!);
              this.state = State.Header;
              return this.frame(payload);
            }
            if (q.length === 0) return null;
            partial = this.partial = allocForOverwrite(length);
            this.received = 0;
            this.partialSeen = 0;
          }
          const from = this.received;
          if (from < length) {
            const got = q.readInto(partial, from, length - from);
            if (got === 0) return null;
            if (this.masked) applyMask(partial.subarray(from, from + got), this.maskKey!, from);
            this.received = from + got;
            if (this.received < length) return null;
          }
          this.partial = null;
          this.received = 0;
          this.state = State.Header;
          return this.frame(partial);
        }
        case State.Skip: {
          this.skipRemaining -= q.skip(this.skipRemaining);
          if (this.skipRemaining > 0) return null;
          this.state = State.Header;
          break;
        }
        default:
          return null;
      }
    }
  }

  private frame(payload: Uint8Array): DecodedFrame {
    const b0 = this.b0;
    return {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked: this.masked,
      maskKey: this.maskKey,
      payload,
      lengthForm: this.lengthForm,
    };
  }
}
