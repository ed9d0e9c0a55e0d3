// One test per violation the Connection enforces: the event's id, RFC section and close code, and the strict-mode
// Close frame on the wire (server: unmasked, then EOF; client: masked, then waiting for the server's EOF).
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionEvent, type ConnectionOptions } from '../../../../protocol/connection/connection.js';
import { Opcode } from '../../../../protocol/constants.js';
import { seededEntropy } from '../../../../protocol/entropy.js';
import type { MessageExtension } from '../../../../protocol/extensions/extension.js';
import { encodeFrameBytes, encodeFrameUnchecked, type UncheckedFrameSpec } from '../../../../protocol/frame/encode.js';
import { concat, feed, hex, toHex, utf8 } from '../wire.js';

const KEY = hex('11223344');
/** A frame as a client sends it (masked). */
const c = (spec: Omit<UncheckedFrameSpec, 'mask'>): Uint8Array => encodeFrameUnchecked({ ...spec, mask: KEY });

const identityExt: MessageExtension = {
  name: 'identity',
  rsvMask: 4,
  decode: ({ payload }) => payload,
  encode: ({ payload }) => ({ payload, rsv1: true }),
};

interface Case {
  id: string;
  rfc: string;
  code: number;
  role: 'client' | 'server';
  /** Bytes that arrive (null: TCP EOF after `before`). */
  wire: Uint8Array | null;
  before?: Uint8Array;
  opts?: Partial<ConnectionOptions>;
}

const CASES: Case[] = [
  { id: 'unmasked-client-frame', rfc: '5.1', code: 1002, role: 'server', wire: encodeFrameBytes({ opcode: Opcode.Text, payload: utf8('hi') }) },
  { id: 'masked-server-frame', rfc: '5.1', code: 1002, role: 'client', wire: c({ opcode: Opcode.Text, payload: utf8('hi') }) },
  { id: 'reserved-bits-set', rfc: '5.2', code: 1002, role: 'server', wire: c({ opcode: Opcode.Text, rsv1: true, payload: utf8('hi') }) },
  { id: 'reserved-opcode', rfc: '5.2', code: 1002, role: 'server', wire: c({ opcode: 3, payload: utf8('') }) },
  { id: 'reserved-opcode', rfc: '5.2', code: 1002, role: 'server', wire: c({ opcode: 0xf, payload: utf8('') }) },
  { id: 'length-msb-set', rfc: '5.2', code: 1002, role: 'server', wire: c({ opcode: Opcode.Binary, payload: hex(''), lengthOverride: 0x8000_0000_0000_0005n }) },
  { id: 'length-not-minimal', rfc: '5.2', code: 1002, role: 'server', wire: c({ opcode: Opcode.Binary, payload: hex('00'), lengthForm: 16 }) },
  { id: 'control-frame-too-long', rfc: '5.5', code: 1002, role: 'server', wire: c({ opcode: Opcode.Ping, payload: new Uint8Array(126) }) },
  { id: 'control-frame-fragmented', rfc: '5.5', code: 1002, role: 'server', wire: c({ opcode: Opcode.Ping, fin: false, payload: hex('') }) },
  { id: 'continuation-without-message', rfc: '5.4', code: 1002, role: 'server', wire: c({ opcode: Opcode.Continuation, payload: utf8('x') }) },
  {
    id: 'data-frame-inside-message',
    rfc: '5.4',
    code: 1002,
    role: 'server',
    before: c({ opcode: Opcode.Text, fin: false, payload: utf8('a') }),
    wire: c({ opcode: Opcode.Binary, payload: utf8('b') }),
  },
  { id: 'close-payload-one-byte', rfc: '5.5.1', code: 1002, role: 'server', wire: c({ opcode: Opcode.Close, payload: hex('03') }) },
  { id: 'invalid-close-code', rfc: '7.4.1', code: 1002, role: 'server', wire: c({ opcode: Opcode.Close, payload: hex('03ee') }) },
  { id: 'invalid-close-code', rfc: '7.4.1', code: 1002, role: 'server', wire: c({ opcode: Opcode.Close, payload: hex('07d0') }) },
  { id: 'close-reason-not-utf8', rfc: '5.5.1', code: 1007, role: 'server', wire: c({ opcode: Opcode.Close, payload: hex('03e8 c0af') }) },
  { id: 'invalid-utf8', rfc: '8.1', code: 1007, role: 'server', wire: c({ opcode: Opcode.Text, payload: hex('cebae1bdb9cf83cebcceb5eda080') }) },
  { id: 'invalid-utf8', rfc: '8.1', code: 1007, role: 'client', wire: encodeFrameBytes({ opcode: Opcode.Text, payload: hex('41e282') }) },
  { id: 'message-too-big', rfc: '7.4.1', code: 1009, role: 'server', opts: { maxMessageSize: 4 }, wire: c({ opcode: Opcode.Binary, payload: new Uint8Array(5) }) },
  {
    id: 'message-too-big',
    rfc: '7.4.1',
    code: 1009,
    role: 'server',
    opts: { maxMessageSize: 4 },
    before: c({ opcode: Opcode.Binary, fin: false, payload: new Uint8Array(3) }),
    wire: c({ opcode: Opcode.Continuation, payload: new Uint8Array(3) }),
  },
  { id: 'frame-too-big', rfc: '7.4.1', code: 1009, role: 'server', opts: { maxFrameSize: 4 }, wire: c({ opcode: Opcode.Binary, payload: new Uint8Array(5) }) },
  {
    id: 'rsv1-on-continuation',
    rfc: '7692 6',
    code: 1002,
    role: 'server',
    opts: { extensions: [identityExt] },
    before: c({ opcode: Opcode.Text, fin: false, rsv1: true, payload: utf8('a') }),
    wire: c({ opcode: Opcode.Continuation, rsv1: true, payload: utf8('b') }),
  },
  { id: 'rsv1-on-control', rfc: '7692 6', code: 1002, role: 'server', opts: { extensions: [identityExt] }, wire: c({ opcode: Opcode.Ping, rsv1: true, payload: hex('') }) },
];

function violationsOf(events: ConnectionEvent[]) {
  return events.flatMap((e) => (e.type === 'violation' ? [e.violation] : []));
}

describe('violations under strict', () => {
  for (const k of CASES) {
    it(`${k.id} (${k.role} receiving): RFC §${k.rfc}, close ${k.code}`, () => {
      const conn = new Connection({ role: k.role, entropy: seededEntropy(1), ...k.opts });
      if (k.before) expect(violationsOf(feed(conn, k.before).events)).toEqual([]);
      const s = feed(conn, k.wire);
      const vs = violationsOf(s.events);
      expect(vs).toHaveLength(1);
      expect(vs[0]).toMatchObject({ id: k.id, rfc: k.rfc, closeCode: k.code });
      expect(vs[0]!.message.startsWith(k.rfc.startsWith('7692') ? 'RFC 7692 §' : 'RFC 6455 §')).toBe(true);
      // The strict answer: one Close frame carrying the violation's code (and its message as the reason).
      expect(s.frames).toHaveLength(1);
      const close = s.frames[0]!;
      expect(close.opcode).toBe(Opcode.Close);
      expect(toHex(close.payload.subarray(0, 2))).toBe(k.code.toString(16).padStart(4, '0'));
      expect(new TextDecoder().decode(close.payload.subarray(2))).toBe(vs[0]!.message.slice(0, 123));
      if (k.role === 'server') {
        // Server: an unmasked Close, exact bytes, then EOF at once.
        const reason = utf8(vs[0]!.message);
        expect(toHex(s.wire)).toBe(toHex(concat([Uint8Array.of(0x88, 2 + reason.length, k.code >> 8, k.code & 0xff), reason])));
        expect(s.eof).toBe(true);
        expect(conn.state).toBe('closed');
        expect(s.events.at(-1)).toEqual({ type: 'closed', code: 1006, reason: '', wasClean: false });
      } else {
        // Client: a masked Close, then it waits for the server to close TCP.
        expect(close.masked).toBe(true);
        expect(s.eof).toBe(false);
        expect(conn.state).toBe('closing');
      }
      // Input after failing produces no further violations or writes.
      const more = feed(conn, k.role === 'server' ? c({ opcode: 3, payload: hex('') }) : encodeFrameBytes({ opcode: 3, payload: hex('') }));
      expect(violationsOf(more.events)).toEqual([]);
      expect(more.wire.length).toBe(0);
    });
  }

  it('frame-after-close: data after the peer closed is reported and ignored', () => {
    const conn = new Connection({ role: 'client' });
    const first = feed(conn, encodeFrameBytes({ opcode: Opcode.Close, payload: hex('03e8') }));
    expect(first.frames.map((f) => toHex(f.payload))).toEqual(['03e8']);
    const s = feed(conn, encodeFrameBytes({ opcode: Opcode.Text, payload: utf8('late') }));
    expect(violationsOf(s.events)).toEqual([expect.objectContaining({ id: 'frame-after-close', rfc: '5.5.1', closeCode: 1002 })]);
    expect(s.events.some((e) => e.type === 'text')).toBe(false);
    expect(s.wire.length).toBe(0);
  });

  it('unexpected-eof: TCP closed with no close handshake', () => {
    const conn = new Connection({ role: 'server' });
    feed(conn, c({ opcode: Opcode.Text, fin: false, payload: utf8('a') }));
    const s = feed(conn, null);
    expect(violationsOf(s.events)).toEqual([expect.objectContaining({ id: 'unexpected-eof', rfc: '7.1.5', closeCode: 1006 })]);
    expect(s.events.at(-1)).toEqual({ type: 'closed', code: 1006, reason: '', wasClean: false });
    expect(s.eof).toBe(true);
    expect(conn.state).toBe('closed');
  });

  it('invalid UTF-8 in a first fragment fails on that fragment, before the rest arrives', () => {
    const conn = new Connection({ role: 'server' });
    const s = feed(conn, c({ opcode: Opcode.Text, fin: false, payload: hex('41 ff') }));
    expect(violationsOf(s.events)).toEqual([expect.objectContaining({ id: 'invalid-utf8', message: 'RFC 6455 §8.1: text is not UTF-8 at byte 1 of the message' })]);
    expect(s.eof).toBe(true);
  });

  it('invalid UTF-8 split across fragments is found in the fragment that completes it', () => {
    const conn = new Connection({ role: 'server' });
    expect(violationsOf(feed(conn, c({ opcode: Opcode.Text, fin: false, payload: hex('41 ed') })).events)).toEqual([]);
    const s = feed(conn, c({ opcode: Opcode.Continuation, fin: false, payload: hex('a0 80') }));
    expect(violationsOf(s.events)[0]?.message).toBe('RFC 6455 §8.1: text is not UTF-8 at byte 2 of the message');
  });

  it('a message too big is reported from the header, before its payload arrives', () => {
    const conn = new Connection({ role: 'server', maxMessageSize: 1000 });
    const wire = c({ opcode: Opcode.Binary, payload: new Uint8Array(5000) });
    const s = feed(conn, wire.subarray(0, 20));
    expect(violationsOf(s.events).map((v) => v.id)).toEqual(['message-too-big']);
    expect(s.eof).toBe(true);
  });
});

describe('violations under observe', () => {
  it('reports and keeps decoding: what the peer does next is still seen', () => {
    const conn = new Connection({ role: 'server', policy: 'observe' });
    const s = feed(
      conn,
      concat([
        c({ opcode: Opcode.Text, rsv2: true, payload: utf8('a') }),
        c({ opcode: 3, payload: hex('') }),
        c({ opcode: Opcode.Text, payload: hex('ff') }),
        c({ opcode: Opcode.Ping, payload: utf8('p') }),
        c({ opcode: Opcode.Binary, payload: hex('0102') }),
      ]),
    );
    expect(violationsOf(s.events).map((v) => v.id)).toEqual(['reserved-bits-set', 'reserved-opcode', 'invalid-utf8']);
    const app = s.events.filter((e) => e.type !== 'frame' && e.type !== 'violation');
    expect(app).toEqual([
      { type: 'text', data: 'a' },
      { type: 'text', data: '\ufffd' },
      { type: 'ping', payload: utf8('p') },
      { type: 'binary', data: hex('0102') },
    ]);
    // No Close sent, but the ping is still answered.
    expect(s.frames.map((f) => f.opcode)).toEqual([Opcode.Pong]);
    expect(s.eof).toBe(false);
    expect(conn.state).toBe('open');
  });

  it('answers an invalid Close with the code its invalidity calls for', () => {
    const conn = new Connection({ role: 'server', policy: 'observe' });
    const s = feed(conn, c({ opcode: Opcode.Close, payload: hex('03ed') }));
    expect(violationsOf(s.events).map((v) => v.id)).toEqual(['invalid-close-code']);
    expect(toHex(s.wire)).toBe('880203ea');
  });
});
