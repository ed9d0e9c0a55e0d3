// The arithmetic of `wsprobe probe idle`, pure so it is tested over every timeout (test/unit/runners/probe): which
// silences a round probes, how its outcomes narrow the bracket [longest silence survived, shortest that killed],
// when the bracket is narrow enough, the timeout it implies, and the heartbeat interval to recommend.

/** What the probe knows: every silence up to `survivedS` was survived; `killedS` (null: none yet) killed. */
export interface Bracket {
  survivedS: number;
  killedS: number | null;
}

export const EMPTY_BRACKET: Bracket = { survivedS: 0, killedS: null };

/** Rounds at most, whatever the numbers (each round at least narrows the bracket by N+1 or ends the search). */
export const MAX_ROUNDS = 16;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Silences are rounded to a hundredth of the resolution (0.01 s for 1 s): readable, and never coarser than needed. */
function roundTo(x: number, resolutionS: number): number {
  const step = Math.pow(10, Math.floor(Math.log10(resolutionS / 10)));
  return Number((Math.round(x / step) * step).toPrecision(12));
}

/** `n` points from `a` to `b` (both included) spaced evenly on a log scale. */
function geometric(a: number, b: number, n: number): number[] {
  if (n === 1 || a >= b) return [b];
  const ratio = Math.pow(b / a, 1 / (n - 1));
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a * Math.pow(ratio, i)));
}

/**
 * The silences of the next round, ascending, [] when the search is over. Before anything killed, the round spreads
 * its connections on a log scale up to `maxS` (a 5 s and a 350 s timeout are both bracketed in one round); once a
 * silence killed, it spreads them evenly inside the bracket (log scale while nothing below survived), so each round
 * narrows the bracket N+1 times.
 */
export function nextSilences(b: Bracket, maxS: number, resolutionS: number, n: number): number[] {
  if (isDone(b, maxS, resolutionS)) return [];
  const lo = b.survivedS;
  let points: number[];
  if (b.killedS === null) {
    const first = Math.max(lo + resolutionS / 2, resolutionS, maxS / Math.pow(2, n));
    points = geometric(Math.min(first, maxS), maxS, n);
  } else if (lo === 0 && b.killedS > resolutionS * (n + 1)) {
    const hi = b.killedS;
    points = geometric(Math.max(resolutionS, hi / Math.pow(2, n)), hi, n + 1).slice(0, n);
  } else {
    const hi = b.killedS;
    points = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 1)) / (n + 1));
  }
  // --max itself stays exact: surviving it is what ends a search that finds no timeout.
  const rounded = points.map((s) => (s === maxS ? s : Math.min(maxS, roundTo(s, resolutionS))));
  const out = [...new Set(rounded)].filter((s) => s > lo && (b.killedS === null || s < b.killedS) && s <= maxS);
  return out.sort((x, y) => x - y);
}

/** Over when the bracket is within the resolution, when `maxS` was survived, or when it contradicts itself. */
export function isDone(b: Bracket, maxS: number, resolutionS: number): boolean {
  if (b.killedS === null) return b.survivedS >= maxS;
  return b.killedS - b.survivedS <= resolutionS + 1e-9;
}

/** One connection's verdict at its silence: `killedAtS` may be below its probe time (the path ended it visibly). */
export type RoundOutcome = { survivedS: number } | { killedAtS: number };

/** The bracket after some outcomes. A survival above a kill (a path whose timeout varies) keeps both: see consistent(). */
export function narrow(b: Bracket, outcomes: readonly RoundOutcome[]): Bracket {
  let { survivedS, killedS } = b;
  for (const o of outcomes) {
    if ('survivedS' in o) survivedS = Math.max(survivedS, o.survivedS);
    else killedS = killedS === null ? o.killedAtS : Math.min(killedS, o.killedAtS);
  }
  return { survivedS, killedS };
}

/** False when a silence survived that is longer than one that killed: the path's timeout is not one number. */
export function consistent(b: Bracket): boolean {
  return b.killedS === null || b.survivedS < b.killedS;
}

/**
 * The idle timeout the bracket implies: the median of the silences after which the path visibly ended connections
 * (FIN, RST, close frame: exact), when they lie within the resolution above the bracket's start and end (several
 * connections ended by one timer differ by our own scheduling only); otherwise the bracket's middle (a silent drop
 * is only known between two probes). null when nothing killed.
 */
export function estimateTimeout(b: Bracket, observedEndsS: readonly number[], resolutionS = 0): number | null {
  if (b.killedS === null) return null;
  const lo = Math.min(b.survivedS, b.killedS);
  const inside = observedEndsS.filter((s) => s >= lo - 1e-9 && s <= b.killedS! + resolutionS + 1e-9).sort((x, y) => x - y);
  if (inside.length > 0) return round3(inside[Math.floor((inside.length - 1) / 2)]!);
  return round3((lo + b.killedS) / 2);
}

export interface Recommendation {
  intervalS: number;
  /** Seconds a heartbeat may be late (or its answer lost) before the path's timer fires. */
  marginS: number;
  /** One line: how the interval was chosen. */
  basis: string;
}

/**
 * A readable interval near `x`: 0.1 s steps below 10 s, whole seconds above. Rounding may add up to 0.05 s (0.5 s
 * above 10 s), which half the timeout leaves room for.
 */
export function roundNicely(x: number): number {
  if (x >= 10) return Math.round(x);
  return Math.max(0.1, Math.round(x * 10) / 10);
}

/**
 * Half the timeout, so one late heartbeat or one lost answer still arrives in time; never more than the longest
 * tested interval that kept connections alive (what was seen to work beats arithmetic).
 */
export function recommend(timeoutS: number | null, longestKeptAliveS: number | null): Recommendation | null {
  if (timeoutS === null) return null;
  const half = roundNicely(timeoutS / 2);
  if (longestKeptAliveS !== null && longestKeptAliveS < half) {
    return {
      intervalS: longestKeptAliveS,
      marginS: round3(timeoutS - longestKeptAliveS),
      basis: `the longest tested heartbeat interval that kept connections alive (half the ${formatS(timeoutS)} timeout would be ${formatS(half)})`,
    };
  }
  return { intervalS: half, marginS: round3(timeoutS - half), basis: `half the ${formatS(timeoutS)} idle timeout` };
}

export function formatS(s: number): string {
  return `${s < 10 ? s.toFixed(s < 1 ? 2 : 1) : s.toFixed(0)} s`;
}

/** `10,30,60` (seconds; decimals allowed) to ascending distinct intervals. Throws RangeError on anything else. */
export function parseIntervals(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  const values = trimmed.split(',').map((part) => {
    const v = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(v) || v <= 0) throw new RangeError(`--heartbeats expects seconds above 0 separated by commas (e.g. 10,30,60), got ${JSON.stringify(text)}`);
    return v;
  });
  return [...new Set(values)].sort((a, b) => a - b);
}
