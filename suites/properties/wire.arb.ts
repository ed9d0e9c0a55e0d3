// Client wire bytes as an arbitrary: frame records mapped to bytes, with the decoder as unmapper, so bytes captured
// from a real client (a pcap, a transcript) can be given to fast-check as `examples` and shrink like generated ones.
import fc from 'fast-check';
import { anyFrameArb } from './frame.arb.js';
import { decodeFuzzFrames, encodeFuzzFrames, type FuzzFrame } from './fuzz-frame.js';

export function unmapWireBytes(value: unknown, maxPayload = 140): FuzzFrame[] {
  if (!(value instanceof Uint8Array)) throw new TypeError('not wire bytes');
  const frames = decodeFuzzFrames(value);
  // fast-check reads a throwing unmapper as "this value does not come from the arbitrary".
  if (frames === null) throw new TypeError('bytes do not split into whole frames');
  if (frames.some((f) => f.lengthForm !== undefined || f.lengthOverride !== undefined || f.payload.length > maxPayload)) {
    throw new TypeError('frames outside the arbitrary (non-minimal or long lengths)');
  }
  return frames;
}

export function wireBytesArb(opts: { maxFrames?: number; maxPayload?: number } = {}): fc.Arbitrary<Uint8Array> {
  return fc
    .array(anyFrameArb(opts.maxPayload ?? 140), { maxLength: opts.maxFrames ?? 6 })
    .map(encodeFuzzFrames, (v) => unmapWireBytes(v, opts.maxPayload ?? 140));
}
