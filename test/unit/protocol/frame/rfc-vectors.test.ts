// RFC 6455 §5.7 examples, decoded whole and one byte at a time, and encoded back.
import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import { FrameDecoder } from '../../../../protocol/frame/decoder.js';
import { encodeFrame, encodeFrameBytes } from '../../../../protocol/frame/encode.js';
import type { DecodedFrame } from '../../../../protocol/frame/frame.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const text = (u: Uint8Array): string => new TextDecoder().decode(u);

function decodeAll(bytes: Uint8Array, chunk: number): DecodedFrame[] {
  const d = new FrameDecoder();
  const out: DecodedFrame[] = [];
  const copy = bytes.slice(); // the decoder unmasks in place
  for (let i = 0; i < copy.length; i += chunk) {
    d.push(copy.subarray(i, Math.min(i + chunk, copy.length)));
    for (let r = d.next(); r !== null; r = d.next()) {
      if (r.type === 'error') throw new Error(r.violation.message);
      out.push(r.frame);
    }
  }
  expect(d.buffered).toBe(0);
  return out;
}

const HELLO = new TextEncoder().encode('Hello');
const KEY = hex('37fa213d');

const VECTORS: { name: string; wire: string; frames: { fin: boolean; opcode: number; masked: boolean; payload: string }[] }[] = [
  { name: 'single-frame unmasked text', wire: '810548656c6c6f', frames: [{ fin: true, opcode: 1, masked: false, payload: 'Hello' }] },
  { name: 'single-frame masked text', wire: '818537fa213d7f9f4d5158', frames: [{ fin: true, opcode: 1, masked: true, payload: 'Hello' }] },
  {
    name: 'fragmented unmasked text',
    wire: '010348656c 80026c6f',
    frames: [
      { fin: false, opcode: 1, masked: false, payload: 'Hel' },
      { fin: true, opcode: 0, masked: false, payload: 'lo' },
    ],
  },
  { name: 'unmasked ping', wire: '890548656c6c6f', frames: [{ fin: true, opcode: 9, masked: false, payload: 'Hello' }] },
  { name: 'masked pong', wire: '8a8537fa213d7f9f4d5158', frames: [{ fin: true, opcode: 10, masked: true, payload: 'Hello' }] },
];

describe('RFC 6455 §5.7 examples', () => {
  for (const v of VECTORS) {
    for (const chunk of [1 << 20, 1]) {
      it(`decodes ${v.name} (${chunk === 1 ? 'one byte at a time' : 'whole'})`, () => {
        const frames = decodeAll(hex(v.wire), chunk);
        expect(frames.map((f) => ({ fin: f.fin, opcode: f.opcode, masked: f.masked, payload: text(f.payload) }))).toEqual(v.frames);
        for (const f of frames) if (f.masked) expect(toHex(f.maskKey!)).toBe('37fa213d');
      });
    }
  }

  it('encodes the examples to the same bytes', () => {
    expect(toHex(encodeFrameBytes({ opcode: Opcode.Text, payload: HELLO }))).toBe('810548656c6c6f');
    expect(toHex(encodeFrameBytes({ opcode: Opcode.Text, payload: HELLO, mask: KEY }))).toBe('818537fa213d7f9f4d5158');
    expect(toHex(encodeFrameBytes({ opcode: Opcode.Text, fin: false, payload: HELLO.subarray(0, 3) }))).toBe('010348656c');
    expect(toHex(encodeFrameBytes({ opcode: Opcode.Continuation, payload: HELLO.subarray(3) }))).toBe('80026c6f');
    expect(toHex(encodeFrameBytes({ opcode: Opcode.Ping, payload: HELLO }))).toBe('890548656c6c6f');
    expect(toHex(encodeFrameBytes({ opcode: Opcode.Pong, payload: HELLO, mask: KEY }))).toBe('8a8537fa213d7f9f4d5158');
  });

  it('256-byte binary message in a single unmasked frame: 82 7E 0100', () => {
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i & 0xff);
    const [header, body] = encodeFrame({ opcode: Opcode.Binary, payload });
    expect(toHex(header)).toBe('827e0100');
    expect(body).toBe(payload);
    for (const chunk of [1 << 20, 1]) {
      const [f] = decodeAll(encodeFrameBytes({ opcode: Opcode.Binary, payload }), chunk);
      expect(f!.payload).toEqual(payload);
      expect(f!.lengthForm).toBe(16);
    }
  });

  it('64 KiB binary message in a single unmasked frame: 82 7F 0000000000010000', () => {
    const payload = Uint8Array.from({ length: 65536 }, (_, i) => (i * 7) & 0xff);
    const [header] = encodeFrame({ opcode: Opcode.Binary, payload });
    expect(toHex(header)).toBe('827f0000000000010000');
    for (const chunk of [1 << 20, 1]) {
      const [f] = decodeAll(encodeFrameBytes({ opcode: Opcode.Binary, payload }), chunk);
      expect(f!.payload).toEqual(payload);
      expect(f!.lengthForm).toBe(64);
    }
  });
});
