import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import { describeBytes, describeFrame } from '../../../../protocol/frame/describe.js';
import { hex, utf8 } from '../wire.js';

const frame = (opcode: number, payload: Uint8Array, fin = true) => ({ fin, rsv1: false, rsv2: false, rsv3: false, opcode, payload });

describe('describeFrame', () => {
  it('prints text, binary, close and flags', () => {
    expect(describeFrame(frame(Opcode.Text, utf8('hello')))).toBe("TEXT 'hello' [5 bytes]");
    expect(describeFrame(frame(Opcode.Binary, hex('000102')))).toBe('BINARY 00 01 02 [3 bytes]');
    expect(describeFrame(frame(Opcode.Close, hex('03e8627965')))).toBe("CLOSE 1000 (normal) 'bye' [5 bytes]");
    expect(describeFrame(frame(Opcode.Text, utf8('Hel'), false))).toBe("TEXT 'Hel' [3 bytes, fin=0]");
    expect(describeFrame({ ...frame(Opcode.Ping, hex('')), rsv1: true, masked: true })).toBe('PING [0 bytes, rsv1, masked]');
    expect(describeFrame(frame(0xb, hex('ff')))).toBe('OPB ff [1 byte]');
  });

  it('shows invalid text as hex and escapes control characters', () => {
    expect(describeFrame(frame(Opcode.Text, hex('ceba ff')))).toBe('TEXT ce ba ff [3 bytes]');
    expect(describeFrame(frame(Opcode.Text, utf8("a\nb'")))).toBe("TEXT 'a\\nb\\'' [4 bytes]");
  });

  it('elides long payloads and keeps the exact length', () => {
    const long = describeFrame(frame(Opcode.Text, utf8('x'.repeat(1000))));
    expect(long).toMatch(/^TEXT 'x+…x+' \[1000 bytes\]$/);
    expect(long.length).toBeLessThan(90);
    const bin = describeBytes(new Uint8Array(100));
    expect(bin).toContain('…');
    expect(bin.split(' ').length).toBeLessThan(30);
  });
});
