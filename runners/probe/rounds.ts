// One round of the idle search: N silent connections opened together, each probed once after its own silence.
// A connection the path ends before its probe time tells the exact silence that killed it; one that is still open
// at its probe time is probed (a ping, or the application heartbeat) and either answers (survived), ends (killed),
// or stays silent (killed: a silent drop). Once a silence killed, connections waiting for longer ones cannot
// narrow the bracket: they stop waiting, but stay open until the round ends, so the path's own ends of them are
// still counted.
import { performance } from 'node:perf_hooks';
import type { IdleConnection, IdleEnd } from '../../peers/probe/idle-connection.js';
import type { ProbeConnection, ProbeRound } from '../../reports/schema.js';
import { endingOf, openConnection, probeOnce, SILENT_DROP, type ProbeTarget } from './connections.js';
import type { RoundOutcome } from './plan.js';

export interface RoundContext {
  target: ProbeTarget;
  /** performance.now() at which the whole probe must stop. */
  deadline: number;
  signal?: AbortSignal;
  /** Seconds since the probe began. */
  elapsedS(): number;
  onKilled?(silenceS: number, c: ProbeConnection): void;
}

interface Watch {
  silenceS: number;
  conn: IdleConnection | null;
  record: ProbeConnection;
  /** Set when waiting on can no longer narrow the bracket (or the probe stops); wakes the watcher. */
  stop: () => void;
  stopped: boolean;
  /** Resolves at stop(). */
  wakeUp: Promise<void>;
  /** The probe ping is out: its outcome is awaited rather than cut short. */
  probing: boolean;
}

const TCP_END_GRACE_MS = 1000;

export interface RoundRun {
  round: ProbeRound;
  outcomes: RoundOutcome[];
  /** Frames the target sent by itself on these silent connections. */
  traffic: { pings: number; messages: number };
}

/** Runs one round; returns its record and the outcomes that narrow the bracket. */
export async function runRound(ctx: RoundContext, silencesS: readonly number[]): Promise<RoundRun> {
  const startS = ctx.elapsedS();
  const outcomes: RoundOutcome[] = [];
  let shortestKill = Infinity;
  const watches: Watch[] = [];

  const killed = (w: Watch, afterS: number): void => {
    outcomes.push({ killedAtS: afterS });
    ctx.onKilled?.(w.silenceS, w.record);
    if (afterS < shortestKill) {
      shortestKill = afterS;
      for (const other of watches) if (other !== w && !other.probing && other.silenceS >= afterS) other.stop();
    }
  };

  const opened = await Promise.all(silencesS.map(() => openConnection(ctx.target)));
  for (const [i, o] of opened.entries()) {
    const silenceS = silencesS[i]!;
    let wake: () => void = () => undefined;
    const wakeUp = new Promise<void>((resolve) => (wake = resolve));
    const w: Watch = {
      silenceS,
      conn: o.ok ? o.conn : null,
      record: o.ok ? { silenceS, outcome: 'cancelled' } : { silenceS, outcome: 'failed', error: o.error },
      stopped: false,
      wakeUp,
      probing: false,
      stop: () => {
        w.stopped = true;
        wake();
      },
    };
    watches.push(w);
  }
  const stopAll = (): void => watches.forEach((w) => w.stop());
  ctx.signal?.addEventListener('abort', stopAll, { once: true });
  const deadlineTimer = setTimeout(stopAll, Math.max(0, ctx.deadline - performance.now()));

  const watch = async (w: Watch): Promise<void> => {
    const conn = w.conn;
    if (conn === null) return;
    // Our own silence is what is planned: frames the target sends by itself (pings, answered) reset the path's
    // timer but not this wait, so a target that keeps its connections busy is probed on time and reported.
    const probeAt = conn.openedAt + w.silenceS * 1000;
    while (!w.stopped && !conn.ended && performance.now() < probeAt) await Promise.race([conn.waitUntilOrEnd(probeAt), w.wakeUp]);
    if (conn.end !== null) {
      w.record = { silenceS: w.silenceS, outcome: 'killed', endedAfterS: round3(conn.end.silenceS), ending: endingOf(conn.end) };
      killed(w, conn.end.silenceS);
      return;
    }
    if (w.stopped) return;
    w.probing = true;
    // The silence actually tested: the timer may fire a little after the planned one.
    const testedS = Math.max(w.silenceS, (performance.now() - conn.openedAt) / 1000);
    const answer = await probeOnce(ctx.target, conn);
    if (answer.kind === 'answered') {
      w.record = { silenceS: w.silenceS, outcome: 'survived', rttMs: Math.round(answer.rttMs * 1000) / 1000 };
      outcomes.push({ survivedS: testedS });
    } else {
      // The check above narrowed conn.end to null; the probe's await may have changed it.
      const end = (conn as { end: IdleEnd | null }).end;
      const ending = answer.kind === 'ended' && end !== null ? endingOf(end) : SILENT_DROP;
      w.record = { silenceS: w.silenceS, outcome: 'killed', endedAfterS: round3(testedS), ending };
      killed(w, testedS);
    }
  };

  try {
    await Promise.all(watches.map(watch));
  } finally {
    clearTimeout(deadlineTimer);
    ctx.signal?.removeEventListener('abort', stopAll);
  }
  // A connection that stopped waiting may be ended by the path too, a moment later (its handshake finished a
  // moment later): that end is evidence as well, so each gets until its own silence passes the shortest kill by
  // a little (at most a quarter second) before the round closes it.
  if (Number.isFinite(shortestKill)) {
    const graceS = Math.min(0.25, ctx.target.probeTimeoutMs / 1000);
    const latest = performance.now() + 1000;
    const until = (conn: IdleConnection): number => Math.min(latest, conn.lastTrafficAt + (shortestKill + graceS) * 1000);
    await Promise.all(watches.map((w) => (w.record.outcome === 'cancelled' && w.conn !== null && !w.conn.ended ? w.conn.waitUntilOrEnd(until(w.conn)) : undefined)));
  }
  for (const w of watches) {
    const conn = w.conn;
    if (conn === null) continue;
    if (w.record.outcome === 'cancelled' && conn.end !== null) {
      w.record = { silenceS: w.silenceS, outcome: 'killed', endedAfterS: round3(conn.end.silenceS), ending: endingOf(conn.end) };
      outcomes.push({ killedAtS: conn.end.silenceS });
    }
  }
  await finish(watches);
  const traffic = { pings: 0, messages: 0 };
  for (const w of watches) {
    traffic.pings += w.conn?.targetPings ?? 0;
    traffic.messages += w.conn?.targetMessages ?? 0;
  }
  return {
    traffic,
    round: {
      startS: round3(startS),
      durationS: round3(ctx.elapsedS() - startS),
      connections: watches.map((w) => w.record),
      survivedS: 0,
      killedS: null,
    },
    outcomes,
  };
}

/**
 * Closes the round's connections: open ones with a close frame (silently dropped ones too: the frame goes nowhere),
 * and waits briefly for TCP to end after a path's close frame, so the record says whether the closing handshake
 * finished.
 */
async function finish(watches: readonly Watch[]): Promise<void> {
  await Promise.all(
    watches.map(async (w) => {
      const conn = w.conn;
      if (conn === null) return;
      if (conn.end?.closeFrame) {
        if (conn.end.tcp === null) await conn.waitForTcpEnd(TCP_END_GRACE_MS);
        // Recorded when the close frame came, before TCP ended: how TCP ended is known only now.
        if (w.record.ending?.how === 'close-frame') w.record.ending = endingOf(conn.end);
      }
      conn.close(conn.end === null);
    }),
  );
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
