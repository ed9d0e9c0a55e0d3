// Binary payloads: mostly small, sometimes exactly at the length-encoding boundaries of RFC 6455 §5.2 (125/126
// for the 7-bit form, 65535/65536 for the 16-bit form). Boundary payloads are a repeated pattern, so they shrink
// by their pattern and stay readable.
import fc from 'fast-check';

export const BOUNDARY_LENGTHS = [125, 126, 127, 65535, 65536, 65537] as const;

export function smallPayloadArb(maxLength = 200): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength });
}

export const boundaryPayloadArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom(...BOUNDARY_LENGTHS), fc.uint8Array({ minLength: 1, maxLength: 4 }))
  .map(([length, pattern]) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = pattern[i % pattern.length]!;
    return out;
  });

export function binaryPayloadArb(maxLength = 200): fc.Arbitrary<Uint8Array> {
  return fc.oneof({ withCrossShrink: true }, { weight: 5, arbitrary: smallPayloadArb(maxLength) }, { weight: 1, arbitrary: boundaryPayloadArb });
}
