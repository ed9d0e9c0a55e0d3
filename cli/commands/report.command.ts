// `wsprobe report html|junit|text|compare|merge FILE... [-o FILE]`: reads results.json files, calls the pure report
// writers, writes -o or stdout. Exit 1 when `compare` finds a regression; 2 when an input cannot be read or is not a
// valid result (and for mixing kinds or schema versions in merge).
import { readFileSync, writeFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { compareRuns, hasRegression, renderComparisonText } from '../../reports/compare.js';
import { renderHtml } from '../../reports/html.js';
import { parseRunResult, RunResultError, writeJson } from '../../reports/json.js';
import { renderJunit } from '../../reports/junit.js';
import { MergeError, mergeRuns } from '../../reports/merge.js';
import type { RunResult } from '../../reports/schema.js';
import { renderText } from '../../reports/text.js';
import { judgeThresholdOnSection } from '../../runners/load/thresholds.js';
import { SetupError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { applyOptions, CONFIG_OPTION, resolveOptions, type OptionTable, type Resolved } from '../options.js';

export const REPORT_FORMATS = ['html', 'junit', 'text', 'compare', 'merge'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_OPTIONS = {
  output: { type: 'string', alias: 'o', describe: 'write to FILE instead of stdout' },
  'fail-on': {
    type: 'string',
    describe: 'junit: least severe verdict reported as a failure',
    choices: ['fail', 'non-strict'],
    default: 'fail',
  },
  color: { type: 'boolean', describe: 'text, compare: colour the output (default: when stdout is a terminal and no -o)' },
  'transcript-lines': { type: 'number', describe: 'text: transcript lines shown per failing case', default: 0, integer: true, min: 0 },
  'max-transcript-entries': {
    type: 'number',
    describe: 'html: transcript entries kept per case (the rest are counted, never dropped silently)',
    default: 400,
    integer: true,
    min: 10,
  },
  config: CONFIG_OPTION,
} as const satisfies OptionTable;

export type ReportOptions = Resolved<typeof REPORT_OPTIONS>;

/** How many input files each format takes. */
const ARITY: Record<ReportFormat, { min: number; max: number; what: string }> = {
  html: { min: 1, max: Infinity, what: 'one or more results.json files (several become a matrix, one column per target)' },
  junit: { min: 1, max: Infinity, what: 'one or more results.json files (several are merged first)' },
  text: { min: 1, max: Infinity, what: 'one or more results.json files (several are merged first)' },
  compare: { min: 2, max: 2, what: 'exactly two files: BASE NEXT' },
  merge: { min: 2, max: Infinity, what: 'two or more results.json files' },
};

function readResult(file: string): RunResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SetupError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseRunResult(text);
  } catch (err) {
    if (err instanceof RunResultError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}

function merged(results: RunResult[]): RunResult {
  try {
    // Load thresholds are judged again on the merged figures with the load runner's own grammar.
    return mergeRuns(results, { judgeThreshold: judgeThresholdOnSection });
  } catch (err) {
    if (err instanceof MergeError) throw new UsageError(err.message);
    throw err;
  }
}

/** The output text and exit code of one report invocation: everything but the I/O, for tests and the handler. */
export function produceReport(format: ReportFormat, results: RunResult[], o: ReportOptions, color: boolean): { text: string; exitCode: number } {
  switch (format) {
    case 'html':
      return { text: renderHtml(merged(results), { maxTranscriptEntries: o['max-transcript-entries'] }), exitCode: ExitCode.Ok };
    case 'junit':
      return { text: renderJunit(merged(results), { failOn: o['fail-on'] as 'fail' | 'non-strict' }), exitCode: ExitCode.Ok };
    case 'text':
      return { text: renderText(merged(results), { color, transcriptLines: o['transcript-lines'] }), exitCode: ExitCode.Ok };
    case 'merge':
      return { text: writeJson(merged(results)), exitCode: ExitCode.Ok };
    case 'compare': {
      const cmp = compareRuns(results[0]!, results[1]!);
      const text = renderComparisonText(cmp);
      const painted = color ? text.replace(/^REGRESSION.*$/m, (l) => `\u001b[31m${l}\u001b[0m`) : text;
      return { text: painted, exitCode: hasRegression(cmp) ? ExitCode.Failed : ExitCode.Ok };
    }
  }
}

export const reportCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'report <format> <files..>',
  describe: 'write an HTML, JUnit or text report, compare two runs, or merge results (shards, several targets)',
  builder: (y: Argv<object>) =>
    applyOptions(
      y
        .positional('format', { choices: REPORT_FORMATS, describe: 'what to produce' })
        .positional('files', { type: 'string', array: true, describe: 'results.json files' })
        .example('$0 report html wsprobe-report/results.json -o report.html', 'an HTML report')
        .example('$0 report compare baseline.json wsprobe-report/results.json', 'exit 1 if a case regressed')
        .example('$0 report merge shard-*.json -o merged.json', 'add load shards exactly'),
      REPORT_OPTIONS,
    ) as Argv<Record<string, unknown>>,
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const format = argv.format as ReportFormat;
    const files = (argv.files as (string | number)[]).map(String);
    const o = resolveOptions(REPORT_OPTIONS, argv);
    const arity = ARITY[format];
    if (files.length < arity.min || files.length > arity.max) {
      throw new UsageError(`report ${format} takes ${arity.what}; got ${files.length}`);
    }
    const results = files.map(readResult);
    const color = o.color ?? (o.output === undefined && process.stdout.isTTY === true);
    const { text, exitCode } = produceReport(format, results, o, color);
    if (o.output !== undefined) {
      try {
        writeFileSync(o.output, text);
      } catch (err) {
        throw new SetupError(`cannot write ${o.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    } else {
      process.stdout.write(text);
    }
    process.exitCode = exitCode;
  },
};
