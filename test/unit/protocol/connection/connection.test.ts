import { describe, expect, it } from 'vitest';
import { Connection } from '../../../../protocol/connection/connection.js';
import { Opcode } from '../../../../protocol/constants.js';
import { seededEntropy } from '../../../../protocol/entropy.js';
import type { MessageExtension } from '../../../../protocol/extensions/extension.js';
import { encodeFrameBytes } from '../../../../protocol/frame/encode.js';
import { violation } from '../../../../protocol/violations.js';
import { appEvents, concat, feed, hex, step, toHex, utf8 } from '../wire.js';

const KEY = hex('37fa213d');
const fromClient = (opcode: number, payload: Uint8Array, fin = true, rsv1 = false) =>
  encodeFrameBytes({ opcode, payload, fin, rsv1, mask: KEY });
const fromServer = (opcode: number, payload: Uint8Array, fin = true, rsv1 = false) => encodeFrameBytes({ opcode, payload, fin, rsv1 });

describe('Connection: messages', () => {
  it('delivers the RFC 6455 §5.7 examples as messages', () => {
    const conn = new Connection({ role: 'server' });
    const s = feed(conn, hex('818537fa213d7f9f4d5158 018337fa213d7f9f4d 808237fa213d5b95 898537fa213d7f9f4d5158'));
    expect(appEvents(s.events)).toEqual([
      { type: 'text', data: 'Hello' },
      { type: 'text', data: 'Hello' },
      { type: 'ping', payload: utf8('Hello') },
    ]);
    // RFC 6455 §5.5.3: the pong carries the ping's payload (a server sends it unmasked).
    expect(toHex(s.wire)).toBe('8a0548656c6c6f');
  });

  it('emits a frame event per received frame, before the message', () => {
    const conn = new Connection({ role: 'client' });
    const s = feed(conn, hex('010348656c 80026c6f'));
    expect(s.events.map((e) => e.type)).toEqual(['frame', 'frame', 'text']);
  });

  it('interleaves control frames between fragments', () => {
    const conn = new Connection({ role: 'client' });
    const s = feed(
      conn,
      concat([
        fromServer(Opcode.Binary, hex('01'), false),
        fromServer(Opcode.Ping, utf8('a')),
        fromServer(Opcode.Continuation, hex('02'), false),
        fromServer(Opcode.Pong, utf8('b')),
        fromServer(Opcode.Continuation, hex('03')),
      ]),
    );
    expect(appEvents(s.events)).toEqual([
      { type: 'ping', payload: utf8('a') },
      { type: 'pong', payload: utf8('b') },
      { type: 'binary', data: hex('010203') },
    ]);
    expect(s.frames.map((f) => [f.opcode, f.masked, toHex(f.payload)])).toEqual([[Opcode.Pong, true, '61']]);
  });

  it('keeps a leading U+FEFF in text', () => {
    const conn = new Connection({ role: 'client' });
    expect(appEvents(feed(conn, fromServer(Opcode.Text, hex('efbbbf41'))).events)).toEqual([{ type: 'text', data: '\ufeffA' }]);
  });

  it('does not auto-pong when told not to', () => {
    const conn = new Connection({ role: 'client', autoPong: false });
    expect(feed(conn, fromServer(Opcode.Ping, hex(''))).wire.length).toBe(0);
  });

  it('masks client frames with fresh keys from the entropy, and splits messages into fragments', () => {
    const conn = new Connection({ role: 'client', entropy: seededEntropy(7) });
    conn.sendText('Hello', { fragments: [3] });
    conn.sendBinary(hex('0102'), { fragments: [0, 2] });
    const s = step(conn);
    expect(s.frames.map((f) => [f.opcode, f.fin, f.masked, toHex(f.payload)])).toEqual([
      [Opcode.Text, false, true, '48656c'],
      [Opcode.Continuation, true, true, '6c6f'],
      [Opcode.Binary, false, true, ''],
      [Opcode.Continuation, true, true, '0102'],
    ]);
    const keys = s.frames.map((f) => toHex(f.maskKey!));
    expect(new Set(keys).size).toBe(4);
    // Same seed, same bytes.
    const again = new Connection({ role: 'client', entropy: seededEntropy(7) });
    again.sendText('Hello', { fragments: [3] });
    again.sendBinary(hex('0102'), { fragments: [0, 2] });
    expect(toHex(step(again).wire)).toBe(toHex(s.wire));
  });

  it('server frames are never masked; header and payload are separate writes', () => {
    const conn = new Connection({ role: 'server' });
    const payload = utf8('Hello');
    conn.sendText(payload);
    const { writes } = conn.drain();
    expect(writes.map(toHex)).toEqual(['8105', '48656c6c6f']);
    expect(writes[1]).toBe(payload);
  });

  it('sendFrame checks the frame and tracks an open message so control frames can interleave', () => {
    const conn = new Connection({ role: 'server' });
    conn.sendFrame({ opcode: Opcode.Text, fin: false, payload: utf8('a') });
    conn.sendPing(utf8('x'));
    expect(() => conn.sendFrame({ opcode: Opcode.Text, payload: utf8('b') })).toThrow(/while a fragmented message is open/);
    expect(() => conn.sendFrame({ opcode: 3, payload: hex('') })).toThrow(TypeError);
    conn.sendFrame({ opcode: Opcode.Continuation, payload: utf8('b') });
    expect(step(conn).frames.map((f) => [f.opcode, f.fin])).toEqual([
      [Opcode.Text, false],
      [Opcode.Ping, true],
      [Opcode.Continuation, true],
    ]);
  });

  it('runs extensions: encode sets RSV1 on the first frame only, decode undoes a whole RSV1 message', () => {
    const reverse: MessageExtension = {
      name: 'reverse',
      rsvMask: 4,
      encode: ({ payload }) => ({ payload: payload.slice().reverse(), rsv1: true }),
      decode: ({ payload }) => (payload.length > 3 ? violation('inflate-error', 'too long to reverse') : payload.slice().reverse()),
    };
    const server = new Connection({ role: 'server', extensions: [reverse] });
    server.sendText('abc', { fragments: [1] });
    expect(step(server).frames.map((f) => [f.opcode, f.rsv1, new TextDecoder().decode(f.payload)])).toEqual([
      [Opcode.Text, true, 'c'],
      [Opcode.Continuation, false, 'ba'],
    ]);
    const s = feed(server, concat([fromClient(Opcode.Text, utf8('c'), false, true), fromClient(Opcode.Continuation, utf8('ba'))]));
    expect(appEvents(s.events)).toEqual([{ type: 'text', data: 'abc' }]);
    // Without RSV1 the message passes untouched.
    expect(appEvents(feed(server, fromClient(Opcode.Text, utf8('xyz'))).events)).toEqual([{ type: 'text', data: 'xyz' }]);
    // The extension's violation fails the connection with its code.
    const bad = feed(server, fromClient(Opcode.Binary, utf8('long'), true, true));
    const [v] = appEvents(bad.events);
    expect(v).toMatchObject({ type: 'violation', violation: { id: 'inflate-error', closeCode: 1007 } });
    expect(bad.frames[0]!.opcode).toBe(Opcode.Close);
    expect(toHex(bad.frames[0]!.payload.subarray(0, 2))).toBe('03ef');
    expect(bad.eof).toBe(true);
  });

  it('buffers input while connecting and decodes it on open()', () => {
    const conn = new Connection({ role: 'client', state: 'connecting' });
    expect(conn.sendText('x')).toBe(false);
    conn.receive(fromServer(Opcode.Text, utf8('early')));
    expect(appEvents(conn.drain().events)).toEqual([]);
    conn.open();
    expect(conn.state).toBe('open');
    expect(appEvents(conn.drain().events)).toEqual([{ type: 'text', data: 'early' }]);
  });
});

describe('Connection: close handshake (RFC 6455 §5.5.1, §7)', () => {
  it('server answers a client close by echoing its code, then closes TCP first', () => {
    const server = new Connection({ role: 'server' });
    const s = feed(server, fromClient(Opcode.Close, hex('0bb8 627965')));
    expect(appEvents(s.events)).toEqual([
      { type: 'close', code: 3000, reason: 'bye' },
      { type: 'closed', code: 3000, reason: 'bye', wasClean: true },
    ]);
    expect(toHex(s.wire)).toBe('88020bb8');
    expect(s.eof).toBe(true);
    expect(server.state).toBe('closed');
  });

  it('answers a close with no code with an empty close (nothing to echo; 1005 must not be sent)', () => {
    const server = new Connection({ role: 'server' });
    const s = feed(server, fromClient(Opcode.Close, hex('')));
    expect(toHex(s.wire)).toBe('8800');
    expect(s.events.at(-1)).toEqual({ type: 'closed', code: 1005, reason: '', wasClean: true });
  });

  it('client-initiated: client waits in closing until the server closes TCP', () => {
    const client = new Connection({ role: 'client', entropy: seededEntropy(1) });
    client.sendClose(1000, 'done');
    const out = step(client);
    expect(out.frames.map((f) => [f.opcode, f.masked, toHex(f.payload)])).toEqual([[Opcode.Close, true, '03e8646f6e65']]);
    expect(client.state).toBe('closing');
    // No data frames after a close is sent; the call says it was dropped.
    expect(client.sendText('late')).toBe(false);
    expect(client.sendPing()).toBe(false);
    expect(step(client).wire.length).toBe(0);
    const reply = feed(client, fromServer(Opcode.Close, hex('03e8')));
    expect(reply.wire.length).toBe(0);
    expect(reply.eof).toBe(false);
    expect(client.state).toBe('closing');
    const end = feed(client, null);
    expect(appEvents(end.events)).toEqual([{ type: 'closed', code: 1000, reason: '', wasClean: true }]);
    expect(client.state).toBe('closed');
  });

  it('server-initiated: server closes TCP once the client echoes', () => {
    const server = new Connection({ role: 'server' });
    server.sendClose(1001);
    expect(toHex(step(server).wire)).toBe('880203e9');
    expect(server.state).toBe('closing');
    const s = feed(server, fromClient(Opcode.Close, hex('03e9')));
    expect(s.eof).toBe(true);
    expect(s.events.at(-1)).toEqual({ type: 'closed', code: 1001, reason: '', wasClean: true });
  });

  it('client answers a server close and waits for EOF', () => {
    const client = new Connection({ role: 'client', entropy: seededEntropy(3) });
    const s = feed(client, fromServer(Opcode.Close, hex('03e8')));
    expect(s.frames.map((f) => [f.opcode, toHex(f.payload)])).toEqual([[Opcode.Close, '03e8']]);
    expect(s.eof).toBe(false);
    expect(client.state).toBe('closing');
    expect(feed(client, null).events.at(-1)).toEqual({ type: 'closed', code: 1000, reason: '', wasClean: true });
  });

  it('an unanswered close ends 1006, not clean', () => {
    const client = new Connection({ role: 'client' });
    client.sendClose(1000);
    step(client);
    const s = feed(client, null);
    expect(appEvents(s.events)).toEqual([
      { type: 'violation', violation: expect.objectContaining({ id: 'unexpected-eof' }) },
      { type: 'closed', code: 1006, reason: '', wasClean: false },
    ]);
  });

  it('fail(): close with the code; server EOF at once, client waits', () => {
    const server = new Connection({ role: 'server' });
    server.fail(1011, 'oops');
    const s = step(server);
    expect(toHex(s.wire)).toBe(`880603f3${toHex(utf8('oops'))}`);
    expect(s.eof).toBe(true);
    const client = new Connection({ role: 'client' });
    client.fail(1008);
    const c = step(client);
    expect(c.frames[0]!.opcode).toBe(Opcode.Close);
    expect(c.eof).toBe(false);
    expect(client.state).toBe('closing');
  });

  it('data the peer sent before seeing our close is still delivered', () => {
    const server = new Connection({ role: 'server' });
    server.sendClose(1000);
    step(server);
    expect(appEvents(feed(server, fromClient(Opcode.Text, utf8('in flight'))).events)).toEqual([{ type: 'text', data: 'in flight' }]);
  });
});
