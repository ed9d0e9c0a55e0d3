// `wsprobe test-client` end to end on loopback: wsprobe listens as the server, real clients connect once per case.
// The reference client passes every client case; each deliberately broken raw client (test/fixtures/clients) is
// caught by the cases that test the rule it breaks, and passes the others; the Autobahn endpoints answer a
// hand-written driver; `--driver ws` through the CLI writes the three report files; Chromium and ws run side by side
// (skipped with a message when Chromium is missing, unless WSPROBE_REQUIRE_PROXIES is set).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTestClient as apiRunTestClient, type TestClientProgress } from '../../../api/index.js';
import type { CaseResult, RunResult } from '../../../reports/schema.js';
import { validateRunResult } from '../../../reports/validate.js';
import { makeDriver } from '../../../runners/test-client/drivers/index.js';
import { findChromium } from '../../../runners/test-client/drivers/chromium.js';
import { runTestClient } from '../../../runners/test-client/run.js';
import { selectClientCases } from '../../../runners/test-client/selection.js';
import { CLIENT_CATALOGUE } from '../../../suites/client/index.js';
import { CLI, REPO_ROOT, runCli } from '../../helpers/cli.js';
import { makeSelfSignedCert } from '../../helpers/tls-cert.js';
import { connectOnce, runBrokenClient, type ClientFault } from '../../fixtures/clients/broken-client.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'wsprobe-client-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const byId = (r: RunResult): Map<string, CaseResult> => new Map(r.cases.map((c) => [c.id, c]));
const problems = (r: RunResult): string[] => r.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'error' || c.verdict === 'not-run').map((c) => `${c.id}: ${c.verdict} ${c.reasonCode}: ${c.reason}`);

/** Runs `cases` against an external client started on the 'listening' event, as a person pointing a client would. */
async function runAgainst(patterns: string[], agent: string, client: (url: string) => Promise<void>): Promise<RunResult> {
  const { cases } = selectClientCases(CLIENT_CATALOGUE, { include: patterns });
  expect(cases.length).toBe(patterns.length);
  let started: Promise<void> | undefined;
  const result = await runTestClient({
    port: 0,
    cases,
    agents: [agent],
    timeoutMs: 60_000,
    onProgress: (e) => {
      if (e.type === 'listening') started = client(e.url);
    },
  });
  await started;
  return result;
}

describe('wsprobe test-client', () => {
  it('the reference client passes every client case', async () => {
    const result = await runTestClient({ port: 0, cases: CLIENT_CATALOGUE, drivers: [makeDriver('reference')], timeoutMs: 45_000 });
    expect(result.role).toBe('client');
    expect(result.client).toMatchObject({ agent: 'reference', driver: 'reference' });
    expect(result.cases).toHaveLength(CLIENT_CATALOGUE.length);
    expect(problems(result)).toEqual([]);
    // What the client saw at each end is recorded beside the grade.
    expect(result.cases.filter((c) => c.metrics?.['client-close-code'] !== undefined).length).toBeGreaterThan(CLIENT_CATALOGUE.length / 2);
    expect(validateRunResult(result, { strict: true })).toEqual([]);
  }, 60_000);

  it('serves wss:// with --tls-cert, which the ws and undici drivers reach without trusting the certificate', async () => {
    const cert = makeSelfSignedCert();
    try {
      const { cases } = selectClientCases(CLIENT_CATALOGUE, { include: ['framing.binary.len-125', 'close.code.1000'] });
      const urls: string[] = [];
      const result = await runTestClient({
        port: 0,
        tls: { cert: cert.cert, key: cert.key },
        cases,
        drivers: [makeDriver('ws'), makeDriver('undici')],
        timeoutMs: 30_000,
        onProgress: (e) => void (e.type === 'listening' && urls.push(e.url)),
      });
      expect(urls[0]).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      expect(result.targets?.map((t) => t.label)).toEqual(['ws', 'undici']);
      for (const c of result.cases) expect(c.outcomes?.map((o) => o.verdict), c.id).toEqual(['pass', 'pass']);
    } finally {
      cert.cleanup();
    }
  }, 30_000);

  // Each broken variant, with the cases that must catch it and one it must still pass; all run at once.
  const VARIANTS: { fault: ClientFault | null; caught: string[]; passes: string[] }[] = [
    { fault: null, caught: [], passes: ['handshake.accept.wrong', 'handshake.protocol.not-offered', 'utf8.invalid.whole', 'framing.text.len-125', 'close.code.1000'] },
    { fault: 'accepts-wrong-accept', caught: ['handshake.accept.wrong'], passes: ['handshake.protocol.not-offered'] },
    { fault: 'unmasked-frames', caught: ['framing.text.len-125', 'control.ping.empty', 'close.code.1000'], passes: ['handshake.accept.wrong'] },
    { fault: 'no-utf8-check', caught: ['utf8.invalid.whole'], passes: ['utf8.valid.whole'] },
    { fault: 'accepts-unoffered-protocol', caught: ['handshake.protocol.not-offered'], passes: ['handshake.accept.wrong'] },
    { fault: 'ignores-close', caught: ['close.code.1000'], passes: ['handshake.accept.wrong'] },
  ];

  it('catches each broken client by the cases that test the rule it breaks', async () => {
    const results = await Promise.all(
      VARIANTS.map(({ fault, caught, passes }) => runAgainst([...caught, ...passes], `raw-${fault ?? 'correct'}`, (url) => runBrokenClient(url, fault, `raw-${fault ?? 'correct'}`))),
    );
    VARIANTS.forEach(({ fault, caught, passes }, i) => {
      const cases = byId(results[i]!);
      for (const id of caught) expect(cases.get(id)?.verdict, `${fault}: ${id} (${cases.get(id)?.reason})`).toBe('fail');
      for (const id of passes) expect(cases.get(id)?.verdict, `${fault}: ${id} (${cases.get(id)?.reason})`).toBe('pass');
    });
    const reasons = (fault: ClientFault): string[] => results[VARIANTS.findIndex((v) => v.fault === fault)]!.cases.filter((c) => c.verdict === 'fail').map((c) => c.reasonCode);
    expect(new Set(reasons('unmasked-frames'))).toEqual(new Set(['unmasked-frame']));
    expect(reasons('accepts-wrong-accept')).toEqual(['accepted-bad-handshake']);
    expect(reasons('ignores-close')).toEqual(['no-close']);
  }, 60_000);

  it('answers the Autobahn endpoints, /next and /case/<id> to a hand-written driver', async () => {
    const patterns = ['framing.text.len-125', 'framing.binary.len-125', 'close.code.1000'];
    const { cases } = selectClientCases(CLIENT_CATALOGUE, { include: patterns });
    const seen: { count?: string; info?: unknown; status?: unknown; page?: string; notFound?: number; next?: string[]; done?: number | null } = {};
    const events: TestClientProgress[] = [];
    const result = await runTestClient({
      port: 0,
      cases,
      agents: ['hand'],
      timeoutMs: 30_000,
      onProgress: (e) => {
        events.push(e);
        if (e.type !== 'listening') return;
        void (async () => {
          seen.count = (await connectOnce(`${e.url}/getCaseCount`, null, false)).texts[0];
          seen.info = JSON.parse((await connectOnce(`${e.url}/getCaseInfo?case=2`, null, false)).texts[0] ?? 'null');
          seen.notFound = (await fetch(`${e.httpUrl}/nope`)).status;
          seen.page = await (await fetch(`${e.httpUrl}/client.html?agent=x`)).text();
          // Case 1 by number, the rest through /next (which skips what the agent already ran), then /next says done.
          await connectOnce(`${e.url}/runCase?case=1&agent=hand`, null, true);
          await connectOnce(`${e.url}/next?agent=hand`, null, true);
          seen.status = await (await fetch(`${e.httpUrl}/status`)).json();
          await connectOnce(`${e.url}/case/${cases[2]!.id}?agent=hand`, null, true);
          const last = await connectOnce(`${e.url}/next?agent=hand`, null, false);
          seen.done = last.code;
          await connectOnce(`${e.url}/updateReports?agent=hand`, null, false);
        })();
      },
    });
    expect(seen.count).toBe('3');
    expect(seen.info).toEqual({ id: cases[1]!.id, description: cases[1]!.title, autobahn: cases[1]!.autobahn });
    expect(seen.notFound).toBe(404);
    expect(seen.page).toContain('/runCase?case=');
    expect(seen.status).toMatchObject({ cases: 3, agents: [{ agent: 'hand', ran: 2, done: false }] });
    expect(seen.done).toBe(1000);
    expect(result.cases.map((c) => [c.id, c.verdict])).toEqual(cases.map((c) => [c.id, 'pass']));
    const ended = events.filter((e) => e.type === 'case-end').map((e) => (e.type === 'case-end' ? `${e.number}:${e.id}` : ''));
    expect(ended).toEqual(cases.map((c, i) => `${i + 1}:${c.id}`));
  }, 30_000);

  it('--driver ws through the CLI writes results.json, report.html and junit.xml', async () => {
    const out = tempDir();
    const r = await runCli(['test-client', '--port', '0', '--driver', 'ws', '--cases', 'framing.text.*,handshake.accept.wrong,close.code.*', '--out', out, '--timeout', '60'], { timeoutMs: 80_000 });
    expect(r.stderr).toMatch(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^client {4}ws \(driver ws\), connecting to ws:\/\/127\.0\.0\.1:\d+$/m);
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(result).toMatchObject({ kind: 'conformance', role: 'client', client: { agent: 'ws', driver: 'ws' } });
    expect(result.summary.fail).toBe(0);
    expect(result.cases.length).toBeGreaterThan(20);
    expect(validateRunResult(result, { strict: true })).toEqual([]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Client under test');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain(`tests="${result.cases.length}"`);
  }, 90_000);

  it('exits 2 with one line when the port is taken, and lists cases by number', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await runCli(['test-client', '--port', String(port), '--driver', 'ws', '--out', tempDir()]);
      expect(taken.code).toBe(2);
      expect(taken.stderr.trim()).toBe(`wsprobe: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
    const bad = await runCli(['test-client', '--driver', 'netscape']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const list = await runCli(['test-client', '--list', '--cases', 'close.code.*']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^1\tclose\.code\.1000\t/);
    expect(lines.map((l) => Number(l.split('\t')[0]))).toEqual(lines.map((_, i) => i + 1));
  }, 30_000);

  it('without --driver prints where to point a client; Ctrl-C writes what was measured and exits 1', async () => {
    const out = tempDir();
    const child = spawn(process.execPath, [CLI, 'test-client', '--port', '0', '--agent', 'mine', '--cases', 'close.code.*', '--out', out], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('/updateReports?agent=mine')) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGINT');
    const code = await exited;
    clearTimeout(timer);
    expect(stderr).toMatch(/ws:\/\/127\.0\.0\.1:\d+\/runCase\?case=N&agent=mine/);
    expect(stderr).toMatch(/\/next\?agent=mine/);
    expect(code).toBe(1);
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(result.interrupted).toBe(true);
    expect(result.cases.every((c) => c.verdict === 'not-run')).toBe(true);
  }, 30_000);

  const chromiumPath = findChromium(undefined);
  const chromiumSkip = chromiumPath !== null ? null : 'Chromium is not installed (apt-get install chromium; set WSPROBE_REQUIRE_PROXIES=1 to make its absence a failure)';
  if (chromiumSkip !== null && process.env.WSPROBE_REQUIRE_PROXIES) throw new Error(`${chromiumSkip}, and WSPROBE_REQUIRE_PROXIES is set`);
  if (chromiumSkip !== null) console.warn(`test-client chromium test skipped: ${chromiumSkip}`);

  it.skipIf(chromiumSkip !== null)('runs Chromium and ws side by side, one column each, with the browser close events', async () => {
    const result = await apiRunTestClient({ port: 0, driver: ['chromium', 'ws'], cases: ['framing.text.len-125', 'handshake.accept.wrong', 'close.code.*', 'utf8.invalid.whole'], timeout: 60 });
    expect(result.targets?.map((t) => t.label)).toEqual(['chromium', 'ws']);
    expect(result.role).toBe('client');
    for (const c of result.cases) expect(c.outcomes?.map((o) => o.verdict).filter((v) => v === 'fail' || v === 'error' || v === 'not-run'), c.id).toEqual([]);
    // The page reported each close event back: code 1000 after a normal closing handshake.
    const normal = result.cases.find((c) => c.id === 'close.code.1000')!;
    expect(normal.outcomes![0]!.transcript?.some((e) => e.kind === 'note' && /client reported close event code 1000/.test(e.text ?? ''))).toBe(true);
    expect(validateRunResult(result, { strict: true })).toEqual([]);
  }, 90_000);

  it('records a client that never came as not-run, a run-level finding', async () => {
    const { cases } = selectClientCases(CLIENT_CATALOGUE, { include: ['close.code.1000'] });
    const controller = new AbortController();
    const result = await runTestClient({
      port: 0,
      cases,
      agents: ['absent'],
      timeoutMs: 60_000,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'listening') controller.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    expect(result.cases[0]).toMatchObject({ verdict: 'not-run' });
    expect(result.findings?.[0]).toMatchObject({ scope: 'run', cases: ['close.code.1000'] });
  });
});

it('finds Chromium where Debian puts it', () => {
  expect(findChromium(undefined, (p) => p === '/usr/bin/chromium')).toBe('/usr/bin/chromium');
  expect(findChromium('/opt/x', () => false)).toBeNull();
});
