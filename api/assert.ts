// Test-runner helpers without a test runner: a conformance verdict as a thrown Error whose message lists the
// grouped findings, for node:test, mocha or any runner. The vitest matcher (api/vitest.ts) uses the same text.
import { WsprobeError } from '../cli/errors.js';
import { conformanceFails } from '../cli/commands/test.command.js';
import { findingsOf, findingTitle } from '../reports/findings.js';
import type { Finding, RunResult } from '../reports/schema.js';

export interface ConformOptions {
  /** The least severe verdict that fails (default 'fail'; 'non-strict' also fails non-strict cases). */
  failOn?: 'fail' | 'non-strict';
  /** Case ids listed per finding in the message (default 5). */
  casesPerFinding?: number;
}

/** A run that does not conform: `result` is the whole RunResult, `findings` the groups that fail it. */
export class ConformanceError extends WsprobeError {
  override readonly name: string = 'ConformanceError';
  constructor(
    message: string,
    readonly result: RunResult,
    readonly findings: Finding[],
  ) {
    super(message);
  }
}

/** The findings at or beyond `failOn`, worst first; run-level findings always count. */
export function failingFindings(result: RunResult, failOn: 'fail' | 'non-strict' = 'fail'): Finding[] {
  const bad = failOn === 'fail' ? new Set(['fail', 'error']) : new Set(['fail', 'error', 'non-strict']);
  return findingsOf(result).filter((f) => f.scope === 'run' || bad.has(f.verdict));
}

/** One finding per line, each with its first case ids. */
export function formatFindings(findings: readonly Finding[], casesPerFinding = 5): string {
  return findings
    .map((f) => {
      const shown = f.cases.slice(0, casesPerFinding).join(', ');
      const more = f.cases.length > casesPerFinding ? `, +${f.cases.length - casesPerFinding} more` : '';
      return `  - ${findingTitle(f)}${f.cases.length > 0 ? `\n      ${shown}${more}` : ''}`;
    })
    .join('\n');
}

/** Why a result does not conform, or null when it does. An interrupted run never conforms. */
export function conformanceProblem(result: RunResult, options: ConformOptions = {}): { message: string; findings: Finding[] } | null {
  const failOn = options.failOn ?? 'fail';
  const where = `${result.target.url}${result.target.embedded ? ' (embedded reference server)' : ''}`;
  if (result.kind !== 'conformance' && result.kind !== 'fuzz') {
    return { message: `expected a conformance or fuzz result, got a ${result.kind} result`, findings: [] };
  }
  const findings = failingFindings(result, failOn);
  if (findings.length === 0 && !conformanceFails(result, failOn)) {
    return result.interrupted ? { message: `the run against ${where} was interrupted before it finished`, findings } : null;
  }
  const cases = new Set(findings.flatMap((f) => f.cases)).size;
  const head = `${where} does not conform: ${cases} case${cases === 1 ? '' : 's'} at or beyond '${failOn}' in ${findings.length} finding${findings.length === 1 ? '' : 's'}`;
  return { message: `${head}\n${formatFindings(findings, options.casesPerFinding)}`, findings };
}

/** Throws a ConformanceError listing the grouped findings when the result does not conform; returns it otherwise. */
export function assertConformance(result: RunResult, options: ConformOptions = {}): RunResult {
  const problem = conformanceProblem(result, options);
  if (problem !== null) throw new ConformanceError(problem.message, result, problem.findings);
  return result;
}
