// Messages (RFC 6455 §5.4, §5.6): text (valid or invalid UTF-8) or binary, fragmented into any number of parts at
// any byte (code points split across frames), optionally with legal control frames between the fragments.
import fc from 'fast-check';
import { fuzzFrame, type FuzzFrame } from './fuzz-frame.js';
import { maskArb } from './mask.arb.js';
import { optionalPartsArb } from './parts.arb.js';
import { binaryPayloadArb } from './payload.arb.js';
import { anyTextArb, validUtf8Arb } from './utf8.arb.js';

export interface MessageArbOptions {
  /** 'valid': valid UTF-8 only; 'any': valid, invalid and truncated. Default 'valid'. */
  text?: 'valid' | 'any';
  /** Most frames a message is split into. Default 1 (unfragmented). */
  maxFragments?: number;
  /** Binary messages at the length boundaries too. Default true. */
  boundaries?: boolean;
}

/** Splits `payload` at the given cut points (taken modulo its length + 1, so empty fragments occur). */
export function fragmentMessage(opcode: number, payload: Uint8Array, cuts: readonly number[], mask: Uint8Array | null): FuzzFrame[] {
  const points = [...new Set(cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b);
  const bounds = [0, ...points, payload.length];
  const frames: FuzzFrame[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    frames.push(fuzzFrame(i === 0 ? opcode : 0x0, payload.subarray(bounds[i]!, bounds[i + 1]!), mask, { fin: i + 2 === bounds.length }));
  }
  return frames;
}

export function messageFramesArb(opts: MessageArbOptions = {}): fc.Arbitrary<FuzzFrame[]> {
  const maxCuts = Math.max(0, (opts.maxFragments ?? 1) - 1);
  const cutsArb = fc.array(fc.nat(), { maxLength: maxCuts });
  const textArb = opts.text === 'any' ? anyTextArb : validUtf8Arb;
  const binArb = opts.boundaries === false ? fc.uint8Array({ maxLength: 200 }) : binaryPayloadArb();
  return fc.oneof({ withCrossShrink: true }, 
    fc.tuple(textArb, cutsArb, maskArb).map(([p, cuts, m]) => fragmentMessage(0x1, p, cuts, m)),
    fc.tuple(binArb, cutsArb, maskArb).map(([p, cuts, m]) => fragmentMessage(0x2, p, cuts, m)),
  );
}

/**
 * Inserts control frames at arbitrary positions among `frames` (between fragments of a message, too). The message
 * is always generated, but shrinking may drop it like any control, so a failure that needs only a control shrinks
 * to that control alone.
 */
export function interleaveArb(framesArb: fc.Arbitrary<FuzzFrame[]>, controlArb: fc.Arbitrary<FuzzFrame>, maxControls = 3): fc.Arbitrary<FuzzFrame[]> {
  return fc.tuple(optionalPartsArb(framesArb, 1, { absentOneIn: 0 }), optionalPartsArb(fc.tuple(fc.nat(), controlArb), maxControls)).map(([message, controls]) => {
    const out = message.flat();
    for (const [at, c] of controls) out.splice(at % (out.length + 1), 0, c);
    return out;
  });
}
