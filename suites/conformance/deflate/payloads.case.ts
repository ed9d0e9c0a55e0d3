// Autobahn 12.x: compressed messages of five kinds of data (JSON, a bitmap, plain text, HTML, a PDF-like binary)
// from 16 units to 128 KiB, whole and auto-fragmented, under the default offer. Each case sends several messages
// (overlapping slices and a repeat of the first) so context takeover (RFC 7692 §7.2.1) is exercised, and expects
// each echoed with the same type, length and content. Autobahn sends 1000 messages per size; each of our sizes
// stands for the Autobahn sizes up to it, and every Autobahn 12.x id is listed on exactly one case.
import { Opcode } from '../../../protocol/constants.js';
import type { ConformanceCase } from '../../define.js';
import { CORPUS_KINDS, type CorpusKind } from './corpus.js';
import { autobahnRange, deflateEchoCase } from './support.js';

/** Autobahn group per corpus. */
const GROUPS: Record<CorpusKind, string> = { json: '12.1', bitmap: '12.2', text: '12.3', html: '12.4', pdf: '12.5' };

/** [size, fragment size or 0, first and last Autobahn sub-case covered]. */
export const PAYLOAD_SIZES: readonly [size: number, fragment: number, from: number, to: number][] = [
  [16, 0, 1, 1],
  [256, 0, 2, 3],
  [4096, 0, 4, 5],
  [65536, 0, 6, 9],
  [131072, 0, 10, 10],
  [16384, 256, 11, 12],
  [131072, 256, 13, 15],
  [131072, 32768, 16, 18],
];

/** Small messages are sent more often: each repeat is another chance for a context-takeover bug to show. */
export function messageCount(size: number): number {
  return size <= 256 ? 16 : size <= 4096 ? 8 : 4;
}

export const cases: ConformanceCase[] = (Object.keys(GROUPS) as CorpusKind[]).flatMap((kind) => {
  const k = CORPUS_KINDS[kind];
  const type = k.opcode === Opcode.Text ? 'text' : 'binary';
  const unit = k.opcode === Opcode.Text ? 'code points' : 'bytes';
  return PAYLOAD_SIZES.map(([size, fragment, from, to]) => {
    const count = messageCount(size);
    return deflateEchoCase({
      id: `deflate.echo.${type}.${kind}-${size}.${fragment > 0 ? `fragment-${fragment}` : 'unfragmented'}`,
      title: `${count} compressed ${type} messages of ${size} ${unit} of ${k.title}${fragment > 0 ? `, in frames of ${fragment} compressed bytes` : ''}, echoed`,
      autobahn: autobahnRange(GROUPS[kind], from, to),
      kind,
      size,
      count,
      ...(fragment > 0 ? { fragmentSize: fragment } : {}),
    });
  });
});
