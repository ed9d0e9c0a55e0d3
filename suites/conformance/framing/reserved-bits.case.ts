// RSV1-3 set with no extension negotiated (RFC 6455 §5.2: "If a nonzero value is received and none of the
// negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the
// WebSocket Connection_"). Alone, and after a valid message with a ping behind (Autobahn 3.x): the valid message
// must be echoed first (failing before it is non-strict) and the ping must not be answered.
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, defineWireCase, failWith, text, type Chop, type ConformanceCase, type FrameSpec } from '../../define.js';

const HELLO = 'Hello, world!';

/** RSV as a 3-bit number: RSV1 = 4, RSV2 = 2, RSV3 = 1 (Autobahn's "RSV = n"). */
function rsv(n: number): Pick<FrameSpec, 'rsv1' | 'rsv2' | 'rsv3'> {
  return { rsv1: (n & 4) !== 0, rsv2: (n & 2) !== 0, rsv3: (n & 1) !== 0 };
}

const chopLabel = (c: Chop): string => (c === 'whole' ? '' : c === 'frame' ? '.frame-chops' : '.byte-chops');

function alone(n: number, opcode: number, what: string, autobahn: string[]): ConformanceCase {
  const payload = opcode === Opcode.Close ? new Uint8Array([0x03, 0xe8]) : opcode === Opcode.Binary ? new Uint8Array([0x00, 0xff, 0xfe, 0xfd]) : HELLO;
  return defineWireCase({
    id: `framing.rsv-${n}.${what}`,
    title: `A ${what} frame with RSV = ${n.toString(2).padStart(3, '0')} fails the connection`,
    rfc: ['5.2'],
    autobahn,
    expect: failWith([1002]),
    async run(peer) {
      await peer.sendFrame({ opcode, payload, ...rsv(n) });
      await awaitFailure(peer);
    },
  });
}

function afterMessage(n: number, chop: Chop, autobahn: string[]): ConformanceCase {
  return defineWireCase({
    id: `framing.rsv-${n}.after-message${chopLabel(chop)}`,
    title: `Valid text, then text with RSV = ${n.toString(2).padStart(3, '0')}, then a ping${chop === 'whole' ? '' : chop === 'frame' ? ', frame by frame' : ', byte by byte'}: echo, then fail, no pong`,
    rfc: ['5.2'],
    autobahn,
    expect: failWith([1002], { before: [text(HELLO)] }),
    async run(peer) {
      await peer.sendFrames(
        [
          { opcode: Opcode.Text, payload: HELLO },
          { opcode: Opcode.Text, payload: HELLO, ...rsv(n) },
          { opcode: Opcode.Ping, payload: '' },
        ],
        { chop },
      );
      await awaitFailure(peer);
    },
  });
}

export const cases: ConformanceCase[] = [
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => alone(n, Opcode.Text, 'text', n === 1 ? ['3.1'] : [])),
  afterMessage(2, 'whole', ['3.2']),
  afterMessage(3, 'frame', ['3.3']),
  afterMessage(4, 'byte', ['3.4']),
  afterMessage(1, 'whole', []),
  afterMessage(7, 'byte', []),
  alone(5, Opcode.Binary, 'binary', ['3.5']),
  alone(6, Opcode.Ping, 'ping', ['3.6']),
  alone(6, Opcode.Pong, 'pong', []),
  alone(7, Opcode.Close, 'close', ['3.7']),
];
