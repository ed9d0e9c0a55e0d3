// `wsprobe test [URL]`: the conformance catalogue against a target (or the embedded reference server). Progress
// on stderr, the text summary on stdout (or the RunResult with --json), results.json / report.html / junit.xml in
// --out. Exit 0 when no case is at or beyond --fail-on, 1 otherwise, 2 on usage or setup errors.
import { readFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { startReferenceServer, type RunningServer } from '../../peers/server/reference-server.js';
import { findingsOf } from '../../reports/findings.js';
import { VERDICT_SEVERITY, type RunResult } from '../../reports/schema.js';
import type { ConformanceProgress } from '../../runners/conformance/run.js';
import type { ConformanceCase } from '../../suites/define.js';
import { SetupError, UsageError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { applyOptions, CONFIG_OPTION, resolveOptions, type OptionTable, type Resolved } from '../options.js';
import { parseTargetUrl } from '../target.js';
import { TOOL_VERSION } from '../version.js';
import { finishCaseRun } from './report-files.js';

export const TEST_OPTIONS = {
  cases: { type: 'array', items: 'string', describe: 'run only cases whose id matches a glob (anchored; * spans dots): close.*, *.utf8.*, tag:huge' },
  exclude: { type: 'array', items: 'string', describe: 'skip cases whose id matches a glob (same syntax as --cases)' },
  quick: { type: 'boolean', describe: "skip the 16 MiB cases (tag 'huge')", default: false },
  list: { type: 'boolean', describe: 'print the selected cases (id, title, Autobahn ids) and exit', default: false },
  concurrency: { type: 'number', describe: 'cases in flight at once, each on its own connection', default: 8, integer: true, min: 1, max: 256 },
  timeout: { type: 'number', describe: "replace every case's own timeout, MS", integer: true, min: 100 },
  'timeout-scale': { type: 'number', describe: "multiply every case's timeout (slow targets: 3)", default: 1, min: 0.01, max: 100 },
  'fail-on': { type: 'string', describe: 'least severe verdict that makes the exit code 1', choices: ['fail', 'non-strict'], default: 'fail' },
  header: { type: 'array', items: 'string', describe: 'extra handshake header K:V (repeatable)' },
  origin: { type: 'string', describe: 'Origin header for every handshake' },
  'expect-origin': {
    type: 'string',
    choices: ['allow', 'forbid'],
    describe: "the target's policy for --origin: handshake.origin.policy then expects a 101 (allow) or a 403-like refusal (forbid)",
  },
  protocol: { type: 'array', items: 'string', describe: 'subprotocol to offer in every handshake (repeatable)' },
  insecure: { type: 'boolean', describe: 'wss://: accept any certificate', default: false },
  ca: { type: 'string', describe: 'wss://: PEM file of the CA to trust' },
  servername: { type: 'string', describe: 'wss://: TLS server name (SNI) to send instead of the URL host' },
  http2: {
    type: 'boolean',
    describe: 'run over HTTP/2 (RFC 8441): every WebSocket a stream of one shared connection, h2 (ALPN) for wss://, h2c (prior knowledge) for ws://; HTTP/1.1 handshake cases left out, the http2.* cases added',
    default: false,
  },
  'max-payload': { type: 'number', describe: "the target's message size limit in bytes: grades the limits.max-payload.* cases (1009 above it)", integer: true, min: 1 },
  echo: {
    type: 'boolean',
    describe: 'the target echoes messages (--no-echo: an application server; cases that need an echo are not run). Default: the pre-flight finds out',
  },
  seed: { type: 'number', describe: 'base seed of mask keys and handshake keys (default random, recorded)', integer: true, min: 0, max: 0xffffffff },
  'restart-cmd': {
    type: 'string',
    describe: 'shell command that restarts the target if it dies mid-run; the cases in flight then run again one at a time to find the one that killed it',
  },
  'restart-timeout': { type: 'number', describe: 'time for --restart-cmd to finish and the target to accept connections again, MS', default: 30_000, integer: true, min: 100 },
  out: { type: 'string', describe: 'directory for results.json, report.html and junit.xml', default: './wsprobe-report' },
  json: { type: 'boolean', describe: 'print the RunResult (results.json) on stdout instead of the text summary', default: false },
  config: CONFIG_OPTION,
} as const satisfies OptionTable;

function parseHeaders(raw: string[] | undefined): [string, string][] {
  return (raw ?? []).map((h) => {
    const i = h.indexOf(':');
    const name = i > 0 ? h.slice(0, i).trim() : '';
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new UsageError(`--header expects NAME:VALUE, got ${JSON.stringify(h)}`);
    const value = h.slice(i + 1).trim();
    if (/[\r\n\0]/.test(value)) throw new UsageError(`--header value must not contain CR, LF or NUL: ${JSON.stringify(h)}`);
    return [name, value];
  });
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Progress on stderr: a redrawn bar on a TTY, a plain line every 10% (or 5 s) otherwise. */
function progressPrinter(): { onProgress: (e: ConformanceProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let total = 0;
  let failing = 0;
  let nonStrict = 0;
  let lastLine = 0;
  let lastPct = -1;
  let drawn = false;
  const line = (done: number): string => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    return `${done}/${total} cases (${pct}%)${failing > 0 ? `, ${failing} failing` : ''}${nonStrict > 0 ? `, ${nonStrict} non-strict` : ''}`;
  };
  return {
    onProgress(e) {
      if (e.type === 'start') {
        total = e.total;
        process.stderr.write(`wsprobe: running ${e.total} cases, ${e.concurrency} at a time\n`);
        return;
      }
      if (e.type !== 'case-end') return;
      if (e.verdict === 'fail' || e.verdict === 'error') failing++;
      if (e.verdict === 'non-strict') nonStrict++;
      if (tty) {
        const width = 30;
        const filled = Math.round((e.done / Math.max(1, total)) * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(e.done)}\x1b[K`);
        drawn = true;
        return;
      }
      const pct = Math.floor((e.done / Math.max(1, total)) * 10);
      const now = Date.now();
      if (pct !== lastPct || now - lastLine > 5000 || e.done === total) {
        lastPct = pct;
        lastLine = now;
        process.stderr.write(`wsprobe: ${line(e.done)}\n`);
      }
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

export type TestOptions = Resolved<typeof TEST_OPTIONS>;

/** What a caller adds to a run: cancellation and progress (the CLI: Ctrl-C and the stderr bar). */
export interface RunHooks<E> {
  signal?: AbortSignal;
  onProgress?: (event: E) => void;
}

/**
 * The cases the options select (--cases, --exclude, --quick, --http2); a pattern that matches nothing is a usage
 * error. With --http2 the HTTP/1.1 handshake cases are not selectable and the http2.* cases are; without it the
 * reverse.
 */
export async function selectCases(o: Pick<TestOptions, 'cases' | 'exclude' | 'quick'> & { http2?: boolean }): Promise<readonly ConformanceCase[]> {
  // The catalogue loads here, not at start-up, so `--help` and the other commands stay fast.
  const [{ filterCases }, { CATALOGUE, HTTP2_CASES }, { h2Catalogue }] = await Promise.all([
    import('../../runners/conformance/filter.js'),
    import('../../suites/conformance/index.js'),
    import('../../runners/conformance/h2-select.js'),
  ]);
  const all = o.http2 === true ? h2Catalogue(CATALOGUE, HTTP2_CASES) : CATALOGUE;
  const { cases, unmatched } = filterCases(all, { include: o.cases, exclude: o.exclude, quick: o.quick });
  if (unmatched.length > 0) {
    const where = o.http2 === true ? ' over HTTP/2 (HTTP/1.1 handshake cases are left out)' : HTTP2_CASES.some((c) => unmatched.some((p) => filterCases([c], { include: [p] }).cases.length > 0)) ? ' (http2.* cases need --http2)' : '';
    throw new UsageError(`pattern${unmatched.length > 1 ? 's' : ''} ${unmatched.map((p) => JSON.stringify(p)).join(', ')} match${unmatched.length > 1 ? '' : 'es'} no case${where} (see wsprobe test --list)`);
  }
  return cases;
}

/**
 * Resolved options to one conformance run, shared by `wsprobe test` and the library: selects the cases, starts the
 * embedded reference server when there is no URL, runs, and adds the grouped findings. Writes nothing, prints
 * nothing; a target that cannot be reached is a SetupError.
 */
export async function executeTest(o: TestOptions, url: URL | undefined, hooks: RunHooks<ConformanceProgress> = {}): Promise<RunResult> {
  const cases = await selectCases(o);
  if (cases.length === 0) throw new UsageError('no case left to run after --cases/--exclude/--quick');
  if (o['restart-cmd'] !== undefined && url === undefined) throw new UsageError('--restart-cmd needs a target URL (the embedded server is never restarted)');
  const failOn = o['fail-on'] as 'fail' | 'non-strict';
  const headers = parseHeaders(o.header);
  const ca = o.ca !== undefined ? readCa(o.ca) : undefined;
  const [{ TargetSetupError }, { runConformance }] = await Promise.all([import('../../runners/conformance/preflight.js'), import('../../runners/conformance/run.js')]);
  let server: RunningServer | undefined;
  if (url === undefined) {
    try {
      server = await startReferenceServer({
        host: '127.0.0.1',
        port: 0,
        statsPath: null,
        ...(o['max-payload'] !== undefined ? { maxPayload: o['max-payload'] } : {}),
        ...(o.protocol !== undefined && o.protocol.length > 0 ? { protocols: o.protocol } : {}),
      });
    } catch (err) {
      throw new SetupError(`cannot start the embedded reference server: ${(err as Error).message}`);
    }
  }
  let result: RunResult;
  try {
    const target = url ?? new URL(server!.url);
    result = await runConformance({
      url: target,
      embedded: url === undefined,
      cases,
      concurrency: o.concurrency,
      ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
      timeoutScale: o['timeout-scale'],
      caseOptions: {
        ...(o['max-payload'] !== undefined ? { maxPayload: o['max-payload'] } : {}),
        ...(o.protocol !== undefined && o.protocol.length > 0 ? { protocols: o.protocol } : {}),
        ...(o.origin !== undefined ? { origin: o.origin } : {}),
        ...(o['expect-origin'] !== undefined ? { expectOrigin: o['expect-origin'] as 'allow' | 'forbid' } : {}),
      },
      tls: { insecure: o.insecure, ...(ca !== undefined ? { ca } : {}), ...(o.servername !== undefined ? { servername: o.servername } : {}) },
      ...(o.http2 ? { http2: true } : {}),
      handshakeDefaults: {
        ...(o.origin !== undefined ? { origin: o.origin } : {}),
        ...(o.protocol !== undefined && o.protocol.length > 0 ? { protocols: o.protocol } : {}),
        ...(headers.length > 0 ? { headers } : {}),
      },
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.echo !== undefined ? { echo: o.echo } : {}),
      ...(o['restart-cmd'] !== undefined && url !== undefined ? { restartCommand: o['restart-cmd'], restartTimeoutMs: o['restart-timeout'] } : {}),
      ...(hooks.signal !== undefined ? { signal: hooks.signal } : {}),
      ...(hooks.onProgress !== undefined ? { onProgress: hooks.onProgress } : {}),
      toolVersion: TOOL_VERSION,
      options: {
        ...(o.cases !== undefined ? { cases: o.cases } : {}),
        ...(o.exclude !== undefined ? { exclude: o.exclude } : {}),
        quick: o.quick,
        ...(o.http2 ? { http2: true } : {}),
        failOn,
      },
    });
  } catch (err) {
    if (err instanceof TargetSetupError) throw new SetupError(err.message);
    throw err;
  } finally {
    await server?.close();
  }
  const findings = findingsOf(result);
  if (findings.length > 0) result.findings = findings;
  return result;
}

/**
 * Whether a conformance result fails at `failOn`: a case at or beyond it, or a run-level finding (the target died,
 * its 101 is invalid for every connection), which fails the run even when the cases it left unrun are all that was
 * selected. An interrupted run is not judged here.
 */
export function conformanceFails(result: RunResult, failOn: 'fail' | 'non-strict' = 'fail'): boolean {
  const threshold = VERDICT_SEVERITY[failOn];
  return result.cases.some((c) => c.verdict !== 'not-run' && VERDICT_SEVERITY[c.verdict] >= threshold) || (result.findings ?? []).some((f) => f.scope === 'run');
}

export const testCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'test [url]',
  describe: 'run the RFC 6455 conformance catalogue (Autobahn-compatible ids) against a target',
  builder: (y: Argv<object>) =>
    applyOptions(y.positional('url', { type: 'string', describe: 'ws:// or wss:// target (none: the embedded reference server)' }), TEST_OPTIONS) as Argv<
      Record<string, unknown>
    >,
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const o = resolveOptions(TEST_OPTIONS, argv);
    const rawUrl = typeof argv.url === 'string' && argv.url !== '' ? argv.url : undefined;
    const url = rawUrl !== undefined ? parseTargetUrl(rawUrl) : undefined;
    const failOn = o['fail-on'] as 'fail' | 'non-strict';
    if (o.list) {
      const cases = await selectCases(o);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(cases.map((c) => ({ id: c.id, title: c.title, rfc: c.rfc, autobahn: c.autobahn, tags: c.tags ?? [] })), null, 2)}\n`);
      } else {
        for (const c of cases) process.stdout.write(`${c.id}\t${c.title}\t${c.autobahn.length > 0 ? `autobahn ${c.autobahn.join(',')}` : ''}\n`);
        process.stderr.write(`wsprobe: ${cases.length} cases\n`);
      }
      return;
    }
    const interrupt = interruptSignal();
    const progress = progressPrinter();
    let result: RunResult;
    try {
      result = await executeTest(o, url, { signal: interrupt.signal, onProgress: progress.onProgress });
    } finally {
      progress.done();
      interrupt.dispose();
    }
    finishCaseRun(result, o, failOn, conformanceFails(result, failOn));
  },
};
