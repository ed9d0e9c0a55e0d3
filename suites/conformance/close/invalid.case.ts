// Close frames the target must refuse by failing the connection: a 1-byte payload (RFC 6455 §5.5.1: "the first two
// bytes of the body MUST be a 2-byte unsigned integer"), a payload over 125 bytes (§5.5), a reason that is not
// UTF-8 (§5.5.1 "the body ... MUST be ... UTF-8-encoded data", §8.1), and codes no endpoint may send (§7.4.1,
// §7.4.2): answered with a close 1002 (1007 also accepted for the bad reason) (Autobahn 7.3.2, 7.3.6, 7.5.1, 7.9.x,
// 7.13.x). Failing with another valid code, without a code, or by dropping TCP is non-strict (§7.1.7: the endpoint
// "SHOULD send a Close frame with an appropriate status code"). Codes 5000 and 65535 lie above every range §7.4.2
// defines (it stops at 4999) and no sentence tells a receiver what to do with them: answering them with 1000 as a
// normal close is informational, as Autobahn 7.13.x records it (issue 12, ruling 7); refusing them with 1002 passes.
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, defineWireCase, failWith, GIVE_UP_MARK, type ConformanceCase, type WirePeer } from '../../define.js';

/** Sends our (invalid) close, then waits for the target's answer, which is its failure. */
async function sendAndWait(peer: WirePeer, payload: Uint8Array): Promise<void> {
  await peer.sendFrame({ opcode: Opcode.Close, payload });
  if (!(await peer.waitForClose())) peer.mark(GIVE_UP_MARK);
  await peer.close();
}

const code = (n: number): Uint8Array => new Uint8Array([n >>> 8, n & 0xff]);

const INVALID_CODES: [number, string[]][] = [
  [0, ['7.9.1']],
  [999, ['7.9.2']],
  [1004, ['7.9.3']],
  [1005, ['7.9.4']],
  [1006, ['7.9.5']],
  [1015, []],
  [1016, ['7.9.6']],
  [1100, ['7.9.7']],
  [2000, ['7.9.8']],
  [2999, ['7.9.9']],
  [5000, ['7.13.1']],
  [65535, ['7.13.2']],
];

/** Codes above 4999: RFC 6455 defines no range for them, so an answer as to a valid close is only recorded. */
const ABOVE_RANGES = {
  codes: [1000],
  why: 'RFC 6455 §7.4.2 defines status code ranges up to 4999 only and sets no rule for a receiver of a higher code (Autobahn 7.13.x: informational); refusing it with 1002 is the strict reading',
};

export const cases: ConformanceCase[] = [
  defineWireCase({
    id: 'close.payload-1-byte',
    title: 'A close frame with a 1-byte payload fails the connection',
    rfc: ['5.5.1'],
    autobahn: ['7.3.2'],
    expect: failWith([1002]),
    run: (peer) => sendAndWait(peer, new Uint8Array([0x03])),
  }),
  defineWireCase({
    id: 'close.reason-124',
    title: 'A close frame with a 124-byte reason (126-byte payload, too long for a control frame) fails the connection',
    rfc: ['5.5'],
    autobahn: ['7.3.6'],
    expect: failWith([1002]),
    async run(peer) {
      await peer.sendFrame({ opcode: Opcode.Close, payload: new Uint8Array([0x03, 0xe8, ...new Uint8Array(124).fill(0x2a)]) });
      await awaitFailure(peer);
    },
  }),
  defineWireCase({
    id: 'close.reason-invalid-utf8',
    title: 'A close frame whose reason is not UTF-8 fails the connection',
    rfc: ['5.5.1', '8.1'],
    autobahn: ['7.5.1'],
    expect: failWith([1007, 1002]),
    // "κόσμε" followed by ED A0 80 (a UTF-16 surrogate, never valid UTF-8) and more text.
    run: (peer) => sendAndWait(peer, new Uint8Array([0x03, 0xe8, 0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64])),
  }),
  ...INVALID_CODES.map(([n, autobahn]) =>
    defineWireCase({
      id: `close.invalid-code.${n}`,
      title: n > 4999 ? `A close frame with code ${n}, above every range RFC 6455 defines, is refused with 1002 (answered with 1000: informational)` : `A close frame with code ${n}, which no endpoint may send, fails the connection`,
      rfc: ['7.4.1', '7.4.2'],
      autobahn,
      expect: failWith([1002], n > 4999 ? { accepted: ABOVE_RANGES } : {}),
      run: (peer) => sendAndWait(peer, code(n)),
    }),
  ),
];
