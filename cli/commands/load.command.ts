// `wsprobe load [URL]`: holds N WebSocket connections (heartbeats, optional echo traffic) against a target or the
// embedded reference server, records HDR histograms and a per-second timeline, judges --threshold expressions,
// and writes results.json, report.html and a terminal summary. Exit 1 when a threshold is breached.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import { extraHeaders } from '../../protocol/h2/headers.js';
import type { RunResult } from '../../reports/schema.js';
import { writeJson } from '../../reports/json.js';
import { renderText } from '../../reports/text.js';
import { PreflightError, runLoad, TargetError, type LoadEvent } from '../../runners/load/engine.js';
import { attachProgress } from '../../runners/load/progress.js';
import { DEFAULT_STREAMS_PER_CONNECTION, PROFILE_DEFAULTS, type LoadProfile } from '../../runners/load/profile.js';
import { parseShard } from '../../runners/load/share.js';
import { parseSourceIps } from '../../runners/load/source-ips.js';
import { parseStages } from '../../runners/load/stages.js';
import { parseThreshold, ThresholdSyntaxError } from '../../runners/load/thresholds.js';
import type { Scenario } from '../../runners/load/scenario/model.js';
import { loadScenario, ScenarioError } from '../../runners/load/scenario/parse.js';
import { assignRoles } from '../../runners/load/scenario/roles.js';
import { SetupError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { interruptSignal } from '../interrupt.js';
import { CONFIG_OPTION, resolveOptions, targetBuilder, type OptionTable, type Resolved } from '../options.js';
import { parseTargetUrl } from '../target.js';
import { TOOL_VERSION } from '../version.js';
import { writeReportFiles } from './report-files.js';
import type { RunHooks } from './test.command.js';

/** Options shared by load and capacity: how connections behave. */
export const CONNECTION_OPTIONS = {
  ramp: { type: 'number', describe: 'new connections per second (0: as fast as possible)', default: 0, min: 0 },
  heartbeat: { type: 'number', describe: 'WebSocket ping every MS per connection, spread evenly (0: none)', default: 10_000, integer: true, min: 0 },
  'pong-timeout': { type: 'number', describe: 'no pong within MS: the connection counts as dead and is closed', default: 5_000, integer: true, min: 1 },
  'app-heartbeat': { type: 'string', describe: 'send this text message as the heartbeat instead of a WebSocket ping' },
  'app-heartbeat-reply': { type: 'string', describe: 'the text reply that answers --app-heartbeat (default: the same text, as an echo)' },
  reconnect: { type: 'boolean', describe: 'reopen dropped or failed connections (exponential backoff, full jitter, cap)', default: false },
  'reconnect-base': { type: 'number', describe: 'first backoff ceiling, MS', default: 100, integer: true, min: 1 },
  'reconnect-max': { type: 'number', describe: 'backoff cap, MS', default: 10_000, integer: true, min: 1 },
  'message-rate': { type: 'number', describe: 'messages per second per connection, paced evenly (open model: latency from the intended send time)', default: 0, min: 0 },
  'in-flight': { type: 'number', describe: 'closed model instead: keep N echo messages in flight per connection', default: 0, integer: true, min: 0 },
  'message-size': { type: 'number', describe: 'message size in bytes (at least 20: sequence number and send time)', default: 32, integer: true, min: 20 },
  binary: { type: 'boolean', describe: 'binary messages instead of text', default: false },
  deflate: {
    type: 'boolean',
    describe: 'offer permessage-deflate (RFC 7692): echo and app-heartbeat messages are compressed on connections the target accepts it for',
    default: false,
  },
  'deflate-no-context-takeover': {
    type: 'boolean',
    describe: 'with --deflate: also offer client_ and server_no_context_takeover (no window kept between messages: less memory per connection)',
    default: false,
  },
  payload: { type: 'string', describe: 'file whose bytes form each message body (after the 20-byte stamp)' },
  http2: {
    type: 'boolean',
    describe: 'WebSockets over HTTP/2 (RFC 8441): many per connection, h2c by prior knowledge for ws://, h2 by ALPN for wss://',
    default: false,
  },
  'streams-per-connection': {
    type: 'number',
    describe: `with --http2: WebSockets per HTTP/2 connection (default ${DEFAULT_STREAMS_PER_CONNECTION}; lowered to the server's SETTINGS_MAX_CONCURRENT_STREAMS)`,
    integer: true,
    min: 1,
  },
  scenario: {
    type: 'string',
    describe: 'YAML or JSON file of what each connection does in the application protocol (send, expect, request, subscribe, think, loop; roles): docs/scenarios.md',
  },
  'connect-timeout': { type: 'number', describe: 'time allowed for TCP, TLS and the opening handshake, MS', default: 10_000, integer: true, min: 1 },
  workers: { type: 'number', describe: 'worker processes (default: one per core)', integer: true, min: 1, max: 1024 },
  'server-workers': { type: 'number', describe: 'processes of the embedded server (default: enough for the open-file limit)', integer: true, min: 1, max: 256 },
  'source-ips': { type: 'string', describe: 'local source addresses to spread connections over, e.g. 127.0.0.1-127.0.0.16' },
  header: { type: 'array', items: 'string', describe: 'extra handshake header K:V (repeatable)' },
  protocol: { type: 'array', items: 'string', describe: 'subprotocol to offer (repeatable)' },
  origin: { type: 'string', describe: 'Origin header' },
  insecure: { type: 'boolean', describe: 'wss://: accept any certificate', default: false },
  ca: { type: 'string', describe: 'wss://: PEM file of the CA to trust' },
  out: { type: 'string', describe: 'directory for results.json and report.html', default: './wsprobe-report' },
  config: CONFIG_OPTION,
} as const satisfies OptionTable;

export const LOAD_OPTIONS = {
  connections: { type: 'number', describe: 'connections to hold (default 100; with a --scenario whose roles all have a count, their sum)', integer: true, min: 1 },
  duration: { type: 'number', describe: 'hold time after the ramp, seconds', default: 10, min: 0 },
  stages: { type: 'string', describe: 'instead of --connections/--ramp/--duration: DURATION:TARGET,... (k6 stages), e.g. 30s:1000,1m:1000,10s:0' },
  ...CONNECTION_OPTIONS,
  threshold: { type: 'array', items: 'string', describe: "pass/fail rule, repeatable: 'ping_rtt.p99<50ms' 'errors.rate<0.1%' 'connections.peak>=10000'" },
  shard: { type: 'string', describe: 'run share I of N (1-based) of the profile: connections and rates divided exactly' },
  'http-probe': { type: 'string', describe: 'while the load is held, measure plain-HTTP latency of this path with autocannon' },
  json: { type: 'boolean', describe: 'print results.json to stdout instead of the text summary', default: false },
} as const satisfies OptionTable;

type ConnectionOptions = Resolved<typeof CONNECTION_OPTIONS>;

function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof RangeError || err instanceof ThresholdSyntaxError) throw new UsageError(err.message);
    throw err;
  }
}

function readFileOrFail(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** The connection part of a profile, from resolved flags. */
export function connectionProfile(o: ConnectionOptions, url: string): Omit<LoadProfile, 'connections' | 'durationS' | 'thresholds'> {
  const headers = (o.header ?? []).map((h): [string, string] => {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--header expects K:V, got ${JSON.stringify(h)}`);
    return [h.slice(0, i).trim(), h.slice(i + 1).trim()];
  });
  const appSend = o['app-heartbeat'];
  if (o['app-heartbeat-reply'] !== undefined && appSend === undefined) throw new UsageError('--app-heartbeat-reply needs --app-heartbeat');
  if (o['message-rate'] > 0 && o['in-flight'] > 0) throw new UsageError('--message-rate (open model) and --in-flight (closed model) exclude each other');
  if (appSend !== undefined && o.heartbeat === 0) throw new UsageError('--app-heartbeat needs a --heartbeat interval above 0');
  if (o['deflate-no-context-takeover'] && !o.deflate) throw new UsageError('--deflate-no-context-takeover needs --deflate');
  if (o['streams-per-connection'] !== undefined && !o.http2) throw new UsageError('--streams-per-connection needs --http2');
  if (o.scenario !== undefined) {
    for (const [flag, given] of [['--message-rate', o['message-rate'] > 0], ['--in-flight', o['in-flight'] > 0], ['--app-heartbeat', appSend !== undefined], ['--payload', o.payload !== undefined]] as const) {
      if (given) throw new UsageError(`${flag} and --scenario exclude each other: the scenario says what each connection sends (docs/scenarios.md)`);
    }
  }
  const profile: Omit<LoadProfile, 'connections' | 'durationS' | 'thresholds'> = {
    ...PROFILE_DEFAULTS,
    url,
    rampPerSecond: o.ramp,
    heartbeatMs: o.heartbeat,
    pongTimeoutMs: o['pong-timeout'],
    reconnect: o.reconnect,
    reconnectBaseMs: o['reconnect-base'],
    reconnectMaxMs: o['reconnect-max'],
    messageRate: o['message-rate'],
    inFlight: o['in-flight'],
    messageSize: o['message-size'],
    binary: o.binary,
    connectTimeoutMs: o['connect-timeout'],
    workers: o.workers ?? Math.max(1, availableParallelism()),
    sourceIps: o['source-ips'] !== undefined ? usage(() => parseSourceIps(o['source-ips']!)) : [],
    headers,
    protocols: o.protocol ?? [],
    insecure: o.insecure,
  };
  if (appSend !== undefined) profile.appHeartbeat = { send: appSend, expect: o['app-heartbeat-reply'] ?? appSend };
  if (o.deflate) profile.deflate = { noContextTakeover: o['deflate-no-context-takeover'] };
  if (o.http2) {
    // RFC 7540 §8.1.2.2: connection-specific fields (Connection, Upgrade, ...) cannot travel in an HTTP/2 request.
    try {
      extraHeaders(headers);
    } catch (err) {
      throw new UsageError(`--http2: ${(err as Error).message}`);
    }
    profile.http2 = { streamsPerConnection: o['streams-per-connection'] ?? DEFAULT_STREAMS_PER_CONNECTION };
  }
  if (o.origin !== undefined) profile.origin = o.origin;
  if (o.ca !== undefined) profile.caPem = readFileOrFail(o.ca, 'CA file').toString('utf8');
  if (o.payload !== undefined) profile.payloadBase64 = readFileOrFail(o.payload, 'payload file').toString('base64');
  if (o.scenario !== undefined) profile.scenario = scenarioOf(o.scenario);
  return profile;
}

function scenarioOf(file: string): Scenario {
  try {
    return loadScenario(file);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message);
    throw err;
  }
}

/** Checks that the scenario's roles can share `connections` (counts within it, the rest given to a weighted role). */
export function checkRoles(scenario: Scenario | undefined, connections: number): void {
  if (scenario === undefined) return;
  try {
    assignRoles(scenario.roles, connections);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message);
    throw err;
  }
}

/** With a scenario whose roles all have a count, the run holds their sum unless --connections says otherwise. */
function defaultConnections(scenario: Scenario | undefined): number {
  if (scenario !== undefined && scenario.roles.every((r) => r.count !== undefined)) return scenario.roles.reduce((s, r) => s + r.count!, 0);
  return PROFILE_DEFAULTS.connections;
}

export function targetOf(argv: Record<string, unknown>): string {
  const raw = argv.url;
  return typeof raw === 'string' && raw !== '' ? parseTargetUrl(raw).href : '';
}

export function engineError(err: unknown): unknown {
  if (err instanceof PreflightError) return new SetupError(`pre-flight check failed:\n  ${err.message.split('\n').join('\n  ')}`);
  if (err instanceof TargetError) return new SetupError(err.message);
  if (err instanceof ThresholdSyntaxError) return new UsageError(err.message);
  return err;
}

export type LoadOptions = Resolved<typeof LOAD_OPTIONS>;

/**
 * Resolved options to one load run, shared by `wsprobe load` and the library: builds the profile (usage errors for
 * bad stages, shards, thresholds), runs (the embedded reference server, in a child process, when `url` is ''), and
 * turns the engine's errors into SetupError. Writes nothing, prints nothing.
 */
export async function executeLoad(o: LoadOptions, url: string, hooks: RunHooks<LoadEvent> = {}): Promise<RunResult> {
  const thresholds = o.threshold ?? [];
  usage(() => thresholds.forEach(parseThreshold));
  const base = connectionProfile(o, url);
  const profile: LoadProfile = {
    ...base,
    connections: o.connections ?? defaultConnections(base.scenario),
    durationS: o.duration,
    thresholds,
  };
  if (o.stages !== undefined) {
    profile.stages = usage(() => parseStages(o.stages!));
    profile.connections = Math.max(...profile.stages.map((s) => s.target));
  }
  checkRoles(profile.scenario, profile.connections);
  if (o.shard !== undefined) profile.shard = usage(() => parseShard(o.shard!));
  if (o['http-probe'] !== undefined) profile.httpProbe = o['http-probe'];
  try {
    return await runLoad(profile, {
      ...(hooks.signal !== undefined ? { signal: hooks.signal } : {}),
      ...(hooks.onProgress !== undefined ? { onEvent: hooks.onProgress } : {}),
      serverWorkers: o['server-workers'],
      toolVersion: TOOL_VERSION,
    });
  } catch (err) {
    throw engineError(err);
  }
}

/** A load run in which no connection ever opened could not start: a SetupError (exit 2), after the reports. */
export function noConnectionError(result: RunResult): SetupError | undefined {
  const load = result.load!;
  if (load.connections.opened > 0 || (load.counters.connectAttempts ?? 0) === 0 || result.interrupted) return undefined;
  const kinds = Object.entries(load.errors).map(([k, v]) => `${k} ${v}`).join(', ');
  return new SetupError(`no connection to ${result.target.url} opened (${kinds})`);
}

export const loadCommand: CommandModule<object, Record<string, unknown>> = {
  command: 'load [url]',
  describe: 'hold many WebSocket connections with heartbeats and traffic; HDR latency, timeline, thresholds',
  builder: targetBuilder(LOAD_OPTIONS),
  async handler(argv: ArgumentsCamelCase<Record<string, unknown>>) {
    const o = resolveOptions(LOAD_OPTIONS, argv);
    const url = targetOf(argv);
    const interrupt = interruptSignal();
    const progress = attachProgress(process.stderr);
    let result: RunResult;
    try {
      result = await executeLoad(o, url, { signal: interrupt.signal, onProgress: progress.onEvent });
    } finally {
      progress.end();
      interrupt.dispose();
    }
    const { dir } = writeReportFiles(result, o.out);
    if (o.json) process.stdout.write(writeJson(result));
    else process.stdout.write(`${renderText(result, { color: process.stdout.isTTY === true })}\nresults: ${dir}/results.json\n`);
    const failure = noConnectionError(result);
    if (failure !== undefined) throw failure;
    process.exitCode = result.load!.thresholds.some((t) => !t.ok) ? ExitCode.Failed : ExitCode.Ok;
  },
};
