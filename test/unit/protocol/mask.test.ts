import { describe, expect, it } from 'vitest';
import { applyMask, applyMaskTo } from '../../../protocol/mask.js';
import { hex, toHex } from './wire.js';

function naive(data: Uint8Array, key: Uint8Array, offset: number): Uint8Array {
  return data.map((b, i) => b ^ key[(offset + i) % 4]!);
}

describe('applyMask', () => {
  it('masks "Hello" with 37 fa 21 3d as RFC 6455 §5.7 shows', () => {
    const data = new TextEncoder().encode('Hello');
    applyMask(data, hex('37fa213d'));
    expect(toHex(data)).toBe('7f9f4d5158');
  });

  it('matches the byte-wise definition for every length, alignment and key offset', () => {
    const key = hex('37fa213d');
    const backing = new Uint8Array(300);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 0xff;
    for (const start of [0, 1, 2, 3]) {
      for (let n = 0; n < 100; n++) {
        for (const offset of [0, 1, 2, 3, 5]) {
          const data = backing.slice().subarray(start, start + n);
          const expected = naive(data, key, offset);
          applyMask(data, key, offset);
          expect(toHex(data)).toBe(toHex(expected));
        }
      }
    }
  });

  it('unmasks a payload in pieces when given the running offset', () => {
    const key = hex('01020304');
    const original = Uint8Array.from({ length: 97 }, (_, i) => i);
    const masked = naive(original, key, 0);
    const pieces = [0, 3, 40, 41, 97];
    for (let p = 0; p + 1 < pieces.length; p++) applyMask(masked.subarray(pieces[p], pieces[p + 1]), key, pieces[p]);
    expect(Array.from(masked)).toEqual(Array.from(original));
  });

  it('applyMaskTo writes into a target without touching the source, aligned or not', () => {
    const key = hex('a1b2c3d4');
    for (const [s, t] of [[0, 0], [1, 1], [1, 2], [3, 0]] as const) {
      const src = Uint8Array.from({ length: 80 }, (_, i) => i * 3).subarray(s);
      const before = src.slice();
      const target = new Uint8Array(100).subarray(t, t + src.length);
      applyMaskTo(src, target, key, 2);
      expect(Array.from(target)).toEqual(Array.from(naive(before, key, 2)));
      expect(Array.from(src)).toEqual(Array.from(before));
    }
  });
});
