// The frame record every fuzz arbitrary produces: anything RFC 6455 §5.2 can express, legal or not, and its exact
// wire codec: records to bytes (encodeFuzzFrames) and back (decodeFuzzFrames). It lives at the peers layer because
// the fuzz driver (tcp-target.ts) decodes what it sends to record it; suites/properties/fuzz-frame.ts re-exports it
// beside the readable forms. Structurally a peers/raw FrameSpec (explicit mask, Uint8Array payload).
import { concatBytes } from '../../protocol/bytes.js';
import { encodeFrameUnchecked } from '../../protocol/frame/encode.js';

export interface FuzzFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  /** 0-15, reserved ones included. */
  opcode: number;
  /** The unmasked application data. */
  payload: Uint8Array;
  /** The masking key, or null for an unmasked frame (illegal from a client, RFC 6455 §5.1). */
  mask: Uint8Array | null;
  /** Present only for a non-minimal length encoding (RFC 6455 §5.2: "the minimal number of bytes MUST be used"). */
  lengthForm?: 16 | 64;
  /** Present only for a hostile header length (64-bit, most significant bit set); the payload is then empty. */
  lengthOverride?: bigint;
}

/** A frame with default flags: FIN set, no RSV, masked with `mask`. */
export function fuzzFrame(opcode: number, payload: Uint8Array, mask: Uint8Array | null, over: Partial<FuzzFrame> = {}): FuzzFrame {
  return { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode, payload, mask, ...over };
}

export function encodeFuzzFrame(f: FuzzFrame): Uint8Array {
  return encodeFrameUnchecked({
    fin: f.fin,
    rsv1: f.rsv1,
    rsv2: f.rsv2,
    rsv3: f.rsv3,
    opcode: f.opcode,
    payload: f.payload,
    mask: f.mask,
    ...(f.lengthForm !== undefined ? { lengthForm: f.lengthForm } : {}),
    ...(f.lengthOverride !== undefined ? { lengthOverride: f.lengthOverride } : {}),
  });
}

export function encodeFuzzFrames(frames: readonly FuzzFrame[]): Uint8Array {
  return concatBytes(frames.map(encodeFuzzFrame));
}


/** The length form the RFC asks for: 7-bit below 126, 16-bit below 65536, else 64-bit (RFC 6455 §5.2). */
export function minimalLengthForm(length: number): 7 | 16 | 64 {
  return length < 126 ? 7 : length < 65536 ? 16 : 64;
}

const MSB64 = 1n << 63n;

/**
 * The exact inverse of encodeFuzzFrames, for unmappers: captured client bytes back to records. Null when the bytes
 * are not a whole number of frames (a truncated capture), so fast-check treats them as not from this arbitrary.
 */
export function decodeFuzzFrames(bytes: Uint8Array): FuzzFrame[] | null {
  const frames: FuzzFrame[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) return null;
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1]!;
    let len = b1 & 0x7f;
    let p = i + 2;
    let form: 7 | 16 | 64 = 7;
    let big: bigint | undefined;
    if (len === 126) {
      if (p + 2 > bytes.length) return null;
      len = (bytes[p]! << 8) | bytes[p + 1]!;
      p += 2;
      form = 16;
    } else if (len === 127) {
      if (p + 8 > bytes.length) return null;
      big = 0n;
      for (let k = 0; k < 8; k++) big = (big << 8n) | BigInt(bytes[p + k]!);
      p += 8;
      form = 64;
      if (big >= MSB64) len = 0;
      else if (big > BigInt(Number.MAX_SAFE_INTEGER)) return null;
      else len = Number(big);
    }
    const masked = (b1 & 0x80) !== 0;
    let mask: Uint8Array | null = null;
    if (masked) {
      if (p + 4 > bytes.length) return null;
      mask = bytes.slice(p, p + 4);
      p += 4;
    }
    if (big !== undefined && big >= MSB64) {
      // A hostile length: the rest of the capture cannot be framed, so it must be the last frame.
      if (p !== bytes.length) return null;
    } else if (p + len > bytes.length) return null;
    const payload = bytes.slice(p, p + len);
    if (mask) for (let k = 0; k < payload.length; k++) payload[k]! ^= mask[k & 3]!;
    const frame = fuzzFrame(b0 & 0x0f, payload, mask, {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
    });
    if (big !== undefined && big >= MSB64) frame.lengthOverride = big;
    else if (form !== 7 && form !== minimalLengthForm(len)) frame.lengthForm = form;
    frames.push(frame);
    i = p + len;
  }
  return frames;
}

export { concatBytes } from '../../protocol/bytes.js';
