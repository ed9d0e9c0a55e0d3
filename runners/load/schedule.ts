// The pacing schedule: target connections over time (k6-style stages, linear between targets; a worker keeps its
// indices below the target open), evenly spread phases for periodic work (heartbeats, sends), reconnect backoff.
import type { Stage } from './profile.js';

/** Target connections `tMs` after the start: linear within each stage, starting from 0. */
export function targetAt(stages: readonly Stage[], tMs: number): number {
  let from = 0;
  let start = 0;
  for (const st of stages) {
    const d = st.durationS * 1000;
    if (tMs < start + d) return Math.floor(from + ((st.target - from) * (tMs - start)) / d);
    start += d;
    from = st.target;
  }
  return from;
}

/** The phase (ms within one period) of a global index, so N connections' periodic work is spread evenly. */
export function phaseOf(index: number, total: number, periodMs: number): number {
  if (total <= 0) return 0;
  return ((index % total) / total) * periodMs;
}

/**
 * The phase of a global index when the number of connections moves (a capacity session): the golden-ratio sequence
 * spreads every prefix 0..N-1 evenly over the period, whatever N is, where phaseOf spreads only the whole `total`
 * (a session's pool is sized for the largest step: at half of it, phaseOf would crowd every ping into half the
 * period, twice the rate a standalone run at that count sends).
 */
export function prefixPhaseOf(index: number, periodMs: number): number {
  const x = index * 0.6180339887498949;
  return (x - Math.floor(x)) * periodMs;
}

/** Exponential backoff with full jitter and a cap: a random delay in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return random() * ceiling;
}
