// The Observer in server role (client cases), in memory: the client's frames are judged as a server receives them
// (RFC 6455 §5.1: masked), unmasked and reassembled exactly however they are fragmented, masked and split into
// reads; bytes sent before our response are kept and decoded once it is out. The default client role is unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Observer } from '../../../../peers/raw/observer.js';
import { encodeFrameBytes } from '../../../../protocol/frame/encode.js';
import type { HttpHead } from '../../../../protocol/handshake/head-parser.js';

const HEAD: HttpHead = { startLine: 'GET / HTTP/1.1', method: 'GET', target: '/', version: { major: 1, minor: 1 }, headers: [['Host', 'x']] };
const RESPONSE = new Uint8Array(Buffer.from('HTTP/1.1 101 Switching Protocols\r\n\r\n', 'latin1'));

function serverObserver(onClose?: (code: number | null) => void): Observer {
  let t = 0;
  const o = new Observer(() => t++, {}, onClose, { role: 'server' });
  o.recordRequest(HEAD, null);
  return o;
}

/** Feeds `bytes` in reads cut at `cuts`. */
function feed(o: Observer, bytes: Uint8Array, cuts: number[]): void {
  let at = 0;
  for (const cut of [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b).concat(bytes.length)) {
    o.receive(bytes.subarray(at, cut));
    at = cut;
  }
}

const maskArb = fc.uint8Array({ minLength: 4, maxLength: 4 });

interface Message {
  opcode: 1 | 2;
  payload: Uint8Array;
  /** Where the payload is cut into fragments. */
  cuts: number[];
  /** Pings sent between the fragments, in order. */
  pings: Uint8Array[];
  /** A mask key per frame (cycled). */
  masks: Uint8Array[];
}

/** A message as a correct client sends it: fragments (each masked with its own key), pings between fragments. */
const messageArb: fc.Arbitrary<Message> = fc
  .record({
    opcode: fc.constantFrom(1 as const, 2 as const),
    payload: fc.uint8Array({ maxLength: 600 }),
    cuts: fc.array(fc.nat(600), { maxLength: 5 }),
    pings: fc.array(fc.uint8Array({ maxLength: 125 }), { maxLength: 2 }),
    masks: fc.array(maskArb, { minLength: 8, maxLength: 8 }),
  })
  // Text payloads made valid UTF-8 (any bytes read as latin1, written as UTF-8).
  .map((m) => ({ ...m, payload: m.opcode === 1 ? new Uint8Array(Buffer.from(Buffer.from(m.payload).toString('latin1'), 'utf8')) : m.payload }));

function encodeMessage(m: Message): Uint8Array[] {
  const bounds = [...new Set(m.cuts.filter((c) => c > 0 && c < m.payload.length))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const b of bounds.concat(m.payload.length)) {
    pieces.push(m.payload.subarray(at, b));
    at = b;
  }
  const out: Uint8Array[] = [];
  pieces.forEach((p, i) => {
    out.push(encodeFrameBytes({ opcode: i === 0 ? m.opcode : 0, payload: p, fin: i === pieces.length - 1, mask: m.masks[i % 8]! }));
    // RFC 6455 §5.4: control frames may come between the fragments of a message.
    const ping = m.pings[i];
    if (ping && i < pieces.length - 1) out.push(encodeFrameBytes({ opcode: 9, payload: ping, mask: m.masks[(i + 1) % 8]! }));
  });
  return out;
}

describe('Observer, server role', () => {
  it('reassembles, unmasked and exact, every message of a correct client, however fragmented and split into reads', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(8000), { maxLength: 15 }), (msgs, reads) => {
        const o = serverObserver();
        o.responseSent(RESPONSE, 101);
        feed(o, Buffer.concat(msgs.flatMap(encodeMessage)), reads);
        const events = o.observation.events;
        expect(events.filter((e) => e.kind === 'violation')).toEqual([]);
        const got = events.flatMap((e) => (e.kind === 'message' ? [{ opcode: e.opcode, bytes: Buffer.from(e.bytes!) }] : []));
        expect(got).toEqual(msgs.map((m) => ({ opcode: m.opcode, bytes: Buffer.from(m.payload) })));
        const pings = events.flatMap((e) => (e.kind === 'ping' ? [Buffer.from(e.payload)] : []));
        const sentPings = msgs.flatMap((m) => {
          const n = new Set(m.cuts.filter((c) => c > 0 && c < m.payload.length)).size;
          return m.pings.slice(0, n).map((p) => Buffer.from(p));
        });
        expect(pings).toEqual(sentPings);
      }),
    );
  });

  it('every unmasked client frame is a violation (RFC 6455 §5.1), whatever its opcode', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 9, 10), fc.uint8Array({ maxLength: 125 }), (opcode, payload) => {
        const o = serverObserver();
        o.responseSent(RESPONSE, 101);
        o.receive(encodeFrameBytes({ opcode, payload: opcode === 1 ? new Uint8Array(0) : payload, mask: null }));
        expect(o.observation.events[0]).toMatchObject({ kind: 'violation', violation: { id: 'unmasked-client-frame', rfc: '5.1' } });
      }),
    );
  });

  it('records the request and our response; bytes sent before the response are noted, then decoded', () => {
    const o = serverObserver();
    expect(o.observation.request).toMatchObject({ head: HEAD, violation: null });
    const early = encodeFrameBytes({ opcode: 1, payload: new Uint8Array(Buffer.from('hi')), mask: new Uint8Array([9, 9, 9, 9]) });
    o.receive(early);
    expect(o.observation.events).toEqual([]);
    o.responseSent(RESPONSE, 101);
    expect(o.observation.responseSent).toMatchObject({ status: 101 });
    expect(o.observation.events).toMatchObject([{ kind: 'message', opcode: 1, length: 2 }]);
    expect(o.transcriptEntries().entries.some((e) => /before our response/.test(e.text ?? ''))).toBe(true);
  });

  it('after a non-101 response the client is still read as frames (it may take the connection as open)', () => {
    const o = serverObserver();
    o.responseSent(new Uint8Array(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n', 'latin1')), 400);
    o.receive(encodeFrameBytes({ opcode: 1, payload: new Uint8Array(Buffer.from('echo')), mask: new Uint8Array([1, 1, 1, 1]) }));
    expect(o.observation.events).toMatchObject([{ kind: 'message', length: 4 }]);
  });

  it("reports the client's close once for the driver to answer; frames after it are violations naming the client", () => {
    const codes: (number | null)[] = [];
    const o = serverObserver((c) => codes.push(c));
    o.responseSent(RESPONSE, 101);
    const m = new Uint8Array([5, 6, 7, 8]);
    o.receive(Buffer.concat([encodeFrameBytes({ opcode: 8, payload: new Uint8Array([0x03, 0xe8]), mask: m }), encodeFrameBytes({ opcode: 1, payload: new Uint8Array(0), mask: m })]));
    expect(codes).toEqual([1000]);
    const v = o.observation.events.find((e) => e.kind === 'violation');
    expect(v).toMatchObject({ violation: { id: 'frame-after-close', message: expect.stringMatching(/client's close frame/) } });
  });

  it("the default role is unchanged: a masked frame from the target is a server's violation", () => {
    const o = new Observer(() => 0);
    o.requestSent(new Uint8Array(0), { key: 'dGhlIHNhbXBsZSBub25jZQ==', ctx: { key: 'dGhlIHNhbXBsZSBub25jZQ==' } });
    o.receive(Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n', 'latin1'));
    o.receive(encodeFrameBytes({ opcode: 2, payload: new Uint8Array(0), mask: new Uint8Array([1, 2, 3, 4]) }));
    expect(o.observation.events[0]).toMatchObject({ kind: 'violation', violation: { id: 'masked-server-frame' } });
    expect(o.observation.request).toBeUndefined();
  });
});
