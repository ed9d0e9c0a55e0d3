// A byte queue over the chunks a transport hands us. Reads return views into those chunks; a copy is made only
// when the requested bytes span two or more chunks. The queue takes ownership of pushed chunks: callers must not
// reuse a buffer after pushing it (the frame decoder unmasks payloads in place).

import { Buffer } from 'node:buffer';

const EMPTY = new Uint8Array(0);

/** Above this size, buffers that are about to be filled completely skip zero-filling. */
const UNINITIALIZED_THRESHOLD = 4096;

/**
 * A buffer of `n` bytes for the caller to overwrite entirely: large ones are not zero-filled (zeroing 16 MiB costs
 * as much as copying it). Callers must write every byte before exposing it.
 */
export function allocForOverwrite(n: number): Uint8Array {
  if (n < UNINITIALIZED_THRESHOLD) return new Uint8Array(n);
  // A plain Uint8Array over the Buffer's own memory, so callers always get the same type.
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

export class ByteQueue {
  /** Slots [head, tail) hold queued chunks; the array is reused, never truncated (truncating frees its storage). */
  private chunks: Uint8Array[] = [EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY];
  /** Index in `chunks` of the first chunk still holding unread bytes. */
  private head = 0;
  private tail = 0;
  /** Read offset inside `chunks[head]`. */
  private offset = 0;
  private total = 0;

  /** Unread bytes. */
  get length(): number {
    return this.total;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.tail === this.chunks.length) {
      if (this.head > 0) {
        // Move the live slots to the front before growing.
        this.chunks.copyWithin(0, this.head, this.tail);
        this.chunks.fill(EMPTY, this.tail - this.head, this.tail);
        this.tail -= this.head;
        this.head = 0;
      }
      if (this.tail === this.chunks.length) this.chunks.push(EMPTY);
    }
    this.chunks[this.tail++] = chunk;
    this.total += chunk.length;
  }

  /**
   * The first queued chunk (EMPTY when none) and the read offset in it: a decoder reads a frame that lies wholly in
   * one chunk straight from it, then consumes it with skip().
   */
  get firstChunk(): Uint8Array {
    return this.chunks[this.head]!;
  }

  get firstOffset(): number {
    return this.offset;
  }

  /** Byte `i` (0-based from the read position) without consuming it; -1 past the end. */
  peekByte(i: number): number {
    if (i >= this.total) return -1;
    const first = this.chunks[this.head]!;
    let j = this.offset + i;
    if (j < first.length) return first[j]!;
    j -= first.length;
    for (let c = this.head + 1; ; c++) {
      const chunk = this.chunks[c]!;
      if (j < chunk.length) return chunk[j]!;
      j -= chunk.length;
    }
  }

  /** Consumes `n` bytes (n <= length): a view when they lie in one chunk, else a copy. */
  read(n: number): Uint8Array {
    if (n > this.total) throw new RangeError(`ByteQueue.read(${n}) with only ${this.total} bytes queued`);
    if (n === 0) return EMPTY;
    const first = this.chunks[this.head]!;
    const end = this.offset + n;
    if (end <= first.length) {
      // A plain Uint8Array view: Buffer#subarray would build a Buffer through its species constructor, several
      // times slower for the small views a server makes per frame (mask key, payload).
      const view = new Uint8Array(first.buffer, first.byteOffset + this.offset, n);
      this.advanceWithin(first, end, n);
      return view;
    }
    const out = allocForOverwrite(n);
    this.readInto(out, 0, n);
    return out;
  }

  /** Copies up to `n` bytes into `target` at `at`, consuming them; returns how many were copied. */
  readInto(target: Uint8Array, at: number, n: number): number {
    let want = n < this.total ? n : this.total;
    const copied = want;
    while (want > 0) {
      const chunk = this.chunks[this.head]!;
      const avail = chunk.length - this.offset;
      const take = avail < want ? avail : want;
      target.set(take === chunk.length ? chunk : chunk.subarray(this.offset, this.offset + take), at);
      at += take;
      want -= take;
      this.advanceWithin(chunk, this.offset + take, take);
    }
    return copied;
  }

  /** Discards up to `n` bytes; returns how many were discarded. */
  skip(n: number): number {
    let want = n < this.total ? n : this.total;
    const skipped = want;
    while (want > 0) {
      const chunk = this.chunks[this.head]!;
      const avail = chunk.length - this.offset;
      const take = avail < want ? avail : want;
      want -= take;
      this.advanceWithin(chunk, this.offset + take, take);
    }
    return skipped;
  }

  /** Consumes everything: a view when it is one chunk, else one copy. */
  drainAll(): Uint8Array {
    return this.read(this.total);
  }

  private advanceWithin(chunk: Uint8Array, newOffset: number, consumed: number): void {
    this.total -= consumed;
    if (newOffset < chunk.length) {
      this.offset = newOffset;
      return;
    }
    this.offset = 0;
    this.chunks[this.head] = EMPTY; // drop the reference now
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }
}

/** Joins byte arrays into one new array (for records and fixtures, not the hot path). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
