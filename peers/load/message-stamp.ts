// The stamp at the front of every load message: 8 hex digits of sequence number and 12 hex digits of the intended
// send time in microseconds. ASCII, so text messages stay valid UTF-8; an echo brings it back, which matches the
// reply to its send (and its schedule) with no per-message state kept by the sender.

export const STAMP_BYTES = 20;
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

const TWO_24 = 0x100_0000;

export function writeStamp(out: Uint8Array, seq: number, timeUs: number): void {
  let s = seq >>> 0;
  for (let i = 7; i >= 0; i--) {
    out[i] = HEX[s & 15]!;
    s >>>= 4;
  }
  // 48 bits of time as two 24-bit halves, so the digits come from integer shifts.
  const t = Math.max(0, Math.floor(timeUs));
  let hi = Math.floor(t / TWO_24) & 0xffffff;
  let lo = t % TWO_24;
  for (let i = 19; i >= 14; i--) {
    out[i] = HEX[lo & 15]!;
    lo >>>= 4;
  }
  for (let i = 13; i >= 8; i--) {
    out[i] = HEX[hi & 15]!;
    hi >>>= 4;
  }
}

/** Hex digit values by byte; -1 for anything else. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE[HEX[i]!] = i;

function hexValue(c: number): number {
  return HEX_VALUE[c]!;
}

/** Reads a stamp into `out` ([seq, timeUs]); false when the payload does not start with one. */
export function readStamp(payload: Uint8Array, out: Float64Array): boolean {
  if (payload.length < STAMP_BYTES) return false;
  let seq = 0;
  for (let i = 0; i < 8; i++) {
    const v = hexValue(payload[i]!);
    if (v < 0) return false;
    seq = ((seq << 4) | v) >>> 0;
  }
  let hi = 0;
  let lo = 0;
  for (let i = 8; i < 14; i++) {
    const v = hexValue(payload[i]!);
    if (v < 0) return false;
    hi = (hi << 4) | v;
  }
  for (let i = 14; i < 20; i++) {
    const v = hexValue(payload[i]!);
    if (v < 0) return false;
    lo = (lo << 4) | v;
  }
  out[0] = seq;
  out[1] = hi * TWO_24 + lo;
  return true;
}
