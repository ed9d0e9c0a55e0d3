// Masked frames from the server. RFC 6455 §5.1: "A server MUST NOT mask any frames that it sends to the client. A
// client MUST close a connection if it detects a masked frame. In this case, it MAY use the status code 1002
// (protocol error) as defined in Section 7.4.1." Closing is the MUST, the code a MAY: another valid code or a
// drop is non-strict, keeping the connection open fails. A key of four zero bytes is still a masked frame (§5.2:
// the MASK bit is what counts). After a valid message, the echo is due first (failing before it: non-strict).
import { Opcode } from '../../../protocol/constants.js';
import { defineClientCase, text, type ClientCase } from '../define.js';
import { awaitFailure, failWith } from '../helpers.js';

const KEY = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);
const ZERO_KEY = new Uint8Array(4);

const FRAMES = [
  ['text', Opcode.Text, 'Hello, world!', KEY],
  ['binary', Opcode.Binary, 'binary payload', KEY],
  ['ping', Opcode.Ping, 'ping payload', KEY],
  ['close', Opcode.Close, new Uint8Array([0x03, 0xe8]), KEY],
  ['zero-key', Opcode.Text, 'masked with 00 00 00 00', ZERO_KEY],
] as const;

export const cases: ClientCase[] = [
  ...FRAMES.map(([name, opcode, payload, mask]) =>
    defineClientCase({
      id: `framing.masked.${name}`,
      title: name === 'zero-key' ? 'A text frame masked with an all-zero key (still a masked frame) makes the client close the connection' : `A masked ${name} frame makes the client close the connection (1002 suggested)`,
      rfc: ['5.1'],
      autobahn: [],
      expect: failWith([1002]),
      async run(peer) {
        await peer.sendFrame({ opcode, payload, mask });
        await awaitFailure(peer);
      },
    }),
  ),
  defineClientCase({
    id: 'framing.masked.after-message',
    title: 'An unmasked text message, then a masked one: the first echoed, then the connection closed',
    rfc: ['5.1'],
    autobahn: [],
    expect: failWith([1002], { before: [text('unmasked')] }),
    async run(peer) {
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: 'unmasked' },
        { opcode: Opcode.Text, payload: 'masked', mask: KEY },
      ]);
      await awaitFailure(peer);
    },
  }),
];
