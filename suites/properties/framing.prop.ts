// framing: RFC 6455 §5.2 base framing. Legal frames at the 7/16/64-bit length boundaries and with non-minimal
// length forms, mixed with frames the target must refuse: RSV bits, reserved opcodes, a 64-bit length with its
// most significant bit set.
import fc from 'fast-check';
import { legalControlArb } from './control.arb.js';
import { msbLengthFrameArb, nonMinimalLengthFrameArb, reservedOpcodeFrameArb, rsvFrameArb, wholeMessageFrameArb } from './frame.arb.js';
import type { FuzzFrame } from './fuzz-frame.js';
import { streamCaseArb } from './stream.arb.js';
import { streamSuite } from './stream-suite.js';

const partArb = fc.oneof({ withCrossShrink: true }, 
  { weight: 5, arbitrary: wholeMessageFrameArb.map((f) => [f]) },
  { weight: 1, arbitrary: legalControlArb.map((f) => [f]) },
  { weight: 1, arbitrary: nonMinimalLengthFrameArb.map((f) => [f]) },
  { weight: 1, arbitrary: rsvFrameArb.map((f) => [f]) },
  { weight: 1, arbitrary: reservedOpcodeFrameArb.map((f) => [f]) },
);

export const framingSuite = streamSuite({
  name: 'framing',
  title: 'Base framing: opcodes, RSV bits, FIN, length encodings',
  rfc: ['5.2'],
  autobahn: ['1.*', '3.*', '4.*', '9.1.*', '9.2.*'],
  arbitrary: streamCaseArb(partArb, {
    maxParts: 4,
    last: fc.oneof({ withCrossShrink: true }, { weight: 9, arbitrary: fc.constant<FuzzFrame[]>([]) }, { weight: 1, arbitrary: msbLengthFrameArb.map((f) => [f]) }),
  }),
});
