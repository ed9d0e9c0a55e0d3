// A target that never closes TCP after the closing handshake makes every case wait out its budget for the TCP end
// (RFC 6455 §5.5.1: after sending and receiving a close, an endpoint "MUST close the underlying TCP connection").
// Once the pattern is established, later cases wait only briefly before dropping TCP themselves, so such a target
// costs seconds, not minutes. The pattern is strict, so a correct but slow target is never failed on a timer:
//   - at least `minCases` cases waited their WHOLE budget after a complete closing handshake (at least
//     `minWaitMs`) and the target never closed TCP: those cases are failed by the ordinary rule anyway;
//   - in no case so far did the target close TCP after a closing handshake; one that does (even late, even in a
//     shortened case) ends the pattern for the rest of the run, and cases wait their whole budget again.
// Cases graded under a shortened wait say so in their reason.
import { performance } from 'node:perf_hooks';
import type { RawPeer } from '../../peers/raw/raw-peer.js';
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
  /** The case is over: stop timers. */
  stop(): void;
}

/** The ms between the completed closing handshake and the TCP end, and who ended it. */
function afterClosingHandshake(obs: Observation): { waited: number; byTarget: boolean } | null {
  if (!obs.closeSent || !obs.closeReceived || !obs.tcpEnd) return null;
  const complete = Math.max(obs.closeSent.t, obs.closeReceived.t);
  if (obs.tcpEnd.t < complete) return null;
  return { waited: obs.tcpEnd.t - complete, byTarget: obs.tcpEnd.kind !== 'client-drop' };
}

export class TcpClosePattern {
  private readonly minCases: number;
  private readonly minWaitMs: number;
  readonly shortWaitMs: number;
  /** Cases that waited their whole budget for a TCP end that never came. */
  readonly evidence: string[] = [];
  /** Cases graded after a shortened wait. */
  readonly shortenedCases: string[] = [];
  private targetClosed = false;
  /** Cases whose closing handshake completed before the pattern was established, waiting for it. */
  private readonly waiting = new Set<() => void>();

  constructor(opts: ClosePatternOptions = {}) {
    this.minCases = opts.minCases ?? 3;
    this.minWaitMs = opts.minWaitMs ?? 1000;
    this.shortWaitMs = opts.shortWaitMs ?? 200;
  }

  get established(): boolean {
    return !this.targetClosed && this.evidence.length >= this.minCases;
  }

  /** Watches one case: once its closing handshake is complete and the pattern holds, drops TCP after the short wait. */
  watch(peer: RawPeer): CloseWatch {
    const obs = peer.observation();
    let shortened = false;
    let done = false;
    let completeAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const cut = (): void => {
      if (done || peer.ended) return;
      timer = setTimeout(() => {
        if (done || peer.ended || !this.established) return;
        shortened = true;
        peer.drop(`the target did not close TCP within ${this.shortWaitMs} ms of the closing handshake (wait shortened: it never closes TCP)`);
      }, Math.max(0, this.shortWaitMs - (performance.now() - completeAt)));
    };
    const complete = (): boolean => obs.closeSent !== null && obs.closeReceived !== null;
    void peer.waitUntil(() => peer.ended || complete()).then(() => {
      if (done || peer.ended || !complete()) return;
      completeAt = performance.now();
      if (this.established) cut();
      else this.waiting.add(cut);
    });
    return {
      get shortened() {
        return shortened;
      },
      stop: () => {
        done = true;
        clearTimeout(timer);
        this.waiting.delete(cut);
      },
    };
  }

  /** Learns from a finished case; returns the note for its reason when its wait was shortened. */
  learn(id: string, obs: Observation, timeoutMs: number, watch: CloseWatch): string | null {
    const end = afterClosingHandshake(obs);
    if (end?.byTarget) {
      this.targetClosed = true;
      this.waiting.clear();
    } else if (end && !watch.shortened && end.waited >= this.minWaitMs && obs.tcpEnd!.t >= timeoutMs - 50) {
      this.evidence.push(id);
      if (this.established) {
        // Cases already waiting for a TCP end that will not come: their wait is shortened too.
        for (const cut of this.waiting) cut();
        this.waiting.clear();
      }
    }
    if (!watch.shortened) return null;
    this.shortenedCases.push(id);
    return `; wsprobe waited ${this.shortWaitMs} ms for it, not the rest of the case budget, because ${this.evidence.length} earlier cases (${this.evidence.slice(0, 3).join(', ')}${this.evidence.length > 3 ? ', ...' : ''}) had waited their whole budget and this target never closed TCP after a closing handshake`;
  }
}
