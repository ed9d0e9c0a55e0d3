// The fuzz runner: drives each selected suite with fc.check (never fc.assert: results are data), shrinks failures,
// and returns one RunResult of kind `fuzz`, one case per suite (`fuzz.<suite>`).
//
// Throughput: fc.asyncProperty runs one value at a time, and each value is a whole connection, so a run would be
// bound by round trips. Instead `concurrency` independent fc.check workers run side by side, each with its own seed
// derived from the run seed, each on its own connections. Shrinking stays meaningful, since every property run is
// one case on one connection; once a worker finds a counterexample the others stop testing (their remaining runs
// return at once) and that worker shrinks alone. The replay token carries the failing worker's seed (and, for the
// model suite, its fc.commands replayPath), so a replay is a single sequential fc.check that runs the shrunk case
// once. Every worker builds its own suite: fc.commands records its replayPath while shrinking and must not be shared.
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { emptySummary, SCHEMA_ID, summarize, type CaseResult, type RunResult } from '../../reports/schema.js';
import type { CaseCheck, FuzzSuite, FuzzSuiteName } from '../../suites/properties/fuzz-suite.js';
import type { FuzzTarget } from '../../peers/fuzz/fuzz-target.js';
import { fuzzSuite, type SuiteOptions } from '../../suites/properties/registry.js';
import { formatReplayToken, type ReplayToken } from './replay-token.js';
import { harnessError, held, unreachable } from '../../suites/grade/grade.js';
import { inH2Words } from '../conformance/h2-grade.js';

export interface FuzzRunOptions {
  target: FuzzTarget;
  /** The URL as the user gave it (or the embedded server's), for the result and replay commands. */
  targetUrl: string;
  embedded: boolean;
  suites: readonly FuzzSuiteName[];
  /** Generated cases per suite. */
  runs: number;
  seed: number;
  /** Wall-clock budget for the whole run, in ms; suites share what is left. */
  timeLimitMs?: number;
  concurrency: number;
  /** Replays one counterexample (a single suite). */
  replay?: ReplayToken;
  signal?: AbortSignal;
  suiteOptions?: SuiteOptions;
  toolVersion: string;
  /** Builds the ready-to-paste replay command for a suite and token. */
  replayCommand(suite: FuzzSuiteName, token: string): string;
  /** Called as each suite finishes. */
  onSuite?(c: CaseResult): void;
}

/** A counterexample with everything needed to check a replay: the bytes the shrunk case sent. */
export interface FuzzFailure {
  suite: FuzzSuiteName;
  token: string;
  counterexample: string[];
  /** The shrunk value itself (a StreamCase, a HandshakeCase or model commands), for --emit-case. */
  value: unknown;
  check: CaseCheck;
}

export interface FuzzRun {
  result: RunResult;
  failures: FuzzFailure[];
  /** Cases generated and run (shrinking runs excluded), all suites. */
  cases: number;
  casesPerSecond: number;
}

/** Cases in a row that cannot connect (after the target had answered) before the target counts as gone. */
const UNREACHABLE_AFTER = 20;

/** Worker seeds: distinct, deterministic in the run seed, the suite and the worker index. */
export function workerSeed(seed: number, suiteIndex: number, worker: number): number {
  let h = (seed ^ Math.imul(suiteIndex + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = (h + Math.imul(worker, 0xc2b2ae35)) >>> 0;
  return worker === 0 && suiteIndex === 0 ? seed | 0 : h | 0;
}

interface SuiteOutcome {
  caseResult: CaseResult;
  failure: FuzzFailure | null;
  cases: number;
  interrupted: boolean;
}

async function runSuite(makeSuite: () => FuzzSuite, suiteIndex: number, opts: FuzzRunOptions, deadline: number | null): Promise<SuiteOutcome> {
  const suite = makeSuite();
  const started = performance.now();
  const workers = opts.replay ? 1 : Math.max(1, opts.concurrency);
  const perWorker = Math.max(1, Math.ceil(opts.runs / workers));
  let winner: number | null = null;
  let cases = 0;
  let shrinkRuns = 0;
  const lastFailure = new Map<number, CaseCheck>();
  const harnessErrors: string[] = [];
  /** Harness errors since the last case that ran, and the point where the target was judged gone. */
  let inARow = 0;
  let gone: { after: number; detail: string } | null = null;
  /** Cases graded non-strict, by reason code: allowed, so no counterexample, but reported. */
  const nonStrict = new Map<string, number>();

  const suites = new Map<number, FuzzSuite>();

  const worker = async (w: number) => {
    const own = w === 0 ? suite : makeSuite();
    suites.set(w, own);
    const seed = opts.replay ? opts.replay.seed : workerSeed(opts.seed, suiteIndex, w);
    const property = fc.asyncProperty(own.arbitrary, async (value) => {
      if ((winner !== null && winner !== w) || opts.signal?.aborted || gone !== null) return true;
      if (lastFailure.has(w)) shrinkRuns++;
      else cases++;
      const check = await own.check(opts.target, value);
      if (check.grade === null || check.grade.verdict === 'error') {
        // Our side failed (a connect refused mid-shrink, a harness timer): skipped, never the target's
        // counterexample, and shrinking never steers towards it.
        harnessErrors.push(check.harnessError ?? check.grade?.reason ?? 'harness error');
        // The target answered before, then nothing more: it stopped accepting connections (a crash), a finding.
        if (++inARow >= UNREACHABLE_AFTER && winner === null) gone = { after: cases, detail: harnessErrors[harnessErrors.length - 1]! };
        fc.pre(false);
      }
      inARow = 0;
      if (check.grade!.verdict !== 'fail') {
        if (check.grade!.verdict === 'non-strict') nonStrict.set(check.grade!.reasonCode, (nonStrict.get(check.grade!.reasonCode) ?? 0) + 1);
        return true;
      }
      lastFailure.set(w, check);
      winner ??= w;
      return false;
    });
    const params: fc.Parameters<[unknown]> = {
      seed,
      numRuns: opts.replay ? 1 : perWorker,
      // A replay runs the shrunk case once and stops: shrinking it again would send other bytes.
      endOnFailure: opts.replay !== undefined,
      markInterruptAsFailure: false,
    };
    if (opts.replay) params.path = opts.replay.path;
    if (deadline !== null) params.interruptAfterTimeLimit = Math.max(1, deadline - performance.now());
    const details = await fc.check(property, params);
    return { w, details };
  };
  let all: Awaited<ReturnType<typeof worker>>[];
  try {
    all = await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  } catch (err) {
    // fast-check refuses a path it cannot walk (a token from another suite or seed, or a model replayPath that does
    // not match the path): the harness could not run, the target is not to blame.
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    const caseResult: CaseResult = {
      id: `fuzz.${suite.name}`,
      title: suite.title,
      area: 'fuzz',
      rfc: suite.rfc,
      autobahn: suite.autobahn,
      ...harnessError(`the fuzz harness failed: ${message}`, 'the suite runs', message),
      durationMs: Math.round(performance.now() - started),
      transcript: [],
      numRuns: cases,
    };
    return { caseResult, failure: null, cases, interrupted: false };
  }
  const durationMs = performance.now() - started;
  const interrupted = all.some((r) => r.details.interrupted) || (opts.signal?.aborted ?? false);

  const failed = all.find((r) => r.w === winner && r.details.failed) ?? all.find((r) => r.details.failed);
  const base: CaseResult = {
    id: `fuzz.${suite.name}`,
    title: suite.title,
    area: 'fuzz',
    rfc: suite.rfc,
    autobahn: suite.autobahn,
    ...held(`${cases} generated cases held`, 'the target behaves as the RFC 6455 model predicts for every generated case', `${cases} cases, no counterexample`),
    durationMs: Math.round(durationMs),
    transcript: [],
    seed: workerSeed(opts.seed, suiteIndex, 0),
    numRuns: cases,
    metrics: { cases, casesPerSecond: Math.round((cases / Math.max(1, durationMs)) * 1000 * 10) / 10, workers },
  };
  if (opts.replay) base.seed = opts.replay.seed;
  if (nonStrict.size > 0) {
    const n = [...nonStrict.values()].reduce((a, b) => a + b, 0);
    base.observed += `; ${n} non-strict (${[...nonStrict].map(([code, k]) => `${code}: ${k}`).join(', ')})`;
    base.metrics = { ...base.metrics, nonStrict: n };
  }
  if (harnessErrors.length > 0) {
    base.observed += `; ${harnessErrors.length} skipped: wsprobe could not run them (${harnessErrors[harnessErrors.length - 1]})`;
    base.metrics = { ...base.metrics, harnessErrors: harnessErrors.length };
  }
  // Set inside the property's closure, which the compiler's narrowing does not see.
  const lost = gone as { after: number; detail: string } | null;
  if (lost !== null && failed === undefined) {
    const why = `the target stopped accepting connections after ${lost.after} cases (${UNREACHABLE_AFTER} in a row could not connect: ${lost.detail})`;
    return { caseResult: { ...base, ...unreachable(why, base.expected, base.observed) }, failure: null, cases, interrupted };
  }
  if (failed === undefined) {
    if (interrupted) base.reason += ' (stopped early: time limit or interrupt)';
    return { caseResult: base, failure: null, cases, interrupted };
  }
  const d = failed.details;
  const value = d.counterexample?.[0];
  const own = suites.get(failed.w) ?? suite;
  const replayPath = value !== undefined ? (own.replayPath?.(value) ?? null) : null;
  const token = formatReplayToken({ seed: d.seed, path: d.counterexamplePath ?? '', ...(replayPath !== null ? { replayPath } : {}) });
  const counterexample = value !== undefined ? own.describe(value) : [];
  const check = lastFailure.get(failed.w);
  const result: CaseResult = {
    ...base,
    seed: d.seed,
    path: d.counterexamplePath ?? '',
    replay: opts.replayCommand(suite.name, token),
    counterexample,
    metrics: { ...base.metrics, shrinks: d.numShrinks, shrinkRuns },
  };
  if (check === undefined || check.grade === null) {
    // The property threw, or every case was skipped: the harness failed, not the target.
    const thrown = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance ?? 'unknown error');
    const message = harnessErrors.length > 0 ? `${harnessErrors.length} case(s) could not run: ${harnessErrors[harnessErrors.length - 1]}` : thrown;
    return {
      caseResult: { ...result, ...harnessError(`the fuzz harness failed: ${message.split('\n')[0]}`, result.expected, message.split('\n')[0] ?? '') },
      failure: null,
      cases,
      interrupted,
    };
  }
  const m = check.grade;
  return {
    caseResult: {
      ...result,
      ...m,
      reason: `${m.reason} (counterexample after ${cases} cases, ${d.numShrinks} shrinks)`,
      transcript: check.transcript,
      ...(check.transcriptOmitted > 0 ? { transcriptOmitted: check.transcriptOmitted } : {}),
    },
    failure: { suite: suite.name, token, counterexample, value, check },
    cases,
    interrupted,
  };
}

export async function runFuzz(opts: FuzzRunOptions): Promise<FuzzRun> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const deadline = opts.timeLimitMs !== undefined ? t0 + opts.timeLimitMs : null;
  const cases: CaseResult[] = [];
  const failures: FuzzFailure[] = [];
  let total = 0;
  let interrupted = false;
  for (const [i, name] of opts.suites.entries()) {
    if (opts.signal?.aborted || (deadline !== null && performance.now() >= deadline)) {
      interrupted = true;
      break;
    }
    const suiteOptions = { ...opts.suiteOptions, ...(opts.replay?.replayPath !== undefined ? { model: { replayPath: opts.replay.replayPath } } : {}) };
    const out = await runSuite(() => fuzzSuite(name, suiteOptions), i, opts, deadline);
    // Over HTTP/2 the grader's "101" is RFC 8441's 200 (peers/fuzz/h2-target.ts): its words are put back.
    if (opts.target.transport !== undefined) out.caseResult = inH2Words(out.caseResult, undefined);
    cases.push(out.caseResult);
    if (out.failure) failures.push(out.failure);
    total += out.cases;
    interrupted ||= out.interrupted;
    opts.onSuite?.(out.caseResult);
  }
  const durationMs = performance.now() - t0;
  const casesPerSecond = Math.round((total / Math.max(1, durationMs)) * 1000 * 10) / 10;
  const result: RunResult = {
    schema: SCHEMA_ID,
    kind: 'fuzz',
    tool: { name: 'wsprobe', version: opts.toolVersion },
    target: { url: opts.targetUrl, ...(opts.embedded ? { embedded: true } : {}), ...(opts.target.transport ? { transport: opts.target.transport } : {}) },
    startedAt,
    durationMs: Math.round(durationMs),
    interrupted,
    summary: cases.length > 0 ? summarize(cases) : emptySummary(),
    cases,
    options: {
      suites: [...opts.suites],
      runs: opts.runs,
      seed: opts.seed,
      concurrency: opts.concurrency,
      ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}),
      ...(opts.replay ? { replay: formatReplayToken(opts.replay) } : {}),
      timeoutMs: opts.target.timeoutMs,
    },
    fuzz: { suites: [...opts.suites], seed: opts.seed, runs: opts.runs, casesPerSecond },
  };
  return { result, failures, cases: total, casesPerSecond };
}
