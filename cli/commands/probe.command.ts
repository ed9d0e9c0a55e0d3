// `wsprobe probe idle [URL]`: finds the idle timeout of the path to a target (the proxy or load balancer in front
// of it), how it ends idle connections (close code, FIN, reset, silent drop), which heartbeat intervals keep
// connections alive, and the interval to use. Progress on stderr, the summary on stdout (or the RunResult with
// --json), results.json and report.html in --out (and junit.xml with --expect-idle-at-least). Exit 1 when the
// timeout found is shorter than --expect-idle-at-least, 2 on usage or setup errors (an unreachable target).
import { readFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { startReferenceServer, type RunningServer } from '../../peers/server/reference-server.js';
import { writeJson } from '../../reports/json.js';
import type { RunResult } from '../../reports/schema.js';
import { renderText } from '../../reports/text.js';
import { describeEnding, ProbeSetupError, runIdleProbe, type ProbeEvent } from '../../runners/probe/idle.js';
import { formatS, parseIntervals } from '../../runners/probe/plan.js';
import { SetupError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { interruptSignal } from '../interrupt.js';
import { CONFIG_OPTION, resolveOptions, targetBuilder, type OptionTable, type Resolved } from '../options.js';
import { TOOL_VERSION } from '../version.js';
import { targetOf } from './load.command.js';
import { writeReportFiles } from './report-files.js';
import type { RunHooks } from './test.command.js';

export const PROBE_IDLE_OPTIONS = {
  max: { type: 'number', describe: 'longest silence to try, seconds: no timeout up to it reads "none up to --max"', default: 600, min: 0.1 },
  resolution: { type: 'number', describe: 'stop when the timeout is bracketed this closely, seconds', default: 1, min: 0.01 },
  connections: { type: 'number', describe: 'silent connections per round, each probed after a different silence', default: 8, integer: true, min: 1, max: 64 },
  heartbeats: {
    type: 'string',
    describe: "heartbeat intervals to try, seconds, comma-separated: one connection each heartbeats for the whole probe ('none': no such connections)",
    default: '10,30,60',
  },
  'probe-timeout': { type: 'number', describe: 'seconds a probe or heartbeat may wait for its answer; none on an open connection is a silent drop', default: 2, min: 0.05 },
  'app-heartbeat': { type: 'string', describe: 'probe and heartbeat with this text message and its reply instead of a WebSocket ping' },
  'app-heartbeat-reply': { type: 'string', describe: 'the text reply that answers --app-heartbeat (default: the same text, as an echo)' },
  'expect-idle-at-least': { type: 'number', describe: 'CI check: exit 1 when the idle timeout found is shorter than S seconds', min: 0 },
  'connect-timeout': { type: 'number', describe: 'time allowed for TCP, TLS and the opening handshake, seconds', default: 10, min: 0.1 },
  header: { type: 'array', items: 'string', describe: 'extra handshake header K:V (repeatable)' },
  origin: { type: 'string', describe: 'Origin header' },
  protocol: { type: 'array', items: 'string', describe: 'subprotocol to offer (repeatable)' },
  insecure: { type: 'boolean', describe: 'wss://: accept any certificate', default: false },
  ca: { type: 'string', describe: 'wss://: PEM file of the CA to trust' },
  out: { type: 'string', describe: 'directory for results.json and report.html (and junit.xml with --expect-idle-at-least)', default: './wsprobe-report' },
  json: { type: 'boolean', describe: 'print results.json to stdout instead of the text summary', default: false },
  config: CONFIG_OPTION,
} as const satisfies OptionTable;

export type ProbeIdleOptions = Resolved<typeof PROBE_IDLE_OPTIONS>;

function headersOf(raw: string[] | undefined): [string, string][] {
  return (raw ?? []).map((h) => {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--header expects K:V, got ${JSON.stringify(h)}`);
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
  });
}

function intervalsOf(o: ProbeIdleOptions): { intervals: number[]; dropped: number[] } {
  let all: number[];
  try {
    all = parseIntervals(o.heartbeats);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // An interval longer than the probe could never be judged: it is left out, and the report says so.
  return { intervals: all.filter((s) => s <= o.max), dropped: all.filter((s) => s > o.max) };
}

/**
 * Resolved options to one idle probe, shared by `wsprobe probe idle` and the library: checks the options, starts the
 * embedded reference server when `url` is '' (it has no idle timeout), runs, and turns an unreachable target into a
 * SetupError. Writes nothing, prints nothing.
 */
export async function executeProbeIdle(o: ProbeIdleOptions, url: string, hooks: RunHooks<ProbeEvent> = {}): Promise<RunResult> {
  if (o.resolution >= o.max) throw new UsageError(`--resolution ${o.resolution} must be below --max ${o.max}`);
  if (o['expect-idle-at-least'] !== undefined && o['expect-idle-at-least'] > o.max) {
    throw new UsageError(`--expect-idle-at-least ${o['expect-idle-at-least']} exceeds --max ${o.max}: the probe could not tell`);
  }
  if (o['app-heartbeat-reply'] !== undefined && o['app-heartbeat'] === undefined) throw new UsageError('--app-heartbeat-reply needs --app-heartbeat');
  const { intervals, dropped } = intervalsOf(o);
  const headers = headersOf(o.header);
  let ca: string | undefined;
  if (o.ca !== undefined) {
    try {
      ca = readFileSync(o.ca, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read CA file ${o.ca}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  let server: RunningServer | undefined;
  if (url === '') {
    try {
      server = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
    } catch (err) {
      throw new SetupError(`cannot start the embedded reference server: ${(err as Error).message}`);
    }
  }
  try {
    const appSend = o['app-heartbeat'];
    const result = await runIdleProbe(
      {
        url: new URL(server?.url ?? url),
        embedded: server !== undefined,
        maxS: o.max,
        resolutionS: o.resolution,
        connections: o.connections,
        heartbeatsS: intervals,
        probeTimeoutMs: Math.round(o['probe-timeout'] * 1000),
        connectTimeoutMs: Math.round(o['connect-timeout'] * 1000),
        ...(appSend !== undefined ? { appHeartbeat: { send: appSend, expect: o['app-heartbeat-reply'] ?? appSend } } : {}),
        ...(o['expect-idle-at-least'] !== undefined ? { expectAtLeastS: o['expect-idle-at-least'] } : {}),
        tls: { insecure: o.insecure, ...(ca !== undefined ? { ca } : {}) },
        defaults: {
          ...(headers.length > 0 ? { headers } : {}),
          ...(o.origin !== undefined ? { origin: o.origin } : {}),
          ...(o.protocol !== undefined && o.protocol.length > 0 ? { protocols: o.protocol } : {}),
        },
        options: { max: o.max, resolution: o.resolution, connections: o.connections, heartbeats: intervals, probeTimeout: o['probe-timeout'] },
      },
      { ...(hooks.signal !== undefined ? { signal: hooks.signal } : {}), ...(hooks.onProgress !== undefined ? { onEvent: hooks.onProgress } : {}), toolVersion: TOOL_VERSION },
    );
    if (dropped.length > 0) {
      result.probe!.warnings.push(`heartbeat interval${dropped.length === 1 ? '' : 's'} ${dropped.join(', ')} s left out: longer than --max ${o.max} s, so the probe could not judge ${dropped.length === 1 ? 'it' : 'them'}`);
    }
    return result;
  } catch (err) {
    if (err instanceof ProbeSetupError) throw new SetupError(err.message);
    throw err;
  } finally {
    await server?.close();
  }
}

/** One stderr line per event: where the search is, since a probe of a 60 s timeout takes minutes. */
export function progressLine(e: ProbeEvent): string | null {
  const p = 'wsprobe probe:';
  switch (e.type) {
    case 'start':
      return `${p} idle timeout of ${e.url}${e.heartbeatsS.length > 0 ? `; heartbeats every ${e.heartbeatsS.join(', ')} s on their own connections` : ''}`;
    case 'round-start':
      return `${p} round ${e.round}: ${e.silencesS.length} silent connections, probed after ${e.silencesS.join(', ')} s`;
    case 'killed': {
      const c = e.connection;
      return `${p}   killed after ${formatS(c.endedAfterS ?? c.silenceS)} of silence: ${c.ending ? describeEnding(c.ending) : 'ended'}`;
    }
    case 'round-done':
      return `${p} round ${e.round} done in ${formatS(e.durationS)}: survived ${formatS(e.survivedS)}, ${e.killedS === null ? 'nothing killed' : `killed after ${formatS(e.killedS)}`}`;
    case 'heartbeats-wait':
      return `${p} waiting up to ${formatS(e.seconds)} for the heartbeat connections to outlive the timeout`;
  }
}

export const probeIdleCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'idle [url]',
  describe: "find the path's idle timeout, how idle connections end, and a heartbeat interval that keeps them",
  builder: targetBuilder(PROBE_IDLE_OPTIONS),
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const o = resolveOptions(PROBE_IDLE_OPTIONS, argv);
    const url = targetOf(argv);
    const interrupt = interruptSignal();
    let result: RunResult;
    try {
      result = await executeProbeIdle(o, url, {
        signal: interrupt.signal,
        onProgress: (e) => {
          const line = progressLine(e);
          if (line !== null) process.stderr.write(`${line}\n`);
        },
      });
    } finally {
      interrupt.dispose();
    }
    const { dir } = writeReportFiles(result, o.out);
    if (o.json) process.stdout.write(writeJson(result));
    else process.stdout.write(`${renderText(result, { color: process.stdout.isTTY === true && !process.env.NO_COLOR })}\nresults: ${dir}/results.json\n`);
    process.exitCode = result.probe?.expectation?.ok === false ? ExitCode.Failed : ExitCode.Ok;
  },
};

export const probeCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'probe',
  describe: 'measure the path to a target: `probe idle` finds its idle timeout and the heartbeat that beats it',
  builder: (y: Argv<object>) => y.command(probeIdleCommand).demandCommand(1, 'name a probe: idle') as Argv<Record<string, unknown>>,
  handler: () => undefined,
};
