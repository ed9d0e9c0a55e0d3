// Text payloads: valid UTF-8 (every plane, non-characters such as U+FFFE and U+FDD0 included: RFC 3629 allows
// them) and invalid UTF-8 (overlongs, surrogates, code points past U+10FFFF, stray continuation bytes, bytes that
// never appear, truncated sequences), each as bytes.
import fc from 'fast-check';

const NONCHARACTERS = ['\uFFFE', '\uFFFF', '\uFDD0', '\uFDEF', '\u{1FFFE}', '\u{10FFFF}'];

export const validTextArb: fc.Arbitrary<string> = fc
  .array(
    fc.oneof({ withCrossShrink: true }, 
      { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
      { weight: 1, arbitrary: fc.constantFrom(...NONCHARACTERS) },
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

export const validUtf8Arb: fc.Arbitrary<Uint8Array> = validTextArb.map((s) => new Uint8Array(Buffer.from(s, 'utf8')));

/** Sequences that make UTF-8 invalid wherever they stand (RFC 3629 §3, §4; Kuhn's stress test, §3-§5). */
export const INVALID_SEQUENCES: readonly (readonly number[])[] = [
  [0x80], // lone continuation byte
  [0xbf],
  [0xc0, 0x80], // overlong NUL
  [0xc1, 0xbf], // overlong
  [0xe0, 0x80, 0x80], // overlong
  [0xed, 0xa0, 0x80], // UTF-16 surrogate U+D800
  [0xed, 0xbf, 0xbf], // surrogate U+DFFF
  [0xf0, 0x80, 0x80, 0x80], // overlong
  [0xf4, 0x90, 0x80, 0x80], // U+110000
  [0xf5, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xc2, 0x41], // truncated 2-byte sequence followed by ASCII
  [0xe2, 0x82, 0x41], // truncated 3-byte sequence followed by ASCII
];

/** Valid text, then one invalid sequence, then more valid text. */
export const invalidUtf8Arb: fc.Arbitrary<Uint8Array> = fc
  .tuple(validUtf8Arb, fc.constantFrom(...INVALID_SEQUENCES), validUtf8Arb)
  .map(([a, bad, b]) => Uint8Array.from([...a, ...bad, ...b]));

/** Valid text cut inside its last code point: invalid only once the message ends. */
export const truncatedUtf8Arb: fc.Arbitrary<Uint8Array> = fc
  .tuple(validUtf8Arb, fc.constantFrom([0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98]))
  .map(([a, cut]) => Uint8Array.from([...a, ...cut]));

export const anyTextArb: fc.Arbitrary<Uint8Array> = fc.oneof({ withCrossShrink: true }, 
  { weight: 3, arbitrary: validUtf8Arb },
  { weight: 2, arbitrary: invalidUtf8Arb },
  { weight: 1, arbitrary: truncatedUtf8Arb },
);
