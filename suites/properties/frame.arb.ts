// Single frames, valid and not: every opcode, RSV combination, FIN, masked or not, lengths at the 7/16/64-bit
// boundaries, non-minimal length forms, and hostile 64-bit lengths (RFC 6455 §5.2).
import fc from 'fast-check';
import { fuzzFrame, minimalLengthForm, type FuzzFrame } from './fuzz-frame.js';
import { maskArb } from './mask.arb.js';
import { binaryPayloadArb, smallPayloadArb } from './payload.arb.js';
import { validUtf8Arb } from './utf8.arb.js';

/**
 * Any frame at all, as a record of independent fields (so a value decoded from captured bytes shrinks like a
 * generated one). Most are illegal: this is the raw material of the wire arbitrary.
 */
export function anyFrameArb(maxPayload = 140): fc.Arbitrary<FuzzFrame> {
  return fc.record({
    fin: fc.boolean(),
    rsv1: fc.boolean(),
    rsv2: fc.boolean(),
    rsv3: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    payload: fc.uint8Array({ maxLength: maxPayload }),
    mask: fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: null, freq: 8 }),
  });
}

/** A complete, legal text or binary message in one frame, sometimes at a length boundary. */
export const wholeMessageFrameArb: fc.Arbitrary<FuzzFrame> = fc.oneof({ withCrossShrink: true }, 
  fc.tuple(validUtf8Arb, maskArb).map(([p, m]) => fuzzFrame(0x1, p, m)),
  fc.tuple(binaryPayloadArb(), maskArb).map(([p, m]) => fuzzFrame(0x2, p, m)),
);

/** A legal data frame whose length uses a longer form than needed (RFC 6455 §5.2 binds the sender only). */
export const nonMinimalLengthFrameArb: fc.Arbitrary<FuzzFrame> = fc
  .tuple(fc.constantFrom(0x1, 0x2), fc.uint8Array({ maxLength: 130 }), fc.constantFrom(16 as const, 64 as const), maskArb)
  .map(([opcode, raw, form, m]) => {
    const payload = opcode === 0x1 ? raw.map((b) => 0x20 + (b % 0x5f)) : raw;
    const f = fuzzFrame(opcode, payload, m);
    const lengthForm = form === 16 && minimalLengthForm(payload.length) === 16 ? 64 : form;
    return { ...f, lengthForm };
  });

/** A data or control frame with RSV bits set, none negotiated. */
export const rsvFrameArb: fc.Arbitrary<FuzzFrame> = fc
  .tuple(fc.integer({ min: 1, max: 7 }), fc.constantFrom(0x1, 0x2, 0x9), fc.uint8Array({ maxLength: 20 }), maskArb)
  .map(([rsv, opcode, raw, m]) =>
    fuzzFrame(opcode, opcode === 0x1 ? raw.map((b) => 0x20 + (b % 0x5f)) : raw, m, {
      rsv1: (rsv & 4) !== 0,
      rsv2: (rsv & 2) !== 0,
      rsv3: (rsv & 1) !== 0,
    }),
  );

/** A frame with a reserved opcode (3-7 data, 0xB-0xF control). */
export const reservedOpcodeFrameArb: fc.Arbitrary<FuzzFrame> = fc
  .tuple(fc.constantFrom(3, 4, 5, 6, 7, 11, 12, 13, 14, 15), smallPayloadArb(20), fc.boolean(), maskArb)
  .map(([opcode, payload, fin, m]) => fuzzFrame(opcode, payload, m, { fin }));

/** A frame announcing a 64-bit length with the most significant bit set: nothing can follow it. */
export const msbLengthFrameArb: fc.Arbitrary<FuzzFrame> = fc
  .tuple(fc.constantFrom(0x1, 0x2), fc.bigInt({ min: 1n << 63n, max: (1n << 64n) - 1n }), maskArb)
  .map(([opcode, length, m]) => fuzzFrame(opcode, new Uint8Array(0), m, { lengthOverride: length }));
