// `wsprobe probe idle` against real paths: nginx (proxy_read_timeout 3s) and HAProxy (timeout tunnel 3s) in front
// of a ws echo server, a relay that blackholes connections after 2 s of silence, and the reference server with no
// timeout at all. The probe must find each timeout within its resolution and name how idle connections end (both
// proxies close TCP with a FIN and no close frame; the relay drops silently), and `wsprobe load` through nginx must
// keep every connection with a heartbeat at the recommended interval and lose them all without one.
// The three probes and the reference-server probe run at once (about 12 s together); the whole file takes ~20 s.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeProbeIdle, PROBE_IDLE_OPTIONS } from '../../../cli/commands/probe.command.js';
import { resolveOptions } from '../../../cli/options.js';
import type { RunResult } from '../../../reports/schema.js';
import { validateRunResult } from '../../../reports/validate.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { startWsServer, type TestServer } from '../load/load-helpers.js';
import { startBlackholeRelay, type BlackholeRelay } from '../../fixtures/proxies/blackhole-relay.js';
import { freePort, skipReason, startHaproxy, startNginx, type RunningProxy } from '../../fixtures/proxies/proxies.js';

const RESOLUTION = 0.5;
const SMALL = { max: 10, resolution: RESOLUTION, heartbeats: '1,2,5' };

const nginxSkip = skipReason('nginx');
const haproxySkip = skipReason('haproxy');
if (nginxSkip !== null) console.warn(`skipping the nginx idle-probe tests: ${nginxSkip}`);
if (haproxySkip !== null) console.warn(`skipping the HAProxy idle-probe tests: ${haproxySkip}`);

const dirs: string[] = [];
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wsprobe-probe-'));
  dirs.push(d);
  return d;
}

let upstream: TestServer;
let nginx: RunningProxy | undefined;
let haproxy: RunningProxy | undefined;
let relay: BlackholeRelay;
let nginxRun: Promise<{ cli: CliResult; result: RunResult; junit: string }> | undefined;
let haproxyRun: Promise<RunResult> | undefined;
let relayRun: Promise<RunResult>;
let referenceRun: Promise<{ cli: CliResult; result: RunResult }>;

function probe(url: string, extra: Record<string, unknown> = {}): Promise<RunResult> {
  return executeProbeIdle(resolveOptions(PROBE_IDLE_OPTIONS, { ...SMALL, ...extra }), url);
}

async function cliRun(args: string[]): Promise<{ cli: CliResult; result: RunResult; dir: string }> {
  const dir = outDir();
  const cli = await runCli(['probe', 'idle', ...args, '--out', dir], { timeoutMs: 60_000 });
  const result = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult;
  return { cli, result, dir };
}

beforeAll(async () => {
  upstream = await startWsServer();
  [nginx, haproxy, relay] = await Promise.all([
    nginxSkip === null ? startNginx({ upstreamPort: upstream.port, readTimeoutS: 3 }) : undefined,
    haproxySkip === null ? startHaproxy({ upstreamPort: upstream.port, tunnelTimeoutS: 3 }) : undefined,
    startBlackholeRelay({ targetPort: upstream.port, idleMs: 2000 }),
  ]);
  // Started together and awaited by each test: the probes take seconds of real silence each.
  if (nginx !== undefined) {
    const url = nginx.url;
    nginxRun = cliRun([url, '--max', '10', '--resolution', String(RESOLUTION), '--heartbeats', '1,2,5', '--expect-idle-at-least', '5']).then((r) => ({
      ...r,
      junit: readFileSync(join(r.dir, 'junit.xml'), 'utf8'),
    }));
  }
  if (haproxy !== undefined) haproxyRun = probe(haproxy.url);
  relayRun = probe(relay.url);
  referenceRun = cliRun(['--max', '2', '--heartbeats', '1', '--expect-idle-at-least', '1.5']);
  // Settled here so a failing probe fails its own test rather than leaving a rejection unhandled.
  for (const p of [nginxRun, haproxyRun, relayRun, referenceRun]) p?.catch(() => undefined);
}, 30_000);

afterAll(async () => {
  await Promise.allSettled([nginxRun, haproxyRun, relayRun, referenceRun]);
  await Promise.all([nginx?.stop(), haproxy?.stop(), relay?.close()]);
  await upstream?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 30_000);

function expectValid(r: RunResult): void {
  expect(validateRunResult(r, { strict: true })).toEqual([]);
  expect(r.kind).toBe('probe');
}

describe('wsprobe probe idle', () => {
  it.skipIf(nginxSkip !== null)('finds nginx proxy_read_timeout 3s, sees a FIN without a close frame, and fails --expect-idle-at-least 5 (exit 1, JUnit)', async () => {
    const { cli, result, junit } = (await nginxRun)!;
    expect(cli.stderr).not.toMatch(/internal error/);
    expectValid(result);
    const p = result.probe!;
    expect(Math.abs(p.idleTimeoutS! - 3)).toBeLessThanOrEqual(RESOLUTION);
    expect(p.killedS! - p.survivedS).toBeLessThanOrEqual(RESOLUTION);
    expect(p.endings[0]).toMatchObject({ how: 'fin' });
    expect(p.endings.some((e) => e.how === 'silent-drop' || e.how === 'close-frame')).toBe(false);
    expect(p.heartbeats.map((h) => [h.intervalS, h.verdict])).toEqual([
      [1, 'kept-alive'],
      [2, 'kept-alive'],
      [5, 'died'],
    ]);
    expect(p.longestKeptAliveS).toBe(2);
    // Half the timeout found, rounded to 0.1 s, and no longer than the 2 s heartbeat seen to work.
    expect(Math.abs(p.recommended!.intervalS - p.idleTimeoutS! / 2)).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(p.recommended!.intervalS).toBeLessThanOrEqual(2);
    expect(p.expectation).toMatchObject({ atLeastS: 5, ok: false });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(new RegExp(`idle timeout\\s+${p.idleTimeoutS!.toFixed(1)} s \\(survived`));
    expect(cli.stdout).toMatch(/FIN\) without a close frame/);
    expect(junit).toMatch(/<testcase [^>]*name="idle timeout at least 5 s"[^>]*>\s*<failure /);
  }, 60_000);

  it.skipIf(haproxySkip !== null)('finds HAProxy timeout tunnel 3s and sees the tunnel closed with a FIN', async () => {
    const result = (await haproxyRun)!;
    expectValid(result);
    const p = result.probe!;
    expect(Math.abs(p.idleTimeoutS! - 3)).toBeLessThanOrEqual(RESOLUTION);
    expect(p.endings[0]).toMatchObject({ how: 'fin' });
    expect(p.heartbeats.find((h) => h.intervalS === 5)?.verdict).toBe('died');
    expect(p.heartbeats.find((h) => h.intervalS === 1)?.verdict).toBe('kept-alive');
  }, 60_000);

  it("finds the relay's 2 s blackhole and names it a silent drop", async () => {
    const result = await relayRun;
    expectValid(result);
    const p = result.probe!;
    expect(Math.abs(p.idleTimeoutS! - 2)).toBeLessThanOrEqual(RESOLUTION);
    expect(p.endings.map((e) => e.how)).toEqual(['silent-drop']);
    expect(relay.blackholed()).toBeGreaterThan(0);
    // A 1 s heartbeat never leaves 2 s of silence; 5 s does.
    expect(p.heartbeats.find((h) => h.intervalS === 1)?.verdict).toBe('kept-alive');
    expect(p.heartbeats.find((h) => h.intervalS === 5)).toMatchObject({ verdict: 'died', ending: { how: 'silent-drop' } });
    expect(p.recommended!.intervalS).toBeLessThanOrEqual(1);
  }, 60_000);

  it('reports no timeout up to --max against the reference server, and passes the check (exit 0)', async () => {
    const { cli, result } = await referenceRun;
    expectValid(result);
    expect(result.target.embedded).toBe(true);
    const p = result.probe!;
    expect(p).toMatchObject({ idleTimeoutS: null, killedS: null, complete: true, recommended: null, endings: [] });
    expect(p.survivedS).toBeGreaterThanOrEqual(2);
    expect(p.rounds).toHaveLength(1);
    expect(p.heartbeats).toEqual([expect.objectContaining({ intervalS: 1, verdict: 'kept-alive' })]);
    expect(p.expectation).toMatchObject({ ok: true });
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/idle timeout\s+none up to 2\.0 s/);
  }, 60_000);

  it.skipIf(nginxSkip !== null)('wsprobe load through nginx keeps every connection at the recommended heartbeat and loses them all without one', async () => {
    const { result } = (await nginxRun)!;
    const everyMs = Math.round(result.probe!.recommended!.intervalS * 1000);
    const load = (heartbeat: number): Promise<RunResult> => {
      const dir = outDir();
      const args = ['load', nginx!.url, '--connections', '10', '--duration', '5', '--workers', '1', '--heartbeat', String(heartbeat), '--out', dir];
      return runCli(args, { timeoutMs: 60_000 }).then(() => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult);
    };
    const [kept, lost] = await Promise.all([load(everyMs), load(0)]);
    // Held 5 s, longer than nginx's 3 s: only the heartbeat keeps them.
    expect(kept.load!.connections).toMatchObject({ opened: 10, dropped: 0 });
    expect(kept.load!.counters.pongsReceived).toBeGreaterThanOrEqual(20);
    expect(lost.load!.connections).toMatchObject({ opened: 10, dropped: 10 });
    // A FIN without a close frame: the load runner records a TCP loss, 1006.
    expect(lost.load!.connections.dropsByCode).toEqual({ '1006': 10 });
  }, 60_000);

  it("wsprobe load through the blackhole relay keeps every connection at the probe's recommendation and counts silent drops without one", async () => {
    const result = await relayRun;
    const everyMs = Math.round(result.probe!.recommended!.intervalS * 1000);
    const load = (heartbeat: number): Promise<{ cli: CliResult; result: RunResult }> => {
      const dir = outDir();
      const args = ['load', relay.url, '--connections', '8', '--duration', '7', '--workers', '1', '--heartbeat', String(heartbeat), '--pong-timeout', '500', '--out', dir];
      return runCli(args, { timeoutMs: 60_000 }).then((cli) => ({ cli, result: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult }));
    };
    // 2.5 s between pings leaves more than the relay's 2 s of silence: each connection is blackholed by its second
    // ping at the latest, which then gets nothing back while the socket stays open.
    const [kept, lost] = await Promise.all([load(everyMs), load(2_500)]);
    expect(kept.result.load!.connections).toMatchObject({ opened: 8, dropped: 0 });
    expect(kept.result.load!.counters.silentDrops).toBe(0);
    const l = lost.result.load!;
    expect(l.connections).toMatchObject({ opened: 8, dropped: 8 });
    expect(l.connections.dropsByCode).toEqual({ 'silent-drop': 8 });
    expect(l.errors).toEqual({ 'silent-drop': 8 });
    expect(l.counters).toMatchObject({ silentDrops: 8, latePongs: 0 });
    expect(l.heartbeat).toMatchObject({ silentDrops: 8 });
    expect(lost.cli.stdout).toMatch(/half-open\s+8 connections silently dropped/);
  }, 60_000);

  it('says in one line, with exit 2, that an unreachable target cannot be probed', async () => {
    const port = await freePort();
    const r = await runCli(['probe', 'idle', `ws://127.0.0.1:${port}/`, '--max', '5', '--out', outDir()], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^wsprobe: cannot probe ws://127\\.0\\.0\\.1:${port}/: TCP connect .* failed: ECONNREFUSED$`))]);
  });

  it('rejects bad options with exit 2 before connecting', async () => {
    const bad = await runCli(['probe', 'idle', 'ws://127.0.0.1:9/', '--heartbeats', '1,soon'], { timeoutMs: 20_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--heartbeats expects seconds/);
    const over = await runCli(['probe', 'idle', 'ws://127.0.0.1:9/', '--max', '10', '--expect-idle-at-least', '60'], { timeoutMs: 20_000 });
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/exceeds --max 10/);
    const none = await runCli(['probe'], { timeoutMs: 20_000 });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name a probe: idle/);
  });
});
