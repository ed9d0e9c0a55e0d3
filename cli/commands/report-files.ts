// The report files of a run, shared by every run command and the library's writeReports: results.json and
// report.html always, junit.xml for conformance and fuzz runs (the kinds that have test cases) and for a probe
// with a check (--expect-idle-at-least).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderHtml } from '../../reports/html.js';
import { writeJson } from '../../reports/json.js';
import { renderJunit } from '../../reports/junit.js';
import type { RunResult } from '../../reports/schema.js';
import { SetupError } from '../errors.js';

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
