import { describe, expect, it } from 'vitest';
import { closeCodeName, decodeClosePayload, encodeClosePayload, isValidWireCloseCode } from '../../../protocol/close.js';
import { hex, toHex } from './wire.js';

describe('close codes (RFC 6455 §7.4)', () => {
  it('allows 1000-1003, 1007-1014, 3000-4999 and nothing else', () => {
    const valid: number[] = [];
    for (let c = 0; c < 6000; c++) if (isValidWireCloseCode(c)) valid.push(c);
    const expected = [
      ...[1000, 1001, 1002, 1003],
      ...Array.from({ length: 8 }, (_, i) => 1007 + i),
      ...Array.from({ length: 2000 }, (_, i) => 3000 + i),
    ];
    expect(valid).toEqual(expected);
    expect(isValidWireCloseCode(65535)).toBe(false);
    expect(isValidWireCloseCode(1000.5)).toBe(false);
  });

  it('names codes', () => {
    expect(closeCodeName(1000)).toBe('normal');
    expect(closeCodeName(1009)).toBe('message too big');
    expect(closeCodeName(3001)).toBe('registered');
    expect(closeCodeName(4001)).toBe('private use');
    expect(closeCodeName(2000)).toBe('invalid');
  });
});

describe('close payloads (RFC 6455 §5.5.1)', () => {
  it('encodes code and reason in network byte order', () => {
    expect(toHex(encodeClosePayload(1000, 'bye'))).toBe('03e8627965');
    expect(toHex(encodeClosePayload(4999))).toBe('1387');
    expect(encodeClosePayload().length).toBe(0);
    expect(() => encodeClosePayload(undefined, 'x')).toThrow(TypeError);
    expect(() => encodeClosePayload(70000)).toThrow(RangeError);
  });

  it('decodes empty, code only, code and reason', () => {
    expect(decodeClosePayload(new Uint8Array(0))).toEqual({ code: null, reason: '' });
    expect(decodeClosePayload(hex('03e8'))).toEqual({ code: 1000, reason: '' });
    expect(decodeClosePayload(hex('0bb8 c3a9'))).toEqual({ code: 3000, reason: 'é' });
  });

  it('keeps a leading U+FEFF in the reason', () => {
    expect(decodeClosePayload(hex('03e8 efbbbf 41'))).toEqual({ code: 1000, reason: '\ufeffA' });
  });

  it.each([
    ['03', 'close-payload-one-byte', 1002],
    ['03ed', 'invalid-close-code', 1002],
    ['03ee', 'invalid-close-code', 1002],
    ['03f7', 'invalid-close-code', 1002],
    ['0000', 'invalid-close-code', 1002],
    ['1388', 'invalid-close-code', 1002],
    ['03e8 ff', 'close-reason-not-utf8', 1007],
    ['03e8 eda080', 'close-reason-not-utf8', 1007],
  ])('rejects %s as %s', (payload, id, code) => {
    const r = decodeClosePayload(hex(payload));
    expect(r).toMatchObject({ id, closeCode: code });
  });
});
