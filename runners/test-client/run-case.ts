// One client case on one connection: the client under test has connected and sent its opening handshake (read by
// the listener); the case answers it (its `response`, a correct 101 by default), acts through the ServerPeer, and
// the one grader judges what the client did. Mirrors runners/conformance/run.ts's runCase: a seeded Entropy per
// case, a deadline with a guard after it, and a CaseResult in the same form (transcript, metrics), so reports, merge
// and compare treat client runs like server runs. Never throws: harness failures become verdict 'error'.
import { performance } from 'node:perf_hooks';
import type { CaseResult } from '../../reports/schema.js';
import { caseArea } from '../../suites/define.js';
import { resolveClientExpectation, type ClientCase, type ClientCaseContext, type ClientExpectation } from '../../suites/client/define.js';
import { describeClientExpectation, gradeClient } from '../../suites/grade/client.js';
import { harnessError, type Grade } from '../../suites/grade/grade.js';
import { WireServerPeer } from '../../peers/wire-server/wire-server-peer.js';
import { caseSeed } from '../conformance/run.js';
import type { Incoming } from '../../peers/wire-server/listener.js';
import { clientCaseTimeoutMs } from './selection.js';

export interface ClientCaseOptions {
  /** The run's base seed; each case's seed derives from it and the case id (same as server cases). */
  baseSeed: number;
  /** Multiplies every case's budget. Default 1. */
  timeoutScale?: number;
  /** Extra time after a case's deadline before the runner abandons its script (default 2000 ms). */
  graceMs?: number;
}

/** What a CaseResult starts from before it is graded. */
export function clientCaseBase(c: ClientCase, opts: ClientCaseOptions): Omit<CaseResult, 'verdict' | 'reasonCode' | 'reason' | 'expected' | 'observed' | 'durationMs' | 'transcript'> {
  return { id: c.id, title: c.title, area: caseArea(c.id), rfc: c.rfc, autobahn: c.autobahn, timeoutMs: clientCaseTimeoutMs(c, opts.timeoutScale), seed: caseSeed(opts.baseSeed, c.id) };
}

/** The live peer of a case in flight, so an interrupted run can end it at once. */
export interface LiveCase {
  peer: WireServerPeer | null;
}

/** Runs `c` on the connection `incoming`. */
export async function runClientCase(c: ClientCase, incoming: Incoming, opts: ClientCaseOptions, live: LiveCase = { peer: null }): Promise<CaseResult> {
  const start = performance.now();
  const base = clientCaseBase(c, opts);
  const timeoutMs = base.timeoutMs!;
  const seed = base.seed!;
  const deadline = start + timeoutMs;
  let peer: WireServerPeer;
  try {
    peer = WireServerPeer.accept({ socket: incoming.socket, head: incoming.head, leftover: incoming.leftover, seed, deadlineMs: deadline, startedAt: start });
  } catch (err) {
    incoming.socket.destroy();
    return { ...base, ...harnessError(`the connection could not be taken over: ${message(err)}`), durationMs: round(performance.now() - start), transcript: [] };
  } finally {
    incoming.release();
  }
  live.peer = peer;
  let expect: ClientExpectation | undefined;
  let g: Grade;
  let timer: NodeJS.Timeout | undefined;
  try {
    expect = resolveClientExpectation(c, peer.request);
    const ctx: ClientCaseContext = { timeoutMs, seed };
    const script = (async (): Promise<void> => {
      if (c.response !== 'manual') await peer.respond(c.response ?? {});
      await c.run(peer, ctx);
    })();
    const guard = new Promise<'guard'>((resolve) => {
      timer = setTimeout(() => resolve('guard'), Math.max(0, deadline - performance.now()) + (opts.graceMs ?? 2000));
    });
    const outcome = await Promise.race([script.then(() => 'done' as const), guard]);
    if (outcome === 'guard') {
      peer.markTimedOut();
      peer.destroy();
      script.catch(() => undefined);
    } else {
      if (performance.now() > deadline) peer.markTimedOut();
      // The server closes TCP first (RFC 6455 §7.1.1); a script that stopped without closing leaves a bounded wait.
      if (!peer.ended) await peer.finished();
    }
    g = gradeClient({ expect, observation: peer.observation(), rfc: c.rfc, timeoutMs });
  } catch (err) {
    g = harnessError(`the case script threw: ${message(err)}`, expect !== undefined ? describeClientExpectation(expect) : '');
  } finally {
    clearTimeout(timer);
  }
  peer.destroy();
  await peer.finished();
  live.peer = null;
  const obs = peer.observation();
  const { entries, omitted } = peer.transcript();
  const result: CaseResult = { ...base, ...g, durationMs: round(performance.now() - start), transcript: entries };
  if (omitted > 0) result.transcriptOmitted = omitted;
  if (Object.keys(obs.metrics).length > 0) result.metrics = { ...obs.metrics };
  return result;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

export function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
