// Exponential backoff with full jitter: delay = random(0, min(cap, base * 2^n)), n counting the failures so far
// (0 before the first retry). Full jitter spreads a crowd of clients that lost the same server, so they do not
// come back in lockstep. The randomness is an injected Entropy, so tests pin the delays.
import type { Entropy } from '../../protocol/entropy.js';

export interface BackoffOptions {
  /** Default 100 ms. */
  baseMs?: number;
  /** Largest delay bound. Default 10 s. */
  capMs?: number;
  /** Attempts before giving up. Default 10. */
  maxAttempts?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 100, capMs: 10_000, maxAttempts: 10 } as const;

/** The bound for attempt `attempt` (1-based: the first retry is attempt 1, bound `base`). */
export function backoffBound(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const cap = opts.capMs ?? DEFAULT_BACKOFF.capMs;
  return Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
}

/** A uniform fraction in [0, 1) from 32 random bits. */
export function randomFraction(entropy: Entropy): number {
  const b = new Uint8Array(4);
  entropy.fill(b);
  return (((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!) / 2 ** 32;
}

/** Whole milliseconds in [0, bound]. */
export function backoffDelay(attempt: number, opts: BackoffOptions, entropy: Entropy): number {
  const bound = backoffBound(attempt, opts);
  return Math.floor(randomFraction(entropy) * (bound + 1));
}
