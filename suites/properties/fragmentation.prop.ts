// fragmentation: RFC 6455 §5.4. Messages in any number of fragments with pings and pongs between them, and the
// illegal orders: a continuation with no message open, a new data frame inside a message, a message left open.
import fc from 'fast-check';
import { legalControlArb } from './control.arb.js';
import { fuzzFrame } from './fuzz-frame.js';
import { maskArb } from './mask.arb.js';
import { interleaveArb, messageFramesArb } from './message.arb.js';
import type { FuzzFrame } from './fuzz-frame.js';
import { streamCaseArb } from './stream.arb.js';
import { streamSuite } from './stream-suite.js';

const fragmentedArb = interleaveArb(messageFramesArb({ maxFragments: 6, boundaries: false }), legalControlArb, 3);

const continuationWithoutStartArb = fc
  .tuple(fc.uint8Array({ maxLength: 20 }), fc.boolean(), maskArb)
  .map(([p, fin, m]) => [fuzzFrame(0x0, p, m, { fin })]);

/** A first fragment, then a new text/binary frame instead of a continuation. */
const dataInsideMessageArb = fc
  .tuple(fc.constantFrom(0x1, 0x2), fc.constantFrom(0x1, 0x2), fc.string({ maxLength: 10 }), maskArb)
  .map(([a, b, s, m]) => {
    const p = new Uint8Array(Buffer.from(s, 'utf8'));
    return [fuzzFrame(a, p, m, { fin: false }), fuzzFrame(b, p, m)];
  });

/** A message whose last fragment never comes: our close arrives in the middle of it (legal). */
const unfinishedArb = messageFramesArb({ maxFragments: 3, boundaries: false }).map((frames) => frames.map((f, i) => (i === frames.length - 1 ? { ...f, fin: false } : f)));

export const fragmentationSuite = streamSuite({
  name: 'fragmentation',
  title: 'Fragmentation: fragments in order, controls between them, illegal orders refused',
  rfc: ['5.4'],
  autobahn: ['5.*'],
  arbitrary: streamCaseArb(
    fc.oneof({ withCrossShrink: true }, 
      { weight: 6, arbitrary: fragmentedArb },
      { weight: 1, arbitrary: continuationWithoutStartArb },
      { weight: 1, arbitrary: dataInsideMessageArb },
    ),
    { maxParts: 3, last: fc.oneof({ withCrossShrink: true }, { weight: 5, arbitrary: fc.constant<FuzzFrame[]>([]) }, { weight: 1, arbitrary: unfinishedArb }) },
  ),
});
