// The order rule of Connection.drain(): a Close that input made due (the reply to the peer's Close, or under strict
// the failure close for a violation) is held until the events before it were handed out, so what the application
// sends in reaction to them (an echo) goes out first. And UTF-8 fail-fast inside one frame that arrives in pieces.
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionEvent } from '../../../../protocol/connection/connection.js';
import { Opcode } from '../../../../protocol/constants.js';
import type { DecodedFrame } from '../../../../protocol/frame/frame.js';
import { encodeFrameBytes, encodeFrameUnchecked, type UncheckedFrameSpec } from '../../../../protocol/frame/encode.js';
import { concat, feed, framesOf, hex, toHex, utf8 } from '../wire.js';

const KEY = hex('37fa213d');
/** A frame as a client sends it (masked). */
const c = (spec: Omit<UncheckedFrameSpec, 'mask'>): Uint8Array => encodeFrameUnchecked({ ...spec, mask: KEY });
const closeFrame = (code: number): Uint8Array => c({ opcode: Opcode.Close, payload: Uint8Array.of(code >> 8, code & 0xff) });

interface Run {
  frames: DecodedFrame[];
  events: ConnectionEvent[];
  eof: boolean;
}

/** An echo server as a pump drives it: drain, react to the events (echo messages), drain again until quiet. */
function echo(conn: Connection, chunks: Uint8Array[]): Run {
  const writes: Uint8Array[] = [];
  const events: ConnectionEvent[] = [];
  let eof = false;
  for (const chunk of chunks) {
    conn.receive(chunk.slice());
    for (let guard = 0; guard < 100; guard++) {
      const out = conn.drain();
      writes.push(...out.writes);
      eof = out.eof;
      for (const e of out.events) {
        events.push(e);
        if (e.type === 'text' && conn.state === 'open') expect(conn.sendText(e.data)).toBe(true);
        if (e.type === 'binary' && conn.state === 'open') expect(conn.sendBinary(e.data)).toBe(true);
      }
      if (out.events.length === 0) break;
    }
  }
  return { frames: framesOf(concat(writes)), events, eof };
}

const summary = (frames: DecodedFrame[]): string[] =>
  frames.map((f) => (f.opcode === Opcode.Close ? `close ${toHex(f.payload.subarray(0, 2))}` : `${f.opcode} ${new TextDecoder().decode(f.payload)}`));

describe('Connection: a Close waits for the echo of what came before it', () => {
  it('a message then a Close in one chunk: the echo is written before the close reply', () => {
    const conn = new Connection({ role: 'server' });
    const run = echo(conn, [concat([c({ opcode: Opcode.Text, payload: utf8('Hello') }), closeFrame(1000)])]);
    expect(summary(run.frames)).toEqual([`${Opcode.Text} Hello`, 'close 03e8']);
    expect(run.eof).toBe(true);
    expect(conn.state).toBe('closed');
    expect(run.events.at(-1)).toEqual({ type: 'closed', code: 1000, reason: '', wasClean: true });
  });

  it('a valid message then an invalid frame in one chunk: the echo is written before the failure close', () => {
    const conn = new Connection({ role: 'server' });
    const run = echo(conn, [concat([c({ opcode: Opcode.Text, payload: utf8('Hello') }), c({ opcode: 3, payload: hex('') })])]);
    expect(summary(run.frames)).toEqual([`${Opcode.Text} Hello`, 'close 03ea']);
    expect(run.eof).toBe(true);
    expect(run.events.filter((e) => e.type === 'violation').map((e) => e.type === 'violation' && e.violation.id)).toEqual(['reserved-opcode']);
  });

  it('messages then invalid UTF-8 in one chunk: every echo goes out before the 1007 close, in order', () => {
    const conn = new Connection({ role: 'server' });
    const wire = concat([
      c({ opcode: Opcode.Text, payload: utf8('a') }),
      c({ opcode: Opcode.Binary, payload: hex('0102') }),
      c({ opcode: Opcode.Text, fin: false, payload: utf8('b') }),
      c({ opcode: Opcode.Continuation, payload: utf8('c') }),
      c({ opcode: Opcode.Text, payload: hex('41ff') }),
      c({ opcode: Opcode.Text, payload: utf8('never') }),
    ]);
    const run = echo(conn, [wire]);
    expect(summary(run.frames)).toEqual([`${Opcode.Text} a`, `${Opcode.Binary} \x01\x02`, `${Opcode.Text} bc`, 'close 03ef']);
    expect(run.eof).toBe(true);
  });

  it('holds the Close until a drain finds no events, keeping the connection open meanwhile', () => {
    const conn = new Connection({ role: 'server' });
    conn.receive(concat([c({ opcode: Opcode.Text, payload: utf8('x') }), closeFrame(1001), c({ opcode: Opcode.Text, payload: utf8('late') })]));
    const first = conn.drain();
    expect(first.events.map((e) => e.type)).toEqual(['frame', 'text', 'frame', 'close']);
    expect(first.writes).toEqual([]);
    expect(first.eof).toBe(false);
    expect(conn.state).toBe('open');
    const second = conn.drain();
    expect(summary(framesOf(concat(second.writes)))).toEqual(['close 03e9']);
    expect(second.eof).toBe(true);
    // The frame behind the Close is decoded only after it and, the connection being closed, ignored.
    expect(second.events).toEqual([{ type: 'closed', code: 1001, reason: '', wasClean: true }]);
  });

  it("the application's own Close while one is held replaces it", () => {
    const conn = new Connection({ role: 'server' });
    conn.receive(closeFrame(1000));
    expect(conn.drain().writes).toEqual([]);
    expect(conn.sendClose(4000, 'mine')).toBe(true);
    const out = conn.drain();
    const frames = framesOf(concat(out.writes));
    expect(frames).toHaveLength(1);
    expect(toHex(frames[0]!.payload.subarray(0, 2))).toBe('0fa0');
    expect(out.eof).toBe(true);
  });

  it('receiveEof releases a held Close first', () => {
    const conn = new Connection({ role: 'server' });
    conn.receive(c({ opcode: 3, payload: hex('') }));
    conn.receiveEof();
    const out = conn.drain();
    expect(summary(framesOf(concat(out.writes)))).toEqual(['close 03ea']);
    expect(out.events.map((e) => e.type)).toEqual(['frame', 'violation', 'closed']);
  });

  it('a client holds its reply too, and answers a Close once', () => {
    const conn = new Connection({ role: 'client' });
    const s = feed(conn, concat([encodeFrameBytes({ opcode: Opcode.Text, payload: utf8('m') }), encodeFrameBytes({ opcode: Opcode.Close, payload: hex('03e8') })]));
    expect(s.frames.map((f) => [f.opcode, f.masked])).toEqual([[Opcode.Close, true]]);
    expect(conn.state).toBe('closing');
  });
});

describe('Connection: UTF-8 fail-fast inside one frame', () => {
  const payload = concat([utf8('ab'), hex('ff'), utf8('x'.repeat(200))]);
  const frame = c({ opcode: Opcode.Text, payload });
  const header = 4 + 4; // 16-bit length, mask key

  it('fails at the first invalid byte, before the rest of the frame arrives', () => {
    const conn = new Connection({ role: 'server' });
    const before = feed(conn, frame.subarray(0, header + 2));
    expect(before.events).toEqual([]);
    expect(before.wire.length).toBe(0);
    const at = feed(conn, frame.subarray(header + 2, header + 3));
    expect(at.events.filter((e) => e.type === 'violation')).toEqual([
      expect.objectContaining({ violation: expect.objectContaining({ id: 'invalid-utf8', message: 'RFC 6455 §8.1: text is not UTF-8 at byte 2 of the message' }) }),
    ]);
    expect(summary(at.frames)).toEqual(['close 03ef']);
    expect(at.eof).toBe(true);
  });

  it('counts message offsets across fragments in a continuation that arrives in pieces', () => {
    const conn = new Connection({ role: 'server' });
    expect(feed(conn, c({ opcode: Opcode.Text, fin: false, payload: utf8('0123') })).events.some((e) => e.type === 'violation')).toBe(false);
    const cont = c({ opcode: Opcode.Continuation, payload: concat([utf8('45'), hex('e282'), utf8('y'.repeat(150))]) });
    expect(feed(conn, cont.subarray(0, header + 3)).events).toEqual([]);
    const s = feed(conn, cont.subarray(header + 3, header + 5));
    expect(s.events.find((e) => e.type === 'violation')).toMatchObject({ violation: { message: 'RFC 6455 §8.1: text is not UTF-8 at byte 8 of the message' } });
    expect(s.eof).toBe(true);
  });

  it('valid text that arrives byte by byte is delivered whole, with a sequence split across pieces', () => {
    const conn = new Connection({ role: 'server' });
    const text = 'h€llo wörld 𝄞'.repeat(12);
    const wire = c({ opcode: Opcode.Text, payload: utf8(text) });
    const events: ConnectionEvent[] = [];
    for (let i = 0; i < wire.length; i++) events.push(...feed(conn, wire.subarray(i, i + 1)).events);
    expect(events.filter((e) => e.type !== 'frame')).toEqual([{ type: 'text', data: text }]);
  });

  it('a frame with an invalid header is not checked early: its own violation is reported when it completes', () => {
    const conn = new Connection({ role: 'server' });
    const bad = c({ opcode: Opcode.Text, rsv2: true, payload });
    expect(feed(conn, bad.subarray(0, header + 10)).events).toEqual([]);
    const s = feed(conn, bad.subarray(header + 10));
    expect(s.events.filter((e) => e.type === 'violation').map((e) => e.type === 'violation' && e.violation.id)).toEqual(['reserved-bits-set']);
  });

  it('binary frames are not checked', () => {
    const conn = new Connection({ role: 'server' });
    const bin = c({ opcode: Opcode.Binary, payload });
    expect(feed(conn, bin.subarray(0, header + 10)).events).toEqual([]);
    expect(feed(conn, bin.subarray(header + 10)).events.filter((e) => e.type !== 'frame')).toEqual([{ type: 'binary', data: payload }]);
  });

  it('an incomplete sequence at the end of a piece is not an error until the message ends inside it', () => {
    const conn = new Connection({ role: 'server' });
    const wire = c({ opcode: Opcode.Text, payload: concat([utf8('z'.repeat(130)), hex('f09d')]) });
    expect(feed(conn, wire.subarray(0, wire.length - 1)).events).toEqual([]);
    const s = feed(conn, wire.subarray(wire.length - 1));
    expect(s.events.find((e) => e.type === 'violation')).toMatchObject({ violation: { message: 'RFC 6455 §8.1: text message ends inside a UTF-8 sequence' } });
  });
});
