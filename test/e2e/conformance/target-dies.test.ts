// A target that crashes in the middle of a run (the 'dies-on-large-head' variant, in a child process that a
// restart command can bring back): the built CLI stops scheduling cases, names the case the target died during as
// the headline finding (confirmed by re-running the cases in flight alone against the restarted target when
// --restart-cmd is given, named as suspects otherwise), grades the cases never run as not run and exits 1.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../reports/schema.js';
import type { RestartableState } from '../../fixtures/broken-servers/restartable-target.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';

const SCRIPT = join(REPO_ROOT, 'dist', 'test', 'fixtures', 'broken-servers', 'restartable-target.js');
const dir = mkdtempSync(join(tmpdir(), 'wsprobe-dies-'));
const started: ChildProcess[] = [];
let targets = 0;

afterEach(async () => {
  // Only the supervisors this test started, by PID; each ends the server it forked.
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
  }
});

async function restartableTarget(name: string): Promise<{ url: string; stateFile: string; state: () => RestartableState }> {
  const stateFile = join(dir, `${name}-${targets++}.json`);
  const child = spawn(process.execPath, [SCRIPT, name, stateFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  started.push(child);
  const state = (): RestartableState => JSON.parse(readFileSync(stateFile, 'utf8')) as RestartableState;
  for (let i = 0; i < 100 && !existsSync(stateFile); i++) await sleep(100);
  if (!existsSync(stateFile)) throw new Error('the restartable target did not start within 10 s');
  return { url: `ws://127.0.0.1:${state().port}/`, stateFile, state };
}

const SELECTION = ['--cases', 'handshake.*', 'framing.text.*', 'close.code.*'];

function read(out: string): RunResult {
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
}

describe('a target that dies mid-run', () => {
  it('with --restart-cmd: the case it died during is confirmed and headlined; the rest are not run; exit 1', async () => {
    const target = await restartableTarget('dies-on-large-head');
    const out = join(dir, 'confirmed');
    const restart = `"${process.execPath}" "${SCRIPT}" --restart "${target.stateFile}"`;
    const r = await runCli(['test', target.url, ...SELECTION, '--out', out, '--restart-cmd', restart], { timeoutMs: 90_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    const result = read(out);
    const headline = result.findings![0]!;
    expect(headline).toMatchObject({ scope: 'run', reasonCode: 'target-died', verdict: 'fail' });
    // Both large-head cases crash this variant; whichever were in flight are confirmed one by one.
    expect(headline.cause).toMatch(/^the target died during cases? handshake\.head\.(16k|64k)(?: and handshake\.head\.(16k|64k))?: run alone against the restarted target/);
    const killers = result.cases.filter((c) => headline.cause.includes(c.id) && c.id.startsWith('handshake.head.'));
    expect(killers.length).toBeGreaterThan(0);
    for (const k of killers) expect(k.verdict).toBe('fail');
    const notRun = result.cases.filter((c) => c.verdict === 'not-run');
    expect(notRun.length).toBeGreaterThan(20);
    expect(notRun.every((c) => c.reasonCode === 'target-died' && /stopped accepting connections/.test(c.reason))).toBe(true);
    // Not hundreds of fails: the killers, and perhaps a case or two the crash cut short.
    expect(result.summary.fail).toBeLessThan(8);
    expect(target.state().starts).toBeGreaterThan(1);
    expect(r.stdout.slice(r.stdout.indexOf('Findings'), r.stdout.indexOf('area '))).toMatch(/FAIL +the target died during case/);
  }, 120_000);

  it('without --restart-cmd: the cases in flight are named as suspects', async () => {
    const target = await restartableTarget('dies-on-large-head');
    const out = join(dir, 'suspects');
    const r = await runCli(['test', target.url, ...SELECTION, '--out', out], { timeoutMs: 90_000 });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    const result = read(out);
    const headline = result.findings![0]!;
    expect(headline).toMatchObject({ scope: 'run', reasonCode: 'target-died' });
    expect(headline.cause).toMatch(/the target died during (one of the cases in flight: .*handshake\.head\.|case handshake\.head\.)/);
    expect(headline.cause).toMatch(/give --restart-cmd to confirm which|the only case in flight/);
    expect(result.summary['not-run']).toBeGreaterThan(20);
    expect(target.state().starts).toBe(1);
  }, 120_000);

  it('a restart command that fails is reported in the finding, in one line, and the run still ends', async () => {
    const target = await restartableTarget('dies-on-large-head');
    const out = join(dir, 'bad-restart');
    const r = await runCli(['test', target.url, ...SELECTION, '--out', out, '--restart-cmd', 'echo no such service >&2; exit 3'], { timeoutMs: 90_000 });
    expect(r.code).toBe(1);
    expect(read(out).findings![0]!.cause).toMatch(/could not confirm which: --restart-cmd exited with code 3: no such service/);
  }, 120_000);
});
