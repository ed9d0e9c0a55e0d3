// Pings (RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response"; §5.5.3:
// "A Pong frame sent in response to a Ping frame must have identical "Application data" as found in the message
// body of the Ping frame being replied to"), and §5.5: control payloads are at most 125 bytes (Autobahn 2.x). Of
// several pings not yet answered, a target may answer only the last (§5.5.3: "the endpoint MAY elect to send a
// Pong frame for only the most recently processed Ping frame"): the grader accepts any pongs in order that end
// with the last ping's, and the scripts wait for that one, not for a count.
import { Opcode } from '../../../protocol/constants.js';
import { awaitFailure, closeNormally, defineWireCase, echo, failWith, pong, text, utf8, waitForLatestPong, type Chop, type ConformanceCase } from '../../define.js';

const BINARY_8 = new Uint8Array([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
const FE_125 = new Uint8Array(125).fill(0xfe);

function pingCase(id: string, title: string, payload: Uint8Array, autobahn: string[], chop: Chop = 'whole'): ConformanceCase {
  return defineWireCase({
    id,
    title,
    rfc: ['5.5.2', '5.5.3'],
    autobahn,
    expect: echo([pong(payload)]),
    async run(peer) {
      await peer.sendPing(payload, { chop });
      await peer.waitForPongs(1);
      await closeNormally(peer);
    },
  });
}

/** Pings of every allowed size, 0 to 125 bytes, each with its own content. */
const SIZES = Array.from({ length: 126 }, (_, n) => Uint8Array.from({ length: n }, (_, i) => (n * 7 + i * 13) & 0xff));

export const cases: ConformanceCase[] = [
  pingCase('control.ping.empty', 'Ping without payload is answered by an empty pong', new Uint8Array(0), ['2.1']),
  pingCase('control.ping.text-payload', 'Ping with a small text payload is answered by an identical pong', utf8('Hello, world!'), ['2.2']),
  pingCase('control.ping.binary-payload', 'Ping with a small binary (non UTF-8) payload is answered by an identical pong', BINARY_8, ['2.3']),
  pingCase('control.ping.payload-125', 'Ping with a 125-byte payload (the maximum) is answered by an identical pong', FE_125, ['2.4']),
  pingCase('control.ping.payload-125.byte-chops', 'Ping with a 125-byte payload sent byte by byte is answered by an identical pong', FE_125, ['2.6'], 'byte'),
  defineWireCase({
    id: 'control.ping.payload-126',
    title: 'Ping with a 126-byte payload fails the connection (control frames carry at most 125 bytes)',
    rfc: ['5.5'],
    autobahn: ['2.5'],
    expect: failWith([1002]),
    async run(peer) {
      await peer.sendPing(new Uint8Array(126).fill(0xfe));
      await awaitFailure(peer);
    },
  }),
  defineWireCase({
    id: 'control.ping.sizes-0-125',
    title: 'Pings of every size from 0 to 125 bytes, one after another, are each answered by an identical pong',
    rfc: ['5.5.2', '5.5.3'],
    autobahn: [],
    timeoutMs: 30_000,
    expect: echo(SIZES.map((p) => pong(p))),
    async run(peer) {
      // One at a time, each after the previous pong: a burst of 126 pings would measure flood protection instead
      // (ws, for one, terminates a client with more than 60 pongs pending).
      for (let i = 0; i < SIZES.length; i++) {
        await peer.sendPing(SIZES[i]);
        if (!(await peer.waitForPongs(i + 1))) break;
      }
      await closeNormally(peer);
    },
  }),
  ...(['whole', 'byte'] as const).map((chop) =>
    defineWireCase({
      id: `control.ping.ten-in-a-row${chop === 'byte' ? '.byte-chops' : ''}`,
      title: `Ten pings in a row${chop === 'byte' ? ', sent byte by byte,' : ''} are answered by ten pongs in order`,
      rfc: ['5.5.2', '5.5.3'],
      autobahn: [chop === 'byte' ? '2.11' : '2.10'],
      expect: echo(Array.from({ length: 10 }, (_, i) => pong(`payload-${i}`))),
      async run(peer) {
        await peer.sendFrames(Array.from({ length: 10 }, (_, i) => ({ opcode: Opcode.Ping, payload: `payload-${i}` })), { chop });
        await waitForLatestPong(peer, 'payload-9');
        await closeNormally(peer);
      },
    }),
  ),
  defineWireCase({
    id: 'control.ping.most-recent',
    title: 'Three pings in one write, then a text message: a pong for the last ping at least (RFC 6455 §5.5.3 MAY skip the earlier ones), then the echo',
    rfc: ['5.5.3', '5.5.2'],
    autobahn: [],
    expect: echo([pong('first'), pong('second'), pong('third'), text('after the pings')]),
    async run(peer) {
      await peer.sendFrames([
        { opcode: Opcode.Ping, payload: 'first' },
        { opcode: Opcode.Ping, payload: 'second' },
        { opcode: Opcode.Ping, payload: 'third' },
        { opcode: Opcode.Text, payload: 'after the pings' },
      ]);
      await waitForLatestPong(peer, 'third');
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  }),
];
