// A target that never closes TCP after the closing handshake makes every case wait out its budget for the TCP end
// (RFC 6455 §5.5.1: after sending and receiving a close, an endpoint "MUST close the underlying TCP connection").
// Once the pattern is established, later cases wait only briefly before dropping TCP themselves, so such a target
// costs seconds, not minutes. The pattern is strict, so a correct but slow target is never failed on a timer:
//   - at least `minCases` cases waited their WHOLE budget after a complete closing handshake (at least
//     `minWaitMs`) and the target never closed TCP: those cases are failed by the ordinary rule anyway;
//   - in no case so far did the target close TCP after a closing handshake; one that does (even late, even in a
//     shortened case) ends the pattern for the rest of the run, and cases wait their whole budget again.
// Closing handshakes the target started (failing the connection) and those it answered (ours) are two patterns:
// a server may close TCP on one path and not on the other.
// Cases graded under a shortened wait say so in their reason.
import { performance } from 'node:perf_hooks';
import type { ClientSession } from '../../peers/raw/client-session.js';
import type { Observation } from '../../peers/raw/observation.js';

export interface ClosePatternOptions {
  /** Whole-budget waits that establish the pattern (default 3). */
  minCases?: number;
  /** The least time a whole-budget wait must have lasted to count (default 1000 ms). */
  minWaitMs?: number;
  /** The wait for the TCP end once the pattern is established (default 200 ms). */
  shortWaitMs?: number;
}

export interface CloseWatch {
  /** The runner dropped TCP after the shortened wait. */
  readonly shortened: boolean;
  /** The case's kind of closing handshake, once complete. */
  readonly kind: CloseKind | null;
  /** The case is over: stop timers. */
  stop(): void;
}

/**
 * How the closing handshake came about: the target answering our close normally, or the target failing the
 * connection (its own close, or its answer to an invalid close of ours in a case that expects a failure).
 */
export type CloseKind = 'answer' | 'failure';

/** The ms between the end of the closing handshake and the TCP end, and who ended TCP. */
function afterClosingHandshake(obs: Observation): { waited: number; byTarget: boolean } | null {
  if (!obs.closeSent || !obs.closeReceived || !obs.tcpEnd) return null;
  const complete = Math.max(obs.closeSent.t, obs.closeReceived.t);
  if (obs.tcpEnd.t < complete) return null;
  return { waited: obs.tcpEnd.t - complete, byTarget: obs.tcpEnd.kind !== 'client-drop' };
}

function closeKind(obs: Observation, failureCase: boolean): CloseKind | null {
  const ours = obs.closeSent;
  const theirs = obs.closeReceived;
  if (!ours || !theirs) return null;
  // A normal answer echoes our code, or says 1000, or nothing (§5.5.1); any other code is a failure.
  const echoed = theirs.code === null || theirs.code === 1000 || theirs.code === ours.code;
  return !failureCase && !ours.auto && ours.t <= theirs.t && echoed ? 'answer' : 'failure';
}

/** The pattern for one kind of closing handshake: a server may close TCP after failing but not after answering. */
class KindPattern {
  /** Cases that waited their whole budget for a TCP end that never came. */
  readonly evidence: string[] = [];
  /** Cases graded after a shortened wait. */
  readonly shortened: string[] = [];
  targetClosed = false;
  /** Cases whose closing handshake completed before the pattern was established, waiting for it. */
  readonly waiting = new Set<() => void>();
}

export class TcpClosePattern {
  private readonly minCases: number;
  private readonly minWaitMs: number;
  readonly shortWaitMs: number;
  readonly kinds: Record<CloseKind, KindPattern> = { answer: new KindPattern(), failure: new KindPattern() };
  /** The kind of closing handshake of each case that completed one. */
  readonly caseKind = new Map<string, CloseKind>();

  constructor(opts: ClosePatternOptions = {}) {
    this.minCases = opts.minCases ?? 3;
    this.minWaitMs = opts.minWaitMs ?? 1000;
    this.shortWaitMs = opts.shortWaitMs ?? 200;
  }

  established(kind: CloseKind): boolean {
    const k = this.kinds[kind];
    return !k.targetClosed && k.evidence.length >= this.minCases;
  }

  /**
   * Watches one case (`failureCase`: its expectation is that the target fails the connection): once its closing
   * handshake is complete and the pattern of its kind holds, drops TCP after the short wait.
   */
  watch(peer: ClientSession, failureCase: boolean): CloseWatch {
    const obs = peer.observation();
    let shortened = false;
    let done = false;
    let completeAt = 0;
    let kind: CloseKind | null = null;
    let timer: NodeJS.Timeout | undefined;
    const cut = (): void => {
      if (done || peer.ended) return;
      timer = setTimeout(() => {
        if (done || peer.ended || kind === null || !this.established(kind)) return;
        shortened = true;
        peer.drop(`the target did not close TCP within ${this.shortWaitMs} ms of the closing handshake (wait shortened: it never closes TCP)`);
      }, Math.max(0, this.shortWaitMs - (performance.now() - completeAt)));
    };
    void peer.waitUntil(() => peer.ended || closeKind(obs, failureCase) !== null).then(() => {
      kind = closeKind(obs, failureCase);
      if (done || peer.ended || kind === null) return;
      completeAt = performance.now();
      if (this.established(kind)) cut();
      else this.kinds[kind].waiting.add(cut);
    });
    return {
      get shortened() {
        return shortened;
      },
      get kind() {
        return kind;
      },
      stop: () => {
        done = true;
        clearTimeout(timer);
        if (kind !== null) this.kinds[kind].waiting.delete(cut);
      },
    };
  }

  /** Learns from a finished case; returns the note for its reason when its wait was shortened. */
  learn(id: string, obs: Observation, timeoutMs: number, watch: CloseWatch): string | null {
    const end = afterClosingHandshake(obs);
    const kind = watch.kind;
    if (!end || kind === null) return null;
    this.caseKind.set(id, kind);
    const k = this.kinds[kind];
    if (end.byTarget) {
      k.targetClosed = true;
      k.waiting.clear();
    } else if (!watch.shortened && end.waited >= this.minWaitMs && obs.tcpEnd!.t >= timeoutMs - 50) {
      k.evidence.push(id);
      if (this.established(kind)) {
        // Cases already waiting for a TCP end that will not come: their wait is shortened too.
        for (const cut of k.waiting) cut();
        k.waiting.clear();
      }
    }
    if (!watch.shortened) return null;
    k.shortened.push(id);
    const n = k.evidence.length;
    return `; wsprobe waited ${this.shortWaitMs} ms for it, not the rest of the case budget, because ${n} earlier cases (${k.evidence.slice(0, 3).join(', ')}${n > 3 ? ', ...' : ''}) had waited their whole budget and this target never closed TCP after such a closing handshake`;
  }
}
