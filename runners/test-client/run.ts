// The client-test runner (`wsprobe test-client`): listens as the server a WebSocket client under test connects to,
// once per case (Autobahn's fuzzingserver style, server.ts), runs the drivers that make clients connect (drivers/),
// and returns one RunResult (kind 'conformance', role 'client'; several agents side by side). It stops when every
// expected agent is done (state.ts), when every driver has ended and no external agent is awaited, after the run
// timeout, or on the abort signal; cases an agent never ran are `not-run`. Writes nothing, prints nothing.
import { performance } from 'node:perf_hooks';
import type { RunResult } from '../../reports/schema.js';
import type { ServerTlsOptions } from '../../peers/tls.js';
import type { ClientCase } from '../../suites/client/define.js';
import type { Driver } from './drivers/types.js';
import { listen, type Listener } from '../../peers/wire-server/listener.js';
import { agentResult, mergeAgents, type ResultMeta } from './result.js';
import { clientCaseTimeoutMs } from './selection.js';
import { TestClientServer, type TestClientProgress } from './server.js';

export type { TestClientProgress } from './server.js';

export interface TestClientRunOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9001 (Autobahn's); 0: any free port (the real one is in the 'listening' event and the result). */
  port?: number;
  /** Serve wss:// (and https:// for the browser page). */
  tls?: ServerTlsOptions;
  cases: readonly ClientCase[];
  /** Drivers to run (each its own agent, named after it); prepared (checked) before the server listens. */
  drivers?: readonly Driver[];
  /** External agents to wait for (--agent). */
  agents?: readonly string[];
  /** The whole run's budget (ms): cases not run by then are `not-run`. Default 600 000. */
  timeoutMs?: number;
  /** Multiplies every case's budget. Default 1. */
  timeoutScale?: number;
  /** Base seed; each case's seed derives from it and the case id. Default random, recorded. */
  seed?: number;
  /** How long a finished agent may take to call /updateReports before the run ends anyway. Default 1000 ms. */
  lingerMs?: number;
  signal?: AbortSignal;
  onProgress?: (event: TestClientProgress) => void;
  /** Recorded in RunResult.options. */
  options?: Record<string, unknown>;
  toolVersion?: string;
}

const GRACE_MS = 2000;

/** The server could not listen (port in use, no permission, unusable TLS files): `error` says why. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(readonly error: NodeJS.ErrnoException) {
    super(error.message);
  }
}

/** How the run ended, for the not-run reasons. */
type Ending = 'complete' | 'drivers-ended' | 'timeout' | 'interrupted';

export async function runTestClient(opts: TestClientRunOptions): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const baseSeed = opts.seed ?? Math.floor(Math.random() * 0x1_0000_0000);
  const timeoutScale = opts.timeoutScale ?? 1;
  const drivers = opts.drivers ?? [];
  const external = [...new Set(opts.agents ?? [])];
  for (const d of drivers) await d.prepare({ secure: opts.tls !== undefined });
  const expected = [...new Set([...external, ...drivers.map((d) => d.name)])];
  const defaultAgent = external.length === 1 ? external[0]! : 'client';
  const maxCaseMs = Math.max(1000, ...opts.cases.map((c) => clientCaseTimeoutMs(c, timeoutScale)));
  const caseWaitMs = maxCaseMs + GRACE_MS + 5000;

  let wake: () => void = () => undefined;
  const server = new TestClientServer({
    cases: opts.cases,
    expectedAgents: expected,
    defaultAgent,
    baseSeed,
    timeoutScale,
    graceMs: GRACE_MS,
    pageCaseTimeoutMs: caseWaitMs,
    ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
    onChange: () => wake(),
  });
  const host = opts.host ?? '127.0.0.1';
  let listener: Listener;
  try {
    listener = await listen({ host, port: opts.port ?? 9001, ...(opts.tls !== undefined ? { tls: opts.tls } : {}), onRequest: (i) => server.handle(i) });
  } catch (err) {
    throw new ListenError(err as NodeJS.ErrnoException);
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${listener.secure ? 'wss' : 'ws'}://${hostPart}:${listener.port}`;
  const httpUrl = `${listener.secure ? 'https' : 'http'}://${hostPart}:${listener.port}`;
  opts.onProgress?.({ type: 'listening', url, httpUrl, cases: opts.cases.length });

  const driverStop = new AbortController();
  const driverErrors = new Map<string, string>();
  let driversLeft = drivers.length;
  const running = drivers.map(async (d) => {
    opts.onProgress?.({ type: 'driver-start', driver: d.name, agent: d.name });
    let error: string | undefined;
    try {
      await d.run({
        wsBase: url,
        httpBase: httpUrl,
        agent: d.name,
        caseCount: opts.cases.length,
        secure: listener.secure,
        caseTimeoutMs: caseWaitMs,
        signal: driverStop.signal,
        report: (n, r) => {
          const c = opts.cases[n - 1];
          if (c !== undefined) server.clientReport(d.name, c.id, r);
        },
      });
    } catch (err) {
      error = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
      driverErrors.set(d.name, error);
    }
    driversLeft--;
    opts.onProgress?.({ type: 'driver-end', driver: d.name, agent: d.name, ...(error !== undefined ? { error } : {}) });
    wake();
  });

  const ending = await new Promise<Ending>((resolve) => {
    let lingerTimer: NodeJS.Timeout | undefined;
    const finish = (e: Ending): void => {
      clearTimeout(runTimer);
      clearTimeout(lingerTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      wake = () => undefined;
      resolve(e);
    };
    const onAbort = (): void => finish('interrupted');
    const runTimer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 600_000);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    wake = () => {
      if (server.state.complete()) {
        // Everything ran: a moment for the agents' /updateReports, so their drivers end cleanly.
        if (server.state.awaitingUpdate().length === 0) finish('complete');
        else lingerTimer ??= setTimeout(() => finish('complete'), opts.lingerMs ?? 1000);
      } else if (drivers.length > 0 && driversLeft === 0 && external.length === 0 && server.inFlight() === 0) {
        finish('drivers-ended');
      }
    };
    if (opts.signal?.aborted) onAbort();
    else wake();
  });

  driverStop.abort();
  await Promise.race([Promise.all(running), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  await server.stop();
  await listener.close();

  const durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
  const interrupted = ending === 'interrupted';
  const state = server.state;
  const agents = state.agentNames().length > 0 ? state.agentNames() : [defaultAgent];
  const timeoutS = Math.round((opts.timeoutMs ?? 600_000) / 1000);
  const meta: ResultMeta = {
    url,
    startedAt,
    durationMs,
    interrupted,
    toolVersion: opts.toolVersion ?? '0.0.0',
    drivers: new Map(drivers.map((d) => [d.name, d.name])),
    baseSeed,
    timeoutScale,
    options: { ...(opts.options ?? {}), ...(timeoutScale !== 1 ? { timeoutScale } : {}) },
    notRunWhy: (agent) => {
      if (interrupted) return 'not run: the run was interrupted before the client ran this case';
      const err = driverErrors.get(agent);
      if (err !== undefined) return `not run: the ${agent} driver stopped: ${err}`;
      if (state.reported(agent)) return 'not run: the client called /updateReports without running this case';
      if (ending === 'timeout') return `not run: the client did not run this case within the run timeout (${timeoutS} s)`;
      return 'not run: the run ended (another agent finished) before this client ran this case';
    },
  };
  opts.onProgress?.({ type: 'end', durationMs, interrupted });
  return mergeAgents(
    agents.map((a) => agentResult(state, a, meta)),
    agents,
    url,
  );
}
