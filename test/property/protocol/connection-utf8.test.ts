// A text message (one or two frames) carrying any bytes, delivered in any chunks: the Connection reports the same
// events as for the whole input (chunking independence), and invalid UTF-8 fails the connection on the very chunk
// that carries the first invalid byte (fail-fast, RFC 6455 §8.1), never earlier and never later.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection, type ConnectionEvent } from '../../../protocol/connection/connection.js';
import { Opcode } from '../../../protocol/constants.js';
import { encodeFrameBytes } from '../../../protocol/frame/encode.js';
import { firstInvalidUtf8Index } from '../../../protocol/utf8.js';

const encoder = new TextEncoder();
const edgeByte = fc.constantFrom(0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff);
/** Mostly valid text with a few bytes replaced or inserted, so errors land anywhere, mid-sequence included. */
const textBytes = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 80 }), fc.array(fc.tuple(fc.nat(), edgeByte, fc.boolean()), { maxLength: 2 }))
  .map(([s, edits]) => {
    const arr = Array.from(encoder.encode(s));
    for (const [pos, b, insert] of edits) {
      const at = pos % (arr.length + 1);
      if (insert || at === arr.length) arr.splice(at, 0, b);
      else arr[at] = b;
    }
    return Uint8Array.from(arr);
  });

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** The message as one frame, or as two fragments cut at `cut`; and where each payload byte lies on the wire. */
function wireOf(payload: Uint8Array, fragmented: boolean, cut: number): { wire: Uint8Array; position: number[] } {
  const parts = fragmented ? [payload.subarray(0, cut % (payload.length + 1)), payload.subarray(cut % (payload.length + 1))] : [payload];
  const frames: Uint8Array[] = [];
  const position: number[] = [];
  let at = 0;
  parts.forEach((part, i) => {
    const f = encodeFrameBytes({ opcode: i === 0 ? Opcode.Text : Opcode.Continuation, fin: i === parts.length - 1, payload: part, mask: KEY });
    const header = f.length - part.length;
    for (let k = 0; k < part.length; k++) position.push(at + header + k);
    frames.push(f);
    at += f.length;
  });
  return { wire: new Uint8Array(Buffer.concat(frames)), position };
}

/** Feeds the chunks and drains after each; returns the app events and the index of the chunk that failed, or -1. */
function run(chunks: Uint8Array[]): { events: ConnectionEvent[]; failedAt: number } {
  const conn = new Connection({ role: 'server' });
  const events: ConnectionEvent[] = [];
  let failedAt = -1;
  chunks.forEach((chunk, i) => {
    conn.receive(chunk.slice());
    for (let out = conn.drain(); ; out = conn.drain()) {
      for (const e of out.events) {
        if (e.type === 'frame') continue;
        events.push(e);
        if (e.type === 'violation' && failedAt < 0) failedAt = i;
      }
      if (out.events.length === 0) break;
    }
  });
  return { events, failedAt };
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

describe('Connection UTF-8 properties', () => {
  it('same events for any chunking, and a failure on the chunk holding the first invalid byte', () => {
    fc.assert(
      fc.property(textBytes, fc.boolean(), fc.nat(), fc.array(fc.nat(), { maxLength: 30 }), (payload, fragmented, cut, cuts) => {
        const { wire, position } = wireOf(payload, fragmented, cut);
        const whole = run([wire]);
        const chunks = split(wire, cuts);
        const chunked = run(chunks);
        expect(chunked.events).toEqual(whole.events);

        const bad = firstInvalidUtf8Index(payload);
        if (bad === -1) {
          expect(chunked.failedAt).toBe(-1);
          return;
        }
        // The wire offset of the byte that makes the text invalid; a message that ends inside a sequence fails at
        // its last byte.
        const failByte = bad < payload.length ? position[bad]! : wire.length - 1;
        let end = 0;
        const expectedChunk = chunks.findIndex((ch) => (end += ch.length) > failByte);
        expect(chunked.failedAt).toBe(expectedChunk);
        const violations = chunked.events.filter((e) => e.type === 'violation');
        expect(violations).toHaveLength(1);
        expect(violations[0]).toMatchObject({ violation: { id: 'invalid-utf8' } });
        expect(chunked.events.some((e) => e.type === 'text')).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});
