import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../../protocol/bytes.js';

describe('ByteQueue', () => {
  it('returns a view (same buffer) when the bytes lie in one chunk', () => {
    const q = new ByteQueue();
    const chunk = Uint8Array.of(1, 2, 3, 4, 5);
    q.push(chunk);
    const v = q.read(3);
    expect(v.buffer).toBe(chunk.buffer);
    expect(v.byteOffset).toBe(0);
    expect(Array.from(v)).toEqual([1, 2, 3]);
    expect(q.length).toBe(2);
    const w = q.read(2);
    expect(w.buffer).toBe(chunk.buffer);
    expect(w.byteOffset).toBe(3);
    expect(q.length).toBe(0);
  });

  it('copies only when a read spans chunks', () => {
    const q = new ByteQueue();
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3, 4, 5);
    q.push(a);
    q.push(new Uint8Array(0));
    q.push(b);
    expect(q.length).toBe(5);
    const v = q.read(4);
    expect(v.buffer).not.toBe(a.buffer);
    expect(v.buffer).not.toBe(b.buffer);
    expect(Array.from(v)).toEqual([1, 2, 3, 4]);
    expect(Array.from(q.drainAll())).toEqual([5]);
  });

  it('peeks across chunks without consuming, -1 past the end', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.of(10));
    q.push(Uint8Array.of(11, 12));
    q.push(Uint8Array.of(13));
    expect([0, 1, 2, 3, 4].map((i) => q.peekByte(i))).toEqual([10, 11, 12, 13, -1]);
    q.skip(2);
    expect([0, 1, 2].map((i) => q.peekByte(i))).toEqual([12, 13, -1]);
    expect(q.length).toBe(2);
  });

  it('readInto copies up to what is queued', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.of(1, 2));
    q.push(Uint8Array.of(3));
    const t = new Uint8Array(5);
    expect(q.readInto(t, 1, 10)).toBe(3);
    expect(Array.from(t)).toEqual([0, 1, 2, 3, 0]);
    expect(q.length).toBe(0);
  });

  it('refuses to read more than is queued', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.of(1));
    expect(() => q.read(2)).toThrow(RangeError);
  });

  it('keeps working over many chunks (compaction)', () => {
    const q = new ByteQueue();
    for (let i = 0; i < 300; i++) q.push(Uint8Array.of(i & 0xff));
    const seen: number[] = [];
    while (q.length > 0) seen.push(q.read(1)[0]!);
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff));
  });

  it('keeps order when pushes and reads interleave (slot reuse and growth)', () => {
    const q = new ByteQueue();
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < (round % 7) + 1; k++) q.push(Uint8Array.of(next++ & 0xff, next++ & 0xff));
      const take = Math.min(q.length, (round % 5) + 1);
      seen.push(...q.read(take));
    }
    seen.push(...q.drainAll());
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i & 0xff));
  });
});
