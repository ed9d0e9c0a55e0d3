// The `report` command in process: yargs parses, the handler reads files and writes -o. Exit codes through
// process.exitCode (1 regression) and UsageError / SetupError (2, one line, from cli/main.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { reportCommand } from '../../cli/commands/report.command.js';
import { SetupError, UsageError } from '../../cli/errors.js';
import { parseRunResult, writeJson } from '../../reports/json.js';
import { summarize } from '../../reports/schema.js';
import { conformanceFixture, loadFixture } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'wsprobe-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...args: string[]): Promise<number> {
  process.exitCode = undefined;
  await yargs(args)
    .command(reportCommand)
    .strict()
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .parseAsync();
  return Number(process.exitCode ?? 0);
}

describe('wsprobe report', () => {
  const base = conformanceFixture();
  const baseFile = file('base.json', writeJson(base));
  const worseCases = base.cases.map((c) => (c.id === 'handshake.accept.valid' ? { ...c, verdict: 'fail' as const } : c));
  const worseFile = file('worse.json', writeJson({ ...base, cases: worseCases, summary: summarize(worseCases) }));

  it('writes html, junit and text to -o', async () => {
    const out = join(dir, 'r.html');
    expect(await run('report', 'html', baseFile, '-o', out)).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(await run('report', 'junit', baseFile, '-o', join(dir, 'j.xml'), '--fail-on', 'non-strict')).toBe(0);
    expect(readFileSync(join(dir, 'j.xml'), 'utf8').match(/<failure /g)).toHaveLength(base.summary.fail + base.summary['non-strict']);
    expect(await run('report', 'text', baseFile, '-o', join(dir, 't.txt'))).toBe(0);
    expect(readFileSync(join(dir, 't.txt'), 'utf8')).not.toContain('\u001b[');
  });

  it('compare exits 1 on a regression and 0 otherwise', async () => {
    expect(await run('report', 'compare', baseFile, worseFile, '-o', join(dir, 'c.txt'))).toBe(1);
    expect(readFileSync(join(dir, 'c.txt'), 'utf8')).toMatch(/^REGRESSION: 1 case/);
    expect(await run('report', 'compare', worseFile, baseFile, '-o', join(dir, 'c2.txt'))).toBe(0);
    await expect(run('report', 'compare', baseFile)).rejects.toThrow(/exactly two files/);
  });

  it('merge writes a valid merged result', async () => {
    const a = file('a.json', writeJson(loadFixture({ seed: 1 })));
    const b = file('b.json', writeJson(loadFixture({ seed: 2 })));
    expect(await run('report', 'merge', a, b, '-o', join(dir, 'm.json'))).toBe(0);
    expect(parseRunResult(readFileSync(join(dir, 'm.json'), 'utf8')).load!.mergedFrom).toBe(2);
    await expect(run('report', 'merge', a, baseFile)).rejects.toThrow(UsageError);
  });

  it('an unreadable file is a SetupError, an invalid one a UsageError naming the file (both exit 2)', async () => {
    await expect(run('report', 'html', join(dir, 'missing.json'))).rejects.toThrow(SetupError);
    await expect(run('report', 'html', join(dir, 'missing.json'))).rejects.toThrow(/cannot read .*missing\.json: ENOENT/);
    const v2 = file('v2.json', JSON.stringify({ ...base, schema: 'wsprobe/result@2' }));
    await expect(run('report', 'text', v2)).rejects.toThrow(UsageError);
    await expect(run('report', 'text', v2)).rejects.toThrow(/v2\.json: unsupported schema "wsprobe\/result@2"/);
    const junk = file('junk.json', '{"schema":"wsprobe/result@1","kind":"conformance"}');
    await expect(run('report', 'junit', junk)).rejects.toThrow(/junk\.json: invalid wsprobe\/result@1 document/);
    await expect(run('report', 'pdf', baseFile)).rejects.toThrow(/Invalid values|choices/i);
  });
});
