// The client catalogue end to end against `ws` as the client under test: a net server on 127.0.0.1 reads each
// request head with HttpHeadParser and runs case i on the i-th connection through a WireServerPeer; a `ws` client in
// a child process (so megabyte transfers do not stall this event loop's timers) opens one connection per case,
// echoes every message with its type, and ignores errors. Each case is graded by gradeClient. ws is a good client:
// every case passes but the documented deviations below, each of which must still show as listed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHeadParser, type HttpHead } from '../../../protocol/handshake/head-parser.js';
import { WireServerPeer } from '../../../peers/wire-server/wire-server-peer.js';
import { DEFAULT_CLIENT_CASE_TIMEOUT_MS, resolveClientExpectation, type ClientCase } from '../../../suites/client/define.js';
import { CLIENT_CATALOGUE } from '../../../suites/client/index.js';
import { gradeClient } from '../../../suites/grade/client.js';
import type { Grade } from '../../../suites/grade/grade.js';

const CLIENT = `
const { WebSocket } = await import(process.env.WS_MODULE);
const count = Number(process.env.COUNT);
for (let i = 1; i <= count; i++) {
  await new Promise((resolve) => {
    const ws = new WebSocket(process.env.BASE + '/runCase?case=' + i + '&agent=ws');
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => {});
    ws.on('close', resolve);
  });
}
`;

/** Verdicts other than pass that ws earns, and why (a ws deviation or a rule the RFC leaves open). */
const WS_DEVIATIONS: Record<string, string> = {
  'utf8.fail-fast.frames': 'non-strict (late-fail): ws validates UTF-8 only once the message is complete',
  'utf8.fail-fast.frames-exact': 'non-strict (late-fail): ws validates UTF-8 only once the message is complete',
  'utf8.fail-fast.chops': 'non-strict (late-fail): ws validates UTF-8 only once the message is complete',
  'utf8.fail-fast.chops-exact': 'non-strict (late-fail): ws validates UTF-8 only once the message is complete',
  'deflate.response.server-window-leading-zero': 'fail: ws reads server_max_window_bits with Number(), so "09" passes as 9 (RFC 7692 §7.1.2.1: "without leading zeroes")',
  'deflate.response.twice': 'fail: ws reads only the first permessage-deflate element of the response and ignores the second',
};

interface Outcome {
  c: ClientCase;
  grade: Grade;
}

/** Runs one case on one accepted connection, as the test-client runner does: respond, script, deadline, grade. */
async function runCase(c: ClientCase, socket: net.Socket, head: HttpHead, leftover: Uint8Array, seed: number): Promise<Grade> {
  const timeoutMs = c.timeoutMs ?? DEFAULT_CLIENT_CASE_TIMEOUT_MS;
  const start = performance.now();
  const peer = WireServerPeer.accept({ socket, head, leftover, seed, deadlineMs: start + timeoutMs, startedAt: start });
  let timer: NodeJS.Timeout | undefined;
  try {
    const script = (async (): Promise<void> => {
      if (c.response !== 'manual') await peer.respond(c.response ?? {});
      await c.run(peer, { timeoutMs, seed });
    })();
    const guard = new Promise<'guard'>((resolve) => {
      timer = setTimeout(() => resolve('guard'), timeoutMs + 2000);
    });
    if ((await Promise.race([script.then(() => 'done' as const), guard])) === 'guard') {
      peer.markTimedOut();
      peer.destroy();
      script.catch(() => undefined);
    } else if (!peer.ended) {
      await peer.finished();
    }
    return gradeClient({ expect: resolveClientExpectation(c, peer.request), observation: peer.observation(), rfc: c.rfc, timeoutMs });
  } catch (err) {
    return { verdict: 'error', reasonCode: 'harness-error', reason: `the script threw: ${(err as Error).message}`, expected: '', observed: '' };
  } finally {
    clearTimeout(timer);
    peer.destroy();
  }
}

describe('client catalogue against ws', () => {
  const cases = CLIENT_CATALOGUE;
  const outcomes: Promise<Outcome>[] = [];
  let server: net.Server;
  let child: ChildProcess | undefined;
  let childExit: Promise<number | null>;

  beforeAll(async () => {
    let next = 0;
    server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      const parser = new HttpHeadParser({ maxHeadBytes: 65536 });
      const onData = (chunk: Buffer): void => {
        const r = parser.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if (r.state === 'partial') return;
        socket.off('data', onData);
        socket.pause();
        const i = next++;
        const c = cases[i];
        if (r.state === 'error' || c === undefined) {
          socket.destroy();
          return;
        }
        outcomes[i] = runCase(c, socket, r.head, r.rest, i + 1).then((grade) => ({ c, grade }));
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const wsModule = createRequire(import.meta.url).resolve('ws').replace(/index\.js$/, 'wrapper.mjs');
    child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT], {
      env: { ...process.env, WS_MODULE: new URL(`file://${wsModule}`).href, BASE: `ws://127.0.0.1:${port}`, COUNT: String(cases.length) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    childExit = new Promise((resolve) => child!.on('exit', (code) => resolve(code)));
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('runs every case; ws passes all but its documented deviations', async () => {
    // Each case ends by its own deadline, so the client's loop ends too; the test timeout bounds the whole.
    expect(await childExit).toBe(0);
    expect(outcomes.length).toBe(cases.length);
    const results = await Promise.all(outcomes);
    const notPass = results.filter((o) => o.grade.verdict !== 'pass' && !(o.grade.verdict === 'informational' || o.grade.verdict === 'unimplemented'));
    if (process.env.WSPROBE_E2E_VERBOSE === '1') {
      for (const o of results) if (o.grade.verdict !== 'pass') process.stderr.write(`${o.grade.verdict} ${o.c.id} [${o.grade.reasonCode}] ${o.grade.reason}\n`);
    }
    const report = notPass.map((o) => `${o.grade.verdict} ${o.c.id} [${o.grade.reasonCode}] ${o.grade.reason}`).join('\n');
    expect(results.filter((o) => o.grade.verdict === 'error').map((o) => `${o.c.id}: ${o.grade.reason}`)).toEqual([]);
    expect(notPass.filter((o) => !(o.c.id in WS_DEVIATIONS)).map((o) => o.c.id), report).toEqual([]);
    // A listed deviation that ws no longer shows is stale: the list must say what ws does today.
    expect(Object.keys(WS_DEVIATIONS).filter((id) => !notPass.some((o) => o.c.id === id))).toEqual([]);
  }, 900_000);
});
