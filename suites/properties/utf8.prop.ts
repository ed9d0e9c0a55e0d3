// utf8: RFC 6455 §8.1. Text messages with valid UTF-8 (echoed intact, non-characters included) and invalid or
// truncated UTF-8 (failed with 1007), fragmented at any byte, code points split across frames.
import fc from 'fast-check';
import { legalControlArb } from './control.arb.js';
import { interleaveArb, messageFramesArb } from './message.arb.js';
import { streamCaseArb } from './stream.arb.js';
import { streamSuite } from './stream-suite.js';

export const utf8Suite = streamSuite({
  name: 'utf8',
  title: 'UTF-8: valid text echoed intact, invalid text failed with 1007',
  rfc: ['8.1', '5.6'],
  autobahn: ['6.*'],
  arbitrary: streamCaseArb(
    fc.oneof({ withCrossShrink: true }, 
      { weight: 4, arbitrary: messageFramesArb({ text: 'any', maxFragments: 5, boundaries: false }).filter((fs) => fs[0]!.opcode === 0x1) },
      { weight: 1, arbitrary: interleaveArb(messageFramesArb({ text: 'any', maxFragments: 4, boundaries: false }), legalControlArb, 2) },
    ),
    { maxParts: 3 },
  ),
});
