// How the client byte stream is split across TCP writes (RFC 6455 §5.4: "intermediaries ... could coalesce and/or
// split frames"): a server must give the same answer for every split, and for pauses between the pieces. The
// chopping is pure; it lives here because the fuzz driver applies it (suites/properties/chunking.arb.ts generates).

import { concatBytes } from '../../protocol/bytes.js';

export type Chunking =
  /** One write for the whole stream. */
  | { kind: 'whole' }
  /** One write per frame. */
  | { kind: 'frames' }
  /** Writes of these sizes (cycled over the stream), with a pause between writes. */
  | { kind: 'sizes'; sizes: number[]; pauseMs: number };

/** Most writes one stream is split into. */
export const MAX_CHUNKS = 256;
/** Pauses are taken between the first writes only (a slow start), so a case never lasts seconds. */
export const MAX_PAUSES = 16;

/** Splits `frames` (encoded, one per entry) into writes as `chunking` says. */
export function chopStream(frames: readonly Uint8Array[], chunking: Chunking): Uint8Array[] {
  if (chunking.kind === 'frames') return frames.filter((f) => f.length > 0);
  const all = concatBytes(frames);
  const total = all.length;
  if (chunking.kind === 'whole') return total === 0 ? [] : [all];
  // Long streams (64 KiB payloads) are split at most MAX_CHUNKS ways: the sizes are scaled up, so the case stays a
  // question about splits rather than a measure of how slowly thousands of tiny writes go out.
  const cycle = chunking.sizes.reduce((a, b) => a + Math.max(1, b), 0) / chunking.sizes.length;
  const scale = Math.max(1, Math.ceil(total / cycle / MAX_CHUNKS));
  const out: Uint8Array[] = [];
  let i = 0;
  for (let k = 0; i < total; k++) {
    const size = Math.max(1, chunking.sizes[k % chunking.sizes.length]!) * scale;
    out.push(all.subarray(i, Math.min(total, i + size)));
    i += size;
  }
  return out;
}
