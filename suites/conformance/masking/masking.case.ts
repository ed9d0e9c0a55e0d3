// Masking (RFC 6455 §5.1, §5.3). "The server MUST close the connection upon receiving a frame that is not masked.
// In this case, a server MAY send a Close frame with a status code of 1002 (protocol error)": closing is the MUST,
// the code a MAY, so a close with another valid code (1000, 1003) is non-strict (other-code), as is a TCP drop or
// a close without a code (failed-without-close), and only keeping the connection open fails (issue 12, ruling 8).
// A key of four zero bytes is still a masked frame (the MASK bit is what counts: §5.2 "Mask: 1 bit ... If set to
// 1, a masking key is present"). "A server MUST NOT mask any frames that it sends to the client": the grader checks
// every frame of every case; the dedicated case below exercises each kind of frame a server sends.
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, closeNormally, defineCase, echo, failWith, pong, text, binary, type ConformanceCase } from '../../define.js';

const ZERO_KEY = new Uint8Array(4);

export const cases: ConformanceCase[] = [
  ...([
    ['text', Opcode.Text, 'Hello, world!'],
    ['binary', Opcode.Binary, 'binary payload'],
    ['ping', Opcode.Ping, 'ping payload'],
    ['close', Opcode.Close, '\u0003\u00e8'],
  ] as const).map(([name, opcode, payload]) =>
    defineCase({
      id: `masking.unmasked.${name}`,
      title: `An unmasked ${name} frame from the client makes the server close the connection (1002 suggested)`,
      rfc: ['5.1'],
      autobahn: [],
      expect: failWith([1002]),
      async run(peer) {
        const bytes = name === 'close' ? new Uint8Array([0x03, 0xe8]) : payload;
        await peer.sendFrame({ opcode, payload: bytes, mask: null });
        await awaitFailure(peer);
      },
    }),
  ),
  defineCase({
    id: 'masking.unmasked.after-message',
    title: 'A masked text message, then an unmasked one: the first echoed, then the connection failed',
    rfc: ['5.1'],
    autobahn: [],
    expect: failWith([1002], { before: [text('masked')] }),
    async run(peer) {
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: 'masked' },
        { opcode: Opcode.Text, payload: 'unmasked', mask: null },
      ]);
      await awaitFailure(peer);
    },
  }),
  defineCase({
    id: 'masking.zero-key',
    title: 'Frames masked with an all-zero key are masked frames and are accepted',
    rfc: ['5.3', '5.2'],
    autobahn: [],
    expect: echo([text('zero key text'), pong('zero key ping'), binary('zero key binary')]),
    async run(peer) {
      await peer.sendFrames([
        { opcode: Opcode.Text, payload: 'zero key text', mask: ZERO_KEY },
        { opcode: Opcode.Ping, payload: 'zero key ping', mask: ZERO_KEY },
        { opcode: Opcode.Binary, fin: false, payload: 'zero key ', mask: ZERO_KEY },
        { opcode: Opcode.Continuation, fin: true, payload: 'binary', mask: ZERO_KEY },
      ]);
      await peer.waitForMessages(2);
      await closeNormally(peer);
    },
  }),
  defineCase({
    id: 'masking.key-per-fragment',
    title: 'Each fragment of a message masked with a different key is unmasked and echoed whole',
    rfc: ['5.3'],
    autobahn: [],
    expect: echo([text('abcdefghijklmnopqrstuvwxyz')]),
    async run(peer) {
      await peer.sendFrames([
        { opcode: Opcode.Text, fin: false, payload: 'abcdefg', mask: new Uint8Array([1, 2, 3, 4]) },
        { opcode: Opcode.Continuation, fin: false, payload: 'hijklmnop', mask: new Uint8Array([0xff, 0x00, 0xaa, 0x55]) },
        { opcode: Opcode.Continuation, fin: true, payload: 'qrstuvwxyz', mask: new Uint8Array([0x80, 0x7f, 0x01, 0xfe]) },
      ]);
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  }),
  defineCase({
    id: 'masking.server-frames-unmasked',
    title: 'Every frame the server sends (text, binary, pong, close) is unmasked',
    rfc: ['5.1'],
    autobahn: [],
    expect: echo([text('text to echo'), binary('binary to echo'), pong('ping to answer')], { codes: [4321, 1000] }),
    async run(peer) {
      await peer.sendMessage(Opcode.Text, 'text to echo');
      await peer.sendMessage(Opcode.Binary, 'binary to echo');
      await peer.sendPing('ping to answer');
      await peer.waitForMessages(2);
      await peer.waitForPongs(1);
      await closeNormally(peer, 4321, 'close with a reason');
    },
  }),
];
