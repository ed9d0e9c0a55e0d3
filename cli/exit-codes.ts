// The documented exit codes: CI scripts rely on them.
export const ExitCode = {
  /** Every check passed, every threshold held. */
  Ok: 0,
  /** A case failed (at or beyond --fail-on), a threshold was breached, or a comparison regressed. */
  Failed: 1,
  /** Usage or setup error: bad flag or config, unreachable target, TLS failure, bad pattern. */
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
