// The replay token: what fast-check needs to walk back to a counterexample. With the suite and the target it
// reproduces the failing case byte for byte: every byte a case sends (masks, handshake key) is a function of the
// generated value.
//
//   SEED:PATH                 frame and handshake suites, e.g. `-1830470543:12:0:3`
//   SEED:PATH@REPLAYPATH      the model suite, e.g. `-1830470543:12:0:3@BAAE:Bh`
//
// SEED and PATH are fc.check's seed and counterexamplePath. A model run's shrink tree depends on which commands
// ran, which a path walk (no execution) cannot know: fc.commands records it as its replayPath (two base64 runs,
// `COUNTS:CHANGES`, shown after the counterexample as `/*replayPath="..."*/`) and takes it back as
// `fc.commands(..., { replayPath })`. `@` separates it because the replayPath itself contains a `:`, and it needs no
// shell quoting.

export interface ReplayToken {
  seed: number;
  path: string;
  /** fc.commands' replayPath (model suite only). */
  replayPath?: string;
}

const TOKEN_RE = /^(-?\d+):(\d+(?::\d+)*)(?:@([A-Za-z0-9+/]*:[A-Za-z0-9+/]*))?$/;

export function formatReplayToken(t: ReplayToken): string {
  return `${t.seed}:${t.path}${t.replayPath !== undefined ? `@${t.replayPath}` : ''}`;
}

/** Null when the token is malformed. */
export function parseReplayToken(token: string): ReplayToken | null {
  const m = TOKEN_RE.exec(token.trim());
  if (m === null) return null;
  const seed = Number(m[1]);
  if (!Number.isSafeInteger(seed) || seed < -0x80000000 || seed > 0xffffffff) return null;
  return { seed, path: m[2]!, ...(m[3] !== undefined ? { replayPath: m[3] } : {}) };
}
