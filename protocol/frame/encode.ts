// Frame encoding (RFC 6455 §5.2). Header and payload come back separately so a transport can write them without
// concatenating; the payload is the caller's own array unless it had to be masked into a copy.
import { allocForOverwrite } from '../bytes.js';
import { applyMaskTo } from '../mask.js';
import type { LengthForm } from './frame.js';

export interface EncodeFrameSpec {
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  opcode: number;
  payload: Uint8Array;
  /** 4-byte masking key (clients: RFC 6455 §5.3, a fresh one per frame); null or absent: unmasked. */
  mask?: Uint8Array | null;
}

/** Anything the wire can carry, legal or not, for the raw peer and the fuzzer. */
export interface UncheckedFrameSpec extends EncodeFrameSpec {
  /** Length written in the header instead of payload.length (the payload bytes are still all sent). */
  lengthOverride?: number | bigint;
  /** Length encoding to use, minimal or not; default the minimal form for the written length. */
  lengthForm?: LengthForm;
  /** MASK bit to write regardless of whether a key is given (key bytes are written iff `mask` is given). */
  maskBit?: boolean;
}

const TWO_32 = 0x1_0000_0000;
const MAX_SAFE_PAYLOAD = Number.MAX_SAFE_INTEGER;

function minimalForm(length: number | bigint): LengthForm {
  return length < 126 ? 7 : length < 0x10000 ? 16 : 64;
}

/** Writes a header into `out` (sized by the caller); returns nothing. `length` fits `form` by contract. */
function writeHeader(
  out: Uint8Array,
  b0: number,
  maskBit: boolean,
  form: LengthForm,
  length: number | bigint,
  mask: Uint8Array | null | undefined,
): void {
  out[0] = b0;
  const m = maskBit ? 0x80 : 0;
  let at: number;
  if (form === 7) {
    out[1] = m | Number(length);
    at = 2;
  } else if (form === 16) {
    const n = Number(length);
    out[1] = m | 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
    at = 4;
  } else {
    out[1] = m | 127;
    let hi: number;
    let lo: number;
    if (typeof length === 'bigint') {
      hi = Number((length >> 32n) & 0xffff_ffffn);
      lo = Number(length & 0xffff_ffffn);
    } else {
      hi = Math.floor(length / TWO_32);
      lo = length >>> 0;
    }
    out[2] = hi >>> 24;
    out[3] = (hi >>> 16) & 0xff;
    out[4] = (hi >>> 8) & 0xff;
    out[5] = hi & 0xff;
    out[6] = lo >>> 24;
    out[7] = (lo >>> 16) & 0xff;
    out[8] = (lo >>> 8) & 0xff;
    out[9] = lo & 0xff;
    at = 10;
  }
  if (mask) {
    out[at] = mask[0]!;
    out[at + 1] = mask[1]!;
    out[at + 2] = mask[2]!;
    out[at + 3] = mask[3]!;
  }
}

/** The payload as it goes on the wire: the caller's array when unmasked, else a masked copy. */
export function maskedPayload(payload: Uint8Array, mask: Uint8Array | null | undefined): Uint8Array {
  if (!mask || payload.length === 0) return payload;
  const out = allocForOverwrite(payload.length);
  applyMaskTo(payload, out, mask);
  return out;
}

/**
 * The header of a frame whose first byte (FIN, RSV, opcode) is `b0` and whose payload is `length` bytes, with the
 * minimal length form and the key when `mask` is given: encodeFrame's header without its spec object and tuple,
 * for a connection's send path. `length` and `mask` are the caller's to get right.
 */
export function encodeHeader(b0: number, length: number, mask: Uint8Array | null): Uint8Array {
  const form: LengthForm = length < 126 ? 7 : length < 0x10000 ? 16 : 64;
  const header = new Uint8Array((form === 7 ? 2 : form === 16 ? 4 : 10) + (mask ? 4 : 0));
  writeHeader(header, b0, mask !== null, form, length, mask);
  return header;
}

/**
 * Encodes a frame as [header, payload]. The payload is masked into a copy when `mask` is given; the caller's array is
 * never mutated. Does not judge the frame (control frame sizes, opcodes): callers send what they mean to send.
 */
export function encodeFrame(frame: EncodeFrameSpec): [header: Uint8Array, payload: Uint8Array] {
  const { payload, mask } = frame;
  const n = payload.length;
  if (mask && mask.length !== 4) throw new RangeError('a masking key is 4 bytes (RFC 6455 §5.2)');
  if ((frame.opcode & ~0xf) !== 0) throw new RangeError(`opcode ${frame.opcode} is not 4-bit`);
  const b0 =
    (frame.fin === false ? 0 : 0x80) |
    (frame.rsv1 ? 0x40 : 0) |
    (frame.rsv2 ? 0x20 : 0) |
    (frame.rsv3 ? 0x10 : 0) |
    frame.opcode;
  return [encodeHeader(b0, n, mask ?? null), maskedPayload(payload, mask)];
}

function concat(header: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

/** encodeFrame, header and payload in one array. */
export function encodeFrameBytes(frame: EncodeFrameSpec): Uint8Array {
  const [header, payload] = encodeFrame(frame);
  return concat(header, payload);
}

/**
 * Builds any frame, including illegal ones: any opcode 0-15 and RSV bits, FIN clear on control frames, oversized
 * control payloads, a header length that disagrees with the payload (`lengthOverride`), non-minimal length forms
 * (`lengthForm`), a MASK bit without a key (`maskBit`). Throws only when the request cannot be written at all.
 */
export function encodeFrameUnchecked(spec: UncheckedFrameSpec): Uint8Array {
  const { payload, mask } = spec;
  if (mask && mask.length !== 4) throw new RangeError('a masking key is 4 bytes');
  if ((spec.opcode & ~0xf) !== 0) throw new RangeError(`opcode ${spec.opcode} is not 4-bit`);
  const length = spec.lengthOverride ?? payload.length;
  if (length < 0 || (typeof length === 'number' && (!Number.isInteger(length) || length > MAX_SAFE_PAYLOAD))) {
    throw new RangeError(`length ${length} cannot be written`);
  }
  if (typeof length === 'bigint' && length > 0xffff_ffff_ffff_ffffn) throw new RangeError('length exceeds 64 bits');
  const form = spec.lengthForm ?? minimalForm(length);
  if ((form === 7 && length > 125) || (form === 16 && length > 0xffff)) {
    throw new RangeError(`length ${length} does not fit the ${form}-bit form`);
  }
  const b0 =
    (spec.fin === false ? 0 : 0x80) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    spec.opcode;
  const header = new Uint8Array((form === 7 ? 2 : form === 16 ? 4 : 10) + (mask ? 4 : 0));
  writeHeader(header, b0, spec.maskBit ?? !!mask, form, length, mask);
  return concat(header, maskedPayload(payload, mask));
}
