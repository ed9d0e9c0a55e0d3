// The frame record every fuzz arbitrary produces: anything RFC 6455 §5.2 can express, legal or not. It maps to
// wire bytes (encodeFuzzFrames) and back (decodeFuzzFrames), so captured bytes can seed the fuzzer and shrink.
// Structurally a peers/raw FrameSpec (explicit mask, Uint8Array payload), so a counterexample can become a case.
import { isControlOpcode, opcodeName } from '../../protocol/constants.js';
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

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
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

const PREVIEW_BYTES = 24;

/** One readable line, python-websockets style: `TEXT fin masked [5 bytes] 'hello'`, long payloads elided. */
export function describeFuzzFrame(f: FuzzFrame): string {
  const flags: string[] = [];
  if (f.fin) flags.push('fin');
  if (f.rsv1) flags.push('rsv1');
  if (f.rsv2) flags.push('rsv2');
  if (f.rsv3) flags.push('rsv3');
  flags.push(f.mask ? `mask=${hex(f.mask)}` : 'UNMASKED');
  if (f.lengthForm !== undefined) flags.push(`length-form=${f.lengthForm}-bit`);
  const size = f.lengthOverride !== undefined ? `[header length 0x${f.lengthOverride.toString(16)}]` : `[${f.payload.length} bytes]`;
  return `${opcodeName(f.opcode)} ${flags.join(' ')} ${size}${previewPayload(f.opcode, f.payload)}`;
}

export function previewPayload(opcode: number, payload: Uint8Array): string {
  if (payload.length === 0) return '';
  if (opcode === 0x8 && payload.length >= 2) {
    const code = (payload[0]! << 8) | payload[1]!;
    const reason = payload.subarray(2);
    return ` code=${code}${reason.length > 0 ? ` reason ${previewBytes(reason)}` : ''}`;
  }
  if (isControlOpcode(opcode) || opcode === 0x2) return ` hex ${elide(payload)}`;
  return ` ${previewBytes(payload)}`;
}

/** Text when the bytes are printable UTF-8, else hex: invalid UTF-8 must be visible byte for byte. */
export function previewBytes(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const roundTrips = Buffer.from(text, 'utf8').equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (roundTrips && !/[\u0000-\u001f\u007f]/.test(text)) {
    return text.length > 40 ? `'${text.slice(0, 40)}'... (${bytes.length} bytes)` : `'${text}'`;
  }
  return `hex ${elide(bytes)}`;
}

function elide(bytes: Uint8Array): string {
  if (bytes.length <= PREVIEW_BYTES) return hex(bytes);
  return `${hex(bytes.subarray(0, PREVIEW_BYTES))}... (+${bytes.length - PREVIEW_BYTES} bytes)`;
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
