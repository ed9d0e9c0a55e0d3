// `wsprobe test --quick` against the shipped example application server (examples/chat-server/server.mjs), as
// its README tells users to run it, plain and with --strict (closes with 1008 on anything it does not understand).
// Users copy this server, so it must come out clean: no fail or error except ws's own known deviations, the
// pre-flight profiles it as not echoing, the needs-echo cases are not run and counted, and a run costs no more than
// a run against an echo server plus half (an app server must not stall cases on echoes that never come).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../reports/schema.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { startWsServer, type WsServer } from './ws-server.js';

const CHAT = join(REPO_ROOT, 'examples', 'chat-server', 'server.mjs');
/** ws's own deviations (docs/verdicts.md "Against ws"): they fail against ws's echo server too. */
const WS_KNOWN_FAILS = new Set(['handshake.http.1-0', 'handshake.host.missing']);
const dir = mkdtempSync(join(tmpdir(), 'wsprobe-chat-'));
const servers: WsServer[] = [];
const times: Record<string, number> = {};

interface Run {
  result: RunResult;
  text: string;
  html: string;
  ms: number;
}

async function wsprobeTest(name: string, url: string): Promise<Run> {
  const out = join(dir, name);
  const t0 = Date.now();
  const r = await runCli(['test', url, '--quick', '--out', out], { timeoutMs: 240_000 });
  const ms = Date.now() - t0;
  times[name] = ms;
  process.stdout.write(`wsprobe test --quick ${name}: ${(ms / 1000).toFixed(1)} s\n`);
  // 1 is ws's known fails; 2 would be a setup error, whose stderr says why.
  expect([0, 1], r.stderr).toContain(r.code);
  const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  return { result, text: r.stdout, html: readFileSync(join(out, 'report.html'), 'utf8'), ms };
}

const unexpectedFails = (r: RunResult): string[] =>
  r.cases
    .filter((c) => (c.verdict === 'fail' || c.verdict === 'error') && !WS_KNOWN_FAILS.has(c.id))
    .map((c) => `${c.id}: ${c.verdict} (${c.reasonCode}) ${c.reason.slice(0, 200)}`);

describe('wsprobe test against the example chat server', () => {
  let echo: WsServer;
  let chat: WsServer;
  let strict: WsServer;
  beforeAll(async () => {
    [echo, chat, strict] = await Promise.all([startWsServer(), startWsServer(10_000, [CHAT]), startWsServer(10_000, [CHAT, '--strict'])]);
    servers.push(echo, chat, strict);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`wsprobe test --quick times: ${Object.entries(times).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}\n`);
  });

  // The baseline runs once, whichever test asks first, so the time bound holds even when only one test is selected.
  let baseline: Promise<Run> | undefined;
  const echoRun = () => (baseline ??= wsprobeTest('echo', echo.url));

  it('the echo server baseline: profiled as an echo server, only ws\'s known fails', async () => {
    const { result } = await echoRun();
    expect(result.target.profile).toMatchObject({ echo: true, source: 'preflight' });
    expect(result.cases.filter((c) => c.reasonCode === 'needs-echo')).toEqual([]);
    expect(unexpectedFails(result)).toEqual([]);
  }, 300_000);

  for (const [name, closes] of [['chat', false], ['chat-strict', true]] as const) {
    it(`${name}: not an echo, needs-echo cases not run and counted, no unexpected fail, within the echo run + 50%`, async () => {
      const base = await echoRun();
      const { result, text, html, ms } = await wsprobeTest(name, (closes ? strict : chat).url);
      // The welcome is the one unprompted message; the probe's text gets an error reply, or (--strict) a 1008 close.
      expect(result.target.profile).toMatchObject({ echo: false, source: 'preflight', echoesText: false, unsolicited: 1, closesOnUnknown: closes });
      const notRun = result.cases.filter((c) => c.reasonCode === 'needs-echo');
      expect(notRun.length).toBeGreaterThan(50);
      expect(notRun.every((c) => c.verdict === 'not-run' && c.durationMs === 0)).toBe(true);
      expect(result.summary['not-run']).toBeGreaterThanOrEqual(notRun.length);
      const line = `the target does not echo: ${notRun.length} cases need an echo and were not run; ${result.cases.length - notRun.length} cases ran`;
      expect(text.split('\n').slice(0, 3).join('\n')).toContain(line);
      expect(html).toContain(line);
      expect(unexpectedFails(result)).toEqual([]);
      expect(result.summary.pass).toBeGreaterThan(100);
      expect(ms, `${name} took ${ms} ms, the echo server ${base.ms} ms`).toBeLessThanOrEqual(base.ms * 1.5);
    }, 600_000);
  }
});
