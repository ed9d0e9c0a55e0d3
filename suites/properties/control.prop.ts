// control: RFC 6455 §5.5. Pings of 0-125 bytes (a pong with the same payload), unsolicited pongs (ignored), and
// the illegal control frames: longer than 125 bytes, or fragmented; also between the fragments of a message.
import fc from 'fast-check';
import { fragmentedControlArb, legalControlArb, oversizedControlArb } from './control.arb.js';
import { interleaveArb, messageFramesArb } from './message.arb.js';
import { streamCaseArb } from './stream.arb.js';
import { streamSuite } from './stream-suite.js';

export const controlSuite = streamSuite({
  name: 'control',
  title: 'Control frames: pings answered, pongs ignored, oversized or fragmented controls refused',
  rfc: ['5.5', '5.5.2', '5.5.3'],
  autobahn: ['2.*'],
  arbitrary: streamCaseArb(
    fc.oneof({ withCrossShrink: true }, 
      { weight: 6, arbitrary: legalControlArb.map((f) => [f]) },
      { weight: 2, arbitrary: interleaveArb(messageFramesArb({ maxFragments: 3, boundaries: false }), legalControlArb, 2) },
      { weight: 1, arbitrary: oversizedControlArb.map((f) => [f]) },
      { weight: 1, arbitrary: fragmentedControlArb.map((f) => [f]) },
    ),
    { maxParts: 4 },
  ),
});
