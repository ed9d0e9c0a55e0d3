// The allocation-free drain (drainWrites / eofRequested / drainEvents) and textAsBytes: the same events, writes and
// eof as drain(), and the same order rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionEvent } from '../../../../protocol/connection/connection.js';
import { Opcode } from '../../../../protocol/constants.js';
import { encodeFrameBytes } from '../../../../protocol/frame/encode.js';
import { appEvents, concat, hex, step, toHex, utf8 } from '../wire.js';

const KEY = hex('37fa213d');
const fromClient = (opcode: number, payload: Uint8Array, fin = true) => encodeFrameBytes({ opcode, payload, fin, mask: KEY });

/** A pump's loop on the hot-path API; `react` may send, as an echo server does. */
function pumpStep(conn: Connection, react: (e: ConnectionEvent) => void = () => {}) {
  const events: ConnectionEvent[] = [];
  const writes: Uint8Array[] = [];
  let eof = false;
  for (let guard = 0; guard < 100; guard++) {
    conn.drainWrites((chunks, count) => {
      for (let i = 0; i < count; i++) writes.push(chunks[i]!);
    });
    eof = conn.eofRequested;
    const n = conn.drainEvents((e) => {
      events.push(e);
      react(e);
    });
    if (n === 0) break;
  }
  return { events, wire: toHex(concat(writes)), eof };
}

const plain = (e: ConnectionEvent) => (e.type === 'text' ? { type: 'text', data: e.data } : e);

describe('Connection: drainWrites / drainEvents', () => {
  it('hands out what drain() would, for any input, echoing every message', () => {
    const msg = fc.record({ text: fc.boolean(), payload: fc.uint8Array({ maxLength: 200 }), ping: fc.boolean() });
    fc.assert(
      fc.property(fc.array(msg, { maxLength: 6 }), fc.boolean(), fc.boolean(), (msgs, close, bad) => {
        const parts = msgs.flatMap((m) => [
          fromClient(m.text ? Opcode.Text : Opcode.Binary, m.text ? utf8(Buffer.from(m.payload).toString('base64')) : m.payload),
          ...(m.ping ? [fromClient(Opcode.Ping, m.payload.subarray(0, 125))] : []),
        ]);
        if (bad) parts.push(fromClient(Opcode.Text, hex('c0')));
        if (close) parts.push(fromClient(Opcode.Close, hex('03e8')));
        const input = concat(parts);
        const run = (hot: boolean) => {
          const conn = new Connection({ role: 'server', frameEvents: false, textAsBytes: hot });
          const echo = (e: ConnectionEvent): void => {
            if (conn.state !== 'open') return;
            if (e.type === 'text') conn.sendText(e.bytes ?? e.data);
            if (e.type === 'binary') conn.sendBinary(e.data);
          };
          conn.receive(input.slice());
          if (hot) return pumpStep(conn, echo);
          const events: ConnectionEvent[] = [];
          const writes: Uint8Array[] = [];
          let eof = false;
          for (let guard = 0; guard < 100; guard++) {
            const out = conn.drain();
            writes.push(...out.writes);
            eof = out.eof;
            events.push(...out.events);
            for (const e of out.events) echo(e);
            if (out.events.length === 0) break;
          }
          return { events, wire: toHex(concat(writes)), eof };
        };
        const a = run(false);
        const b = run(true);
        expect(b.events.map(plain)).toEqual(a.events);
        expect(b.wire).toBe(a.wire);
        expect(b.eof).toBe(a.eof);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps drain()\'s order rule: a Close made due by the input waits until the events before it are out', () => {
    const conn = new Connection({ role: 'server' });
    conn.receive(concat([fromClient(Opcode.Binary, hex('01')), fromClient(Opcode.Close, hex('03e8'))]));
    const seen: string[] = [];
    let out = '';
    const sink = (chunks: readonly Uint8Array[], n: number): void => {
      out += toHex(concat(chunks.slice(0, n)));
    };
    conn.drainWrites(sink);
    expect(out).toBe(''); // events are waiting: the reply to the Close is held
    expect(conn.drainEvents((e) => seen.push(e.type))).toBe(4);
    conn.drainWrites(sink);
    expect(out).toBe('880203e8');
    expect(conn.eofRequested).toBe(true);
    expect(conn.drainEvents((e) => seen.push(e.type))).toBe(1);
    expect(seen).toEqual(['frame', 'binary', 'frame', 'close', 'closed']);
  });

  it('an event a handler causes waits for the next drainEvents()', () => {
    const fresh = new Connection({ role: 'server' });
    fresh.receive(fromClient(Opcode.Binary, hex('02')));
    const seen: string[] = [];
    expect(fresh.drainEvents((e) => {
      seen.push(e.type);
      if (e.type === 'binary') fresh.fail(1011, 'bye'); // queues the 'closed' event
    })).toBe(2);
    expect(seen).toEqual(['frame', 'binary']);
    expect(fresh.drainEvents((e) => seen.push(e.type))).toBe(1);
    expect(seen).toEqual(['frame', 'binary', 'closed']);
  });
});

describe('Connection: textAsBytes', () => {
  it('carries the validated bytes and decodes data only when read', () => {
    const conn = new Connection({ role: 'server', textAsBytes: true });
    conn.receive(fromClient(Opcode.Text, utf8('h\u00e9llo')));
    const [e] = appEvents(step(conn).events);
    expect(e?.type).toBe('text');
    if (e?.type !== 'text') return;
    expect(toHex(e.bytes!)).toBe(toHex(utf8('h\u00e9llo')));
    expect(e.data).toBe('h\u00e9llo');
    expect(e.data).toBe('h\u00e9llo');
  });

  it('leaves text events as { type, data } by default', () => {
    const conn = new Connection({ role: 'server' });
    conn.receive(fromClient(Opcode.Text, utf8('x')));
    expect(appEvents(step(conn).events)).toEqual([{ type: 'text', data: 'x' }]);
  });
});
