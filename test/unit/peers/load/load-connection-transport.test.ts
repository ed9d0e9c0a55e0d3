// The load connection's transport seam (what --http2 streams use): with a stream opener on the target, a
// LoadConnection writes to and ends the opener's transport, frames exactly as over its own socket, and reports its
// ends to the host as a socket's would.
import { describe, expect, it } from 'vitest';
import { CloseCode, Opcode } from '../../../../protocol/constants.js';
import { encodeFrameBytes } from '../../../../protocol/frame/encode.js';
import { FrameDecoder } from '../../../../protocol/frame/decoder.js';
import { seededEntropy } from '../../../../protocol/entropy.js';
import { FrameTemplates } from '../../../../peers/load/frame-templates.js';
import { ConnState, LoadConnection, LoadTarget, type LoadHost, type LoadStreamOpener, type LoadTransport } from '../../../../peers/load/load-connection.js';

class FakeTransport implements LoadTransport {
  writableLength = 0;
  written: Uint8Array[] = [];
  ended = false;
  destroyed = false;
  write(bytes: Uint8Array): void {
    this.written.push(bytes);
  }
  end(): void {
    this.ended = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The frames written, decoded (opcode and unmasked payload). */
  frames(): { opcode: number; payload: Uint8Array }[] {
    const d = new FrameDecoder({ maxPayload: 1 << 20 });
    for (const b of this.written) d.push(b);
    const out: { opcode: number; payload: Uint8Array }[] = [];
    for (let f = d.poll(); f !== null; f = d.poll()) {
      if ('id' in f) throw new Error(f.message);
      out.push({ opcode: f.opcode, payload: f.payload });
    }
    return out;
  }
}

function setup() {
  const events: string[] = [];
  const transports: FakeTransport[] = [];
  const opener: LoadStreamOpener = {
    open(c) {
      const t = new FakeTransport();
      transports.push(t);
      c.useTransport(t);
      c.state = ConnState.Handshaking;
    },
  };
  const target = new LoadTarget(new URL('ws://127.0.0.1:1/'), { headers: [], protocols: [], entropy: seededEntropy(1) });
  target.streams = opener;
  let clock = 100;
  const host: LoadHost = {
    target,
    templates: new FrameTemplates({ size: 32, binary: false }, seededEntropy(2)),
    bytesIn: 0,
    bytesOut: 0,
    now: () => (clock += 1),
    onOpen: (_c, ms) => events.push(`open ${ms}`),
    onFail: (_c, kind) => events.push(`fail ${kind}`),
    onDrop: (_c, cause, error) => events.push(`drop ${cause} ${error}`),
    onClosed: (_c, wasOpen) => events.push(`closed ${wasOpen}`),
    onPong: () => events.push('pong'),
    onMessage: (_c, payload, text) => events.push(`message ${text ? 'text' : 'binary'} ${Buffer.from(payload).toString()}`),
  };
  const c = new LoadConnection(host, 0, 0);
  return { c, host, events, transports };
}

/** What an opener does when the server accepts: the response's arrival time, then the handshake's end. */
function accept(c: LoadConnection, host: LoadHost): boolean {
  c.lastReceivedAt = host.now();
  return c.handshakeDone([]);
}

/** A frame as a server sends it (unmasked). */
const serverFrame = (opcode: number, payload: string | Uint8Array): Uint8Array =>
  encodeFrameBytes({ opcode, payload: typeof payload === 'string' ? Buffer.from(payload) : payload });

describe('LoadConnection over a stream opener', () => {
  it('opens through the opener, frames as over TCP, and closes with a close frame then the end of its side', () => {
    const { c, host, events, transports } = setup();
    c.open(undefined);
    expect(transports).toHaveLength(1);
    const t = transports[0]!;
    expect(c.socket).toBe(t);
    expect(accept(c, host)).toBe(true);
    expect(c.state).toBe(ConnState.Open);
    // Two frames in one chunk, and a ping answered with a pong (RFC 6455 §5.5.2).
    c.receive(Buffer.concat([serverFrame(Opcode.Text, 'hello'), serverFrame(Opcode.Ping, 'p')]), true);
    c.sendPing();
    c.receive(serverFrame(Opcode.Pong, ''), true);
    c.close(CloseCode.Normal);
    expect(t.ended).toBe(true);
    expect(t.destroyed).toBe(false);
    expect(t.frames().map((f) => [f.opcode, Buffer.from(f.payload).toString('latin1')])).toEqual([
      [Opcode.Pong, 'p'],
      [Opcode.Ping, ''],
      [Opcode.Close, '\u0003\u00e8'],
    ]);
    expect(host.bytesOut).toBe(t.written.reduce((n, b) => n + b.length, 0));
    c.socketClosed();
    expect(events).toEqual(['open 1', 'message text hello', 'pong', 'closed true']);
    expect(c.socket).toBeNull();
  });

  it('an end without a close frame is a drop with the noted kind; an abort destroys the transport', () => {
    const { c, host, events, transports } = setup();
    c.open(undefined);
    accept(c, host);
    c.noteError('session-lost');
    c.socketClosed();
    expect(events).toEqual(['open 1', 'drop 1006 session-lost']);
    c.open(undefined);
    c.abort('timeout', 'no response');
    expect(transports[1]!.destroyed).toBe(true);
    expect(events.at(-1)).toBe('fail timeout');
  });

  it("a server's close frame is answered and ends our side; the end that follows is a drop with its code", () => {
    const { c, host, events, transports } = setup();
    c.open(undefined);
    accept(c, host);
    c.receive(serverFrame(Opcode.Close, new Uint8Array([0x03, 0xe9])), true);
    expect(c.closeReceived).toBe(true);
    expect(transports[0]!.ended).toBe(true);
    expect(transports[0]!.frames().map((f) => f.opcode)).toEqual([Opcode.Close]);
    c.socketClosed();
    expect(events).toEqual(['open 1', 'drop 1001 null']);
  });

  it('refuses an extension it did not offer, as over TCP (RFC 6455 §9.1)', () => {
    const { c, events, transports } = setup();
    c.open(undefined);
    expect(c.handshakeDone([{ name: 'permessage-deflate', params: [] }])).toBe(false);
    expect(transports[0]!.destroyed).toBe(true);
    expect(events).toEqual(['fail handshake']);
  });
});
