import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../../protocol/constants.js';
import { seededEntropy } from '../../../../protocol/entropy.js';
import { PerMessageDeflate, type DeflateAgreement } from '../../../../protocol/extensions/permessage-deflate.js';
import type { Violation } from '../../../../protocol/violations.js';

const DEFAULT: DeflateAgreement = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const text = (u: Uint8Array | Violation): string => {
  if (!(u instanceof Uint8Array)) throw new Error(u.message);
  return Buffer.from(u).toString();
};
const pair = (agreement: Partial<DeflateAgreement> = {}, opts: { maxMessageSize?: number } = {}) => {
  const a = { ...DEFAULT, ...agreement };
  return {
    client: new PerMessageDeflate({ role: 'client', agreement: a, ...opts }),
    server: new PerMessageDeflate({ role: 'server', agreement: a, ...opts }),
  };
};
const bin = (payload: Uint8Array) => ({ opcode: Opcode.Binary, payload });
const recv = (payload: Uint8Array) => ({ rsv1: true, opcode: Opcode.Text, payload });

describe('PerMessageDeflate: RFC 7692 §7.2.3 examples', () => {
  it('§7.2.3.1: "Hello" compresses to f2 48 cd c9 c9 07 00 (tail removed) and back', () => {
    const { client, server } = pair();
    const enc = client.encode({ opcode: Opcode.Text, payload: Buffer.from('Hello') });
    expect(enc.rsv1).toBe(true);
    expect([...enc.payload]).toEqual([...hex('f248cdc9c90700')]);
    expect(text(server.decode(recv(enc.payload)))).toBe('Hello');
  });

  it('§7.2.3.2: with a shared window the second "Hello" is f2 00 11 00 00', () => {
    const { client, server } = pair();
    const first = client.encode(bin(Buffer.from('Hello')));
    const second = client.encode(bin(Buffer.from('Hello')));
    expect([...second.payload]).toEqual([...hex('f200110000')]);
    expect(text(server.decode(recv(first.payload)))).toBe('Hello');
    expect(text(server.decode(recv(second.payload)))).toBe('Hello');
  });

  it.each([
    ['§7.2.3.3 stored block', '00 05 00 fa ff 48 65 6c 6c 6f 00'],
    ['§7.2.3.4 BFINAL set', 'f3 48 cd c9 c9 07 00 00'],
    ['§7.2.3.5 two blocks', 'f2 48 05 00 00 00 ff ff ca c9 c9 07 00'],
    ['§7.2.3.6 empty final fragment (tail kept by the sender)', 'f2 48 cd c9 c9 07 00 00 00 ff ff'],
  ])('%s inflates to "Hello"', (_name, bytes) => {
    expect(text(pair().server.decode(recv(hex(bytes))))).toBe('Hello');
  });

  it('an empty message compresses to one 0x00 byte; 0x00 and an empty payload both inflate to empty', () => {
    const { client, server } = pair();
    expect([...client.encode(bin(new Uint8Array(0))).payload]).toEqual([0]);
    expect((server.decode(recv(hex('00'))) as Uint8Array).length).toBe(0);
    expect((server.decode(recv(new Uint8Array(0))) as Uint8Array).length).toBe(0);
    // and the stream goes on afterwards
    expect(text(server.decode(recv(client.encode(bin(Buffer.from('after'))).payload)))).toBe('after');
  });
});

describe('PerMessageDeflate: behaviour', () => {
  const msg = Buffer.from('The quick brown fox jumps over the lazy dog; '.repeat(20));

  it('context takeover: a repeated message compresses smaller with takeover, not without', () => {
    const withTakeover = pair().client;
    const a1 = withTakeover.encode(bin(msg)).payload.length;
    const a2 = withTakeover.encode(bin(msg)).payload.length;
    expect(a2).toBeLessThan(a1 / 3);
    const without = pair({ clientNoContextTakeover: true }).client;
    const b1 = without.encode(bin(msg)).payload.length;
    const b2 = without.encode(bin(msg)).payload.length;
    expect(b2).toBe(b1);
    expect(b1).toBe(a1);
  });

  it('is role-aware: a server compresses with server_* and inflates with client_* parameters', () => {
    const { client, server } = pair({ serverNoContextTakeover: true });
    const s1 = server.encode(bin(msg)).payload.length;
    expect(server.encode(bin(msg)).payload.length).toBe(s1); // server_no_context_takeover
    const c1 = client.encode(bin(msg)).payload.length;
    expect(client.encode(bin(msg)).payload.length).toBeLessThan(c1); // the client keeps its context
  });

  it('keeps only the negotiated window: a reference into an earlier message beyond it fails with 1007', () => {
    // The client agreed to a 512-byte window, then compresses with 32 KiB of context and refers 1000 bytes back.
    const block = Buffer.alloc(1000);
    seededEntropy(1).fill(block); // incompressible on its own: the only matches are 1000 bytes back
    const sync = { windowBits: 15, finishFlush: constants.Z_SYNC_FLUSH };
    const m1 = deflateRawSync(block, sync);
    const m2 = deflateRawSync(block, { ...sync, dictionary: block });
    const strip = (b: Buffer) => b.subarray(0, b.length - 4);
    const narrow = pair({ clientMaxWindowBits: 9 }).server;
    expect(Buffer.from(narrow.decode(recv(strip(m1))) as Uint8Array)).toEqual(block);
    const v = narrow.decode(recv(strip(m2)));
    expect(v).toMatchObject({ id: 'inflate-error', closeCode: 1007 });
    // the same bytes are fine under the window they were made for
    const wide = pair().server;
    wide.decode(recv(strip(m1)));
    expect(Buffer.from(wide.decode(recv(strip(m2))) as Uint8Array)).toEqual(block);
  });

  it('window bits 8: compresses with zlib 9 but never beyond 256 bytes back, so an 8-bit inflater follows', () => {
    const { client, server } = pair({ clientMaxWindowBits: 8, serverMaxWindowBits: 8 });
    const block = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 31) % 97));
    for (let i = 0; i < 20; i++) {
      const m = Buffer.concat([block.subarray(i), Buffer.from(`#${i}`), block]);
      expect(Buffer.from(server.decode(recv(client.encode(bin(m)).payload)) as Uint8Array)).toEqual(m);
      expect(Buffer.from(client.decode(recv(server.encode(bin(m)).payload)) as Uint8Array)).toEqual(m);
    }
  });

  it('window bits 8: no back-reference exceeds 256 bytes (zlib checks distances when output comes in small chunks)', () => {
    const { client } = pair({ clientMaxWindowBits: 8, clientNoContextTakeover: true });
    const strict = (compressed: Uint8Array) =>
      inflateRawSync(Buffer.concat([compressed, Buffer.from([0, 0, 0xff, 0xff])]), { windowBits: 8, chunkSize: 64, finishFlush: constants.Z_SYNC_FLUSH });
    for (const period of [100, 200, 255, 256, 300, 511]) {
      const unit = Buffer.alloc(period);
      seededEntropy(period).fill(unit);
      const m = Buffer.concat([unit, unit, unit, unit]);
      expect(strict(client.encode(bin(m)).payload).equals(m)).toBe(true);
    }
    // the check is real: a 32 KiB-window stream with 300-byte distances fails it
    const unit = Buffer.alloc(300);
    seededEntropy(3).fill(unit);
    const far = deflateRawSync(Buffer.concat([unit, unit]), { windowBits: 15, finishFlush: constants.Z_SYNC_FLUSH });
    expect(() => strict(far.subarray(0, far.length - 4))).toThrow(/too far back/);
  });

  it('enforces the agreed window inside one message too: 15-bit output under a 9-bit agreement fails with 1007', () => {
    // A server that agreed to server_max_window_bits=9 and compresses with 15: distances of 2000 inside the message.
    const unit = Buffer.alloc(2000);
    seededEntropy(9).fill(unit);
    const m = Buffer.concat([unit, unit, unit]);
    const wide = deflateRawSync(m, { windowBits: 15, finishFlush: constants.Z_SYNC_FLUSH });
    const payload = wide.subarray(0, wide.length - 4);
    expect(pair({ serverMaxWindowBits: 9 }).client.decode(recv(payload))).toMatchObject({ id: 'inflate-error', closeCode: 1007 });
    expect(Buffer.from(pair().client.decode(recv(payload)) as Uint8Array)).toEqual(m);
    // what zlib makes within a 9-bit window always passes (no false alarm), with context takeover across messages
    const { client, server } = pair({ serverMaxWindowBits: 9 });
    for (const period of [10, 100, 250, 256, 400, 511, 512, 513, 2000]) {
      const u = Buffer.alloc(period);
      seededEntropy(period).fill(u);
      const msg = Buffer.concat([u, u, u, Buffer.from(`#${period}`), u]);
      expect(Buffer.from(client.decode(recv(server.encode(bin(msg)).payload)) as Uint8Array)).toEqual(msg);
    }
  });

  it('window bits 8 inflates with a 256-byte window: 300 bytes back fails, 250 passes', () => {
    const far = (distance: number): Buffer => {
      const u = Buffer.alloc(distance);
      seededEntropy(distance).fill(u);
      const c = deflateRawSync(Buffer.concat([u, u]), { windowBits: 15, finishFlush: constants.Z_SYNC_FLUSH });
      return c.subarray(0, c.length - 4);
    };
    const narrow = () => pair({ serverMaxWindowBits: 8 }).client;
    expect(narrow().decode(recv(far(300)))).toMatchObject({ id: 'inflate-error' });
    expect(narrow().decode(recv(far(250)))).toBeInstanceOf(Uint8Array);
  });

  it('maps corrupt data to 1007 inflate-error', () => {
    const v = pair().server.decode(recv(hex('ff ff ff ff')));
    expect(v).toMatchObject({ id: 'inflate-error', closeCode: 1007 });
    expect((v as Violation).message).toMatch(/^RFC 7692 §7\.2\.2: /);
  });

  it('stops a decompression bomb early with 1009 inflated-too-big', () => {
    const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH });
    expect(bomb.length).toBeLessThan(60 * 1024);
    const { server } = pair({}, { maxMessageSize: 1024 * 1024 });
    const started = process.hrtime.bigint();
    const v = server.decode(recv(bomb.subarray(0, bomb.length - 4)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(v).toMatchObject({ id: 'inflated-too-big', closeCode: 1009 });
    // Inflating all 50 MiB takes far longer than inflating 1 MiB; keep a generous bound against slow machines.
    expect(ms).toBeLessThan(200);
  });

  it('lets a message of exactly maxMessageSize through', () => {
    const { client, server } = pair({}, { maxMessageSize: 1000 });
    const ok = server.decode(recv(client.encode(bin(new Uint8Array(1000).fill(7))).payload));
    expect(ok).toBeInstanceOf(Uint8Array);
    const tooBig = server.decode(recv(client.encode(bin(new Uint8Array(1001).fill(7))).payload));
    expect(tooBig).toMatchObject({ id: 'inflated-too-big' });
  });

  it('passes uncompressed messages and control frames unchanged, outside the window', () => {
    const { client, server } = pair();
    const raw = Buffer.from('plain');
    expect(server.decode({ rsv1: false, opcode: Opcode.Text, payload: raw })).toBe(raw);
    expect(client.encode({ opcode: Opcode.Ping, payload: raw })).toEqual({ payload: raw, rsv1: false });
    // the uncompressed message did not enter the window: the next compressed one still decodes
    expect(text(server.decode(recv(client.encode(bin(Buffer.from('Hello'))).payload)))).toBe('Hello');
    expect(text(server.decode(recv(client.encode(bin(Buffer.from('Hello'))).payload)))).toBe('Hello');
  });

  it('sends messages below the threshold uncompressed', () => {
    const a = { ...DEFAULT };
    const c = new PerMessageDeflate({ role: 'client', agreement: a, threshold: 10 });
    expect(c.encode(bin(Buffer.from('short')))).toMatchObject({ rsv1: false });
    expect(c.encode(bin(Buffer.from('long enough')))).toMatchObject({ rsv1: true });
  });

  it('never mutates or keeps a reference to the caller payload', () => {
    const { client, server } = pair();
    const m = Buffer.from('Hello Hello Hello');
    const copy = Buffer.from(m);
    const enc = client.encode(bin(m));
    m.fill(0);
    expect(text(server.decode(recv(enc.payload)))).toBe(copy.toString());
    expect(text(server.decode(recv(client.encode(bin(copy)).payload)))).toBe(copy.toString());
  });
});
