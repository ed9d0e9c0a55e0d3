// A server that pings between messages, as a heartbeat does (RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an
// endpoint MUST send a Pong frame in response"; §5.6: data messages in between are echoed as usual). Client only:
// the server catalogue's ping cases (mirrored in index.ts) send pings alone or in bursts.
import { Opcode } from '../../../protocol/constants.js';
import { defineClientCase, pong, text, type ClientCase } from '../define.js';
import { closeNormally, echo } from '../helpers.js';

const BINARY_8 = new Uint8Array([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);

export const cases: ClientCase[] = [
  defineClientCase({
    id: 'control.ping.between-messages',
    title: 'A heartbeat: ping, text, ping, binary, ping: three pongs and two echoes, in order',
    rfc: ['5.5.2', '5.5.3', '5.6'],
    autobahn: [],
    expect: echo([pong('heartbeat 1'), text('first message'), pong('heartbeat 2'), { type: 'binary', payload: BINARY_8 }, pong('heartbeat 3')]),
    async run(peer) {
      await peer.sendPing('heartbeat 1');
      await peer.waitForPongs(1);
      await peer.sendMessage(Opcode.Text, 'first message');
      await peer.waitForMessages(1);
      await peer.sendPing('heartbeat 2');
      await peer.waitForPongs(2);
      await peer.sendMessage(Opcode.Binary, BINARY_8);
      await peer.waitForMessages(2);
      await peer.sendPing('heartbeat 3');
      await peer.waitForPongs(3);
      await closeNormally(peer);
    },
  }),
];
