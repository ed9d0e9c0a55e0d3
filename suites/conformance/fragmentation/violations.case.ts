// Broken fragmentation (RFC 6455 §5.4, §5.5): fragmented control frames ("Control frames ... MUST NOT be
// fragmented"), continuation frames with no message open, and a new data frame inside an open message ("The
// fragments of one message MUST NOT be interleaved between the fragments of another message"). Each must fail
// the connection with 1002 (Autobahn 5.1, 5.2, 5.9-5.18).
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, defineWireCase, failWith, text, type Chop, type ConformanceCase, type FrameSpec } from '../../define.js';

const chopId = (c: Chop): string => (c === 'whole' ? '' : c === 'frame' ? '.frame-chops' : '.byte-chops');
const chopTitle = (c: Chop): string => (c === 'whole' ? 'in one write' : c === 'frame' ? 'frame by frame' : 'byte by byte');
const CHOPS: Chop[] = ['whole', 'frame', 'byte'];

function failCase(id: string, title: string, rfc: string[], autobahn: string[], frames: FrameSpec[], chop: Chop = 'whole', before: string[] = []): ConformanceCase {
  return defineWireCase({
    id,
    title,
    rfc,
    autobahn,
    expect: failWith([1002], before.length > 0 ? { before: before.map((b) => text(b)) } : {}),
    async run(peer) {
      await peer.sendFrames(frames, { chop });
      await awaitFailure(peer);
    },
  });
}

const continuationFirst = (fin: boolean): FrameSpec[] => [
  { opcode: Opcode.Continuation, fin, payload: 'non-continuation payload' },
  { opcode: Opcode.Text, payload: 'Hello, world!' },
];

const repeated = (fin: boolean): FrameSpec[] => {
  const once: FrameSpec[] = [
    { opcode: Opcode.Continuation, fin, payload: 'fragment1' },
    { opcode: Opcode.Text, fin: false, payload: 'fragment2' },
    { opcode: Opcode.Continuation, fin: true, payload: 'fragment3' },
  ];
  return [...once, ...once];
};

export const cases: ConformanceCase[] = [
  failCase('fragmentation.ping.fragmented', 'A ping fragmented into 2 frames fails the connection', ['5.5', '5.4'], ['5.1'], [
    { opcode: Opcode.Ping, fin: false, payload: 'fragment1' },
    { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
  ]),
  failCase('fragmentation.pong.fragmented', 'A pong fragmented into 2 frames fails the connection', ['5.5', '5.4'], ['5.2'], [
    { opcode: Opcode.Pong, fin: false, payload: 'fragment1' },
    { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
  ]),
  ...CHOPS.map((c, i) =>
    failCase(
      `fragmentation.continuation.nothing-open.fin${chopId(c)}`,
      `A continuation frame (FIN set) with nothing to continue, then a text message, ${chopTitle(c)}: fail`,
      ['5.4'],
      [`5.${9 + i}`],
      continuationFirst(true),
      c,
    ),
  ),
  ...CHOPS.map((c, i) =>
    failCase(
      `fragmentation.continuation.nothing-open.no-fin${chopId(c)}`,
      `A continuation frame (FIN clear) with nothing to continue, then a text message, ${chopTitle(c)}: fail`,
      ['5.4'],
      [`5.${12 + i}`],
      continuationFirst(false),
      c,
    ),
  ),
  failCase(
    'fragmentation.continuation.after-message',
    'A fragmented text message, then a continuation frame with nothing to continue, then a text message: echo, then fail',
    ['5.4'],
    ['5.15'],
    [
      { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
      { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
      { opcode: Opcode.Continuation, fin: false, payload: 'fragment3' },
      { opcode: Opcode.Text, fin: true, payload: 'fragment4' },
    ],
    'whole',
    ['fragment1fragment2'],
  ),
  failCase('fragmentation.continuation.repeated.no-fin', 'Twice: a continuation (FIN clear) with nothing open, then a 2-fragment text message: fail', ['5.4'], ['5.16'], repeated(false)),
  failCase('fragmentation.continuation.repeated.fin', 'Twice: a continuation (FIN set) with nothing open, then a 2-fragment text message: fail', ['5.4'], ['5.17'], repeated(true)),
  failCase('fragmentation.text.both-fragments-text', 'A text message in 2 fragments that both carry the text opcode: fail', ['5.4'], ['5.18'], [
    { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
    { opcode: Opcode.Text, fin: true, payload: 'fragment2' },
  ]),
  failCase('fragmentation.binary.inside-text', 'A binary frame inside an open fragmented text message: fail', ['5.4'], [], [
    { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
    { opcode: Opcode.Binary, fin: true, payload: 'fragment2' },
  ]),
  failCase('fragmentation.text.unfinished-then-text.frame-chops', 'An unfinished text message, then a new complete text message, frame by frame: fail', ['5.4'], [], [
    { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
    { opcode: Opcode.Text, fin: true, payload: 'Hello, world!' },
  ], 'frame'),
];
