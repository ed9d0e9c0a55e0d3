// Arbitraries shared by the permessage-deflate properties.
import fc from 'fast-check';
import type { DeflateAgreement } from '../../../../protocol/extensions/permessage-deflate.js';

export const bits = fc.integer({ min: 8, max: 15 });
export const agreementArb: fc.Arbitrary<DeflateAgreement> = fc.record({
  serverNoContextTakeover: fc.boolean(),
  clientNoContextTakeover: fc.boolean(),
  serverMaxWindowBits: bits,
  clientMaxWindowBits: bits,
});
/** Payloads that compress (repeats, text) and that do not (random bytes), up to a few KiB. */
export const payloadArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc.tuple(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 200 })).map(([s, n]) => new Uint8Array(Buffer.from(s.repeat(n)))),
  fc.constant(new Uint8Array(0)),
);

/** Splits `bytes` at the given (sorted, deduplicated) cut points: fragments of a message, empty ones included. */
export function fragment(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
}

