// The runner against hostile targets: it never hangs and never crashes; every case ends with a verdict (not a
// harness error) within its budget, and memory stays bounded.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { computeAcceptKey } from '../../../protocol/handshake/accept-key.js';
import { filterCases } from '../../../runners/conformance/filter.js';
import { runConformance } from '../../../runners/conformance/run.js';
import { CATALOGUE } from '../../../suites/conformance/index.js';

type Behaviour = (socket: net.Socket, afterHandshake: boolean) => void;

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Answers a correct 101 (unless `handshake` is false), then behaves badly. */
async function hostile(behave: Behaviour, handshake = true): Promise<string> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    let done = false;
    socket.on('data', (d: Buffer) => {
      if (done) return;
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      done = true;
      if (!handshake) return behave(socket, false);
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? '';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`);
      behave(socket, true);
    });
  });
  const close = srv.close.bind(srv);
  srv.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof srv.close;
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `ws://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`;
}

/** A spread of cases: every area, the big ones included, without the 20 s slowloris case. */
const SAMPLE = filterCases(CATALOGUE, {
  include: ['handshake.*', 'framing.*', 'control.*', 'fragmentation.*', 'close.*', 'masking.*', 'misc.*', 'limits.text.size-1m', 'limits.binary.4m.frames-64k', 'limits.length-64bit-msb-set', 'utf8.fail-fast.*'],
  quick: true,
}).cases.filter((_, i) => i % 5 === 0);

async function check(url: string, preflight: boolean): Promise<void> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const r = await runConformance({ url: new URL(url), cases: SAMPLE, preflight, timeoutScale: 0.15, graceMs: 1000, concurrency: 16, seed: 3 });
  const elapsed = performance.now() - t0;
  expect(r.cases.length).toBe(SAMPLE.length);
  const errors = r.cases.filter((c) => c.verdict === 'error');
  expect(errors.map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
  for (const c of r.cases) expect(c.durationMs).toBeLessThanOrEqual((c.timeoutMs ?? 0) + 1500);
  expect(elapsed).toBeLessThan(120_000);
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
}

describe('runner against hostile targets', () => {
  it('garbage after the handshake', async () => {
    const url = await hostile((s) => {
      const junk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(junk)), 5);
      s.on('close', () => clearInterval(timer));
    });
    await check(url, true);
    expect(SAMPLE.length).toBeGreaterThan(40);
  }, 180_000);

  it('a handshake that never completes (no pre-flight)', async () => {
    const url = await hostile(() => undefined, false);
    await check(url, false);
  }, 180_000);

  it('a 64-bit length it will never send', async () => {
    const url = await hostile((s) => s.write(Buffer.from([0x82, 0x7f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 1, 2, 3])));
    await check(url, true);
  }, 180_000);

  it('resets the connection mid-frame', async () => {
    const url = await hostile((s) => {
      s.write(Buffer.from([0x81, 0x7e, 0x01, 0x00, 0x61, 0x62]));
      setTimeout(() => s.resetAndDestroy(), 20);
    });
    await check(url, true);
  }, 180_000);

  it('a pre-flight against a target that refuses the handshake is a setup error, not failed cases', async () => {
    const srv = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', () => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`;
    await expect(runConformance({ url: new URL(url), cases: SAMPLE })).rejects.toMatchObject({ name: 'TargetSetupError', message: expect.stringMatching(/404/) });
  });
});
