// A deflate case's plain frames made into the frames sent, once the handshake has agreed permessage-deflate: each
// compressed message (RSV1 on its first frame) is compressed whole, in stream order, by our compressor within the
// agreement (so with context takeover later messages may point back into earlier ones, as RFC 7692 §7.2.1 allows),
// then spread over the message's frames; controls between its fragments stay where they are. Pure, so the
// unit tests compress with the same code the suite sends.
import { Opcode } from '../../protocol/constants.js';
import { buildDeflateOffer } from '../../protocol/extensions/permessage-deflate.js';
import type { DeflateStageOptions } from '../../peers/raw/deflate-stage.js';
import type { DeflateCase, DeflateFrame } from './deflate.arb.js';
import { concatBytes, describeFuzzFrame, hex, type FuzzFrame } from './fuzz-frame.js';
import { describeChunking } from './chunking.arb.js';

/** RFC 7692 §7.2.1: the empty stored block whose last 4 bytes a sender removes; here it ends a block before a bad one. */
const EMPTY_STORED_BLOCK = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

const isDataOpcode = (op: number): boolean => op === Opcode.Text || op === Opcode.Binary || op === Opcode.Continuation;

/**
 * The frames (indices) of each compressed message, in order: a text or binary frame with RSV1 opens one; its
 * continuations follow until FIN (a new data frame, or the end of the stream, also ends it).
 */
export function compressedMessages(frames: readonly FuzzFrame[]): number[][] {
  const out: number[][] = [];
  let open: number[] | null = null;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (!isDataOpcode(f.opcode)) continue;
    if (f.opcode !== Opcode.Continuation) {
      open = f.rsv1 ? [] : null;
      if (open !== null) out.push(open);
    }
    open?.push(i);
    if (f.fin) open = null;
  }
  return out;
}

/** The undecodable flag of the oracle (PredictOptions.deflate): the compressed message at `frame` does not inflate. */
export function undecodableAt(frames: readonly DeflateFrame[]): (frame: number) => boolean {
  return (i) => frames[i]?.undecodable !== undefined;
}

/**
 * The frames to send: every compressed message's plain bytes compressed with `compress` (stream order matters:
 * the compressor keeps context), split evenly over its frames, the last frame never empty.
 */
export function compressFrames(frames: readonly DeflateFrame[], compress: (payload: Uint8Array, opcode: number) => Uint8Array): FuzzFrame[] {
  const out: FuzzFrame[] = frames.map(({ undecodable: _, ...f }) => f);
  for (const message of compressedMessages(frames)) {
    const first = frames[message[0]!]!;
    const compressed = compress(concatBytes(message.map((i) => frames[i]!.payload)), first.opcode);
    const bytes = first.undecodable === undefined ? compressed : concatBytes([compressed, EMPTY_STORED_BLOCK, Uint8Array.of(first.undecodable)]);
    const n = message.length;
    message.forEach((i, k) => {
      out[i] = { ...out[i]!, payload: bytes.subarray(Math.floor((k * bytes.length) / n), Math.floor(((k + 1) * bytes.length) / n)) };
    });
  }
  return out;
}

/** The Sec-WebSocket-Extensions value the case offers. */
export function offerHeader(c: Pick<DeflateCase, 'offer'>): string {
  return buildDeflateOffer(c.offer).header;
}

function describeOurs(o: DeflateStageOptions): string {
  const parts = [o.noContextTakeover ? 'no context takeover' : 'context takeover as agreed'];
  if (o.maxWindowBits !== undefined) parts.push(`window at most ${o.maxWindowBits} bits`);
  if (o.level !== undefined) parts.push(`level ${o.level}`);
  return parts.join(', ');
}

/** The counterexample: the offer, our compressor, then one line per frame (plain payloads, marked), the chunking. */
export function describeDeflateCase(c: DeflateCase): string[] {
  const inCompressed = new Set(compressedMessages(c.frames).flat());
  const frames = c.frames.map((f, i) => {
    let line = `${i + 1}. > ${describeFuzzFrame(f)}`;
    if (inCompressed.has(i)) line += f.rsv1 && f.opcode !== Opcode.Continuation ? ' (plain bytes shown; sent compressed)' : ' (part of the compressed message)';
    if (f.undecodable !== undefined) line += `, then 00 00 ff ff ${hex(Uint8Array.of(f.undecodable))}: does not inflate`;
    return line;
  });
  return [`offer: ${offerHeader(c)}`, `our compressor: ${describeOurs(c.ours)}`, ...frames, `(${describeChunking(c.chunking)})`];
}
