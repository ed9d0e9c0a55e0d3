// Close frames (RFC 6455 §5.5.1, §7.4): every code class (defined, registered later, reserved for libraries and
// applications, never allowed on the wire) with reasons valid and not, an empty body and a 1-byte body.
import fc from 'fast-check';
import { fuzzFrame, type FuzzFrame } from './fuzz-frame.js';
import { maskArb } from './mask.arb.js';
import { INVALID_SEQUENCES } from './utf8.arb.js';

export const closeCodeArb: fc.Arbitrary<number> = fc.oneof({ withCrossShrink: true }, 
  { weight: 3, arbitrary: fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011) },
  { weight: 1, arbitrary: fc.constantFrom(1012, 1013, 1014) },
  { weight: 2, arbitrary: fc.integer({ min: 3000, max: 4999 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 999 }) },
  { weight: 2, arbitrary: fc.constantFrom(1004, 1005, 1006, 1015) },
  { weight: 1, arbitrary: fc.integer({ min: 1016, max: 2999 }) },
  { weight: 1, arbitrary: fc.integer({ min: 5000, max: 65535 }) },
);

const reasonArb: fc.Arbitrary<Uint8Array> = fc.oneof({ withCrossShrink: true }, 
  { weight: 4, arbitrary: fc.string({ maxLength: 30 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...INVALID_SEQUENCES))
      .map(([s, bad]) => Uint8Array.from([...Buffer.from(s, 'utf8'), ...bad])),
  },
);

export function closeBody(code: number, reason: Uint8Array = new Uint8Array(0)): Uint8Array {
  return Uint8Array.from([code >> 8, code & 0xff, ...reason]);
}

export const closeFrameArb: fc.Arbitrary<FuzzFrame> = fc.oneof({ withCrossShrink: true }, 
  { weight: 6, arbitrary: fc.tuple(closeCodeArb, reasonArb, maskArb).map(([c, r, m]) => fuzzFrame(0x8, closeBody(c, r), m)) },
  { weight: 1, arbitrary: maskArb.map((m) => fuzzFrame(0x8, new Uint8Array(0), m)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), maskArb).map(([b, m]) => fuzzFrame(0x8, Uint8Array.of(b), m)) },
);
