// Compressed traffic once permessage-deflate is agreed (RFC 7692 §6, §7.2), built with the server catalogue's
// role-symmetric builders: our messages go out compressed (RSV1 on the first frame), the client inflates them and
// echoes them (compressed or not, its choice: §6 "An endpoint MAY ... not compress"); the observer inflates what it
// sends. Several messages per case, overlapping slices of the same corpora, so context takeover (§7.2.1) is
// exercised both ways (Autobahn 12.x in client mode, with fewer sizes and messages than the server catalogue). Then
// the frame rules the client must enforce, mirrored from the server catalogue, and RSV1 on a close frame (§6: "RSV1
// ... set only on the first frame" of a data message; a control frame with it is a protocol error, §5.2). Each needs
// the client to offer permessage-deflate (else unimplemented).
import { Opcode } from '../../../protocol/constants.js';
import { CORPUS_KINDS, type CorpusKind } from '../../conformance/deflate/corpus.js';
import { cases as frames, deflateFailCase } from '../../conformance/deflate/frames.case.js';
import { deflateEchoCase } from '../../conformance/deflate/support.js';
import type { ClientCase } from '../define.js';
import { mirrorOne, toClientCase } from '../mirror.js';

function echoCase(kind: CorpusKind, size: number, count: number, autobahn: string[], fragmentSize?: number): ClientCase {
  const k = CORPUS_KINDS[kind];
  const type = k.opcode === Opcode.Text ? 'text' : 'binary';
  const unit = k.opcode === Opcode.Text ? 'code points' : 'bytes';
  const framed = fragmentSize !== undefined ? `, in frames of ${fragmentSize} compressed bytes` : '';
  return toClientCase(
    deflateEchoCase({
      id: `deflate.echo.${type}.${kind}-${size}${fragmentSize !== undefined ? `.fragment-${fragmentSize}` : ''}`,
      title: `${count} compressed ${type} messages of ${size} ${unit} of ${k.title}${framed}, echoed`,
      autobahn,
      kind,
      size,
      count,
      ...(fragmentSize !== undefined ? { fragmentSize } : {}),
    }),
  );
}

export const cases: ClientCase[] = [
  echoCase('json', 16, 8, ['12.1.1']),
  echoCase('json', 1024, 8, ['12.1.4']),
  echoCase('json', 65536, 3, ['12.1.9']),
  echoCase('json', 8192, 4, ['12.1.11'], 256),
  echoCase('bitmap', 4096, 8, ['12.2.5']),
  echoCase('html', 1024, 8, ['12.4.4']),
  // First published under these ids.
  mirrorOne(frames, 'deflate.echo.uncompressed-then-compressed', 'deflate.echo.uncompressed'),
  mirrorOne(frames, 'deflate.empty.stored-block', 'deflate.echo.empty-stored-block'),
  mirrorOne(frames, 'deflate.rsv1.ping'),
  toClientCase(
    deflateFailCase('deflate.rsv1.close', 'A close frame with RSV1 set fails the connection (1002)', ['7692 6', '5.2'], [1002], (peer) =>
      peer.sendFrame({ opcode: Opcode.Close, payload: new Uint8Array([0x03, 0xe8]), rsv1: true }),
    ),
  ),
  mirrorOne(frames, 'deflate.rsv1.continuation'),
  mirrorOne(frames, 'deflate.inflate.bad-block-type'),
];
