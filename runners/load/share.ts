// Splitting a run's connections over shards and worker processes. Connection indices are global (0..N-1) and
// dealt out round-robin, so every share opens at the same fraction of the global ramp, heartbeat phases stay even
// over the whole run, and shares differ by at most one connection and sum to the total.

/** The global connection indices one share owns: offset, offset + stride, offset + 2 stride, ... below the total. */
export interface IndexShare {
  offset: number;
  stride: number;
}

/** Share `index` (0-based) of `count` within a parent share. */
export function subShare(parent: IndexShare, index: number, count: number): IndexShare {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`share ${index} of ${count} does not exist`);
  }
  return { offset: parent.offset + parent.stride * index, stride: parent.stride * count };
}

export const WHOLE: IndexShare = { offset: 0, stride: 1 };

/** How many of the share's indices are below `total`: the share's part of a global connection count. */
export function countBelow(share: IndexShare, total: number): number {
  if (total <= share.offset) return 0;
  return Math.ceil((total - share.offset) / share.stride);
}

/** The k-th global index of a share. */
export function indexAt(share: IndexShare, k: number): number {
  return share.offset + share.stride * k;
}

/** Parses `I/N` (1-based, as vitest and Playwright shards). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new SyntaxError(`--shard expects I/N with 1 <= I <= N (e.g. 2/4), got ${JSON.stringify(text)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new SyntaxError(`--shard expects I/N with 1 <= I <= N (e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}
