import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import { FrameDecoder } from '../../../../protocol/frame/decoder.js';
import { encodeFrameBytes, encodeFrameUnchecked } from '../../../../protocol/frame/encode.js';
import { hex, toHex } from '../wire.js';

describe('FrameDecoder', () => {
  it('returns payloads as views of the pushed chunk when a frame lies in one chunk', () => {
    const d = new FrameDecoder();
    const wire = hex('820300010 2 8100'.replace(/ /g, ''));
    d.push(wire);
    const a = d.next();
    const b = d.next();
    expect(a?.type === 'frame' && a.frame.payload.buffer).toBe(wire.buffer);
    expect(a?.type === 'frame' && toHex(a.frame.payload)).toBe('000102');
    expect(b?.type === 'frame' && b.frame.payload.length).toBe(0);
    expect(d.next()).toBeNull();
  });

  it('assembles a payload that arrives in pieces into one buffer, unmasking as it goes', () => {
    const payload = Uint8Array.from({ length: 1000 }, (_, i) => i * 13);
    const wire = encodeFrameBytes({ opcode: Opcode.Binary, payload, mask: hex('0a0b0c0d') });
    const d = new FrameDecoder();
    d.push(wire.slice(0, 8));
    expect(d.next()).toBeNull();
    expect(d.pendingHeader).toMatchObject({ opcode: 2, masked: true, payloadLength: 1000, lengthForm: 16 });
    expect(d.pendingPayloadLength).toBe(1000);
    for (let i = 8; i < wire.length; i += 333) {
      d.push(wire.slice(i, i + 333));
      const r = d.next();
      if (i + 333 < wire.length) expect(r).toBeNull();
      else expect(r?.type === 'frame' && Array.from(r.frame.payload)).toEqual(Array.from(payload));
    }
    expect(d.buffered).toBe(0);
    expect(d.pendingHeader).toBeNull();
  });

  it('reports a 64-bit length with the most significant bit set and stops decoding', () => {
    const d = new FrameDecoder();
    d.push(hex('827f 8000000000000001 00'));
    const r = d.next();
    expect(r).toMatchObject({ type: 'error', violation: { id: 'length-msb-set', rfc: '5.2', closeCode: 1002 } });
    expect(d.failed).toBe(true);
    d.push(hex('8100'));
    expect(d.next()).toBeNull();
  });

  it('reports a frame above maxPayload from its header, skips its payload and decodes on', () => {
    const d = new FrameDecoder({ maxPayload: 10 });
    d.push(hex('820b'));
    expect(d.next()).toMatchObject({ type: 'error', violation: { id: 'frame-too-big', closeCode: 1009 } });
    d.push(new Uint8Array(11));
    d.push(hex('8101 41'));
    const r = d.next();
    expect(r?.type === 'frame' && r.frame.opcode).toBe(Opcode.Text);
  });

  it('decodes illegal frames structurally (reserved opcode, RSV, long ping, non-minimal length)', () => {
    const d = new FrameDecoder();
    d.push(encodeFrameUnchecked({ opcode: 0xb, rsv2: true, fin: false, payload: hex('01') }));
    d.push(encodeFrameUnchecked({ opcode: Opcode.Ping, payload: new Uint8Array(126) }));
    d.push(encodeFrameUnchecked({ opcode: Opcode.Text, lengthForm: 64, payload: hex('41') }));
    const frames = [d.next(), d.next(), d.next()].map((r) => (r?.type === 'frame' ? r.frame : null));
    expect(frames[0]).toMatchObject({ opcode: 0xb, rsv2: true, fin: false });
    expect(frames[1]?.payload.length).toBe(126);
    expect(frames[2]).toMatchObject({ lengthForm: 64 });
    expect(toHex(frames[2]!.payload)).toBe('41');
  });

  it('waits for the whole header, however it is split', () => {
    const wire = encodeFrameBytes({ opcode: Opcode.Text, payload: new Uint8Array(70000), mask: hex('01020304') });
    const d = new FrameDecoder();
    for (let i = 0; i < 13; i++) {
      d.push(wire.slice(i, i + 1));
      expect(d.next()).toBeNull();
      expect(d.pendingHeader).toBeNull();
    }
    d.push(wire.slice(13, 14));
    expect(d.next()).toBeNull();
    expect(d.pendingHeader).toMatchObject({ payloadLength: 70000, lengthForm: 64 });
    d.push(wire.slice(14));
    expect(d.next()?.type).toBe('frame');
  });
});
