// wsprobe as a library: the commands' runs as typed functions. Each takes the options of its command (camelCase:
// `failOn` for --fail-on), checked by the same option table, and calls the same code as the CLI (the execute*
// functions of cli/commands/), so a run from a test suite equals `wsprobe test` with the same flags. Nothing here
// prints, exits or writes a file unless asked (writeReports); progress goes to callbacks; an AbortSignal stops a
// run, which then resolves with what was measured (`interrupted: true`). Errors: UsageError (bad options),
// SetupError (the run could not start), ConformanceError (assertConforms).
import { executeCapacity, CAPACITY_OPTIONS } from '../cli/commands/capacity.command.js';
import { executeFuzz, FUZZ_OPTIONS } from '../cli/commands/fuzz.command.js';
import { executeLoad, LOAD_OPTIONS, noConnectionError } from '../cli/commands/load.command.js';
import { executeProbeIdle, PROBE_IDLE_OPTIONS } from '../cli/commands/probe.command.js';
import { writeReportFiles, type ReportFiles } from '../cli/commands/report-files.js';
import { listenError, serverOptionsFrom, SERVE_OPTIONS } from '../cli/commands/serve.command.js';
import { executeTest, TEST_OPTIONS } from '../cli/commands/test.command.js';
import { executeTestClient, TEST_CLIENT_OPTIONS } from '../cli/commands/test-client.command.js';
import { parseTargetUrl } from '../cli/target.js';
import { startReferenceServer as startServer, type RunningServer } from '../peers/server/reference-server.js';
import type { CaseResult, RunResult } from '../reports/schema.js';
import type { CapacityEvent } from '../runners/capacity/search.js';
import type { ConformanceProgress } from '../runners/conformance/run.js';
import type { TestClientProgress } from '../runners/test-client/run.js';
import type { LoadEvent } from '../runners/load/engine.js';
import type { ProbeEvent } from '../runners/probe/idle.js';
import { assertConformance, type ConformOptions } from './assert.js';
import { resolveApiOptions, targetText, type ApiOptions } from './options.js';

export { SetupError, UsageError, WsprobeError } from '../cli/errors.js';
export { renderText } from '../reports/text.js';
export { findingsOf, findingTitle } from '../reports/findings.js';
export type { CaseResult, Finding, RunResult, Verdict } from '../reports/schema.js';
export type { CapacityEvent, ConformanceProgress, LoadEvent, ProbeEvent, ReportFiles, RunningServer, TestClientProgress };
export type { ApiOptions, CamelCase } from './options.js';
export { assertConformance, ConformanceError, conformanceProblem, failingFindings, formatFindings, type ConformOptions } from './assert.js';

/** What every run takes besides its command's options. */
export interface RunControl<E> {
  /** ws:// or wss:// target; none (or '') starts the embedded reference server for the run. */
  url?: string | URL;
  /** Aborting stops the run; it resolves with what was measured and `interrupted: true`. */
  signal?: AbortSignal;
  /** Called with each progress event (the CLI draws its progress line from the same events). */
  onProgress?: (event: E) => void;
}

/** A fuzz progress event: a suite finished (its case, as it appears in the result). */
export type FuzzProgress = CaseResult;

export type ConformanceOptions = ApiOptions<typeof TEST_OPTIONS, 'list' | 'json' | 'out'> & RunControl<ConformanceProgress>;
/** `wsprobe test-client`'s options (no URL: wsprobe is the server; `port` defaults to 9001, 0 for any). */
export type TestClientOptions = ApiOptions<typeof TEST_CLIENT_OPTIONS, 'list' | 'json' | 'out' | 'config'> & Omit<RunControl<TestClientProgress>, 'url'>;
export type FuzzOptions = ApiOptions<typeof FUZZ_OPTIONS, 'json' | 'out' | 'emit-case'> & RunControl<FuzzProgress>;
export type LoadOptions = ApiOptions<typeof LOAD_OPTIONS, 'json' | 'out'> & RunControl<LoadEvent>;
export type CapacityOptions = ApiOptions<typeof CAPACITY_OPTIONS, 'out'> & RunControl<CapacityEvent>;
export type ProbeIdleOptions = ApiOptions<typeof PROBE_IDLE_OPTIONS, 'json' | 'out'> & RunControl<ProbeEvent>;
/** The reference server's options; unlike `wsprobe serve`, `port` defaults to 0 (the OS chooses). */
export type ServerOptions = ApiOptions<typeof SERVE_OPTIONS, 'config'>;

function hooks<E>(options: RunControl<E>): { signal?: AbortSignal; onProgress?: (event: E) => void } {
  return {
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
  };
}

/** `wsprobe test`: the conformance catalogue (or the cases `cases`/`exclude`/`quick` select). */
export async function runConformance(options: ConformanceOptions = {}): Promise<RunResult> {
  const o = resolveApiOptions(TEST_OPTIONS, options, ['list', 'json', 'out']);
  const raw = targetText(options.url);
  return executeTest(o, raw !== undefined ? parseTargetUrl(raw) : undefined, hooks(options));
}

/**
 * `wsprobe test-client`: wsprobe listens as the server, the client under test (`driver`, or any client pointed at
 * the URL of the 'listening' progress event) connects once per case; one column per agent when there are several.
 */
export async function runTestClient(options: TestClientOptions = {}): Promise<RunResult> {
  const o = resolveApiOptions(TEST_CLIENT_OPTIONS, options, ['list', 'json', 'out', 'config'], ['signal', 'onProgress']);
  return executeTestClient(o, hooks(options));
}

/** `wsprobe fuzz`: property-based fuzzing; failures carry their shrunk counterexample and replay command. */
export async function runFuzz(options: FuzzOptions = {}): Promise<RunResult> {
  const o = resolveApiOptions(FUZZ_OPTIONS, options, ['json', 'out', 'emit-case']);
  return (await executeFuzz(o, targetText(options.url), hooks(options))).result;
}

/** `wsprobe load`: holds connections; `result.load.thresholds` tells which thresholds held. */
export async function runLoad(options: LoadOptions = {}): Promise<RunResult> {
  const o = resolveApiOptions(LOAD_OPTIONS, options, ['json', 'out']);
  const raw = targetText(options.url);
  const result = await executeLoad(o, raw !== undefined ? parseTargetUrl(raw).href : '', hooks(options));
  const failure = noConnectionError(result);
  if (failure !== undefined) throw failure;
  return result;
}

/** `wsprobe capacity`: the most connections the target holds within the SLOs (`result.capacity`). */
export async function runCapacity(options: CapacityOptions = {}): Promise<RunResult> {
  const o = resolveApiOptions(CAPACITY_OPTIONS, options, ['out']);
  const raw = targetText(options.url);
  return executeCapacity(o, raw !== undefined ? parseTargetUrl(raw).href : '', hooks(options));
}

/**
 * `wsprobe probe idle`: the path's idle timeout, how idle connections end and the longest heartbeat interval that
 * kept connections alive, with a recommended interval (`result.probe`).
 */
export async function runProbeIdle(options: ProbeIdleOptions = {}): Promise<RunResult> {
  const o = resolveApiOptions(PROBE_IDLE_OPTIONS, options, ['json', 'out']);
  const raw = targetText(options.url);
  return executeProbeIdle(o, raw !== undefined ? parseTargetUrl(raw).href : '', hooks(options));
}

/** `wsprobe serve`, in process: the reference echo server. `close()` ends every connection with 1001. */
export async function startReferenceServer(options: ServerOptions = {}): Promise<RunningServer> {
  const o = resolveApiOptions(SERVE_OPTIONS, { port: 0, ...options }, ['config'], []);
  const serverOptions = serverOptionsFrom(o);
  try {
    return await startServer(serverOptions);
  } catch (err) {
    throw listenError(err as NodeJS.ErrnoException, o.host, o.port);
  }
}

/** Writes results.json, report.html and (conformance, fuzz) junit.xml into `dir`, as the CLI's --out does. */
export function writeReports(result: RunResult, dir = './wsprobe-report', options: { failOn?: 'fail' | 'non-strict' } = {}): ReportFiles {
  return writeReportFiles(result, dir, options);
}

/**
 * Runs the conformance cases against `url` (undefined: the embedded reference server) and throws a
 * ConformanceError listing the grouped findings unless every case passes at `failOn`. Resolves with the result.
 */
export async function assertConforms(url: string | URL | undefined, options: Omit<ConformanceOptions, 'url'> & Omit<ConformOptions, 'failOn'> = {}): Promise<RunResult> {
  const { casesPerFinding, ...run } = options;
  const result = await runConformance({ ...run, url });
  const failOn = run.failOn ?? 'fail';
  return assertConformance(result, { failOn, ...(casesPerFinding !== undefined ? { casesPerFinding } : {}) });
}
