// close: RFC 6455 §5.5.1, §7. After some traffic, a close frame with a code of any class and a reason valid or
// not (or an empty or 1-byte body): a legal one is answered and TCP closed by the server, an illegal one fails
// the connection.
import fc from 'fast-check';
import { closeFrameArb } from './close.arb.js';
import { legalControlArb } from './control.arb.js';
import { messageFramesArb } from './message.arb.js';
import { streamCaseArb } from './stream.arb.js';
import { streamSuite } from './stream-suite.js';

export const closeSuite = streamSuite({
  name: 'close',
  title: 'Closing handshake: codes, reasons, answer and TCP close',
  rfc: ['5.5.1', '7.1', '7.4'],
  autobahn: ['7.*'],
  arbitrary: streamCaseArb(fc.oneof({ withCrossShrink: true }, messageFramesArb({ maxFragments: 2, boundaries: false }), legalControlArb.map((f) => [f])), {
    maxParts: 2,
    last: closeFrameArb.map((f) => [f]),
  }),
});
