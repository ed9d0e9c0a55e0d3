// The server ends TCP without a closing handshake. RFC 6455 §7.2.1: "If at any point the underlying transport layer
// connection is unexpectedly lost, the client MUST _Fail the WebSocket Connection_", and §7.1.5: the close code is
// then 1006, which "MUST NOT be set as a status code in a Close control frame by an endpoint" (§7.4.1). What the
// client does next happens in its own API (an error or close event with 1006), not on the wire: the case is
// recorded, not graded. The transcript shows whether the client echoed the message first and what, if anything,
// it sent before our FIN.
import { Opcode } from '../../../protocol/constants.js';
import { defineClientCase, text, type ClientCase } from '../define.js';
import { informational } from '../helpers.js';

export const cases: ClientCase[] = [
  defineClientCase({
    id: 'close.server-drops-tcp',
    title: 'After an echoed message the server ends TCP (FIN) without a close frame: what the client does is recorded',
    rfc: ['7.2.1', '7.1.5'],
    autobahn: [],
    expect: informational(
      'the server closed TCP without a closing handshake; the client must fail the connection (RFC 6455 §7.2.1), which it reports to its application with code 1006 (§7.1.5), and send no close frame with 1006 (§7.4.1)',
      { receive: [text('before the drop')] },
    ),
    async run(peer) {
      await peer.sendMessage(Opcode.Text, 'before the drop');
      await peer.waitForMessages(1);
      peer.mark('server-fin');
      peer.drop('fin');
    },
  }),
];
