// Properties of the frame codec: encode/decode round trip, and decoding independent of chunking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../../protocol/frame/decoder.js';
import { encodeFrameBytes, type EncodeFrameSpec } from '../../../protocol/frame/encode.js';
import type { DecodedFrame } from '../../../protocol/frame/frame.js';

const payloadArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  // Around the 16-bit and 64-bit length boundaries.
  { weight: 1, arbitrary: fc.integer({ min: 65530, max: 65541 }).map((n) => Uint8Array.from({ length: n }, (_, i) => i * 7)) },
);

const frameArb: fc.Arbitrary<EncodeFrameSpec> = fc.record({
  fin: fc.boolean(),
  rsv1: fc.boolean(),
  rsv2: fc.boolean(),
  rsv3: fc.boolean(),
  opcode: fc.integer({ min: 0, max: 15 }),
  payload: payloadArb,
  mask: fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { nil: null }),
});

const hexOf = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.length).toString('hex');

function expected(spec: EncodeFrameSpec) {
  return {
    fin: spec.fin ?? true,
    rsv1: !!spec.rsv1,
    rsv2: !!spec.rsv2,
    rsv3: !!spec.rsv3,
    opcode: spec.opcode,
    masked: !!spec.mask,
    maskKey: spec.mask ? Array.from(spec.mask) : undefined,
    payload: hexOf(spec.payload),
  };
}

function actual(f: DecodedFrame) {
  return {
    fin: f.fin,
    rsv1: f.rsv1,
    rsv2: f.rsv2,
    rsv3: f.rsv3,
    opcode: f.opcode,
    masked: f.masked,
    maskKey: f.maskKey ? Array.from(f.maskKey) : undefined,
    payload: hexOf(f.payload),
  };
}

function decodeChunks(chunks: Uint8Array[]): ReturnType<typeof actual>[] {
  const d = new FrameDecoder();
  const out: ReturnType<typeof actual>[] = [];
  for (const chunk of chunks) {
    d.push(chunk);
    for (let r = d.next(); r !== null; r = d.next()) {
      if (r.type === 'error') throw new Error(r.violation.message);
      out.push(actual(r.frame));
    }
  }
  expect(d.buffered).toBe(0);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits `bytes` (copied) at the given cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const copy = bytes.slice();
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(copy.subarray(from, p));
    from = p;
  }
  out.push(copy.subarray(from));
  return out;
}

describe('frame codec properties', () => {
  it('decode(encode(frame)) is the frame, for any frame', () => {
    fc.assert(
      fc.property(frameArb, (spec) => {
        const before = hexOf(spec.payload);
        const wire = encodeFrameBytes(spec);
        expect(hexOf(spec.payload)).toBe(before); // encoding never mutates the payload
        expect(decodeChunks([wire])).toEqual([expected(spec)]);
      }),
      { numRuns: 300 },
    );
  });

  it('decoding is independent of how the input is split into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (specs, cuts) => {
          const wire = concat(specs.map(encodeFrameBytes));
          const whole = decodeChunks([wire.slice()]);
          expect(whole).toEqual(specs.map(expected));
          expect(decodeChunks(split(wire, cuts))).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('one byte at a time gives the same frames', () => {
    fc.assert(
      fc.property(fc.array(frameArb.filter((f) => f.payload.length < 1000), { minLength: 1, maxLength: 4 }), (specs) => {
        const wire = concat(specs.map(encodeFrameBytes));
        const bytes = Array.from({ length: wire.length }, (_, i) => wire.slice(i, i + 1));
        expect(decodeChunks(bytes)).toEqual(specs.map(expected));
      }),
      { numRuns: 100 },
    );
  });
});
