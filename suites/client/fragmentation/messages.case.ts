// A large binary message from the server in many small fragments (RFC 6455 §5.4: a message may be split into any
// number of frames): the client reassembles and echoes it whole. Client only: the server catalogue's fragmentation
// cases (mirrored in index.ts) send a few fragments each.
import { Opcode } from '../../../protocol/constants.js';
import { binary, defineClientCase, patternPayload, type ClientCase } from '../define.js';
import { echo, echoThenClose } from '../helpers.js';

export const cases: ClientCase[] = [
  defineClientCase({
    id: 'fragmentation.binary.many-fragments',
    title: 'A 64 KiB binary message in 256 fragments of 256 bytes is echoed whole',
    rfc: ['5.4'],
    autobahn: [],
    expect: () => echo([binary(patternPayload('binary', 65536))]),
    async run(peer) {
      await peer.sendMessage(Opcode.Binary, patternPayload('binary', 65536), { fragmentSize: 256 });
      await echoThenClose(peer, 1);
    },
  }),
];
