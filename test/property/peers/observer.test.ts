// The observer is sans-I/O: the same bytes from the target give the same observation however they are split into
// reads, and every frame is judged by the shared rules (a masked server frame, a reserved opcode, invalid UTF-8 in a
// text message are each one violation with its id). In memory, no sockets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrameBytes } from '../../../protocol/frame/encode.js';
import { computeAcceptKey } from '../../../protocol/handshake/accept-key.js';
import { Observer } from '../../../peers/raw/observer.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RESPONSE = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(KEY)}\r\n\r\n`;

interface ServerFrame {
  opcode: number;
  payload: Uint8Array;
  fin: boolean;
}

const frameArb: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record({ opcode: fc.constantFrom(1, 2), payload: fc.uint8Array({ maxLength: 300 }), fin: fc.boolean() }),
  fc.record({ opcode: fc.constantFrom(0), payload: fc.uint8Array({ maxLength: 300 }), fin: fc.boolean() }),
  fc.record({ opcode: fc.constantFrom(9, 10), payload: fc.uint8Array({ maxLength: 125 }), fin: fc.constant(true) }),
  fc.record({ opcode: fc.constantFrom(3, 0xb), payload: fc.uint8Array({ maxLength: 10 }), fin: fc.constant(true) }),
);

function observe(bytes: Uint8Array, cuts: number[]): Observer {
  let t = 0;
  const o = new Observer(() => t++);
  o.requestSent(new Uint8Array(0), { key: KEY, ctx: { key: KEY } });
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    o.receive(bytes.subarray(at, cut));
    at = cut;
  }
  o.ended('fin');
  return o;
}

/** Events without times (the clock ticks per call, so times depend on the split). */
const shape = (o: Observer) => o.observation.events.map(({ t: _t, ...rest }) => rest);

describe('Observer', () => {
  it('gives the same events for any split of the same bytes', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(4000), { maxLength: 12 }), (frames, cuts) => {
        const wire = Buffer.concat([Buffer.from(RESPONSE, 'latin1'), ...frames.map((f) => encodeFrameBytes({ ...f, mask: null }))]);
        const whole = observe(wire, []);
        const split = observe(wire, cuts);
        expect(shape(split)).toEqual(shape(whole));
        expect(whole.observation.handshake?.ok).toBe(true);
        expect(whole.observation.framesIn).toBe(frames.length);
      }),
    );
  });

  it('judges each rule once, by id: masked frame, reserved opcode, text that is not UTF-8', () => {
    const wire = Buffer.concat([
      Buffer.from(RESPONSE, 'latin1'),
      encodeFrameBytes({ opcode: 1, payload: new Uint8Array([0x68, 0x69]), fin: true, mask: new Uint8Array([1, 2, 3, 4]) }),
      encodeFrameBytes({ opcode: 3, payload: new Uint8Array(0), fin: true, mask: null }),
      encodeFrameBytes({ opcode: 1, payload: new Uint8Array([0xc0, 0xaf]), fin: true, mask: null }),
    ]);
    const ids = observe(wire, []).observation.events.flatMap((e) => (e.kind === 'violation' ? [e.violation.id] : []));
    expect(ids).toEqual(['masked-server-frame', 'reserved-opcode', 'invalid-utf8']);
  });

  it('reports the answer to a close frame once, with the code to echo (§5.5.1), 1002 for an invalid code', () => {
    const codes: (number | null)[] = [];
    const o = new Observer(() => 0, {}, (c) => codes.push(c));
    o.requestSent(new Uint8Array(0), { key: KEY, ctx: { key: KEY } });
    o.receive(Buffer.concat([Buffer.from(RESPONSE, 'latin1'), encodeFrameBytes({ opcode: 8, payload: new Uint8Array([0x03, 0xec]), fin: true, mask: null })]));
    expect(codes).toEqual([1004]);
    expect(Observer.answerCode(1004)).toBe(1002);
    expect(Observer.answerCode(1000)).toBe(1000);
    expect(Observer.answerCode(null)).toBeUndefined();
  });
});
