// The streaming UTF-8 validator agrees with the WHATWG fatal decoder on every byte string, reports the earliest
// invalid position, and gives the same answer for any split of the input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Index, isValidUtf8, Utf8Validator } from '../../../protocol/utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function whatwgValid(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();
/** Edge bytes of every lead and continuation range. */
const edgeByte = fc.constantFrom(0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff);
const multiByteText = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => encoder.encode(s));
/** Valid text with a few bytes replaced, inserted or cut: mostly near-valid, so errors land mid-sequence. */
const mutated = fc
  .tuple(multiByteText, fc.array(fc.tuple(fc.nat(), edgeByte, fc.constantFrom('set', 'insert', 'cut')), { maxLength: 3 }))
  .map(([bytes, edits]) => {
    let arr = Array.from(bytes);
    for (const [pos, b, how] of edits) {
      const at = arr.length === 0 ? 0 : pos % (arr.length + (how === 'insert' ? 1 : 0));
      if (how === 'set' && arr.length > 0) arr[at] = b;
      else if (how === 'insert') arr.splice(at, 0, b);
      else arr = arr.slice(0, at);
    }
    return Uint8Array.from(arr);
  });
const bytesArb = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  multiByteText,
  mutated,
  mutated,
  fc.array(edgeByte, { maxLength: 12 }).map((a) => Uint8Array.from(a)),
  // Long inputs exercise the native fast path and its boundary handling.
  fc.tuple(multiByteText, mutated).map(([a, b]) => Uint8Array.from([...encoder.encode('x'.repeat(70)), ...a, ...b])),
);

/** Continuation byte candidates at every range edge, and ASCII: enough to decide whether a prefix can be completed. */
const TAIL_BYTES = [0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0x41];
function extendable(prefix: Uint8Array): boolean {
  const tails: number[][] = [[]];
  for (let k = 1; k <= 3; k++) for (const t of tails.filter((x) => x.length === k - 1)) for (const b of TAIL_BYTES) tails.push([...t, b]);
  return tails.some((t) => whatwgValid(Uint8Array.from([...prefix, ...t])));
}

describe('UTF-8 validator properties', () => {
  it('agrees with TextDecoder({ fatal: true }) on any byte string', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const ok = whatwgValid(bytes);
        expect(isValidUtf8(bytes)).toBe(ok);
        expect(firstInvalidUtf8Index(bytes) === -1).toBe(ok);
      }),
      { numRuns: 2000 },
    );
  });

  it('fails at the earliest invalid position: the prefix before it can be completed, the prefix with it cannot', () => {
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        const at = firstInvalidUtf8Index(bytes);
        if (at === -1) return;
        expect(extendable(bytes.subarray(0, at))).toBe(true);
        if (at < bytes.length) expect(extendable(bytes.subarray(0, at + 1))).toBe(false);
        else expect(whatwgValid(bytes)).toBe(false); // only the end is incomplete
      }),
      { numRuns: 600 },
    );
  });

  it('gives the same position for any split into chunks', () => {
    fc.assert(
      fc.property(bytesArb, fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const whole = firstInvalidUtf8Index(bytes);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const v = new Utf8Validator();
        let from = 0;
        let found = -1;
        for (const p of [...points, bytes.length]) {
          const r = v.push(bytes.subarray(from, p));
          if (r !== -1) {
            found = from + r;
            break;
          }
          from = p;
        }
        if (found === -1 && !v.end()) found = bytes.length;
        expect(found).toBe(whole);
      }),
      { numRuns: 1000 },
    );
  });
});
