// Bad input gets one clear line on stderr and exit code 2, never a stack trace.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

function expectOneLineUsageError(result: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^wsprobe: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('CLI usage errors', () => {
  it('no command: exit 2 with the list of commands', async () => {
    const result = await runCli([]);
    expectOneLineUsageError(result, /command/);
  });

  it('unknown command: exit 2', async () => {
    const result = await runCli(['frobnicate']);
    expectOneLineUsageError(result, /frobnicate|Unknown/i);
  });

  it('--version prints the package version and exits 0', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
