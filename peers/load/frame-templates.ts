// Frames a load connection sends, encoded once by the protocol codec and then only stamped and masked per send:
// each message gets a fresh masking key (RFC 6455 §5.3: "the masking key MUST be ... unpredictable") drawn from a
// pooled entropy source, masked in one pass from the shared unmasked template into a new buffer.
import { Opcode, CloseCode } from '../../protocol/constants.js';
import { cryptoEntropy, type Entropy } from '../../protocol/entropy.js';
import { encodeFrame, encodeFrameBytes } from '../../protocol/frame/encode.js';
import { encodeClosePayload } from '../../protocol/close.js';
import { applyMaskTo } from '../../protocol/mask.js';
import { STAMP_BYTES, writeStamp } from './message-stamp.js';

const EMPTY = new Uint8Array(0);

export class FrameTemplates {
  private readonly header: Uint8Array;
  /** The unmasked message payload: stamp (rewritten per send) then the body. */
  private readonly payload: Uint8Array;
  private readonly mask = new Uint8Array(4);
  /** Random bytes for masking keys, refilled from `entropy` 1,024 keys at a time. */
  private readonly keys = new Uint8Array(4096);
  private keyAt = 4096;
  /** An empty ping: with no payload the key masks nothing, so one encoding serves every connection. */
  readonly ping: Uint8Array;
  readonly messageBytes: number;
  /** Opcode of the message frames: Text or Binary. */
  readonly opcode: number;
  /** Length of a message's payload (stamp and body). */
  readonly payloadBytes: number;

  constructor(
    opts: { size: number; binary: boolean; body?: Uint8Array },
    private readonly entropy: Entropy = cryptoEntropy(),
  ) {
    const payload = new Uint8Array(opts.body ? STAMP_BYTES + opts.body.length : Math.max(STAMP_BYTES, opts.size));
    if (opts.body) payload.set(opts.body, STAMP_BYTES);
    // Filler: printable ASCII, valid UTF-8 for text messages.
    else for (let i = STAMP_BYTES; i < payload.length; i++) payload[i] = 0x61 + (i % 26);
    this.payload = payload;
    this.opcode = opts.binary ? Opcode.Binary : Opcode.Text;
    this.header = encodeFrame({ opcode: this.opcode, payload, mask: this.mask })[0];
    this.messageBytes = this.header.length + payload.length;
    this.payloadBytes = payload.length;
    this.ping = encodeFrameBytes({ opcode: Opcode.Ping, payload: EMPTY, mask: new Uint8Array(4) });
  }

  /** One message frame carrying `seq` and the intended send time, in a buffer of its own. */
  message(seq: number, intendedUs: number): Buffer {
    const payload = this.payload;
    writeStamp(payload, seq, intendedUs);
    const header = this.header;
    const h = header.length;
    const n = payload.length;
    const out = Buffer.allocUnsafe(h + n);
    for (let i = 0; i < h - 4; i++) out[i] = header[i]!;
    if (this.keyAt === this.keys.length) {
      this.entropy.fill(this.keys);
      this.keyAt = 0;
    }
    const keys = this.keys;
    const k = this.keyAt;
    this.keyAt = k + 4;
    const k0 = keys[k]!;
    const k1 = keys[k + 1]!;
    const k2 = keys[k + 2]!;
    const k3 = keys[k + 3]!;
    out[h - 4] = k0;
    out[h - 3] = k1;
    out[h - 2] = k2;
    out[h - 1] = k3;
    if (n > 256) {
      this.mask[0] = k0;
      this.mask[1] = k1;
      this.mask[2] = k2;
      this.mask[3] = k3;
      applyMaskTo(payload, out.subarray(h), this.mask);
      return out;
    }
    // Short payloads: one fused copy-and-mask loop beats setting up word views.
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      out[h + i] = payload[i]! ^ k0;
      out[h + i + 1] = payload[i + 1]! ^ k1;
      out[h + i + 2] = payload[i + 2]! ^ k2;
      out[h + i + 3] = payload[i + 3]! ^ k3;
    }
    for (let j = 0; i < n; i++, j++) out[h + i] = payload[i]! ^ keys[k + j]!;
    return out;
  }

  /**
   * The unmasked message payload stamped with `seq` and the intended send time, for a sender that transforms it
   * (permessage-deflate). Shared: valid until the next call.
   */
  stampedPayload(seq: number, intendedUs: number): Uint8Array {
    writeStamp(this.payload, seq, intendedUs);
    return this.payload;
  }

  /** A masked control or data frame built on demand (pong replies, app heartbeats, close, compressed messages). */
  frame(opcode: number, payload: Uint8Array, rsv1 = false): Uint8Array {
    const mask = new Uint8Array(4);
    this.entropy.fill(mask);
    return encodeFrameBytes({ opcode, payload, mask, rsv1 });
  }

  close(code: number = CloseCode.Normal, reason?: string): Uint8Array {
    return this.frame(Opcode.Close, encodeClosePayload(code, reason));
  }
}
