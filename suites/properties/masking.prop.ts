// masking: RFC 6455 §5.1/§5.3. Every client frame must be masked (any key, all-zero included); an unmasked one
// must make the server fail the connection, and the server must never mask its own frames.
import fc from 'fast-check';
import { legalControlArb } from './control.arb.js';
import type { FuzzFrame } from './fuzz-frame.js';
import { messageFramesArb } from './message.arb.js';
import { streamCaseArb } from './stream.arb.js';
import { streamSuite } from './stream-suite.js';

const legalArb = fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: messageFramesArb({ maxFragments: 3 }) }, { weight: 1, arbitrary: legalControlArb.map((f) => [f]) });

/** A legal part with one of its frames sent unmasked. */
const unmaskedArb = fc.tuple(legalArb, fc.nat()).map(([frames, at]): FuzzFrame[] => frames.map((f, i) => (i === at % frames.length ? { ...f, mask: null } : f)));

export const maskingSuite = streamSuite({
  name: 'masking',
  title: 'Masking: client frames masked with any key, unmasked frames refused',
  rfc: ['5.1', '5.3'],
  autobahn: [],
  arbitrary: streamCaseArb(fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: legalArb }, { weight: 1, arbitrary: unmaskedArb }), { maxParts: 3 }),
});
