// `wsprobe fuzz [URL]`: property-based fuzzing of a target with fast-check, RFC 6455 model as the oracle. Each
// failure is shrunk and printed as a frame list with its transcript, seed and path, and a ready-to-paste replay
// command. Exit 0 when every suite held, 1 when a counterexample was found, 2 on usage or setup errors.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import type { FuzzTarget } from '../../peers/fuzz/fuzz-target.js';
import { startReferenceServer, type RunningServer } from '../../peers/server/reference-server.js';
import { writeJson } from '../../reports/json.js';
import type { CaseResult } from '../../reports/schema.js';
import { formatTranscriptTail } from '../../reports/transcript-format.js';
import { parseReplayToken } from '../../runners/fuzz/replay-token.js';
import type { FuzzRun } from '../../runners/fuzz/run-fuzz.js';
import { FUZZ_SUITE_NAMES, isFuzzSuiteName, type FuzzSuiteName } from '../../suites/properties/fuzz-suite.js';
import { SetupError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { interruptSignal } from '../interrupt.js';
import { CONFIG_OPTION, resolveOptions, targetBuilder, type OptionTable, type Resolved } from '../options.js';
import { parseTargetUrl } from '../target.js';
import { TOOL_VERSION } from '../version.js';
import { writeReportFiles } from './report-files.js';
import type { RunHooks } from './test.command.js';

export const FUZZ_DEFAULTS = { runs: 200, concurrency: 32, timeoutMs: 2000 } as const;

export const FUZZ_OPTIONS = {
  suite: { type: 'array', items: 'string', describe: `suites to run (repeatable or comma-separated): ${FUZZ_SUITE_NAMES.join(', ')}` },
  runs: { type: 'number', describe: 'generated cases per suite', default: FUZZ_DEFAULTS.runs, integer: true, min: 1 },
  seed: { type: 'number', describe: 'run seed (default: random, printed for replay)', integer: true, min: -0x80000000, max: 0xffffffff },
  'time-limit': { type: 'number', describe: 'stop after S seconds (suites not finished report what they ran)', min: 0.001 },
  replay: { type: 'string', describe: 'replay one counterexample: the token a failure printed, SEED:PATH (SEED:PATH@REPLAYPATH for model; needs one --suite)' },
  concurrency: { type: 'number', describe: 'cases run side by side, each on its own connection', default: FUZZ_DEFAULTS.concurrency, integer: true, min: 1, max: 512 },
  timeout: { type: 'number', describe: 'time the target has to answer each step (echo, pong, close), MS', default: FUZZ_DEFAULTS.timeoutMs, integer: true, min: 10 },
  'emit-case': { type: 'string', describe: 'write the first counterexample as a regression case (*.case.ts, conformance catalogue format)' },
  http2: {
    type: 'boolean',
    describe: 'fuzz over HTTP/2 (RFC 8441): each case a stream of one shared connection, h2 (ALPN) for wss://, h2c for ws://; the handshake suite (HTTP/1.1 heads) is left out',
    default: false,
  },
  insecure: { type: 'boolean', describe: 'wss://: accept any certificate', default: false },
  ca: { type: 'string', describe: 'wss://: PEM file of the CA to trust' },
  out: { type: 'string', describe: 'directory for results.json, report.html and junit.xml', default: './wsprobe-report' },
  json: { type: 'boolean', describe: 'print results.json to stdout instead of the text summary', default: false },
  config: CONFIG_OPTION,
} as const satisfies OptionTable;

/** Suites whose cases are HTTP/1.1 request heads: they have no meaning over HTTP/2 (RFC 8441 replaces the GET). */
const HTTP1_ONLY_SUITES: readonly FuzzSuiteName[] = ['handshake'];

function parseSuites(raw: string[] | undefined, http2 = false): FuzzSuiteName[] {
  if (raw === undefined || raw.length === 0) return FUZZ_SUITE_NAMES.filter((n) => !(http2 && HTTP1_ONLY_SUITES.includes(n)));
  const names = raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (!isFuzzSuiteName(n)) throw new UsageError(`unknown fuzz suite ${JSON.stringify(n)}; suites: ${FUZZ_SUITE_NAMES.join(', ')}`);
  const h1 = names.filter((n) => http2 && (HTTP1_ONLY_SUITES as readonly string[]).includes(n));
  if (h1.length > 0) throw new UsageError(`--suite ${h1.join(', ')} fuzzes HTTP/1.1 request heads and does not run with --http2`);
  return [...new Set(names)] as FuzzSuiteName[];
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The checkout root (where package.json names wsprobe): source and dist/ layouts differ by one level. */
function repoRoot(): string {
  for (const up of ['../..', '../../..']) {
    const dir = resolve(import.meta.dirname, up);
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'wsprobe') return dir;
    } catch {
      // try the next level
    }
  }
  return resolve(import.meta.dirname, '../..');
}

/** The terminal summary: one line per suite; each failure with its counterexample, transcript and replay command. */
export function renderFuzzText(run: FuzzRun): string {
  const r = run.result;
  const lines = [`wsprobe fuzz ${r.target.url}${r.target.embedded ? ' (embedded reference server)' : ''}  seed ${r.fuzz?.seed}`];
  for (const c of r.cases) {
    lines.push(`  ${c.verdict.toUpperCase().padEnd(5)} ${c.id.padEnd(20)} ${c.numRuns ?? 0} cases${c.verdict === 'pass' ? '' : `: ${c.reason}`}`);
    if (c.verdict === 'pass') continue;
    lines.push('', `    counterexample (shrunk, seed ${c.seed}, path ${c.path}):`);
    for (const l of c.counterexample ?? []) lines.push(`      ${l}`);
    lines.push(`    expected: ${c.expected}`, `    observed: ${c.observed}`);
    if (c.transcript.length > 0) {
      lines.push('    transcript:');
      for (const l of formatTranscriptTail(c.transcript, 40, c.transcriptOmitted ?? 0)) lines.push(`      ${l}`);
    }
    if (c.replay) lines.push(`    replay: ${c.replay}`);
    lines.push('');
  }
  lines.push(`${run.cases} cases in ${(r.durationMs / 1000).toFixed(1)} s (${run.casesPerSecond} cases/s)${r.interrupted ? ', stopped early' : ''}`);
  return lines.join('\n') + '\n';
}

export type FuzzOptions = Resolved<typeof FUZZ_OPTIONS>;

/**
 * Resolved options to one fuzz run, shared by `wsprobe fuzz` and the library: checks the suites and replay token,
 * starts the embedded reference server when there is no URL, checks that the target answers, runs. Writes nothing,
 * prints nothing. `rawUrl` is the target as the user wrote it (for the replay commands).
 */
export async function executeFuzz(o: FuzzOptions, rawUrl: string | undefined, hooks: RunHooks<CaseResult> = {}): Promise<FuzzRun> {
  const url = rawUrl !== undefined ? parseTargetUrl(rawUrl) : undefined;
  const suites = parseSuites(o.suite, o.http2);
  const replay = o.replay !== undefined ? parseReplayToken(o.replay) : undefined;
  if (replay === null) throw new UsageError(`--replay expects the SEED:PATH token a failure printed, got ${JSON.stringify(o.replay)}`);
  if (replay !== undefined && suites.length !== 1) throw new UsageError('--replay needs exactly one --suite (the one that printed the token)');
  if (replay !== undefined && (suites[0] === 'model') !== (replay.replayPath !== undefined)) {
    throw new UsageError(
      suites[0] === 'model'
        ? '--replay for the model suite expects the SEED:PATH@REPLAYPATH token a model failure printed'
        : `--replay for --suite ${suites[0]} expects SEED:PATH; an @REPLAYPATH token comes from the model suite`,
    );
  }
  const emitFile = o['emit-case'];
  if (emitFile !== undefined && !emitFile.endsWith('.case.ts')) throw new UsageError(`--emit-case writes a *.case.ts file, got ${emitFile}`);
  const ca = o.ca !== undefined ? readCa(o.ca) : undefined;
  const seed = o.seed ?? (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;

  let server: RunningServer | undefined;
  if (url === undefined) {
    try {
      server = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
    } catch (err) {
      throw new SetupError(`cannot start the embedded reference server: ${(err as Error).message}`);
    }
  }
  // Loaded here, not at the top: the suites pull in fast-check and build their arbitraries, which every other
  // command (and `--help`) would otherwise pay for at start-up.
  const [{ runFuzz }, { TcpFuzzTarget }, { H2FuzzTarget }] = await Promise.all([
    import('../../runners/fuzz/run-fuzz.js'),
    import('../../peers/fuzz/tcp-target.js'),
    import('../../peers/fuzz/h2-target.js'),
  ]);
  const targetUrl = url?.href ?? server!.url;
  const targetOptions = { timeoutMs: o.timeout, insecure: o.insecure, ...(ca !== undefined ? { ca } : {}) };
  const target: FuzzTarget = o.http2 ? new H2FuzzTarget(targetUrl, targetOptions) : new TcpFuzzTarget(targetUrl, targetOptions);
  try {
    const probe = await target.openSession(0);
    if (!('finish' in probe)) {
      const hs = probe.observation.handshake;
      const why = probe.harnessError ?? (hs?.rejection?.message ?? (hs?.status !== undefined ? `status ${hs.status}` : `handshake ${hs?.failure ?? 'failed'}`));
      throw new SetupError(`cannot open a WebSocket connection to ${targetUrl}${o.http2 ? ` over HTTP/2 (${target.transport})` : ''}: ${why}`);
    }
    await probe.finish();
    const fixed = [
      ...(rawUrl !== undefined ? [shellQuote(rawUrl)] : []),
      ...(o.timeout !== FUZZ_DEFAULTS.timeoutMs ? ['--timeout', String(o.timeout)] : []),
      ...(o.http2 ? ['--http2'] : []),
      ...(o.insecure ? ['--insecure'] : []),
      ...(o.ca !== undefined ? ['--ca', shellQuote(o.ca)] : []),
    ];
    return await runFuzz({
      target,
      targetUrl,
      embedded: url === undefined,
      suites,
      runs: o.runs,
      seed,
      concurrency: o.concurrency,
      ...(o['time-limit'] !== undefined ? { timeLimitMs: o['time-limit'] * 1000 } : {}),
      ...(replay !== undefined ? { replay } : {}),
      ...(hooks.signal !== undefined ? { signal: hooks.signal } : {}),
      toolVersion: TOOL_VERSION,
      replayCommand: (suite, token) => ['wsprobe fuzz', ...fixed, '--suite', suite, '--replay', shellQuote(token)].join(' '),
      ...(hooks.onProgress !== undefined ? { onSuite: hooks.onProgress } : {}),
    });
  } finally {
    await target.close?.();
    await server?.close();
  }
}

export const fuzzCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'fuzz [url]',
  describe: 'property-based fuzzing (fast-check) against the RFC 6455 model: shrunk counterexamples, replayable',
  builder: targetBuilder(FUZZ_OPTIONS),
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const o = resolveOptions(FUZZ_OPTIONS, argv);
    const rawUrl = typeof argv.url === 'string' && argv.url !== '' ? argv.url : undefined;
    const emitFile = o['emit-case'];
    const interrupt = interruptSignal();
    let run: FuzzRun;
    try {
      run = await executeFuzz(o, rawUrl, {
        signal: interrupt.signal,
        onProgress: (c) => {
          if (!o.json) process.stderr.write(`wsprobe: fuzz.${c.id.replace(/^fuzz\./, '')} ${c.verdict} (${c.numRuns ?? 0} cases)\n`);
        },
      });
    } finally {
      interrupt.dispose();
    }
    const { dir } = writeReportFiles(run.result, o.out);
    if (o.json) process.stdout.write(writeJson(run.result));
    else process.stdout.write(`${renderFuzzText(run)}reports: ${dir}\n`);

    if (emitFile !== undefined) {
      const failure = run.failures[0];
      if (failure === undefined) {
        process.stderr.write('wsprobe: --emit-case: no counterexample to emit\n');
      } else {
        const file = resolve(emitFile);
        const define = join(repoRoot(), 'suites', 'define.js');
        let spec = relative(dirname(file), define).split(sep).join('/');
        if (!spec.startsWith('.')) spec = `./${spec}`;
        const c = run.result.cases.find((x) => x.id === `fuzz.${failure.suite}`)!;
        const { emitRegressionCase } = await import('../../runners/fuzz/emit-case.js');
        const text = emitRegressionCase({ suite: failure.suite, token: failure.token, value: failure.value, reason: c.reason, rfc: c.rfc, defineImport: spec });
        if (text !== null) {
          if (existsSync(file)) throw new UsageError(`--emit-case: ${file} exists; not overwriting it`);
          try {
            mkdirSync(dirname(file), { recursive: true });
            writeFileSync(file, text);
          } catch (err) {
            throw new SetupError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
          }
          process.stderr.write(`wsprobe: regression case written to ${file}\n`);
        } else {
          process.stderr.write(`wsprobe: --emit-case: a ${failure.suite} counterexample is not emitted as a case (its bytes depend on the target's agreement); use the replay command\n`);
        }
      }
    }
    const verdicts = run.result.cases.map((c) => c.verdict);
    process.exitCode = verdicts.includes('fail') ? ExitCode.Failed : verdicts.includes('error') ? ExitCode.Usage : ExitCode.Ok;
  },
};

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
