// Two in-memory Connections, a client and a server, exchange any sequence of messages (text or binary, fragmented
// any way, the bytes delivered in any chunks), pings and a close: each side sees exactly what the other sent, every
// ping is answered with its payload, and the close handshake completes cleanly with the code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionEvent } from '../../../protocol/connection/connection.js';
import { seededEntropy } from '../../../protocol/entropy.js';

type Side = 'client' | 'server';
type Op =
  | { kind: 'text'; from: Side; data: string; fragments: number[]; flush: boolean }
  | { kind: 'binary'; from: Side; data: Uint8Array; fragments: number[]; flush: boolean }
  | { kind: 'ping'; from: Side; payload: Uint8Array; flush: boolean };

const side = fc.constantFrom<Side>('client', 'server');
const fragments = fc.array(fc.nat({ max: 40 }), { maxLength: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), from: side, data: fc.string({ unit: 'binary', maxLength: 60 }), fragments, flush: fc.boolean() }),
  fc.record({ kind: fc.constant('binary' as const), from: side, data: fc.uint8Array({ maxLength: 300 }), fragments, flush: fc.boolean() }),
  fc.record({ kind: fc.constant('ping' as const), from: side, payload: fc.uint8Array({ maxLength: 125 }), flush: fc.boolean() }),
);
const closeCode = fc.oneof(fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1014), fc.integer({ min: 3000, max: 4999 }));

/** What a side should see: message events, in order. */
type Expected = Exclude<ConnectionEvent, { type: 'frame' }>;

class Peer {
  readonly seen: Expected[] = [];
  eofSent = false;
  constructor(readonly conn: Connection) {}
}

describe('client and server Connections talking to each other', () => {
  it('exchange any messages, pings and a close correctly', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 12 }),
        side,
        closeCode,
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (ops, closer, code, reason, chunkSizes, seed) => {
          const peers: Record<Side, Peer> = {
            client: new Peer(new Connection({ role: 'client', entropy: seededEntropy(seed) })),
            server: new Peer(new Connection({ role: 'server' })),
          };
          let chunkIndex = 0;
          /** Moves `from`'s queued bytes to the other side in chunks; returns whether anything moved. */
          const transfer = (from: Side): boolean => {
            const a = peers[from];
            const b = peers[from === 'client' ? 'server' : 'client'];
            const { events, writes, eof } = a.conn.drain();
            for (const e of events) if (e.type !== 'frame') a.seen.push(e);
            const bytes = Buffer.concat(writes);
            for (let at = 0; at < bytes.length; ) {
              const n = chunkSizes[chunkIndex++ % chunkSizes.length]!;
              b.conn.receive(Uint8Array.prototype.slice.call(bytes, at, at + n));
              at += n;
            }
            if (eof && !a.eofSent) {
              a.eofSent = true;
              b.conn.receiveEof();
            }
            return bytes.length > 0 || events.length > 0;
          };
          const settle = (): void => {
            for (let guard = 0; guard < 100; guard++) {
              const moved = transfer('client');
              if (!transfer('server') && !moved) return;
            }
            throw new Error('no quiescence');
          };

          for (const op of ops) {
            const p = peers[op.from];
            if (op.kind === 'text') {
              expect(p.conn.sendText(op.data, { fragments: op.fragments })).toBe(true);
            } else if (op.kind === 'binary') {
              expect(p.conn.sendBinary(op.data, { fragments: op.fragments })).toBe(true);
            } else {
              expect(p.conn.sendPing(op.payload)).toBe(true);
            }
            if (op.flush) settle();
          }
          settle();
          const messages = (s: Side) => peers[s].seen.filter((e) => e.type !== 'close' && e.type !== 'closed');

          // Close: the closer sends a code and reason, the other echoes the code; the server ends TCP, then the client.
          const other: Side = closer === 'client' ? 'server' : 'client';
          expect(peers[closer].conn.sendClose(code, reason)).toBe(true);
          settle();
          expect(peers.server.conn.state).toBe('closed');
          expect(peers.client.conn.state).toBe('closed');
          expect(peers[other].seen.filter((e) => e.type === 'close' || e.type === 'closed')).toEqual([
            { type: 'close', code, reason },
            { type: 'closed', code, reason, wasClean: true },
          ]);
          expect(peers[closer].seen.filter((e) => e.type === 'close' || e.type === 'closed')).toEqual([
            { type: 'close', code, reason: '' },
            { type: 'closed', code, reason: '', wasClean: true },
          ]);
          for (const s of ['client', 'server'] as const) {
            expect(peers[s].seen.filter((e) => e.type === 'violation')).toEqual([]);
            expect(messages(s).map(normal)).toEqual(deliveredTo(s, ops).map(normal));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Binary payloads as hex, so views and copies compare by content. */
function normal(e: Expected): unknown {
  if (e.type === 'binary') return { type: e.type, data: Buffer.from(e.data).toString('hex') };
  if (e.type === 'ping' || e.type === 'pong') return { type: e.type, payload: Buffer.from(e.payload).toString('hex') };
  return e;
}

/**
 * The model: what side `s` receives, in order. Each side's bytes reach the other in the order it queued them; a
 * ping queues its pong on the receiver at the moment the ping arrives, i.e. after everything the receiver had queued
 * before that settle. Simulated on the op list alone (no Connection involved).
 */
function deliveredTo(s: Side, ops: Op[]): Expected[] {
  const out: Record<Side, Expected[]> = { client: [], server: [] };
  const queue: Record<Side, Expected[]> = { client: [], server: [] };
  const flip = (x: Side): Side => (x === 'client' ? 'server' : 'client');
  const move = (from: Side): boolean => {
    const items = queue[from];
    queue[from] = [];
    for (const e of items) {
      out[flip(from)].push(e);
      if (e.type === 'ping') queue[flip(from)].push({ type: 'pong', payload: e.payload });
    }
    return items.length > 0;
  };
  const settle = (): void => {
    for (;;) {
      const a = move('client');
      if (!move('server') && !a) return;
    }
  };
  for (const op of ops) {
    queue[op.from].push(
      op.kind === 'text' ? { type: 'text', data: op.data } : op.kind === 'binary' ? { type: 'binary', data: op.data } : { type: 'ping', payload: op.payload },
    );
    if (op.flush) settle();
  }
  settle();
  return out[s];
}
