// `wsprobe fuzz` end to end (built CLI from dist/): a broken target gives exit 1, a counterexample, a replay
// command that reproduces it, reports on disk and an emitted regression case; bad flags give exit 2.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokenServer, type RunningBrokenServer } from '../../fixtures/broken-servers/index.js';
import { runCli } from '../../helpers/cli.js';

describe('wsprobe fuzz CLI', () => {
  let server: RunningBrokenServer;
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-fuzz-'));
  beforeAll(async () => {
    server = await startBrokenServer('no-pong');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('finds the bug: exit 1, a shrunk counterexample, a replay command that reproduces it, reports, a regression case', async () => {
    const out = join(dir, 'report');
    const caseFile = join(dir, 'no-pong.case.ts');
    const r = await runCli(['fuzz', server.url, '--suite', 'control', '--runs', '100', '--seed', '3', '--timeout', '1500', '--out', out, '--emit-case', caseFile], { timeoutMs: 60_000 });
    expect(r.code, r.stderr + r.stdout.slice(0, 500)).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+fuzz\.control/);
    expect(r.stdout).toMatch(/1\. > PING/);
    const replay = /replay: wsprobe fuzz (.*)$/m.exec(r.stdout)?.[1];
    expect(replay).toBeDefined();
    for (const f of ['results.json', 'report.html', 'junit.xml']) expect(existsSync(join(out, f))).toBe(true);
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(result.kind).toBe('fuzz');
    expect(result.cases[0]).toMatchObject({ id: 'fuzz.control', verdict: 'fail' });
    expect(result.cases[0].replay).toContain('--replay');
    expect(readFileSync(caseFile, 'utf8')).toMatch(/defineCase\(\{[\s\S]*sendFrames/);

    const again = await runCli(['fuzz', ...replay!.split(' ').map((a) => a.replace(/^'(.*)'$/, '$1')), '--out', join(dir, 'replay')], { timeoutMs: 60_000 });
    expect(again.code).toBe(1);
    const lines = (s: string) => s.split('\n').filter((l) => /^\s+\d+\. > /.test(l)).join('\n');
    expect(lines(again.stdout)).toBe(lines(r.stdout));
  }, 120_000);

  it('bad flags are usage errors: exit 2, one line', async () => {
    const bad = [
      ['--suite', 'nope'],
      ['--replay', 'garbage', '--suite', 'control'],
      ['--replay', '1:2'],
      // A model token carries fc.commands' replayPath after `@`; other suites' tokens never do.
      ['--replay', '1:2', '--suite', 'model'],
      ['--replay', '1:2@B:A', '--suite', 'control'],
      ['ftp://x'],
    ];
    for (const args of bad) {
      const r = await runCli(['fuzz', ...args, '--out', join(dir, 'x')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^wsprobe: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
