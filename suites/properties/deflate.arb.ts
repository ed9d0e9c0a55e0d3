// permessage-deflate streams (RFC 7692): a generated offer, our compressor's own choices within the agreement,
// and frames whose payloads are the messages' *plain* bytes. A message whose first frame has RSV1 is compressed
// when sent (deflate-stream.ts), after the handshake, with the context and window the target agreed to; the oracle
// reads the plain frames. Invalid placements the target must fail: RSV1 on a continuation or a control frame
// (§6.1), a compressed payload that does not inflate (§7.2.2), compressed text that is not UTF-8 once inflated.
import fc from 'fast-check';
import type { DeflateClientConfig } from '../../protocol/extensions/permessage-deflate.js';
import type { DeflateStageOptions } from '../../peers/raw/deflate-stage.js';
import { closeBody } from './close.arb.js';
import { legalControlArb } from './control.arb.js';
import { concatBytes, fuzzFrame, type FuzzFrame } from './fuzz-frame.js';
import { maskArb } from './mask.arb.js';
import { fragmentMessage, interleaveArb } from './message.arb.js';
import { streamCaseArb, type StreamCase } from './stream.arb.js';
import { invalidUtf8Arb, validUtf8Arb } from './utf8.arb.js';

/** A frame of a deflate stream: plain payload; on the first frame of a compressed message, maybe a corruption. */
export interface DeflateFrame extends FuzzFrame {
  /**
   * A byte sent after the message's compressed payload (its last block completed by the empty stored block of
   * RFC 7692 §7.2.1): it starts a block of the reserved type 11 (RFC 1951 §3.2.3: "11 - reserved (error)"), so no
   * inflater gets past it, whatever the window or context. It is the message's last byte, so a target that
   * inflates frame by frame meets it in the message's last frame, as one that inflates whole messages does.
   */
  undecodable?: number;
}

export interface DeflateCase extends StreamCase {
  /** The permessage-deflate offer (RFC 7692 §7.1), sent as buildDeflateOffer writes it. */
  offer: DeflateClientConfig;
  /** Our compressor within the agreement: a client may always drop its context or use a smaller window. */
  ours: DeflateStageOptions;
  frames: DeflateFrame[];
}

const windowBitsArb = fc.integer({ min: 8, max: 15 });

/** Any valid offer: each parameter of RFC 7692 §7.1 present or not (shrinks to the plain default offer). */
export const deflateOfferArb: fc.Arbitrary<DeflateClientConfig> = fc.record({
  serverNoContextTakeover: fc.boolean(),
  clientNoContextTakeover: fc.boolean(),
  // Small server windows often: only they show a target compressing with more than it agreed to (§7.1.2.1).
  serverMaxWindowBits: fc.option(fc.oneof(fc.constantFrom(8, 9), windowBitsArb), { nil: undefined }),
  clientMaxWindowBits: fc.oneof({ withCrossShrink: true }, fc.constant<number | boolean>(true), fc.constant(false), windowBitsArb),
});

export const oursArb: fc.Arbitrary<DeflateStageOptions> = fc.record({
  noContextTakeover: fc.boolean(),
  maxWindowBits: fc.option(windowBitsArb, { nil: undefined }),
  // Level 0 sends stored blocks: still a valid deflate stream.
  level: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
});

/**
 * Words shared by many messages, so later messages repeat earlier ones: with context takeover their compressed
 * forms point back into earlier messages, and a target that takes over context it agreed not to is caught.
 */
const WORDS = ['websocket ', 'deflate', 'hello', 'κόσμε ', 'frame', '€', 'aaaaaaaa', '{"id":1}'];
const wordsArb = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }).map((ws) => new Uint8Array(Buffer.from(ws.join(''), 'utf8')));

/**
 * A long payload: words, then one word repeated, up to 70 KB that compress to a few hundred bytes. A later message
 * starting with the same words points back past the filler, further than a small window reaches: a target that
 * compresses with more window than it agreed to, or keeps context it agreed to drop, sends what cannot inflate.
 */
const longArb = fc
  .tuple(wordsArb, fc.integer({ min: 1000, max: 70_000 }), fc.constantFrom(...WORDS))
  .map(([head, length, word]) => concatBytes([head, new Uint8Array(Buffer.from(word.repeat(Math.ceil(length / word.length)).slice(0, length), 'utf8'))]));

const textArb = fc.oneof({ withCrossShrink: true }, { weight: 5, arbitrary: wordsArb }, { weight: 2, arbitrary: validUtf8Arb }, { weight: 1, arbitrary: longArb });
const binaryArb = fc.oneof({ withCrossShrink: true }, { weight: 4, arbitrary: wordsArb }, { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }) }, { weight: 1, arbitrary: longArb });
const cutsArb = fc.array(fc.nat(), { maxLength: 3 });

/** One message as plain frames: text or binary, compressed (RSV1 on its first frame) or not, in 1-4 frames. */
function messageArb(opts: { fragmented?: boolean } = {}): fc.Arbitrary<DeflateFrame[]> {
  const cuts = opts.fragmented ? fc.array(fc.nat(), { minLength: 1, maxLength: 3 }) : cutsArb;
  return fc
    .tuple(fc.oneof(fc.tuple(fc.constant(0x1), textArb), fc.tuple(fc.constant(0x2), binaryArb)), fc.boolean(), cuts, maskArb)
    .map(([[opcode, payload], uncompressed, c, mask]) => {
      const frames: DeflateFrame[] = fragmentMessage(opcode, payload, c, mask);
      if (!uncompressed) frames[0] = { ...frames[0]!, rsv1: true };
      return frames;
    });
}

/** A compressed message, then a block header of reserved type: BFINAL (bit 0) either way, BTYPE (bits 1-2) 11. */
const undecodableArb: fc.Arbitrary<DeflateFrame[]> = fc
  .tuple(messageArb(), fc.integer({ min: 0, max: 31 }), fc.boolean())
  .map(([frames, high, final]) => [{ ...frames[0]!, rsv1: true, undecodable: (high << 3) | 0b110 | (final ? 1 : 0) }, ...frames.slice(1)]);

/** A fragmented message with RSV1 on one of its continuation frames (RFC 7692 §6.1). */
const rsv1ContinuationArb: fc.Arbitrary<DeflateFrame[]> = fc
  .tuple(messageArb({ fragmented: true }), fc.nat())
  .map(([frames, k]) => {
    const at = 1 + (k % (frames.length - 1));
    return frames.map((f, i) => (i === at ? { ...f, rsv1: true } : f));
  });

/** A ping, pong or close with RSV1 (RFC 7692 §6.1: never on control frames). */
const rsv1ControlArb: fc.Arbitrary<DeflateFrame[]> = fc
  .oneof({ withCrossShrink: true }, { weight: 4, arbitrary: legalControlArb }, { weight: 1, arbitrary: maskArb.map((m) => fuzzFrame(0x8, closeBody(1000), m)) })
  .map((f) => [{ ...f, rsv1: true }]);

/** Compressed text that is not UTF-8 once inflated (RFC 6455 §8.1 applies to the message, not the wire bytes). */
const invalidTextArb: fc.Arbitrary<DeflateFrame[]> = fc.tuple(invalidUtf8Arb, maskArb).map(([p, m]) => [fuzzFrame(0x1, p, m, { rsv1: true })]);

const partArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 12, arbitrary: interleaveArb(messageArb(), legalControlArb, 2) },
  { weight: 1, arbitrary: undecodableArb },
  { weight: 1, arbitrary: rsv1ContinuationArb },
  { weight: 1, arbitrary: rsv1ControlArb },
  { weight: 1, arbitrary: invalidTextArb },
);

// The stream first: fc.record shrinks its fields in order, and dropping whole parts shortens a counterexample most
// (each shrink step against a target that hangs costs a timeout).
export const deflateCaseArb: fc.Arbitrary<DeflateCase> = fc
  .record({ stream: streamCaseArb(partArb, { maxParts: 4 }), offer: deflateOfferArb, ours: oursArb })
  .map(({ stream, offer, ours }) => ({ offer, ours, ...stream }));
