import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import { encodeFrame, encodeFrameUnchecked } from '../../../../protocol/frame/encode.js';
import { hex, toHex } from '../wire.js';

describe('encodeFrame', () => {
  it('uses the minimal length form at each boundary', () => {
    const header = (n: number): string => toHex(encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(n) })[0]);
    expect(header(125)).toBe('827d');
    expect(header(126)).toBe('827e007e');
    expect(header(65535)).toBe('827effff');
    expect(header(65536)).toBe('827f0000000000010000');
  });

  it('sets FIN and RSV bits, and masks into a copy without touching the caller payload', () => {
    const payload = hex('0102030405');
    const [h, p] = encodeFrame({ opcode: Opcode.Text, fin: false, rsv1: true, rsv3: true, payload, mask: hex('ffffffff') });
    expect(toHex(h)).toBe('5185ffffffff');
    expect(toHex(p)).toBe('fefdfcfbfa');
    expect(toHex(payload)).toBe('0102030405');
  });

  it('returns the caller payload itself when unmasked', () => {
    const payload = hex('01');
    expect(encodeFrame({ opcode: Opcode.Binary, payload })[1]).toBe(payload);
  });

  it('rejects a key that is not 4 bytes and a 5-bit opcode', () => {
    expect(() => encodeFrame({ opcode: 1, payload: hex(''), mask: hex('01') })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 16, payload: hex('') })).toThrow(RangeError);
  });
});

describe('encodeFrameUnchecked', () => {
  it('writes non-minimal length forms', () => {
    expect(toHex(encodeFrameUnchecked({ opcode: Opcode.Text, payload: hex('41'), lengthForm: 16 }))).toBe('817e000141');
    expect(toHex(encodeFrameUnchecked({ opcode: Opcode.Text, payload: hex('41'), lengthForm: 64 }))).toBe('817f000000000000000141');
  });

  it('writes a length that disagrees with the payload, including the 64-bit MSB', () => {
    expect(toHex(encodeFrameUnchecked({ opcode: Opcode.Binary, payload: hex('00'), lengthOverride: 5 }))).toBe('820500');
    expect(toHex(encodeFrameUnchecked({ opcode: Opcode.Binary, payload: hex(''), lengthOverride: 0x8000_0000_0000_0000n }))).toBe(
      '827f8000000000000000',
    );
  });

  it('writes reserved opcodes, all RSV bits, FIN clear on a control frame, a MASK bit without key', () => {
    expect(toHex(encodeFrameUnchecked({ opcode: 0xf, fin: false, rsv1: true, rsv2: true, rsv3: true, payload: hex('') }))).toBe('7f00');
    expect(toHex(encodeFrameUnchecked({ opcode: Opcode.Ping, fin: false, payload: hex('') }))).toBe('0900');
    expect(toHex(encodeFrameUnchecked({ opcode: Opcode.Binary, maskBit: true, payload: hex('') }))).toBe('8280');
  });

  it('refuses what cannot be written', () => {
    expect(() => encodeFrameUnchecked({ opcode: 1, payload: new Uint8Array(200), lengthForm: 7 })).toThrow(RangeError);
    expect(() => encodeFrameUnchecked({ opcode: 1, payload: hex(''), lengthOverride: -1 })).toThrow(RangeError);
  });
});
