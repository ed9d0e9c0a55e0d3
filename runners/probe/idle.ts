// `wsprobe probe idle`: finds the idle timeout of the path to a WebSocket target (a proxy or load balancer that ends
// quiet connections), how it ends them, and which heartbeat intervals keep connections alive. A pre-flight checks
// that the target answers a probe at all; then rounds of silent connections bisect the timeout (plan.ts,
// rounds.ts) while one connection per --heartbeats interval heartbeats for the whole probe (heartbeats.ts).
import { performance } from 'node:perf_hooks';
import { emptySummary, SCHEMA_ID, type ProbeConnection, type ProbeEnding, type ProbeHeartbeat, type ProbeRound, type ProbeSection, type RunResult } from '../../reports/schema.js';
import { describeEnding, endingKey, openConnection, probeOnce, type ProbeTarget } from './connections.js';
import { HeartbeatConnections } from './heartbeats.js';
import { consistent, EMPTY_BRACKET, estimateTimeout, formatS, isDone, MAX_ROUNDS, narrow, nextSilences, recommend, type Bracket } from './plan.js';
import { runRound } from './rounds.js';

export interface IdleProbeOptions extends ProbeTarget {
  /** The target is the embedded reference server. */
  embedded: boolean;
  maxS: number;
  resolutionS: number;
  /** Silent connections per round. */
  connections: number;
  heartbeatsS: number[];
  expectAtLeastS?: number;
  /** Recorded in the result as given. */
  options?: Record<string, unknown>;
}

export type ProbeEvent =
  | { type: 'start'; url: string; heartbeatsS: number[] }
  | { type: 'round-start'; round: number; silencesS: number[] }
  | { type: 'killed'; round: number; connection: ProbeConnection }
  | { type: 'round-done'; round: number; survivedS: number; killedS: number | null; durationS: number }
  | { type: 'heartbeats-wait'; seconds: number };

export interface IdleProbeHooks {
  signal?: AbortSignal;
  onEvent?: (e: ProbeEvent) => void;
  toolVersion: string;
}

/** The target cannot be probed: unreachable, no 101, or no answer to a probe right after the handshake. */
export class ProbeSetupError extends Error {
  override readonly name = 'ProbeSetupError';
}

/** The whole probe stops by then, whatever the path does: rounds after the first are bounded by the timeout found. */
export function hardCapMs(maxS: number, probeTimeoutMs: number): number {
  return 4 * (maxS * 1000 + probeTimeoutMs) + 30_000;
}

async function preflight(t: ProbeTarget): Promise<void> {
  const o = await openConnection(t);
  if (!o.ok) throw new ProbeSetupError(`cannot probe ${t.url.href}: ${o.error}`);
  try {
    const answer = await probeOnce(t, o.conn);
    if (answer.kind === 'answered') return;
    const hint = t.appHeartbeat !== undefined ? '' : ' (for an application that ignores pings, give --app-heartbeat)';
    const what = t.appHeartbeat !== undefined ? 'the --app-heartbeat message with its reply' : 'a WebSocket ping with a pong';
    const how = answer.kind === 'ended' ? `closed the connection instead of answering ${what}` : `did not answer ${what} within ${t.probeTimeoutMs / 1000} s`;
    throw new ProbeSetupError(`cannot probe ${t.url.href}: right after the handshake the target ${how}${hint}`);
  } finally {
    o.conn.close(true);
  }
}

export async function runIdleProbe(o: IdleProbeOptions, hooks: IdleProbeHooks): Promise<RunResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const deadline = t0 + hardCapMs(o.maxS, o.probeTimeoutMs);
  const elapsedS = (): number => (performance.now() - t0) / 1000;
  const emit = (e: ProbeEvent): void => hooks.onEvent?.(e);
  await preflight(o);
  emit({ type: 'start', url: o.url.href, heartbeatsS: o.heartbeatsS });

  const heartbeats = new HeartbeatConnections(o, o.heartbeatsS);
  const heartbeatsStarted = heartbeats.start();
  let bracket: Bracket = EMPTY_BRACKET;
  const rounds: ProbeRound[] = [];
  const observedEnds: number[] = [];
  const targetTraffic = { pings: 0, messages: 0 };
  while (hooks.signal?.aborted !== true && performance.now() < deadline && rounds.length < MAX_ROUNDS) {
    const silences = nextSilences(bracket, o.maxS, o.resolutionS, o.connections);
    if (silences.length === 0) break;
    const index = rounds.length + 1;
    emit({ type: 'round-start', round: index, silencesS: silences });
    const { round, outcomes, traffic } = await runRound(
      {
        target: o,
        deadline,
        ...(hooks.signal !== undefined ? { signal: hooks.signal } : {}),
        elapsedS,
        onKilled: (_s, c) => emit({ type: 'killed', round: index, connection: c }),
      },
      silences,
    );
    bracket = narrow(bracket, outcomes);
    targetTraffic.pings += traffic.pings;
    targetTraffic.messages += traffic.messages;
    round.survivedS = bracket.survivedS;
    round.killedS = bracket.killedS;
    rounds.push(round);
    for (const c of round.connections) if (c.outcome === 'killed' && c.ending?.how !== 'silent-drop' && c.endedAfterS !== undefined) observedEnds.push(c.endedAfterS);
    emit({ type: 'round-done', round: index, survivedS: bracket.survivedS, killedS: bracket.killedS, durationS: round.durationS });
    if (!consistent(bracket)) break;
    // A round in which no connection opened would repeat forever.
    if (round.connections.every((c) => c.outcome === 'failed')) break;
  }

  await heartbeatsStarted;
  const timeoutS = consistent(bracket) ? estimateTimeout(bracket, observedEnds, o.resolutionS) : null;
  if (hooks.signal?.aborted !== true && bracket.killedS !== null) {
    const until = Math.min(deadline, heartbeats.settleBy(bracket.killedS, o.probeTimeoutMs));
    if (!heartbeats.settled(bracket.killedS)) emit({ type: 'heartbeats-wait', seconds: Math.max(0, Math.round((until - performance.now()) / 100) / 10) });
    await heartbeats.waitSettled(bracket.killedS, until, hooks.signal);
  }
  const noTimeout = bracket.killedS === null && isDone(bracket, o.maxS, o.resolutionS);
  const beats = await heartbeats.stop(bracket.killedS, o.appHeartbeat !== undefined ? 'app' : 'ping', noTimeout);

  const probe = buildSection(o, { bracket, rounds, beats, timeoutS, complete: isDone(bracket, o.maxS, o.resolutionS) && consistent(bracket), targetTraffic });
  return {
    schema: SCHEMA_ID,
    kind: 'probe',
    tool: { name: 'wsprobe', version: hooks.toolVersion },
    target: { url: o.url.href, ...(o.embedded ? { embedded: true } : {}) },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    interrupted: hooks.signal?.aborted === true,
    summary: emptySummary(),
    cases: [],
    ...(o.options !== undefined ? { options: o.options } : {}),
    probe,
  };
}

interface Found {
  bracket: Bracket;
  rounds: ProbeRound[];
  beats: ProbeHeartbeat[];
  timeoutS: number | null;
  complete: boolean;
  targetTraffic: { pings: number; messages: number };
}

/** How the killed silent connections ended, grouped, most common first. */
export function groupEndings(rounds: readonly ProbeRound[]): (ProbeEnding & { count: number })[] {
  const groups = new Map<string, ProbeEnding & { count: number }>();
  for (const c of rounds.flatMap((r) => r.connections)) {
    if (c.outcome !== 'killed' || c.ending === undefined) continue;
    const key = endingKey(c.ending);
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { ...c.ending, count: 1 });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function buildSection(o: IdleProbeOptions, f: Found): ProbeSection {
  const kept = f.beats.filter((b) => b.verdict === 'kept-alive').map((b) => b.intervalS);
  const longestKeptAliveS = kept.length > 0 ? Math.max(...kept) : null;
  const warnings: string[] = [];
  if (!consistent(f.bracket)) {
    warnings.push(`the path is not consistent: a connection survived ${formatS(f.bracket.survivedS)} of silence but another was killed after ${formatS(f.bracket.killedS!)}`);
  } else if (!f.complete) warnings.push('the search stopped before the bracket was within --resolution (interrupted, or the time cap)');
  const failed = f.rounds.flatMap((r) => r.connections).filter((c) => c.outcome === 'failed');
  if (failed.length > 0) warnings.push(`${failed.length} probe connection${failed.length === 1 ? '' : 's'} did not open: ${failed[0]!.error}`);
  if (f.targetTraffic.pings > 0 || f.targetTraffic.messages > 0) {
    warnings.push(`the target sent ${f.targetTraffic.pings} pings and ${f.targetTraffic.messages} messages on connections meant to be silent: each resets the path's idle timer`);
  }
  const section: ProbeSection = {
    check: 'idle',
    maxS: o.maxS,
    resolutionS: o.resolutionS,
    probeTimeoutS: o.probeTimeoutMs / 1000,
    connectionsPerRound: o.connections,
    idleTimeoutS: f.timeoutS,
    survivedS: Math.round(f.bracket.survivedS * 1000) / 1000,
    killedS: f.bracket.killedS === null ? null : Math.round(f.bracket.killedS * 1000) / 1000,
    consistent: consistent(f.bracket),
    complete: f.complete,
    endings: groupEndings(f.rounds),
    rounds: f.rounds,
    heartbeats: f.beats,
    longestKeptAliveS,
    recommended: recommend(f.timeoutS, longestKeptAliveS),
    warnings,
  };
  if (f.targetTraffic.pings > 0 || f.targetTraffic.messages > 0) section.targetTraffic = f.targetTraffic;
  if (o.expectAtLeastS !== undefined) section.expectation = expectation(o.expectAtLeastS, section);
  return section;
}

/** --expect-idle-at-least: fails when the timeout found is shorter, or when the search could not tell. */
export function expectation(atLeastS: number, p: Pick<ProbeSection, 'idleTimeoutS' | 'killedS' | 'consistent' | 'maxS'>): NonNullable<ProbeSection['expectation']> {
  if (!p.consistent) return { atLeastS, ok: p.killedS === null || p.killedS >= atLeastS, message: `the path's timeout varies; the shortest silence that killed was ${formatS(p.killedS!)}` };
  if (p.idleTimeoutS === null) return { atLeastS, ok: true, message: `no idle timeout up to ${formatS(p.maxS)} (at least ${formatS(atLeastS)} expected)` };
  const ok = p.idleTimeoutS >= atLeastS;
  return { atLeastS, ok, message: `idle timeout ${formatS(p.idleTimeoutS)} is ${ok ? 'at least' : 'shorter than'} the expected ${formatS(atLeastS)}` };
}

export { describeEnding };
