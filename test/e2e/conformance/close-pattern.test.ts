// A target that never closes TCP after the closing handshake: once a few cases have waited their whole budget for
// it, later cases wait only briefly, the run stays short and reports one run-level finding. A correct but slow
// target (it closes TCP, late) is never failed on that timer. The targets: a tiny server that answers the opening
// handshake and our close frame, then closes TCP after a delay, or never.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { computeAcceptKey } from '../../../protocol/handshake/accept-key.js';
import { runConformance } from '../../../runners/conformance/run.js';
import { closeNormally, defineCase, echo, type ConformanceCase } from '../../../suites/define.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Answers the handshake and our close frame (echoing its payload), then ends TCP after `closeAfterMs`, or never. */
async function closingServer(closeAfterMs: number | null): Promise<URL> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let open = false;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!open) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const key = /sec-websocket-key: *(\S+)/i.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? '';
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`);
        buf = buf.subarray(end + 4);
        open = true;
      }
      // Client frames here are small and masked: 2 header bytes, 4 mask bytes, payload < 126 bytes.
      while (buf.length >= 6 && buf.length >= 6 + (buf[1]! & 0x7f)) {
        const len = buf[1]! & 0x7f;
        const payload = Buffer.from(buf.subarray(6, 6 + len).map((b, i) => b ^ buf[2 + (i % 4)]!));
        if ((buf[0]! & 0x0f) === 0x8) {
          socket.write(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
          if (closeAfterMs !== null) setTimeout(() => socket.end(), closeAfterMs);
        }
        buf = buf.subarray(6 + len);
      }
    });
  });
  const close = srv.close.bind(srv);
  srv.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof srv.close;
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return new URL(`ws://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`);
}

const BUDGET_MS = 3000;
const CASES: ConformanceCase[] = Array.from({ length: 15 }, (_, i) =>
  defineCase({ id: `t.close-${i}`, title: `close ${i}`, rfc: ['5.5.1'], autobahn: [], timeoutMs: BUDGET_MS, expect: echo([]), run: (peer) => closeNormally(peer) }),
);

describe('a target that never closes TCP', () => {
  it('costs a few whole waits, then short ones: one run-level finding, every case still graded unclean-close', async () => {
    const url = await closingServer(null);
    const t = performance.now();
    const r = await runConformance({ url, cases: CASES, concurrency: 3, seed: 1 });
    const ms = performance.now() - t;
    expect(r.cases.map((c) => c.reasonCode)).toEqual(CASES.map(() => 'unclean-close'));
    const shortened = r.cases.filter((c) => /waited 200 ms for it, not the rest of the case budget/.test(c.reason));
    expect(shortened.length).toBeGreaterThanOrEqual(CASES.length - 6);
    // Without the pattern: 5 rounds of 3 cases, each waiting its whole 3 s budget (15 s), after the pre-flight's 2 s.
    expect(ms).toBeLessThan(3 * BUDGET_MS);
    expect(r.findings).toHaveLength(1);
    expect(r.findings![0]).toMatchObject({ scope: 'run', reasonCode: 'unclean-close', verdict: 'fail' });
    expect(r.findings![0]!.cases).toHaveLength(CASES.length);
    expect(r.findings![0]!.cause).toMatch(/never closes TCP after answering our close.*after 3 cases waited their whole budget/);
  }, 30_000);

  it('a correct but slow target (TCP closed 1.5 s after the closing handshake) is never failed on that timer', async () => {
    const url = await closingServer(1500);
    const r = await runConformance({ url, cases: CASES, concurrency: 5, seed: 1 });
    expect(r.cases.map((c) => `${c.id} ${c.verdict} ${c.reasonCode}`)).toEqual(CASES.map((c) => `${c.id} pass ok`));
    expect(r.findings).toBeUndefined();
  }, 30_000);

  it('the pattern ends as soon as the target closes TCP after a closing handshake', async () => {
    // The first cases meet a server that never closes, the later ones one that closes at once: no shortened wait
    // may fail them.
    let n = 0;
    const never = await closingServer(null);
    const prompt = await closingServer(0);
    const srv = net.createServer((s) => {
      const to = n++ < 4 ? never : prompt;
      const up = net.connect(Number(to.port), '127.0.0.1');
      s.pipe(up).pipe(s);
      s.on('error', () => up.destroy());
      up.on('error', () => s.destroy());
    });
    servers.push(srv);
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    const url = new URL(`ws://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`);
    const r = await runConformance({ url, cases: CASES, concurrency: 3, seed: 1, preflight: false });
    const verdicts = r.cases.map((c) => c.verdict);
    expect(verdicts.slice(0, 3)).toEqual(['fail', 'fail', 'fail']);
    expect(verdicts.slice(4)).toEqual(CASES.slice(4).map(() => 'pass'));
    expect(r.findings).toBeUndefined();
  }, 30_000);
});
