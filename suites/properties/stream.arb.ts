// A stream case: the frames a client sends on one connection and how they are chopped into TCP writes. Unless the
// frames already hold a close, the stream ends with our close (1000), so every case has a defined end: the target
// must answer it, or have failed the connection before.
import fc from 'fast-check';
import { Opcode } from '../../protocol/constants.js';
import type { Chunking } from '../../peers/fuzz/chunking.js';
import { chunkingArb, describeChunking } from './chunking.arb.js';
import { closeBody } from './close.arb.js';
import { describeFuzzFrame, encodeFuzzFrame, fuzzFrame, type FuzzFrame } from './fuzz-frame.js';
import { maskArb } from './mask.arb.js';
import { optionalPartsArb } from './parts.arb.js';

export interface StreamCase {
  frames: FuzzFrame[];
  chunking: Chunking;
}

export function streamCaseArb(partArb: fc.Arbitrary<FuzzFrame[]>, opts: { maxParts?: number; last?: fc.Arbitrary<FuzzFrame[]> } = {}): fc.Arbitrary<StreamCase> {
  const lastArb = opts.last ?? fc.constant<FuzzFrame[]>([]);
  return fc
    .record({
      // Any part can be dropped at any shrink step (parts.arb.ts), so a counterexample keeps only what fails.
      parts: optionalPartsArb(partArb, opts.maxParts ?? 3),
      last: lastArb,
      closeMask: maskArb,
      chunking: chunkingArb,
    })
    .map(({ parts, last, closeMask, chunking }) => {
      const frames = [...parts.flat(), ...last];
      if (!frames.some((f) => f.opcode === Opcode.Close)) frames.push(fuzzFrame(Opcode.Close, closeBody(1000), closeMask));
      return { frames, chunking };
    });
}

/** The counterexample as readable lines: one per frame, then the chunking. */
export function describeStreamCase(c: StreamCase): string[] {
  return [...c.frames.map((f, i) => `${i + 1}. > ${describeFuzzFrame(f)}`), `(${describeChunking(c.chunking)})`];
}

export function encodeStreamCase(c: StreamCase): Uint8Array[] {
  return c.frames.map(encodeFuzzFrame);
}

/** FNV-1a over the encoded frames: seeds the handshake key, so equal cases send equal bytes. */
export function streamKeySeed(encoded: readonly Uint8Array[]): number {
  let h = 0x811c9dc5;
  for (const part of encoded) {
    for (let i = 0; i < part.length; i += part.length > 4096 ? 61 : 1) h = Math.imul(h ^ part[i]!, 0x01000193);
    h = Math.imul(h ^ part.length, 0x01000193);
  }
  return h >>> 0;
}
