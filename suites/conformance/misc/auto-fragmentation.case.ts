// A large message auto-fragmented by the client (Autobahn 10.1.1): 65536 bytes of text in frames of 1300 bytes
// (one text frame and 50 continuations, RFC 6455 §5.4), echoed whole.
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineWireCase, echo, patternPayload, text, type ConformanceCase } from '../../define.js';

export const cases: ConformanceCase[] = [
  defineWireCase({
    id: 'misc.auto-fragment.65536-by-1300',
    title: 'A 65536-byte text message in 1300-byte frames (1 text + 50 continuations) is echoed whole',
    rfc: ['5.4'],
    autobahn: ['10.1.1'],
    expect: () => echo([text(patternPayload('text', 65536))]),
    async run(peer) {
      await peer.sendMessage(Opcode.Text, patternPayload('text', 65536), { fragmentSize: 1300 });
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  }),
];
