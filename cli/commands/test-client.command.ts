// `wsprobe test-client`: tests a WebSocket *client*. wsprobe listens as the server (ws://127.0.0.1:9001 by default,
// Autobahn's fuzzingserver port and endpoints); the client under test connects once per case, echoing what it
// receives. --driver runs a known client (reference, ws, undici, node, chromium) against it; without one, the URLs
// to point a client at are printed and the run waits for it. Progress on stderr, the text summary on stdout (or the
// RunResult with --json), results.json / report.html / junit.xml in --out. Exit 0 when no case is at or beyond
// --fail-on and every case ran, 1 otherwise, 2 on usage or setup errors (a bad option, the port in use).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { readServerTls, type ServerTlsOptions } from '../../peers/tls.js';
import { findingsOf } from '../../reports/findings.js';
import type { RunResult } from '../../reports/schema.js';
import type { TestClientProgress } from '../../runners/test-client/run.js';
import type { DriverName } from '../../runners/test-client/drivers/types.js';
import type { ClientCase } from '../../suites/client/define.js';
import { SetupError, UsageError } from '../errors.js';
import { interruptSignal } from '../interrupt.js';
import { applyOptions, CONFIG_OPTION, resolveOptions, type OptionTable, type Resolved } from '../options.js';
import { TOOL_VERSION } from '../version.js';
import { finishCaseRun } from './report-files.js';
import { listenError } from './serve.command.js';
import { conformanceFails, type RunHooks } from './test.command.js';

const DRIVERS: readonly DriverName[] = ['reference', 'ws', 'undici', 'node', 'chromium'];

export const TEST_CLIENT_OPTIONS = {
  host: { type: 'string', describe: 'address to listen on', default: '127.0.0.1' },
  port: { type: 'number', describe: "TCP port (Autobahn's 9001; 0: any free port, printed)", default: 9001, integer: true, min: 0, max: 65535 },
  cases: { type: 'array', items: 'string', describe: 'run only cases whose id matches a glob (anchored; * spans dots): close.*, *.utf8.*, tag:NAME' },
  exclude: { type: 'array', items: 'string', describe: 'skip cases whose id matches a glob (same syntax as --cases)' },
  list: { type: 'boolean', describe: 'print the selected cases (number, id, title, Autobahn ids) and exit', default: false },
  driver: { type: 'array', items: 'string', describe: `run this client against the server (repeatable): ${DRIVERS.join(', ')}` },
  agent: { type: 'array', items: 'string', describe: 'wait for this external client (its agent= name) to run every case (repeatable)' },
  chromium: { type: 'string', describe: 'the browser the chromium driver launches (default /usr/bin/chromium or the like)' },
  timeout: { type: 'number', describe: 'the whole run, seconds: cases no client ran by then are not-run', default: 600, min: 1 },
  'timeout-scale': { type: 'number', describe: "multiply every case's timeout (slow clients, browsers: 3)", default: 1, min: 0.01, max: 100 },
  'fail-on': { type: 'string', describe: 'least severe verdict that makes the exit code 1', choices: ['fail', 'non-strict'], default: 'fail' },
  seed: { type: 'number', describe: 'base seed of the cases (default random, recorded)', integer: true, min: 0, max: 0xffffffff },
  'tls-cert': { type: 'string', describe: 'PEM certificate file: serve wss:// (needs --tls-key)' },
  'tls-key': { type: 'string', describe: 'PEM private key file (needs --tls-cert)' },
  out: { type: 'string', describe: 'directory for results.json, report.html and junit.xml', default: './wsprobe-report' },
  json: { type: 'boolean', describe: 'print the RunResult (results.json) on stdout instead of the text summary', default: false },
  config: CONFIG_OPTION,
} as const satisfies OptionTable;

export type TestClientOptions = Resolved<typeof TEST_CLIENT_OPTIONS>;

/** The client cases the options select; a pattern that matches nothing is a usage error. */
export async function selectClientCases(o: Pick<TestClientOptions, 'cases' | 'exclude'>): Promise<ClientCase[]> {
  // The catalogue loads here, not at start-up, so `--help` and the other commands stay fast.
  const [{ selectClientCases: select }, { CLIENT_CATALOGUE }] = await Promise.all([import('../../runners/test-client/selection.js'), import('../../suites/client/index.js')]);
  const { cases, unmatched } = select(CLIENT_CATALOGUE, { include: o.cases ?? [], exclude: o.exclude ?? [] });
  if (unmatched.length > 0) {
    throw new UsageError(`pattern${unmatched.length > 1 ? 's' : ''} ${unmatched.map((p) => JSON.stringify(p)).join(', ')} match${unmatched.length > 1 ? '' : 'es'} no client case (see wsprobe test-client --list)`);
  }
  return cases;
}

/** --driver values, checked: known names, each once. */
export function driverNames(raw: readonly string[] | undefined): DriverName[] {
  const out: DriverName[] = [];
  for (const name of (raw ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter((d) => d !== '')) {
    if (!(DRIVERS as readonly string[]).includes(name)) throw new UsageError(`unknown --driver ${JSON.stringify(name)} (one of ${DRIVERS.join(', ')})`);
    if (out.includes(name as DriverName)) throw new UsageError(`--driver ${name} given twice`);
    out.push(name as DriverName);
  }
  return out;
}

function tlsOf(o: TestClientOptions): ServerTlsOptions | undefined {
  const cert = o['tls-cert'];
  const key = o['tls-key'];
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (cert === undefined || key === undefined) return undefined;
  try {
    return readServerTls(cert, key);
  } catch (err) {
    throw new SetupError(`cannot read TLS files: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Resolved options to one client run, shared by `wsprobe test-client` and the library: selects the cases, prepares
 * the drivers, listens, runs, and adds the grouped findings. Writes nothing, prints nothing; a port in use or a
 * driver that cannot run here is a SetupError.
 */
export async function executeTestClient(o: TestClientOptions, hooks: RunHooks<TestClientProgress> = {}): Promise<RunResult> {
  const cases = await selectClientCases(o);
  if (cases.length === 0) throw new UsageError('no client case left to run after --cases/--exclude');
  const names = driverNames(o.driver);
  const agents = (o.agent ?? []).map((a) => a.trim()).filter((a) => a !== '');
  for (const a of agents) {
    if (!/^[\x21-\x7e]{1,64}$/.test(a) || /["'<>&\\]/.test(a)) throw new UsageError(`--agent ${JSON.stringify(a)}: use up to 64 printable characters, no quotes, <, >, & or \\`);
    if ((names as string[]).includes(a)) throw new UsageError(`--agent ${a} is also a --driver: each driver is the agent of its own name`);
  }
  const tls = tlsOf(o);
  const [{ runTestClient, ListenError }, { makeDriver, DriverSetupError }] = await Promise.all([import('../../runners/test-client/run.js'), import('../../runners/test-client/drivers/index.js')]);
  const drivers = names.map((n) => makeDriver(n, o.chromium !== undefined ? { chromiumPath: o.chromium } : {}));
  const failOn = o['fail-on'] as 'fail' | 'non-strict';
  let result: RunResult;
  try {
    result = await runTestClient({
      host: o.host,
      port: o.port,
      ...(tls !== undefined ? { tls } : {}),
      cases,
      drivers,
      agents,
      timeoutMs: o.timeout * 1000,
      timeoutScale: o['timeout-scale'],
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(hooks.signal !== undefined ? { signal: hooks.signal } : {}),
      ...(hooks.onProgress !== undefined ? { onProgress: hooks.onProgress } : {}),
      toolVersion: TOOL_VERSION,
      options: {
        ...(o.cases !== undefined ? { cases: o.cases } : {}),
        ...(o.exclude !== undefined ? { exclude: o.exclude } : {}),
        ...(names.length > 0 ? { drivers: names } : {}),
        ...(agents.length > 0 ? { agents } : {}),
        timeoutS: o.timeout,
        failOn,
      },
    });
  } catch (err) {
    if (err instanceof DriverSetupError) throw new SetupError(err.message);
    if (err instanceof ListenError) throw listenError(err.error, o.host, o.port);
    throw err;
  }
  const findings = findingsOf(result);
  if (findings.length > 0) result.findings = findings;
  return result;
}

/** The lines that tell a person where to point a client (no --driver, or as a reminder). */
export function pointerLines(url: string, httpUrl: string, cases: number, agents: readonly string[]): string[] {
  const agent = agents.length === 1 ? agents[0]! : 'NAME';
  return [
    `wsprobe: listening on ${url} with ${cases} client case${cases === 1 ? '' : 's'}; point the client under test at:`,
    `  ${url}/runCase?case=N&agent=${agent}   case N (1..${cases}), Autobahn style; ${url}/getCaseCount gives the count`,
    `  ${url}/next?agent=${agent}             the agent's next case, until it closes with 1000 "done"`,
    `  ${url}/case/<id>?agent=${agent}        one case by id (wsprobe test-client --list)`,
    `  ${url}/updateReports?agent=${agent}    when finished; ${httpUrl}/client.html runs every case in a browser`,
  ];
}

/** Progress on stderr: one line per driver event, a plain line every 10% of an agent's cases. */
function progressPrinter(agents: readonly string[], drivers: boolean): (e: TestClientProgress) => void {
  const lastPct = new Map<string, number>();
  return (e) => {
    switch (e.type) {
      case 'listening':
        if (!drivers) for (const l of pointerLines(e.url, e.httpUrl, e.cases, agents)) process.stderr.write(`${l}\n`);
        else process.stderr.write(`wsprobe: listening on ${e.url} with ${e.cases} client cases\n`);
        return;
      case 'driver-start':
        process.stderr.write(`wsprobe: driver ${e.driver} started\n`);
        return;
      case 'driver-end':
        process.stderr.write(`wsprobe: driver ${e.driver} ${e.error !== undefined ? `stopped: ${e.error}` : 'finished'}\n`);
        return;
      case 'case-end': {
        const pct = Math.floor((e.done / Math.max(1, e.total)) * 10);
        if (pct !== lastPct.get(e.agent) || e.done === e.total) {
          lastPct.set(e.agent, pct);
          process.stderr.write(`wsprobe: ${e.agent}: ${e.done}/${e.total} cases\n`);
        }
        return;
      }
      case 'agent-done':
        process.stderr.write(`wsprobe: ${e.agent} is done\n`);
        return;
      default:
        return;
    }
  };
}

export const testClientCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'test-client',
  describe: 'test a WebSocket client: listen as the server it connects to once per case (Autobahn client-mode endpoints)',
  builder: (y: Argv<object>) => applyOptions(y, TEST_CLIENT_OPTIONS) as Argv<Record<string, unknown>>,
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const o = resolveOptions(TEST_CLIENT_OPTIONS, argv);
    const failOn = o['fail-on'] as 'fail' | 'non-strict';
    if (o.list) {
      const cases = await selectClientCases(o);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(cases.map((c, i) => ({ number: i + 1, id: c.id, title: c.title, rfc: c.rfc, autobahn: c.autobahn })), null, 2)}\n`);
      } else {
        const { listLines } = await import('../../runners/test-client/selection.js');
        for (const line of listLines(cases)) process.stdout.write(`${line}\n`);
        process.stderr.write(`wsprobe: ${cases.length} client cases\n`);
      }
      return;
    }
    const interrupt = interruptSignal();
    let result: RunResult;
    try {
      const agents = (o.agent ?? []).map((a) => a.trim()).filter((a) => a !== '');
      result = await executeTestClient(o, { signal: interrupt.signal, onProgress: progressPrinter(agents, (o.driver ?? []).length > 0) });
    } finally {
      interrupt.dispose();
    }
    finishCaseRun(result, o, failOn, conformanceFails(result, failOn));
  },
};
