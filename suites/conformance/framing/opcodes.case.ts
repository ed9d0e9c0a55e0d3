// Reserved opcodes 3-7 (non-control) and 0xB-0xF (control). RFC 6455 §5.2: "If an unknown opcode is received, the
// receiving endpoint MUST _Fail the WebSocket Connection_." Alone, and after a valid message with a ping behind
// (Autobahn 4.x): the valid message is echoed first (failing before it is non-strict), the ping is not answered.
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, defineWireCase, failWith, text, type ConformanceCase } from '../../define.js';

const HELLO = 'Hello, world!';
/** RFC 6455 §5.2 "%x3-7 are reserved for further non-control frames", "%xB-F are reserved for further control
 * frames": sent on purpose, by number, since the RFC gives them no names (Opcode has none either). */
const RESERVED = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf] as const;

const ALONE_AUTOBAHN: Record<number, string> = { 0x3: '4.1.1', 0x4: '4.1.2', 0xb: '4.2.1', 0xc: '4.2.2' };
const AFTER_AUTOBAHN: Record<number, string> = { 0x5: '4.1.3', 0x6: '4.1.4', 0x7: '4.1.5', 0xd: '4.2.3', 0xe: '4.2.4', 0xf: '4.2.5' };
/** Autobahn sends an empty payload with opcodes 3, 5, 11 and 13, a non-empty one with the others. */
const payloadFor = (op: number): string => ([0x3, 0x5, 0xb, 0xd].includes(op) ? '' : 'reserved opcode payload');
const hex = (op: number): string => op.toString(16);

export const cases: ConformanceCase[] = RESERVED.flatMap((op) => [
  defineWireCase({
    id: `framing.opcode-${hex(op)}.alone`,
    title: `A frame with reserved ${op >= 8 ? 'control' : 'non-control'} opcode 0x${hex(op)} fails the connection`,
    rfc: ['5.2'],
    autobahn: ALONE_AUTOBAHN[op] ? [ALONE_AUTOBAHN[op]] : [],
    expect: failWith([1002]),
    async run(peer) {
      await peer.sendFrame({ opcode: op, payload: payloadFor(op) });
      await awaitFailure(peer);
    },
  }),
  defineWireCase({
    id: `framing.opcode-${hex(op)}.after-message`,
    title: `Valid text, then reserved opcode 0x${hex(op)}, then a ping: echo, then fail, no pong`,
    rfc: ['5.2'],
    autobahn: AFTER_AUTOBAHN[op] ? [AFTER_AUTOBAHN[op]] : [],
    expect: failWith([1002], { before: [text(HELLO)] }),
    async run(peer) {
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: HELLO },
        { opcode: op, payload: payloadFor(op) },
        { opcode: Opcode.Ping, payload: '' },
      ]);
      await awaitFailure(peer);
    },
  }),
]);
