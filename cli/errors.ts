// Errors the CLI turns into a one-line message and exit code 2, never a stack trace. The library (api/) throws the
// same classes, so a caller can tell "you asked wrongly" from "the run could not start" by type.

/** Every error wsprobe throws on purpose (the library's callers can catch this one class). */
export class WsprobeError extends Error {
  override readonly name: string = 'WsprobeError';
}

/** The user asked for something wrong: a bad flag value, a malformed URL, a bad config file. */
export class UsageError extends WsprobeError {
  override readonly name: string = 'UsageError';
}

/** The run could not start: target unreachable, TLS failure, port in use, file unreadable. */
export class SetupError extends WsprobeError {
  override readonly name: string = 'SetupError';
}

export function isExpectedError(err: unknown): err is UsageError | SetupError {
  return err instanceof UsageError || err instanceof SetupError;
}
