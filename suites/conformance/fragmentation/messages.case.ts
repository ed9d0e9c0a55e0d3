// Fragmented messages (RFC 6455 §5.4): "a single frame with the FIN bit clear and an opcode other than 0, followed
// by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame with the
// FIN bit set and an opcode of 0"; control frames "MAY be injected in the middle of a fragmented message".
// Written in one go, frame by frame, and byte by byte (Autobahn 5.3-5.8, 5.19, 5.20).
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineWireCase, echo, pong, text, binary, type Chop, type ConformanceCase, type FrameSpec } from '../../define.js';

const chopId = (c: Chop): string => (c === 'whole' ? '' : c === 'frame' ? '.frame-chops' : c === 'byte' ? '.byte-chops' : `.chop-${c}`);
const chopTitle = (c: Chop): string => (c === 'whole' ? 'in one write' : c === 'frame' ? 'frame by frame' : c === 'byte' ? 'byte by byte' : `in chops of ${c} bytes`);
const CHOPS: Chop[] = ['whole', 'frame', 'byte'];

function twoFragments(kind: 'text' | 'binary', chop: Chop, autobahn: string[]): ConformanceCase {
  const op = kind === 'text' ? Opcode.Text : Opcode.Binary;
  return defineWireCase({
    id: `fragmentation.${kind}.two-fragments${chopId(chop)}`,
    title: `A ${kind} message in 2 fragments, ${chopTitle(chop)}, is echoed whole`,
    rfc: ['5.4'],
    autobahn,
    expect: echo([kind === 'text' ? text('fragment1fragment2') : binary('fragment1fragment2')]),
    async run(peer) {
      await peer.sendFrames(
        [
          { opcode: op, fin: false, payload: 'fragment1' },
          { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
        ],
        { chop },
      );
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  });
}

function pingBetween(chop: Chop, autobahn: string[]): ConformanceCase {
  return defineWireCase({
    id: `fragmentation.text.ping-between${chopId(chop)}`,
    title: `A text message in 2 fragments with a ping between them, ${chopTitle(chop)}: pong, then the echo`,
    rfc: ['5.4', '5.5.2'],
    autobahn,
    expect: echo([pong('ping payload'), text('fragment1fragment2')]),
    async run(peer) {
      await peer.sendFrames(
        [
          { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
          { opcode: Opcode.Ping, payload: 'ping payload' },
          { opcode: Opcode.Continuation, fin: true, payload: 'fragment2' },
        ],
        { chop },
      );
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  });
}

/** Set after the pause, just before the write that carries the rest of the message and its last fragment. */
const REST_MARK = 'rest-of-message';

/**
 * Autobahn 5.19/5.20: pings inside a 5-fragment message, with a 1 s pause in the middle. The first pong is due
 * during the pause (RFC 6455 §5.5.2: "as soon as is practical"; §5.4: control frames "MAY be injected in the
 * middle of a fragmented message"): one held back until the last fragment arrives is non-strict (late-pong).
 */
function pingsAndPause(chop: Chop, autobahn: string[]): ConformanceCase {
  const frames: FrameSpec[][] = [
    [
      { opcode: Opcode.Text, fin: false, payload: 'fragment1' },
      { opcode: Opcode.Continuation, fin: false, payload: 'fragment2' },
      { opcode: Opcode.Ping, payload: 'pongme 1!' },
    ],
    [
      { opcode: Opcode.Continuation, fin: false, payload: 'fragment3' },
      { opcode: Opcode.Continuation, fin: false, payload: 'fragment4' },
      { opcode: Opcode.Ping, payload: 'pongme 2!' },
      { opcode: Opcode.Continuation, fin: true, payload: 'fragment5' },
    ],
  ];
  return defineWireCase({
    id: `fragmentation.text.pings-and-pause${chopId(chop)}`,
    title: `A text message in 5 fragments with 2 pings and a 1 s pause inside, ${chopTitle(chop)}: 2 pongs at once, then the echo`,
    rfc: ['5.4', '5.5.2'],
    autobahn,
    expect: {
      kind: 'behave',
      receive: [pong('pongme 1!'), pong('pongme 2!'), text('fragment1fragment2fragment3fragment4fragment5')],
      pongsBy: { mark: REST_MARK, pings: 1 },
    },
    async run(peer) {
      await peer.sendFrames(frames[0]!, { chop });
      await peer.pause(1000);
      peer.mark(REST_MARK);
      await peer.sendFrames(frames[1]!, { chop });
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  });
}

function emptyFragments(kind: 'text' | 'binary', parts: string[], label: string): ConformanceCase {
  const op = kind === 'text' ? Opcode.Text : Opcode.Binary;
  const whole = parts.join('');
  return defineWireCase({
    id: `fragmentation.${kind}.${label}`,
    title: `A ${kind} message with empty fragments (${parts.map((p) => p.length).join(' + ')} bytes) is echoed as ${whole.length} bytes`,
    rfc: ['5.4'],
    autobahn: [],
    expect: echo([kind === 'text' ? text(whole) : binary(whole)]),
    async run(peer) {
      await peer.sendFrames(parts.map((payload, i) => ({ opcode: i === 0 ? op : Opcode.Continuation, fin: i === parts.length - 1, payload })));
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  });
}

export const cases: ConformanceCase[] = [
  ...CHOPS.map((c, i) => twoFragments('text', c, [`5.${3 + i}`])),
  ...CHOPS.map((c) => twoFragments('binary', c, [])),
  twoFragments('text', 5, []),
  ...CHOPS.map((c, i) => pingBetween(c, [`5.${6 + i}`])),
  pingsAndPause('whole', ['5.19']),
  pingsAndPause('frame', ['5.20']),
  pingsAndPause('byte', []),
  emptyFragments('text', ['', '', ''], 'empty-fragments'),
  emptyFragments('text', ['Hello', '', ', world!'], 'empty-middle-fragment'),
  emptyFragments('binary', ['', 'abc', ''], 'empty-first-and-last-fragments'),
  defineWireCase({
    id: 'fragmentation.text.one-byte-fragments',
    title: 'A text message in 1-byte fragments is echoed whole',
    rfc: ['5.4'],
    autobahn: [],
    expect: echo([text('Hello, world! κόσμε')]),
    async run(peer) {
      const bytes = new Uint8Array(Buffer.from('Hello, world! κόσμε', 'utf8'));
      await peer.sendMessage(Opcode.Text, bytes, { fragmentSize: 1 });
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  }),
];
