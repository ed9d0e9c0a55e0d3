// The raw peer against in-test TCP servers on 127.0.0.1 (port 0): chunking, handshake edits, recording of frames
// (legal or not) and TCP events, timeouts that always end a wait, and bounded recording from a hostile target.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerConnectError, RawPeer } from '../../../../peers/raw/raw-peer.js';
import { seededEntropy } from '../../../../protocol/entropy.js';
import { encodeFrameBytes, encodeFrameUnchecked } from '../../../../protocol/frame/encode.js';
import { FrameDecoder } from '../../../../protocol/frame/decoder.js';
import { computeAcceptKey } from '../../../../protocol/handshake/accept-key.js';

interface Conn {
  socket: net.Socket;
  head: string;
  /** Everything received after the head, and the sizes of the reads. */
  received: () => Buffer;
  reads: number[];
  readTimes: number[];
}

type Scenario = (conn: Conn) => void;

const servers: net.Server[] = [];
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A server that reads the request head, answers 101 (unless `respond` is false) and runs the scenario. */
async function server(scenario: Scenario, opts: { respond?: boolean | string } = {}): Promise<{ url: string; conns: Conn[] }> {
  const conns: Conn[] = [];
  const srv = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let conn: Conn | null = null;
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => {
      if (conn) {
        chunks.push(d);
        conn.reads.push(d.length);
        conn.readTimes.push(performance.now());
        return;
      }
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buf.subarray(0, end + 4).toString('latin1');
      const rest = buf.subarray(end + 4);
      conn = { socket, head, received: () => Buffer.concat(chunks), reads: [], readTimes: [] };
      if (rest.length > 0) {
        chunks.push(rest);
        conn.reads.push(rest.length);
        conn.readTimes.push(performance.now());
      }
      conns.push(conn);
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
      if (typeof opts.respond === 'string') socket.write(opts.respond);
      else if (opts.respond !== false) {
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`);
      }
      scenario(conn);
    });
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `ws://127.0.0.1:${(srv.address() as net.AddressInfo).port}/chat?x=1`, conns };
}

async function connect(url: string, budgetMs = 3000, extra: Partial<Parameters<typeof RawPeer.connect>[0]> = {}): Promise<RawPeer> {
  const p = await RawPeer.connect({ url, entropy: seededEntropy(1), deadline: performance.now() + budgetMs, ...extra });
  peers.push(p);
  return p;
}

const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
};

function decodeAll(bytes: Uint8Array): { opcode: number; fin: boolean; masked: boolean; payload: string }[] {
  const d = new FrameDecoder();
  d.push(bytes);
  const out = [];
  for (let r = d.next(); r !== null; r = d.next()) {
    if (r.type === 'frame') out.push({ opcode: r.frame.opcode, fin: r.frame.fin, masked: r.frame.masked, payload: Buffer.from(r.frame.payload).toString('latin1') });
  }
  return out;
}

describe('RawPeer: connecting and the handshake', () => {
  it('rejects with PeerConnectError (refused) when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await expect(RawPeer.connect({ url: `ws://127.0.0.1:${port}/` })).rejects.toMatchObject({ name: 'PeerConnectError', kind: 'refused' });
    expect(PeerConnectError).toBeDefined();
  });

  it('sends a correct request (buildClientRequest) and checks the 101', async () => {
    const { url, conns } = await server(() => undefined);
    const peer = await connect(url);
    const hs = await peer.handshake();
    expect(hs).toMatchObject({ ok: true, status: 101 });
    expect(conns[0]!.head).toMatch(/^GET \/chat\?x=1 HTTP\/1\.1\r\n/);
    expect(conns[0]!.head).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/);
  });

  it('edits the request: method, version, removed, replaced and added headers', async () => {
    const { url, conns } = await server(() => undefined, { respond: 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n' });
    const peer = await connect(url);
    const hs = await peer.handshake({
      method: 'POST',
      version: '8',
      removeHeaders: ['upgrade'],
      replaceHeaders: [['Connection', 'keep-alive']],
      addHeaders: [['X-Extra', 'a'], ['X-Extra', 'b']],
    });
    const head = conns[0]!.head;
    expect(head).toMatch(/^POST \/chat\?x=1 HTTP\/1\.1\r\n/);
    expect(head).not.toMatch(/\r\nUpgrade:/i);
    expect(head).toMatch(/\r\nConnection: keep-alive\r\n/);
    expect(head).toMatch(/\r\nSec-WebSocket-Version: 8\r\n/);
    expect(head).toMatch(/X-Extra: a\r\nX-Extra: b\r\n\r\n$/);
    expect(hs).toMatchObject({ ok: false, status: 400 });
  });

  it('sends raw handshake bytes as given', async () => {
    const { url, conns } = await server(() => undefined, { respond: false });
    const peer = await connect(url, 500);
    const raw = 'GET / HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Key: abc\r\n\r\n';
    const hs = await peer.handshake({ raw });
    expect(conns[0]!.head).toBe(raw);
    expect(hs).toMatchObject({ ok: false, failure: 'timeout' });
  });

  it('a handshake that never completes ends at the deadline', async () => {
    const { url } = await server(() => undefined, { respond: false });
    const peer = await connect(url, 600, { closeReserveMs: 100 });
    const t = performance.now();
    const hs = await peer.handshake();
    expect(hs.failure).toBe('timeout');
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

describe('RawPeer: sending', () => {
  it('masks frames with seeded keys by default, or not at all with mask: null', async () => {
    const { url, conns } = await server(() => undefined);
    const peer = await connect(url);
    await peer.handshake();
    await peer.sendFrame({ opcode: 1, payload: 'masked' });
    await peer.sendFrame({ opcode: 1, payload: 'bare', mask: null });
    await peer.sendFrame({ opcode: 1, payload: 'zero', mask: new Uint8Array(4) });
    await until(() => decodeAll(conns[0]!.received()).length === 3);
    expect(decodeAll(conns[0]!.received())).toEqual([
      { opcode: 1, fin: true, masked: true, payload: 'masked' },
      { opcode: 1, fin: true, masked: false, payload: 'bare' },
      { opcode: 1, fin: true, masked: true, payload: 'zero' },
    ]);
  });

  it('writes byte by byte with pauses, and in N-byte chops: same bytes, more reads, spread in time', async () => {
    const { url, conns } = await server(() => undefined);
    const peer = await connect(url);
    await peer.handshake();
    const t0 = performance.now();
    await peer.sendFrame({ opcode: 2, payload: 'abc' }, { chop: 'byte', pauseMs: 15 });
    await until(() => conns[0]!.received().length === 9);
    expect(conns[0]!.reads.length).toBeGreaterThanOrEqual(5);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(8 * 15 - 5);
    await peer.sendMessage(1, 'x'.repeat(300), { chop: 7 });
    await until(() => decodeAll(conns[0]!.received()).length === 2);
    expect(decodeAll(conns[0]!.received())[1]!.payload).toBe('x'.repeat(300));
  });

  it('sends frame by frame and splits messages into fragments', async () => {
    const { url, conns } = await server(() => undefined);
    const peer = await connect(url);
    await peer.handshake();
    await peer.sendMessage(1, 'hello world', { fragmentSize: 4, chop: 'frame' });
    await until(() => decodeAll(conns[0]!.received()).length === 3);
    expect(decodeAll(conns[0]!.received()).map((f) => [f.opcode, f.fin, f.payload])).toEqual([
      [1, false, 'hell'],
      [0, false, 'o wo'],
      [0, true, 'rld'],
    ]);
  });

  it('builds illegal frames: 126-byte ping, reserved opcode, RSV bits, bogus lengths', async () => {
    const { url, conns } = await server(() => undefined);
    const peer = await connect(url);
    await peer.handshake();
    await peer.sendFrames([
      { opcode: 9, payload: new Uint8Array(126) },
      { opcode: 0xb, payload: 'r', rsv1: true, rsv3: true },
      { opcode: 2, payload: 'abc', lengthForm: 64 },
    ]);
    await until(() => conns[0]!.received().length >= 134 + 7 + 17);
    const bytes = conns[0]!.received();
    expect(bytes[0]).toBe(0x89);
    expect(bytes[1]).toBe(0x80 | 126);
    const second = 4 + 4 + 126; // 16-bit length form, mask key, payload
    expect(bytes[second]).toBe(0x80 | 0x40 | 0x10 | 0x0b);
  });
});

describe('RawPeer: recording', () => {
  it('decodes what the target sends, flags invalid frames, reassembles fragments and answers its close', async () => {
    const { url, conns } = await server((c) => {
      c.socket.write(encodeFrameBytes({ opcode: 1, fin: false, payload: Buffer.from('hel') }));
      c.socket.write(encodeFrameBytes({ opcode: 9, payload: Buffer.from('hb') }));
      c.socket.write(encodeFrameBytes({ opcode: 0, payload: Buffer.from('lo') }));
      c.socket.write(encodeFrameBytes({ opcode: 2, payload: Buffer.from('m'), mask: new Uint8Array([1, 2, 3, 4]) }));
      c.socket.write(encodeFrameUnchecked({ opcode: 1, payload: Buffer.from('r'), rsv2: true }));
      c.socket.write(encodeFrameBytes({ opcode: 8, payload: Buffer.from([0x03, 0xea]) }));
    });
    const peer = await connect(url);
    await peer.handshake();
    expect(await peer.waitForClose()).toBe(true);
    const obs = peer.observation();
    const kinds = obs.events.map((e) => (e.kind === 'violation' ? `violation:${e.violation.id}` : e.kind));
    expect(kinds).toEqual(['ping', 'message', 'violation:masked-server-frame', 'message', 'violation:reserved-bits-set', 'message', 'close']);
    const first = obs.events[1]!;
    expect(first).toMatchObject({ kind: 'message', opcode: 1, frames: 2, length: 5 });
    expect(obs.closeReceived).toMatchObject({ code: 1002 });
    // RFC 6455 §5.5.1: the close is answered, echoing the code.
    expect(obs.closeSent).toMatchObject({ code: 1002, auto: true });
    await until(() => decodeAll(conns[0]!.received()).some((f) => f.opcode === 8));
    expect(decodeAll(conns[0]!.received()).find((f) => f.opcode === 8)!.masked).toBe(true);
    const transcript = peer.transcript().entries;
    expect(transcript.some((e) => e.dir === 'in' && e.kind === 'frame' && e.closeCode === 1002)).toBe(true);
  });

  it('records FIN from the target; close() then needs no drop', async () => {
    const { url } = await server((c) => {
      c.socket.on('data', () => {
        c.socket.write(encodeFrameBytes({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) }));
        c.socket.end();
      });
    });
    const peer = await connect(url);
    await peer.handshake();
    await peer.close(1000);
    const obs = peer.observation();
    expect(obs.closeSent).toMatchObject({ code: 1000, auto: false });
    expect(obs.closeReceived).toMatchObject({ code: 1000 });
    expect(obs.tcpEnd?.kind).toBe('fin');
  });

  it('records a reset from the target', async () => {
    const { url } = await server((c) => {
      setTimeout(() => c.socket.resetAndDestroy(), 20);
    });
    const peer = await connect(url);
    await peer.handshake();
    expect(await peer.waitForEnd()).toBe(true);
    expect(peer.observation().tcpEnd?.kind).toBe('reset');
  });

  it('drops TCP itself (client-drop) when the target answers the close but never closes TCP', async () => {
    const { url } = await server((c) => {
      c.socket.on('data', () => c.socket.write(encodeFrameBytes({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) })));
    });
    const peer = await connect(url, 800);
    await peer.handshake();
    const t = performance.now();
    await peer.close(1000);
    expect(peer.observation().tcpEnd).toMatchObject({ kind: 'client-drop' });
    expect(performance.now() - t).toBeLessThan(1200);
  });

  it('waits end at their timeout and never reject', async () => {
    const { url } = await server(() => undefined);
    const peer = await connect(url, 5000);
    await peer.handshake();
    const t = performance.now();
    expect(await peer.waitForMessages(1, 100)).toBe(false);
    expect(await peer.waitForPongs(1, 50)).toBe(false);
    expect(performance.now() - t).toBeLessThan(600);
  });

  it('skips sends after the target closed, and records them', async () => {
    const { url } = await server((c) => c.socket.end());
    const peer = await connect(url);
    await peer.handshake();
    await peer.waitForEnd();
    await peer.sendMessage(1, 'late');
    expect(peer.observation().writeErrors.length).toBeGreaterThan(0);
  });

  it('a 64-bit length with the MSB set makes the stream undecodable; later bytes are only counted', async () => {
    const { url } = await server((c) => {
      c.socket.write(encodeFrameUnchecked({ opcode: 2, payload: new Uint8Array(3), lengthForm: 64, lengthOverride: 0x8000_0000_0000_0003n }));
      c.socket.write(Buffer.alloc(1000, 0x81));
    });
    const peer = await connect(url, 1500);
    await peer.handshake();
    await until(() => peer.observation().bytesIn >= 1000 + 13);
    const obs = peer.observation();
    expect(obs.undecodable?.id).toBe('length-msb-set');
    expect(obs.framesIn).toBe(0);
  });
});

describe('RawPeer: bounded recording against a hostile target', () => {
  it('caps events, kept payload bytes and transcript entries; lengths stay exact', async () => {
    const { url } = await server((c) => {
      const frame = encodeFrameBytes({ opcode: 2, payload: Buffer.alloc(1000, 7) });
      const burst = Buffer.concat(Array.from({ length: 500 }, () => frame));
      for (let i = 0; i < 10; i++) c.socket.write(burst);
    });
    const peer = await connect(url, 5000, { limits: { maxEvents: 1000, keepTotalBytes: 100_000, transcriptHead: 50, transcriptTail: 10 } });
    await peer.handshake();
    await until(() => peer.observation().framesIn === 5000, 4000);
    const obs = peer.observation();
    expect(obs.events.length).toBe(1000);
    expect(obs.truncated).toBe(true);
    const kept = obs.events.filter((e) => e.kind === 'message' && e.bytes !== undefined).length;
    expect(kept).toBe(100);
    const last = obs.events[999]!;
    expect(last).toMatchObject({ kind: 'message', length: 1000 });
    const t = peer.transcript();
    expect(t.entries.length).toBeLessThanOrEqual(61);
    expect(t.omitted).toBeGreaterThan(4000);
  });

  it('a frame larger than maxFrameBytes is recorded as a violation and skipped', async () => {
    const { url } = await server((c) => {
      c.socket.write(encodeFrameBytes({ opcode: 2, payload: Buffer.alloc(5000, 1) }));
      c.socket.write(encodeFrameBytes({ opcode: 1, payload: Buffer.from('after') }));
    });
    const peer = await connect(url, 3000, { limits: { maxFrameBytes: 1000 } });
    await peer.handshake();
    await peer.waitForMessages(1, 2000);
    const obs = peer.observation();
    expect(obs.events[0]).toMatchObject({ kind: 'violation' });
    expect(obs.events[1]).toMatchObject({ kind: 'message', length: 5 });
  });
});
