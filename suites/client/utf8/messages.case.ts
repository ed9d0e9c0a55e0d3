// Invalid UTF-8 that starts only in a later fragment of a text message (RFC 6455 §5.4: a text message's UTF-8 runs
// across its frames; §8.1: the endpoint "MUST _Fail the WebSocket Connection_", code 1007 per §7.4.1): a client that
// validates each frame on its own, or only the first, lets it through. Client only: the server catalogue's UTF-8
// cases are mirrored in index.ts.
import { Opcode } from '../../../protocol/constants.js';
import { defineClientCase, utf8, type ClientCase } from '../define.js';
import { awaitFailure, failWith } from '../helpers.js';

const GREEK = utf8('κόσμε');
/** A lone surrogate (ED A0 80, never valid UTF-8) and more text. */
const SURROGATE_AND_TEXT = new Uint8Array([0xed, 0xa0, 0x80, ...utf8('wsprobe')]);

export const cases: ClientCase[] = [
  defineClientCase({
    id: 'utf8.invalid.later-fragment',
    title: 'Text whose first fragment is valid and whose second holds a lone surrogate fails the connection with 1007',
    rfc: ['8.1', '7.4.1', '5.4'],
    autobahn: [],
    expect: failWith([1007]),
    async run(peer) {
      await peer.sendFrames(
        [
          { opcode: Opcode.Text, fin: false, payload: GREEK },
          { opcode: Opcode.Continuation, fin: true, payload: SURROGATE_AND_TEXT },
        ],
        { chop: 'frame' },
      );
      await awaitFailure(peer);
    },
  }),
];
