// The heartbeat connections of `wsprobe probe idle`: one per --heartbeats interval, opened when the probe starts,
// each sending a heartbeat (a ping, or the --app-heartbeat message) every interval and expecting its answer within
// the probe timeout. A connection is proven kept alive once a heartbeat is answered after it has lived longer than
// the idle timeout the search found: without its heartbeats the path would have ended it by then.
import { performance } from 'node:perf_hooks';
import type { IdleConnection, IdleEnd } from '../../peers/probe/idle-connection.js';
import type { ProbeEnding, ProbeHeartbeat } from '../../reports/schema.js';
import { endingOf, openConnection, probeOnce, SILENT_DROP, type ProbeTarget } from './connections.js';

interface Beater {
  intervalS: number;
  conn: IdleConnection | null;
  error?: string;
  beats: number;
  answered: number;
  /** Age (seconds since the handshake) at which the last answered heartbeat was sent. */
  lastAnsweredAgeS: number;
  ending: ProbeEnding | null;
  /** When it ended (performance.now()), or null while open. */
  endedAt: number | null;
  done: Promise<void>;
}

export class HeartbeatConnections {
  private readonly beaters: Beater[] = [];
  private stopped = false;
  private wake: () => void = () => undefined;
  private readonly stopSignal = new Promise<void>((resolve) => (this.wake = resolve));

  constructor(
    private readonly target: ProbeTarget,
    private readonly intervalsS: readonly number[],
  ) {}

  /** Opens every heartbeat connection (in parallel) and starts their heartbeats. */
  async start(): Promise<void> {
    const opened = await Promise.all(this.intervalsS.map(() => openConnection(this.target)));
    opened.forEach((o, i) => {
      const b: Beater = { intervalS: this.intervalsS[i]!, conn: o.ok ? o.conn : null, beats: 0, answered: 0, lastAnsweredAgeS: 0, ending: null, endedAt: null, done: Promise.resolve() };
      if (!o.ok) b.error = o.error;
      else b.done = this.beat(b, o.conn);
      this.beaters.push(b);
    });
  }

  private async beat(b: Beater, conn: IdleConnection): Promise<void> {
    let nextAt = conn.openedAt + b.intervalS * 1000;
    while (!this.stopped) {
      await Promise.race([conn.waitUntilOrEnd(nextAt), this.stopSignal]);
      if (this.stopped) return;
      if (conn.end !== null) return this.died(b, endingOf(conn.end), conn.end.at);
      if (performance.now() < nextAt) continue;
      const sentAt = performance.now();
      nextAt = sentAt + b.intervalS * 1000;
      b.beats++;
      const answer = await probeOnce(this.target, conn);
      if (answer.kind === 'answered') {
        b.answered++;
        b.lastAnsweredAgeS = (sentAt - conn.openedAt) / 1000;
      } else if (answer.kind === 'ended') {
        // The wait above narrowed conn.end to null; the probe's await may have changed it.
        const end = (conn as { end: IdleEnd | null }).end;
        return this.died(b, end !== null ? endingOf(end) : SILENT_DROP, end?.at ?? sentAt);
      } else if (!this.stopped) {
        // Dropped silently before this heartbeat went out: it lived until the one before was answered.
        return this.died(b, SILENT_DROP, sentAt);
      }
    }
  }

  private died(b: Beater, ending: ProbeEnding, at: number): void {
    b.ending = ending;
    b.endedAt = at;
  }

  /**
   * Whether every connection's fate is known: it died, never opened, or a heartbeat was answered after it had lived
   * `timeoutS` (null: no timeout was found, so nothing more can be learned).
   */
  settled(timeoutS: number | null): boolean {
    return this.beaters.every((b) => b.conn === null || b.ending !== null || timeoutS === null || b.lastAnsweredAgeS > timeoutS);
  }

  /** When every connection could be settled, at the latest: each needs to live past the timeout plus one interval. */
  settleBy(timeoutS: number | null, probeTimeoutMs: number): number {
    if (timeoutS === null) return performance.now();
    return Math.max(
      performance.now(),
      ...this.beaters.map((b) => (b.conn === null || b.ending !== null ? 0 : b.conn.openedAt + (timeoutS + b.intervalS) * 1000 + probeTimeoutMs + 50)),
    );
  }

  /** Waits until settled(timeoutS), `until` (performance.now() value), or the signal; polls twice a second at most. */
  async waitSettled(timeoutS: number | null, until: number, signal?: AbortSignal): Promise<void> {
    while (!this.settled(timeoutS) && performance.now() < until && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(500, Math.max(1, until - performance.now())));
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  }

  /**
   * Stops the heartbeats, closes the connections and returns their records. `noTimeout`: the search finished and
   * found no timeout up to --max, so a connection that lived through it was not ended by the path.
   */
  async stop(timeoutS: number | null, via: 'ping' | 'app', noTimeout: boolean): Promise<ProbeHeartbeat[]> {
    this.stopped = true;
    this.wake();
    await Promise.all(this.beaters.map((b) => b.done));
    // An ending by close frame was recorded before TCP ended: whether the closing handshake finished is known now.
    await Promise.all(
      this.beaters.map(async (b) => {
        const end = b.conn?.end;
        if (end?.closeFrame === undefined || end.closeFrame === null) return;
        if (end.tcp === null) await b.conn!.waitForTcpEnd(1000);
        if (b.ending?.how === 'close-frame') b.ending = endingOf(end);
      }),
    );
    const now = performance.now();
    const out = this.beaters.map((b): ProbeHeartbeat => {
      const conn = b.conn;
      if (conn === null) return { intervalS: b.intervalS, via, verdict: 'untested', beats: 0, answered: 0, livedS: 0, error: b.error ?? 'did not open' };
      const livedS = Math.round((((b.endedAt ?? now) - conn.openedAt) / 1000) * 1000) / 1000;
      const base = { intervalS: b.intervalS, via, beats: b.beats, answered: b.answered, livedS };
      if (b.ending !== null) return { ...base, verdict: 'died', ending: b.ending };
      // No timeout up to --max: nothing ended it within the probe, which is all a heartbeat can be asked for there.
      const proven = timeoutS === null ? noTimeout : b.lastAnsweredAgeS > timeoutS;
      return { ...base, verdict: proven ? 'kept-alive' : 'untested' };
    });
    for (const b of this.beaters) b.conn?.close(b.ending === null);
    return out;
  }
}
