import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8Index, isValidUtf8, Utf8Validator } from '../../../protocol/utf8.js';
import { hex } from './wire.js';

// [name, hex, first invalid index (-1 valid, length: incomplete at the end)]
const CASES: [string, string, number][] = [
  ['empty', '', -1],
  ['ascii', '48656c6c6f', -1],
  ['2-byte', 'c2a9', -1],
  ['3-byte', 'e282ac', -1],
  ['4-byte max', 'f48fbfbf', -1],
  ['U+FEFF kept', 'efbbbf41', -1],
  ['stray continuation', '4180', 1],
  ['overlong C0', 'c0af', 0],
  ['overlong C1', 'c1bf', 0],
  ['overlong E0 80-9F', 'e09f80', 1],
  ['overlong F0 80-8F', 'f08fbfbf', 1],
  ['surrogate ED A0', 'eda080', 1],
  ['surrogate ED BF', 'edbfbf', 1],
  ['ED 9F is fine', 'ed9fbf', -1],
  ['above U+10FFFF F4 90', 'f4908080', 1],
  ['F5 lead', 'f5808080', 0],
  ['FF', 'ff', 0],
  ['lead then ascii', 'e28241', 2],
  ['incomplete at end (2 of 3)', '41e282', 3],
  ['incomplete at end (1 of 4)', 'f0', 1],
  ['Autobahn 6.4.1 fails at byte 12', 'cebae1bdb9cf83cebcceb5f4908080cebcceb5', 12],
];

describe('UTF-8 validation', () => {
  for (const [name, h, at] of CASES) {
    it(`${name}: ${at === -1 ? 'valid' : `first invalid at ${at}`}`, () => {
      const bytes = hex(h);
      expect(firstInvalidUtf8Index(bytes)).toBe(at);
      expect(isValidUtf8(bytes)).toBe(at === -1);
      // One byte at a time gives the same position.
      const v = new Utf8Validator();
      let found = -1;
      for (let i = 0; i < bytes.length && found === -1; i++) if (v.push(bytes.subarray(i, i + 1)) !== -1) found = i;
      if (found === -1 && !v.end()) found = bytes.length;
      expect(found).toBe(at);
    });
  }

  it('fails fast across pushes: the failing push reports the index within that push', () => {
    const v = new Utf8Validator();
    expect(v.push(hex('ce'))).toBe(-1);
    expect(v.push(hex('ba e1 bd'))).toBe(-1);
    expect(v.push(hex('41 ed a0 80'))).toBe(0); // E1 BD owes one more continuation byte; 41 breaks it
    expect(v.failed).toBe(true);
    expect(v.push(hex('41'))).toBe(0);
    expect(v.end()).toBe(false);
    v.reset();
    expect(v.push(hex('41'))).toBe(-1);
    expect(v.end()).toBe(true);
  });

  it('checks long chunks (native fast path) with a split sequence at either end', () => {
    const text = 'grüße, 世界 🌍 '.repeat(20);
    const bytes = new TextEncoder().encode(text);
    for (const cut of [1, 2, 3, 5, 100, bytes.length - 2]) {
      const v = new Utf8Validator();
      expect(v.push(bytes.subarray(0, cut))).toBe(-1);
      expect(v.push(bytes.subarray(cut))).toBe(-1);
      expect(v.end()).toBe(true);
    }
    const bad = bytes.slice();
    bad[150] = 0xff;
    expect(firstInvalidUtf8Index(bad)).toBe(150);
    expect(isValidUtf8(bad)).toBe(false);
  });
});
