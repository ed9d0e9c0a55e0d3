// Issue 13: `wsprobe test URL` against application servers (a JSON pub/sub on ws that greets each client), not
// echo servers. The pre-flight must find that they do not echo; the cases that need an echo are not run
// (needs-echo), the others run, and no `fail` comes from the application's own messages taken for echoes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../reports/schema.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { startWsServer, type WsServer } from './ws-server.js';

const APP = join(REPO_ROOT, 'test', 'fixtures', 'app-servers', 'pubsub-server.mjs');
/** ws's own deviations (docs/verdicts.md "Against ws"): fails against the echo server too. */
const WS_KNOWN_FAILS = new Set(['handshake.http.1-0', 'handshake.host.missing']);
const dir = mkdtempSync(join(tmpdir(), 'wsprobe-app-'));
const servers: WsServer[] = [];
const times: Record<string, number> = {};

async function wsprobeTest(name: string, url: string, extra: string[] = []): Promise<{ result: RunResult; text: string; html: string }> {
  const out = join(dir, name);
  const t0 = Date.now();
  const r = await runCli(['test', url, '--quick', '--out', out, ...extra], { timeoutMs: 240_000 });
  times[name] = Date.now() - t0;
  const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  return { result, text: r.stdout, html: readFileSync(join(out, 'report.html'), 'utf8') };
}

const fails = (r: RunResult): string[] => r.cases.filter((c) => c.verdict === 'fail' || c.verdict === 'error').map((c) => `${c.id}: ${c.verdict} (${c.reasonCode}) ${c.reason.slice(0, 200)}`);

describe('wsprobe test against application servers', () => {
  let echo: WsServer;
  let app: WsServer;
  let closing: WsServer;
  let silent: WsServer;
  beforeAll(async () => {
    [echo, app, closing, silent] = await Promise.all([
      startWsServer(),
      startWsServer(10_000, [APP, 'error']),
      startWsServer(10_000, [APP, 'close']),
      startWsServer(10_000, [APP, 'silent']),
    ]);
    servers.push(echo, app, closing, silent);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`wsprobe test --quick times: ${Object.entries(times).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}\n`);
  });

  let echoMs = 0;
  it('an echo server is profiled as one and graded as before', async () => {
    const { result, text } = await wsprobeTest('echo', echo.url);
    echoMs = times.echo!;
    expect(result.target.profile).toMatchObject({ echo: true, source: 'preflight', echoesText: true, echoesBinary: true, unsolicited: 0 });
    expect(result.cases.filter((c) => c.reasonCode === 'needs-echo')).toEqual([]);
    expect(text).not.toMatch(/does not echo/);
    expect(fails(result).filter((f) => !WS_KNOWN_FAILS.has(f.split(':')[0]!))).toEqual([]);
  }, 300_000);

  for (const [name, closes, greets] of [['app', false, true], ['app-closing', true, true], ['app-silent', false, false]] as const) {
    it(`${name}: no false echo failures, the not-run count first, no slower than the echo server`, async () => {
      const { result, text, html } = await wsprobeTest(name, (name === 'app-silent' ? silent : closes ? closing : app).url);
      expect(result.target.profile).toMatchObject({ echo: false, source: 'preflight', echoesText: false, unsolicited: greets ? 1 : 0, closesOnUnknown: closes });
      const notRun = result.cases.filter((c) => c.reasonCode === 'needs-echo');
      expect(notRun.length).toBeGreaterThan(50);
      expect(notRun.every((c) => c.verdict === 'not-run' && c.durationMs === 0)).toBe(true);
      const line = `the target does not echo: ${notRun.length} cases need an echo and were not run; ${result.cases.length - notRun.length} cases ran`;
      expect(text.split('\n').slice(0, 3).join('\n')).toContain(line);
      expect(html).toContain(line);
      expect(fails(result).filter((f) => !WS_KNOWN_FAILS.has(f.split(':')[0]!))).toEqual([]);
      expect(result.summary.pass).toBeGreaterThan(100);
      if (echoMs > 0) expect(times[name]!).toBeLessThanOrEqual(echoMs + 2000);
    }, 300_000);
  }

  it('--echo and --no-echo override the pre-flight', async () => {
    const forced = await wsprobeTest('no-echo', echo.url, ['--no-echo', '--cases', 'control.*']);
    expect(forced.result.target.profile).toEqual({ echo: false, source: 'option' });
    expect(forced.result.cases.some((c) => c.reasonCode === 'needs-echo')).toBe(true);
    expect(forced.result.cases.filter((c) => c.verdict === 'fail')).toEqual([]);
    const stated = await wsprobeTest('force-echo', app.url, ['--echo', '--cases', 'control.ping.*']);
    expect(stated.result.target.profile).toEqual({ echo: true, source: 'option' });
  }, 120_000);
});
