// Unsolicited pongs. RFC 6455 §5.5.3: "A Pong frame MAY be sent unsolicited. This serves as a unidirectional
// heartbeat. A response to an unsolicited Pong frame is not expected." The target must answer nothing, keep the
// connection, and still answer a later ping (Autobahn 2.7-2.9).
import { closeNormally, defineWireCase, echo, pong, type ConformanceCase } from '../../define.js';

export const cases: ConformanceCase[] = [
  defineWireCase({
    id: 'control.pong.unsolicited-empty',
    title: 'An unsolicited empty pong is ignored',
    rfc: ['5.5.3'],
    autobahn: ['2.7'],
    expect: echo([]),
    async run(peer) {
      await peer.sendPong();
      await closeNormally(peer);
    },
  }),
  defineWireCase({
    id: 'control.pong.unsolicited-payload',
    title: 'An unsolicited pong with a payload is ignored',
    rfc: ['5.5.3'],
    autobahn: ['2.8'],
    expect: echo([]),
    async run(peer) {
      await peer.sendPong('unsolicited pong payload');
      await closeNormally(peer);
    },
  }),
  defineWireCase({
    id: 'control.pong.unsolicited-then-ping',
    title: 'After an unsolicited pong, a ping is still answered by an identical pong',
    rfc: ['5.5.2', '5.5.3'],
    autobahn: ['2.9'],
    expect: echo([pong('ping payload')]),
    async run(peer) {
      await peer.sendPong('unsolicited pong payload');
      await peer.sendPing('ping payload');
      await peer.waitForPongs(1);
      await closeNormally(peer);
    },
  }),
];
