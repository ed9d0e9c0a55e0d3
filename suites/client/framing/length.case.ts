// A length in a longer form than needed (RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the
// length", a rule for the sender that sets the receiver none): the client may echo the message or fail the
// connection. Client only: the server catalogue has no such case.
import { Opcode } from '../../../protocol/constants.js';
import { defineClientCase, text, type ClientCase } from '../define.js';
import { echoThenClose } from '../helpers.js';

export const cases: ClientCase[] = [
  defineClientCase({
    id: 'framing.length.non-minimal',
    title: 'A 5-byte text message with its length in the 16-bit form: echoed, or the connection failed (the minimal-length rule binds the sender)',
    rfc: ['5.2'],
    autobahn: [],
    expect: {
      kind: 'behave',
      receive: [text('Hello')],
      mayFail: [{ codes: [1002], why: 'RFC 6455 §5.2 requires the minimal length encoding of the sender and sets the receiver no rule' }],
    },
    async run(peer) {
      await peer.sendFrame({ opcode: Opcode.Text, payload: 'Hello', lengthForm: 16 });
      await echoThenClose(peer, 1);
    },
  }),
];
