// Streaming, fail-fast UTF-8 validation (RFC 6455 §8.1 and §5.6, with RFC 3629 §4 for the byte ranges).
// Explicit range checks per lead byte: the state between pushes is just "how many continuation bytes are still
// owed" plus the allowed range of the next one, so a text message split across frames at any byte is checked
// exactly as if it were whole, and the first byte that can no longer start or continue valid UTF-8 is reported.
import { isUtf8 } from 'node:buffer';

/** Chunks at least this long are first checked natively (all of it that ends on a sequence boundary). */
const NATIVE_THRESHOLD = 64;

export class Utf8Validator {
  /** Continuation bytes still owed by the current sequence. */
  private need = 0;
  /** Allowed range of the next continuation byte (narrower than 80-BF right after E0, ED, F0, F4). */
  private lo = 0x80;
  private hi = 0xbf;
  private bad = false;

  /** True once invalid bytes have been seen (until reset). */
  get failed(): boolean {
    return this.bad;
  }

  /** True when the bytes so far end in the middle of a sequence. */
  get incomplete(): boolean {
    return this.need !== 0;
  }

  /**
   * Feeds the next bytes of the text. Returns -1 while the text is still a valid prefix, else the index in `bytes`
   * of the first byte that makes it invalid (0 when it had already failed).
   */
  push(bytes: Uint8Array): number {
    if (this.bad) return 0;
    const n = bytes.length;
    let start = 0;
    if (n >= NATIVE_THRESHOLD && this.need === 0) {
      const cut = completeSequencesEnd(bytes);
      if (isUtf8(bytes.subarray(0, cut))) start = cut;
    }
    return this.scan(bytes, start);
  }

  /** Ends the text: false when it failed or stops inside a sequence (RFC 3629: an incomplete sequence is invalid). */
  end(): boolean {
    return !this.bad && this.need === 0;
  }

  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
    this.bad = false;
  }

  private scan(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    let need = this.need;
    let lo = this.lo;
    let hi = this.hi;
    while (i < n) {
      const b = bytes[i]!;
      if (need === 0) {
        if (b < 0x80) {
          i++;
          // ASCII run.
          while (i < n && bytes[i]! < 0x80) i++;
          continue;
        }
        if (b < 0xc2) return this.failAt(i); // 80-BF: stray continuation; C0, C1: overlong 2-byte forms.
        if (b < 0xe0) {
          need = 1;
          lo = 0x80;
          hi = 0xbf;
        } else if (b < 0xf0) {
          need = 2;
          lo = b === 0xe0 ? 0xa0 : 0x80; // E0 80-9F would be overlong.
          hi = b === 0xed ? 0x9f : 0xbf; // ED A0-BF would encode surrogates D800-DFFF.
        } else if (b < 0xf5) {
          need = 3;
          lo = b === 0xf0 ? 0x90 : 0x80; // F0 80-8F would be overlong.
          hi = b === 0xf4 ? 0x8f : 0xbf; // F4 90+ would be above U+10FFFF.
        } else {
          return this.failAt(i); // F5-FF: above U+10FFFF or never valid.
        }
      } else {
        if (b < lo || b > hi) return this.failAt(i);
        need--;
        lo = 0x80;
        hi = 0xbf;
      }
      i++;
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return -1;
  }

  private failAt(i: number): number {
    this.bad = true;
    return i;
  }
}

/** Length of the longest prefix of `bytes` that does not end inside a multi-byte sequence (by lead-byte shape). */
function completeSequencesEnd(bytes: Uint8Array): number {
  const n = bytes.length;
  let k = n - 1;
  const stop = n - 4;
  while (k > stop && k >= 0 && (bytes[k]! & 0xc0) === 0x80) k--;
  if (k < 0) return n;
  const lead = bytes[k]!;
  const len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return k + len > n ? k : n;
}

const shared = new Utf8Validator();

/** Index of the first byte that makes `bytes` invalid UTF-8; -1 when valid; `bytes.length` when only the end is an
 * incomplete sequence. */
export function firstInvalidUtf8Index(bytes: Uint8Array): number {
  shared.reset();
  const at = shared.push(bytes);
  if (at !== -1) return at;
  return shared.end() ? -1 : bytes.length;
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  if (bytes.length >= NATIVE_THRESHOLD) return isUtf8(bytes);
  return firstInvalidUtf8Index(bytes) === -1;
}
