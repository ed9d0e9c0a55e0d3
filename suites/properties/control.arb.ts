// Control frames (RFC 6455 §5.5): pings and pongs of 0-125 bytes, and the illegal ones: longer than 125 bytes,
// or with FIN clear.
import fc from 'fast-check';
import { fuzzFrame, type FuzzFrame } from './fuzz-frame.js';
import { maskArb } from './mask.arb.js';

const controlPayloadArb = fc.oneof({ withCrossShrink: true }, 
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 120, maxLength: 125 }) },
);

export const pingArb: fc.Arbitrary<FuzzFrame> = fc.tuple(controlPayloadArb, maskArb).map(([p, m]) => fuzzFrame(0x9, p, m));
export const pongArb: fc.Arbitrary<FuzzFrame> = fc.tuple(controlPayloadArb, maskArb).map(([p, m]) => fuzzFrame(0xa, p, m));
export const legalControlArb: fc.Arbitrary<FuzzFrame> = fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: pingArb }, { weight: 1, arbitrary: pongArb });

/** A ping, pong or close with 126 to 300 bytes of payload. */
export const oversizedControlArb: fc.Arbitrary<FuzzFrame> = fc
  .tuple(fc.constantFrom(0x9, 0xa, 0x8), fc.uint8Array({ minLength: 126, maxLength: 300 }), maskArb)
  .map(([opcode, raw, m]) => {
    const p = raw.slice();
    // A close body still starts with a legal code, so the only fault is the length.
    if (opcode === 0x8) (p[0] = 0x03), (p[1] = 0xe8), p.fill(0x61, 2);
    return fuzzFrame(opcode, p, m);
  });

/** A ping or pong with FIN clear (a "fragmented" control frame). */
export const fragmentedControlArb: fc.Arbitrary<FuzzFrame> = fc
  .tuple(fc.constantFrom(0x9, 0xa), fc.uint8Array({ maxLength: 20 }), maskArb)
  .map(([opcode, p, m]) => fuzzFrame(opcode, p, m, { fin: false }));
