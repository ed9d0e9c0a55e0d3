// The replay token: the seed and the path fast-check reports for a counterexample (`seed:path`, e.g.
// `-1830470543:12:0:3`). With the suite and the target it reproduces the failing case byte for byte: every byte a
// case sends (masks, handshake key) is a function of the generated value.

export interface ReplayToken {
  seed: number;
  path: string;
}

const TOKEN_RE = /^(-?\d+):(\d+(?::\d+)*)$/;

export function formatReplayToken(t: ReplayToken): string {
  return `${t.seed}:${t.path}`;
}

/** Null when the token is malformed. */
export function parseReplayToken(token: string): ReplayToken | null {
  const m = TOKEN_RE.exec(token.trim());
  if (m === null) return null;
  const seed = Number(m[1]);
  if (!Number.isSafeInteger(seed) || seed < -0x80000000 || seed > 0xffffffff) return null;
  return { seed, path: m[2]! };
}
