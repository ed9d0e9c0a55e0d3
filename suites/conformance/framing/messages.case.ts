// Text and binary messages in one frame at the length-encoding boundaries (RFC 6455 §5.2: 7-bit lengths up to
// 125, 16-bit from 126 to 65535, 64-bit from 65536), written in one go, in chops of 997 bytes, or byte by byte.
// The target must echo each exactly (content compared, not only length) and close cleanly (Autobahn 1.1, 1.2).
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, defineWireCase, echo, patternPayload, type Chop, type ConformanceCase } from '../../define.js';

const LENGTHS = [0, 125, 126, 127, 128, 65535, 65536] as const;

const AUTOBAHN: Record<'text' | 'binary', Record<string, string>> = {
  text: { '0': '1.1.1', '125': '1.1.2', '126': '1.1.3', '127': '1.1.4', '128': '1.1.5', '65535': '1.1.6', '65536': '1.1.7', '65536.chop-997': '1.1.8' },
  binary: { '0': '1.2.1', '125': '1.2.2', '126': '1.2.3', '127': '1.2.4', '128': '1.2.5', '65535': '1.2.6', '65536': '1.2.7', '65536.chop-997': '1.2.8' },
};

function messageCase(kind: 'text' | 'binary', length: number, chop: Chop): ConformanceCase {
  const suffix = chop === 'whole' ? '' : chop === 'byte' ? '.byte-chops' : `.chop-${chop}`;
  const how = chop === 'whole' ? 'in one write' : chop === 'byte' ? 'one byte per write' : `in TCP chops of ${chop} bytes`;
  const ab = AUTOBAHN[kind][`${length}${suffix}`];
  return defineWireCase({
    id: `framing.${kind}.len-${length}${suffix}`,
    title: `${kind === 'text' ? 'Text' : 'Binary'} message of ${length} bytes in one frame, ${how}, is echoed`,
    rfc: ['5.2', '5.6'],
    autobahn: ab ? [ab] : [],
    expect: () => echo([{ type: kind, payload: patternPayload(kind, length) }]),
    async run(peer) {
      await peer.sendMessage(kind === 'text' ? Opcode.Text : Opcode.Binary, patternPayload(kind, length), { chop });
      await peer.waitForMessages(1);
      await closeNormally(peer);
    },
  });
}

export const cases: ConformanceCase[] = (['text', 'binary'] as const).flatMap((kind) => [
  ...LENGTHS.map((n) => messageCase(kind, n, 'whole')),
  messageCase(kind, 65535, 997),
  messageCase(kind, 65536, 997),
  messageCase(kind, 125, 'byte'),
  messageCase(kind, 126, 'byte'),
  messageCase(kind, 128, 7),
]);
