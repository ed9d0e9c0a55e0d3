// Masking keys (RFC 6455 §5.3): any 4 bytes; all-zero is a legal key that leaves the payload readable.
import fc from 'fast-check';

export const maskArb: fc.Arbitrary<Uint8Array> = fc.oneof({ withCrossShrink: true }, 
  { weight: 6, arbitrary: fc.uint8Array({ minLength: 4, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(Uint8Array.of(0, 0, 0, 0), Uint8Array.of(0xff, 0xff, 0xff, 0xff)) },
);
