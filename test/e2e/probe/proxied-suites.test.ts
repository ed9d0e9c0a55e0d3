// The conformance catalogue, the fuzz suites and a load run through nginx and HAProxy in front of the reference
// server (a separate `wsprobe serve` process). The reference server passes every case directly (other tests prove
// it), so whatever changes behind a proxy is the proxy's doing: these are the findings docs/proxies.md records.
// - nginx with the usual WebSocket config (`proxy_set_header Connection "upgrade"`, `proxy_http_version 1.1`)
//   repairs handshakes the server would refuse: a request without `Connection: Upgrade`, or over HTTP/1.0, reaches
//   the server as a valid upgrade and is accepted (RFC 6455 §4.2.1 cases fail: the path accepts them).
// - nginx answers 400 to a Host header whose OWS is a tab (RFC 7230 §3.2.3 allows HTAB): the handshake fuzzer
//   finds it.
// - Both proxies may reset the client's side when the server fails a connection while the client is still
//   sending: the client's kernel then discards what was relayed but not yet read, the close frame (the server's
//   1007 becomes a TCP reset: non-strict failed-without-close) or an echo (early-fail), in cases that differ from
//   run to run.
// - Frames, fragmentation, control frames, close codes and permessage-deflate pass through both unchanged.
// About 60 s: the catalogue through both proxies at once, then fuzz and a short load run through each.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult, RunResult } from '../../../reports/schema.js';
import { CLI, runCli } from '../../helpers/cli.js';
import { startWsServer } from '../load/load-helpers.js';
import WebSocket from 'ws';
import { skipReason, startHaproxy, startNginx, type RunningProxy } from '../../fixtures/proxies/proxies.js';

const nginxSkip = skipReason('nginx');
const haproxySkip = skipReason('haproxy');

/** The handshake cases nginx's rewriting of Connection and the HTTP version turns into accepted upgrades. */
const NGINX_REPAIRED = ['handshake.connection.missing', 'handshake.connection.not-upgrade', 'handshake.http.1-0'];

const dirs: string[] = [];
let server: ChildProcess | undefined;
let nginx: RunningProxy | undefined;
let haproxy: RunningProxy | undefined;

/** Starts `wsprobe serve --port 0` and resolves its URL from the line it prints when listening. */
function startServe(): Promise<{ child: ChildProcess; url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`wsprobe serve did not start in 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (ws:\/\/127\.0\.0\.1:(\d+)\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, port: Number(m[2]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`wsprobe serve exited with ${code}: ${out}`)));
  });
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; result: RunResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-proxied-'));
  dirs.push(dir);
  const r = await runCli([...args, '--out', dir], { timeoutMs: 240_000 });
  return { code: r.code, stdout: r.stdout, result: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult };
}

let catalogue: Promise<[RunResult | null, RunResult | null]>;

beforeAll(async () => {
  const s = await startServe();
  server = s.child;
  [nginx, haproxy] = await Promise.all([
    nginxSkip === null ? startNginx({ upstreamPort: s.port, readTimeoutS: 60 }) : undefined,
    haproxySkip === null ? startHaproxy({ upstreamPort: s.port, tunnelTimeoutS: 60 }) : undefined,
  ]);
  catalogue = Promise.all([nginx && run(['test', nginx.url]).then((r) => r.result), haproxy && run(['test', haproxy.url]).then((r) => r.result)]).then(
    ([a, b]) => [a ?? null, b ?? null],
  );
  catalogue.catch(() => undefined);
}, 30_000);

afterAll(async () => {
  await Promise.allSettled([catalogue]);
  await Promise.all([nginx?.stop(), haproxy?.stop()]);
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 30_000);

const ids = (cases: CaseResult[], verdict: string): string[] => cases.filter((c) => c.verdict === verdict).map((c) => c.id).sort();

/**
 * Every non-strict verdict behind a proxy is the reset race: the proxy resets the client's side, whose kernel then
 * discards what was relayed but not read yet: the close frame (failed-without-close) or the echo of a valid message
 * sent ahead of the invalid data (early-fail). Either way the connection ended in a reset.
 */
function expectOnlyResetRaces(cases: CaseResult[]): void {
  for (const c of cases.filter((x) => x.verdict === 'non-strict')) {
    expect(['failed-without-close', 'early-fail'], c.id).toContain(c.reasonCode);
    expect(`${c.reason} ${c.observed}`, c.id).toMatch(/\breset\b/);
  }
}

describe('the catalogue, fuzz and load behind real proxies', () => {
  it.skipIf(nginxSkip !== null)('nginx: accepts the handshakes it repairs, and changes nothing else but reset races', async () => {
    const r = (await catalogue)[0]!;
    expect(ids(r.cases, 'fail')).toEqual(NGINX_REPAIRED);
    for (const id of NGINX_REPAIRED) expect(r.cases.find((c) => c.id === id)).toMatchObject({ reasonCode: 'handshake-status', reason: expect.stringMatching(/status 101/) });
    expect(ids(r.cases, 'error')).toEqual([]);
    expectOnlyResetRaces(r.cases);
    // Frames, fragmentation, control frames and close codes pass through untouched.
    const passed = r.cases.filter((c) => c.verdict === 'pass').map((c) => c.area);
    for (const area of ['framing', 'fragmentation', 'control', 'close', 'deflate']) expect(passed).toContain(area);
  }, 240_000);

  it.skipIf(haproxySkip !== null)('HAProxy: every handshake verdict as direct, nothing fails', async () => {
    const r = (await catalogue)[1]!;
    expect(ids(r.cases, 'fail')).toEqual([]);
    expect(ids(r.cases, 'error')).toEqual([]);
    expectOnlyResetRaces(r.cases);
    for (const id of NGINX_REPAIRED) expect(r.cases.find((c) => c.id === id)?.verdict).toBe('pass');
  }, 240_000);

  it.skipIf(nginxSkip !== null)('fuzz through nginx: the handshake fuzzer finds the 400 for a tab in Host; the frame suites hold', async () => {
    await catalogue;
    const { result } = await run(['fuzz', nginx!.url, '--runs', '30', '--seed', '1']);
    const handshake = result.cases.find((c) => c.id === 'fuzz.handshake')!;
    expect(handshake).toMatchObject({ verdict: 'fail', reasonCode: 'handshake-status' });
    expect(handshake.reason).toMatch(/status 400/);
    expect(handshake.counterexample!.join('\n')).toMatch(/Host:[ \t]*\t/);
    expect(result.cases.filter((c) => c.id !== 'fuzz.handshake' && c.verdict !== 'pass')).toEqual([]);
  }, 240_000);

  it.skipIf(haproxySkip !== null)('fuzz through HAProxy: every suite holds', async () => {
    await catalogue;
    const { code, result } = await run(['fuzz', haproxy!.url, '--runs', '30', '--seed', '1']);
    expect(result.cases.filter((c) => c.verdict !== 'pass').map((c) => c.id)).toEqual([]);
    expect(code).toBe(0);
  }, 240_000);

  it.skipIf(nginxSkip !== null || haproxySkip !== null)('load through both: every connection held, every echo and pong back', async () => {
    await catalogue;
    // 200 connections: nginx's worker_connections 512 counts both sides of each proxied WebSocket.
    const args = (url: string): string[] => ['load', url, '--connections', '200', '--duration', '4', '--message-rate', '2', '--heartbeat', '1000', '--workers', '1'];
    const [viaNginx, viaHaproxy] = await Promise.all([run(args(nginx!.url)), run(args(haproxy!.url))]);
    for (const { code, result } of [viaNginx, viaHaproxy]) {
      const l = result.load!;
      expect(l.connections).toMatchObject({ opened: 200, failed: 0, dropped: 0 });
      expect(l.errors).toEqual({});
      expect(l.counters.unmatched).toBe(0);
      expect(l.counters.echoed).toBeGreaterThan(0);
      expect(l.counters.pongsReceived).toBeGreaterThan(0);
      expect(code).toBe(0);
    }
  }, 240_000);

  it.skipIf(nginxSkip !== null || haproxySkip !== null)('neither proxy answers pings itself: in front of a server that does not, no pong comes back', async () => {
    await catalogue;
    const deaf = await startWsServer({ autoPong: false });
    const proxies = await Promise.all([startNginx({ upstreamPort: deaf.port, readTimeoutS: 60 }), startHaproxy({ upstreamPort: deaf.port, tunnelTimeoutS: 60 })]);
    try {
      for (const proxy of proxies) {
        const ws = new WebSocket(proxy.url);
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        // The ping crosses the proxy (the server receives it) and no pong returns within a generous second.
        const pinged = new Promise<void>((resolve) => deaf.wss.clients.forEach((c) => c.once('ping', () => resolve())));
        const ponged = new Promise<string>((resolve) => {
          ws.once('pong', () => resolve('pong'));
          setTimeout(() => resolve('none'), 1_000);
        });
        ws.ping('are-you-there');
        await pinged;
        expect(await ponged, proxy.name).toBe('none');
        ws.terminate();
      }
    } finally {
      await Promise.all(proxies.map((p) => p.stop()));
      await deaf.close();
    }
  }, 60_000);
});
