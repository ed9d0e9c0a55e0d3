// The report files of a run, shared by every run command and the library's writeReports: results.json and
// report.html always, junit.xml for conformance and fuzz runs (the kinds that have test cases) and for a probe
// with a check (--expect-idle-at-least).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderHtml } from '../../reports/html.js';
import { writeJson } from '../../reports/json.js';
import { renderJunit } from '../../reports/junit.js';
import type { RunResult } from '../../reports/schema.js';
import { renderText } from '../../reports/text.js';
import { SetupError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

export interface ReportFiles {
  /** The directory, absolute. */
  dir: string;
  /** The files written, absolute paths. */
  files: string[];
}

export function writeReportFiles(result: RunResult, outDir: string, opts: { failOn?: 'fail' | 'non-strict' } = {}): ReportFiles {
  const dir = resolve(outDir);
  const files: [string, () => string][] = [
    ['results.json', () => writeJson(result)],
    ['report.html', () => renderHtml(result)],
  ];
  if (result.kind === 'conformance' || result.kind === 'fuzz' || result.probe?.expectation !== undefined) {
    files.push(['junit.xml', () => renderJunit(result, opts.failOn !== undefined ? { failOn: opts.failOn } : {})]);
  }
  const written: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, render] of files) {
      writeFileSync(join(dir, name), render());
      written.push(join(dir, name));
    }
  } catch (err) {
    throw new SetupError(`cannot write reports to ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { dir, files: written };
}

/**
 * The end of a run with cases (test, test-client): the report files, exit code 1 when `failed` or interrupted (the
 * run's own rule decides `failed`), and results.json (--json) or the text summary on stdout.
 */
export function finishCaseRun(result: RunResult, o: { out: string; json: boolean }, failOn: 'fail' | 'non-strict', failed: boolean): void {
  const { dir } = writeReportFiles(result, o.out, { failOn });
  process.exitCode = failed || result.interrupted ? ExitCode.Failed : ExitCode.Ok;
  if (o.json) process.stdout.write(writeJson(result));
  else {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(renderText(result, { color }));
    process.stdout.write(`reports: ${dir}\n`);
  }
}
