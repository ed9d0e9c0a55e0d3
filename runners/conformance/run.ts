// The conformance runner: schedules cases (each on its own connection, or with `http2` its own stream of one shared
// HTTP/2 connection, RFC 8441; a concurrency limit, exclusive cases alone),
// gives each a seeded Entropy and a deadline, grades what the raw peer observed, and returns one RunResult. It
// emits progress events and writes nothing: the CLI draws progress and writes files.
import { performance } from 'node:perf_hooks';
import { seededEntropy } from '../../protocol/entropy.js';
import type { ClientSession } from '../../peers/raw/client-session.js';
import { PeerConnectError, type RawPeerOptions } from '../../peers/raw/raw-peer.js';
import { openTransport, type PeerTransport } from '../../peers/raw/transport.js';
import { summarize, SCHEMA_ID, VERDICT_SEVERITY, type CaseResult, type Finding, type RunResult, type Verdict } from '../../reports/schema.js';
import {
  caseArea,
  DEFAULT_CASE_TIMEOUT_MS,
  resolveExpectation,
  type CaseContext,
  type CaseOptions,
  type ConformanceCase,
  type Expectation,
} from '../../suites/define.js';
import { h2Rule } from '../../suites/conformance/http2/rules.js';
import { describeExpectation, grade, harnessError, notRun, unreachable, type Grade } from '../../suites/grade/grade.js';
import { withoutEcho } from '../../suites/grade/match.js';
import type { TargetProfile } from '../../reports/schema.js';
import { probeProfile, statedProfile } from './profile.js';
import { TcpClosePattern, type ClosePatternOptions } from './close-watch.js';
import { preflight, type HandshakeProblem } from './preflight.js';
import { closeFindings, deathFinding, handshakeFinding, type DeathReport } from './run-findings.js';
import { gradeOverH2 } from './h2-grade.js';
import { DeathWatch, isDown, restartTarget, RestartError } from './target-death.js';

export type ConformanceProgress =
  | { type: 'start'; total: number; concurrency: number }
  | { type: 'case-start'; id: string }
  | { type: 'case-end'; id: string; verdict: Verdict; reasonCode: string; durationMs: number; done: number; total: number }
  | { type: 'end'; durationMs: number; interrupted: boolean };

export interface ConformanceRunOptions {
  url: URL;
  /** The target is wsprobe's own embedded reference server. */
  embedded?: boolean;
  cases: readonly ConformanceCase[];
  /** Cases in flight at once (default 8). */
  concurrency?: number;
  /** Cases tagged 'heavy' (megabyte transfers) in flight at once, beside the others (default 2). */
  heavyConcurrency?: number;
  /** Replaces every case's own timeout (ms). */
  timeoutMs?: number;
  /** Multiplies every case's timeout (after timeoutMs). Default 1. */
  timeoutScale?: number;
  /** Extra time after a case's deadline before the runner abandons its script (default 2000 ms). */
  graceMs?: number;
  caseOptions?: CaseOptions;
  tls?: RawPeerOptions['tls'];
  /**
   * Run every case on a stream of one shared HTTP/2 connection (RFC 8441): h2 (ALPN) for wss:, h2c (prior
   * knowledge) for ws:. The cases are the caller's selection (HTTP/1.1-only ones left out, the http2.* added).
   */
  http2?: boolean;
  /** How peers reach the target; runConformance opens it from `url`, `tls` and `http2` (tests may pass their own). */
  transport?: PeerTransport;
  /** --origin, --protocol, --header for every generated handshake. */
  handshakeDefaults?: RawPeerOptions['defaults'];
  /** Base seed; each case's seed derives from it and the case id. Default: random, recorded in the result. */
  seed?: number;
  /**
   * Connect + handshake once before the cases (default true): no connection, no answer or a non-101 throws
   * TargetSetupError; an invalid 101 is a finding (the handshake cases are graded, the others not run).
   */
  preflight?: boolean;
  /** Shell command that restarts a target that died mid-run, to confirm which case killed it (--restart-cmd). */
  restartCommand?: string;
  /** Time for the restart command and the target to accept connections again (default 30 000 ms). */
  restartTimeoutMs?: number;
  /** Shortened TCP-close waits once the target has shown it never closes TCP (close-watch.ts); false: never. */
  closePattern?: ClosePatternOptions | false;
  /**
   * Whether the target echoes (--echo / --no-echo); undefined: the pre-flight probes it (profile.ts). Without an
   * echo, cases that need one are not run (needs-echo) and the target's messages are not graded as answers.
   */
  echo?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: ConformanceProgress) => void;
  /** Recorded in RunResult.options. */
  options?: Record<string, unknown>;
  toolVersion?: string;
}

/** FNV-1a over the base seed and the case id: stable per case, independent of order and concurrency. */
export function caseSeed(base: number, id: string): number {
  let h = 0x811c9dc5 ^ (base >>> 0);
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function caseTimeoutMs(c: ConformanceCase, opts: Pick<ConformanceRunOptions, 'timeoutMs' | 'timeoutScale'>): number {
  const base = opts.timeoutMs ?? c.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  return Math.max(100, Math.round(base * (opts.timeoutScale ?? 1)));
}

interface Live {
  peer: ClientSession | null;
}

/** What the run tells one case, and learns from it. */
export interface CaseHooks {
  /** The target's 101 is invalid: a non-handshake case whose handshake fails the same way is not run. */
  handshakeProblem?: HandshakeProblem;
  closePattern?: TcpClosePattern;
  /** What the pre-flight learned (or --echo / --no-echo stated). */
  profile?: TargetProfile;
  onConnected?: () => void;
  /** Our connect failed (the grade is then `unreachable`; the run decides whether the target died). */
  onConnectFailed?: (detail: string) => void;
}

function caseBase(c: ConformanceCase, opts: ConformanceRunOptions, baseSeed: number) {
  return { id: c.id, title: c.title, area: caseArea(c.id), rfc: c.rfc, autobahn: c.autobahn, timeoutMs: caseTimeoutMs(c, opts), seed: caseSeed(baseSeed, c.id) };
}

/** A case that could not run: not graded, no transcript. */
function notRunResult(c: ConformanceCase, opts: ConformanceRunOptions, baseSeed: number, code: 'handshake-broken' | 'target-died' | 'needs-echo', reason: string): CaseResult {
  let expected = '';
  try {
    expected = describeExpectation(resolveExpectation(c, opts.caseOptions ?? {}));
  } catch {
    // the case's own error shows when it runs
  }
  return { ...caseBase(c, opts, baseSeed), ...notRun(code, reason, expected), durationMs: 0, transcript: [] };
}

/** The case expects the target to fail the connection (its close then ends a failure, not a normal closing). */
function expectsFailure(e: Expectation): boolean {
  if (e.kind === 'negotiated') return expectsFailure(e.then);
  if (e.kind === 'handshake') return e.then !== undefined && expectsFailure(e.then);
  return e.kind === 'fail';
}

function isHandshakeCase(c: ConformanceCase, e: Expectation): boolean {
  return caseArea(c.id) === 'handshake' || caseArea(c.id) === 'http2' || e.kind === 'handshake';
}

/** Runs one case to a graded result. Never throws: harness failures become verdict 'error'. */
export async function runCase(c: ConformanceCase, opts: ConformanceRunOptions, baseSeed: number, live: Live = { peer: null }, hooks: CaseHooks = {}): Promise<CaseResult> {
  const start = performance.now();
  const base = caseBase(c, opts, baseSeed);
  const { timeoutMs, seed } = base;
  const deadline = start + timeoutMs;
  const caseOptions = opts.caseOptions ?? {};
  let expect: Expectation;
  try {
    expect = resolveExpectation(c, caseOptions);
  } catch (err) {
    return { ...base, ...errorGrade(`the case's expectation could not be built: ${message(err)}`), durationMs: 0, transcript: [] };
  }
  const echo = hooks.profile?.echo !== false;
  if (!echo) {
    const adapted = withoutEcho(expect, hooks.profile?.closesOnUnknown === true);
    if ('reason' in adapted) return notRunResult(c, opts, baseSeed, 'needs-echo', `not run: ${adapted.reason}`);
    expect = adapted.expect;
  }
  const transport = opts.transport ?? openTransport({ url: opts.url, tls: opts.tls, http2: opts.http2 });
  let peer: ClientSession;
  try {
    peer = await transport.connect({ entropy: seededEntropy(seed), defaults: opts.handshakeDefaults, deadline, startedAt: start });
  } catch (err) {
    const durationMs = performance.now() - start;
    if (err instanceof PeerConnectError) {
      hooks.onConnectFailed?.(err.message);
      return {
        ...base,
        ...unreachable(`the target stopped accepting connections: ${err.message}`, describeExpectation(expect), `no connection (${err.kind})`),
        durationMs,
        transcript: [{ t: round(durationMs), dir: 'local', kind: 'tcp', text: err.message }],
      };
    }
    return { ...base, ...errorGrade(message(err), expect), durationMs, transcript: [] };
  }
  live.peer = peer;
  hooks.onConnected?.();
  const closeWatch = hooks.closePattern?.watch(peer, expectsFailure(expect));
  const extraPeers: ClientSession[] = [];
  const ctx: CaseContext = {
    options: echo ? caseOptions : { ...caseOptions, echo: false },
    timeoutMs,
    seed,
    async openPeer(spec) {
      let extra: ClientSession;
      try {
        // Over HTTP/2 a stream beside the case's own, on the same connection (RFC 8441: many WebSockets on one).
        const seeded = seededEntropy((seed + extraPeers.length + 1) >>> 0);
        extra = await transport.connectBeside(peer, { entropy: seeded, defaults: opts.handshakeDefaults, deadline, startedAt: start });
      } catch (err) {
        if (err instanceof PeerConnectError) return null;
        throw err;
      }
      extraPeers.push(extra);
      if (spec !== 'manual') await extra.handshake(spec ?? {});
      return extra;
    },
  };
  let g: Grade;
  let timer: NodeJS.Timeout | undefined;
  try {
    const script = (async (): Promise<void> => {
      if (c.handshake !== 'manual') {
        const hs = await peer.handshake(c.handshake ?? {});
        if (!hs.ok) return;
      }
      await c.run(peer, ctx);
    })();
    const guard = new Promise<'guard'>((resolve) => {
      timer = setTimeout(() => resolve('guard'), timeoutMs + (opts.graceMs ?? 2000));
    });
    const outcome = await Promise.race([script.then(() => 'done' as const), guard]);
    if (outcome === 'guard') {
      peer.markTimedOut();
      peer.destroy();
      script.catch(() => undefined);
    } else if (performance.now() > deadline) {
      peer.observation().timedOut = true;
    }
    const input = { expect, observation: peer.observation(), rfc: c.rfc, timeoutMs, echo };
    g = transport.kind === 'tcp' ? grade(input) : gradeOverH2(input, h2Rule(c.id));
  } catch (err) {
    g = errorGrade(`the case script threw: ${message(err)}`, expect);
  } finally {
    clearTimeout(timer);
    closeWatch?.stop();
  }
  peer.destroy();
  for (const extra of extraPeers) extra.destroy();
  live.peer = null;
  const obs = peer.observation();
  const problem = hooks.handshakeProblem;
  if (problem && obs.handshake?.ok === false && obs.handshake.rejection?.id === problem.id && !isHandshakeCase(c, expect)) {
    g = notRun('handshake-broken', `not run: ${problem.message}, as for every connection, so the case could not start`, describeExpectation(expect));
  }
  const note = closeWatch ? hooks.closePattern!.learn(c.id, obs, timeoutMs, closeWatch) : null;
  if (note !== null && g.reasonCode === 'unclean-close') g = { ...g, reason: `${g.reason}${note}` };
  const { entries, omitted } = peer.transcript();
  const result: CaseResult = { ...base, ...g, durationMs: round(performance.now() - start), transcript: entries };
  if (omitted > 0) result.transcriptOmitted = omitted;
  const metrics: Record<string, number> = { ...obs.metrics };
  if (obs.handshake?.ms !== undefined) metrics.handshakeMs = obs.handshake.ms;
  if (Object.keys(metrics).length > 0) result.metrics = metrics;
  return result;
}

function errorGrade(reason: string, expect?: Expectation): Grade {
  return harnessError(reason, expect ? describeExpectation(expect) : '');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Runs the cases and returns the RunResult (interrupted: true when the signal fired; unfinished cases are left out). */
export async function runConformance(opts: ConformanceRunOptions): Promise<RunResult> {
  const transport = opts.transport ?? openTransport({ url: opts.url, tls: opts.tls, http2: opts.http2 });
  try {
    return await runAll({ ...opts, transport });
  } finally {
    if (opts.transport === undefined) await transport.close();
  }
}

async function runAll(opts: ConformanceRunOptions & { transport: PeerTransport }): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const baseSeed = opts.seed ?? Math.floor(Math.random() * 0x1_0000_0000);
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 8));
  const reach = { url: opts.url, tls: opts.tls, defaults: opts.handshakeDefaults, transport: opts.transport };
  const pre = opts.preflight !== false ? await preflight(reach) : undefined;
  const profile = opts.echo !== undefined ? statedProfile(opts.echo) : pre && !pre.problem ? await probeProfile(reach) : undefined;

  const cases = [...opts.cases];
  const results = new Map<string, CaseResult>();
  const live = new Set<Live>();
  let done = 0;
  const aborted = (): boolean => opts.signal?.aborted === true;
  const onAbort = (): void => {
    for (const l of live) l.peer?.destroy();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  opts.onProgress?.({ type: 'start', total: cases.length, concurrency });
  const target = { url: opts.url, tls: opts.tls };
  const death = new DeathWatch();
  const closePattern = opts.closePattern === false ? undefined : new TcpClosePattern(opts.closePattern);
  const record = (r: CaseResult): void => {
    results.set(r.id, r);
    done++;
    opts.onProgress?.({ type: 'case-end', id: r.id, verdict: r.verdict, reasonCode: r.reasonCode, durationMs: r.durationMs, done, total: cases.length });
  };

  /** Runs a case; undefined when it could not connect because the target is down (it is then not run). */
  const attempt = async (c: ConformanceCase, l: Live = { peer: null }): Promise<CaseResult | undefined> => {
    let refused: string | null = null;
    const hooks: CaseHooks = {
      ...(pre?.problem ? { handshakeProblem: pre.problem } : {}),
      ...(closePattern ? { closePattern } : {}),
      ...(profile ? { profile } : {}),
      onConnected: () => death.connected(c.id),
      onConnectFailed: (detail) => (refused = detail),
    };
    const r = await runCase(c, opts, baseSeed, l, hooks);
    death.ended(c.id);
    if (refused === null) return r;
    // A refused connect is a crash only when probes confirm it (a full accept backlog is not); else run it again.
    if (await death.refused(c.id, refused, target)) return undefined;
    return runCase(c, opts, baseSeed, l, hooks);
  };

  const runOne = async (c: ConformanceCase): Promise<void> => {
    if (aborted() || death.dead) return;
    opts.onProgress?.({ type: 'case-start', id: c.id });
    const l: Live = { peer: null };
    live.add(l);
    const r = await attempt(c, l);
    live.delete(l);
    if (aborted() || r === undefined) return;
    record(r);
  };

  // Light cases through one pool, heavy ones (megabytes) through a smaller pool beside it, so a few big transfers
  // cannot starve the many small round trips; exclusive ones (timing measurements) afterwards, one at a time.
  // Nothing new starts once the target has died.
  const isHeavy = (c: ConformanceCase): boolean => (c.tags ?? []).includes('heavy');
  const light = cases.filter((c) => !c.exclusive && !isHeavy(c));
  const heavy = cases.filter((c) => !c.exclusive && isHeavy(c));
  const exclusive = cases.filter((c) => c.exclusive);
  const pool = (list: ConformanceCase[], width: number): Promise<void>[] => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < list.length && !aborted() && !death.dead) await runOne(list[next++]!);
    };
    return Array.from({ length: Math.min(width, list.length) }, worker);
  };
  const heavyConcurrency = Math.max(1, Math.min(concurrency, Math.floor(opts.heavyConcurrency ?? 2)));
  await Promise.all([...pool(light, concurrency), ...pool(heavy, heavyConcurrency)]);
  for (const c of exclusive) {
    if (aborted() || death.dead) break;
    await runOne(c);
  }

  const findings: Finding[] = [];
  if (death.death && !aborted()) {
    const d = death.death;
    const suspects = death.suspects(cases.map((c) => c.id));
    const report: DeathReport = { refusedAt: d.caseId, suspects };
    if (opts.restartCommand !== undefined) {
      report.killers = [];
      // Each case that was in flight, alone, against a freshly restarted target: the one that leaves it dead killed it.
      for (const id of suspects) {
        if (aborted()) break;
        try {
          await restartTarget(opts.restartCommand, target, opts.restartTimeoutMs ?? 30_000);
        } catch (err) {
          if (!(err instanceof RestartError)) throw err;
          report.restartError = err.message;
          break;
        }
        const c = cases.find((x) => x.id === id)!;
        let refused: string | null = null;
        let r = await runCase(c, opts, baseSeed, undefined, { ...(profile ? { profile } : {}), onConnectFailed: (detail) => (refused = detail) });
        if (refused !== null) {
          report.restartError = `the target refused a connection right after --restart-cmd (${refused})`;
          break;
        }
        if (await isDown(target)) {
          report.killers.push(id);
          const after = 'afterwards the target stopped accepting connections (the case ran alone against a restarted target)';
          r = VERDICT_SEVERITY[r.verdict] >= VERDICT_SEVERITY.fail ? { ...r, reason: `${r.reason}; ${after}` } : { ...r, ...unreachable(`${after[0]!.toUpperCase()}${after.slice(1)}`, r.expected, r.observed) };
        }
        results.set(id, r);
      }
    }
    const why = `not run: the target stopped accepting connections (${d.detail}) during the run`;
    for (const c of cases) if (!results.has(c.id)) record(notRunResult(c, opts, baseSeed, 'target-died', why));
    const f = deathFinding(report, cases.map((c) => results.get(c.id)!));
    if (f) findings.push(f);
  }
  opts.signal?.removeEventListener('abort', onAbort);

  const ordered = cases.map((c) => results.get(c.id)).filter((r): r is CaseResult => r !== undefined);
  if (pre?.problem) {
    const f = handshakeFinding(pre.problem, ordered);
    if (f) findings.push(f);
  }
  if (closePattern) findings.push(...closeFindings(closePattern, ordered));
  const durationMs = round(performance.now() - t0);
  opts.onProgress?.({ type: 'end', durationMs, interrupted: aborted() });
  const result: RunResult = {
    schema: SCHEMA_ID,
    kind: 'conformance',
    tool: { name: 'wsprobe', version: opts.toolVersion ?? '0.0.0' },
    target: {
      url: opts.url.href,
      ...(opts.embedded ? { embedded: true } : {}),
      ...(profile ? { profile } : {}),
      ...(opts.transport.kind !== 'tcp' ? { transport: opts.transport.kind } : {}),
    },
    startedAt,
    durationMs,
    interrupted: aborted(),
    summary: summarize(ordered),
    cases: ordered,
    ...(findings.length > 0 ? { findings } : {}),
    options: {
      ...(opts.options ?? {}),
      seed: baseSeed,
      concurrency,
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.timeoutScale !== undefined ? { timeoutScale: opts.timeoutScale } : {}),
      ...(opts.caseOptions?.maxPayload !== undefined ? { maxPayload: opts.caseOptions.maxPayload } : {}),
      casesSelected: cases.length,
    },
  };
  return result;
}
