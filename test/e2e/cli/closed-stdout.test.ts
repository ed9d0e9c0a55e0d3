// `wsprobe test --list | head` ends quietly: a write to a closed stdout (EPIPE) is the reader being done, not an
// error; no stack trace, no "internal error", the exit code the command had.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wsprobe-epipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the CLI with its stdout a pipe this side closes after `keepBytes` bytes (0: before anything is read), and
 * with `closeStderr` its stderr too, at once (`2>&1 | head`).
 */
function runWithClosedStdout(args: string[], keepBytes: number, closeStderr = false, timeoutMs = 60_000): Promise<{ code: number | null; stderr: string; read: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let read = '';
    let stderr = '';
    const closeStdout = (): void => {
      child.stdout.destroy();
    };
    if (keepBytes === 0) closeStdout();
    else {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        read += d;
        if (read.length >= keepBytes) closeStdout();
      });
    }
    if (closeStderr) child.stderr.destroy();
    else child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wsprobe ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, read });
    });
  });
}

describe('a closed stdout', () => {
  it('test --list | head: the reader stops after a line; wsprobe ends quietly with exit 0', async () => {
    const r = await runWithClosedStdout(['test', '--list'], 1);
    expect(r.read.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/EPIPE|Error|internal error|\n\s+at /);
    expect(r.code).toBe(0);
  });

  it('test --list --json with stdout closed before the first byte', async () => {
    const r = await runWithClosedStdout(['test', '--list', '--json'], 0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a whole run whose summary cannot be printed still writes its reports and keeps its exit code', async () => {
    const out = join(dir, 'run');
    const r = await runWithClosedStdout(['test', '--cases', 'control.ping.empty', '--out', out], 0);
    expect(r.stderr).not.toMatch(/EPIPE|Error|internal error|\n\s+at /);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  });

  it('a run with stdout and stderr both closed (2>&1 | head) carries on and writes its reports', async () => {
    const out = join(dir, 'both');
    const r = await runWithClosedStdout(['test', '--cases', 'control.ping.*', '--exclude', 'control.ping.sizes-*', '--out', out], 0, true);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  });

  it('--help into a closed pipe', async () => {
    const r = await runWithClosedStdout(['test', '--help'], 0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
