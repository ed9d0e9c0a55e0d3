// Errors the CLI turns into a one-line message and exit code 2, never a stack trace.

/** The user asked for something wrong: a bad flag value, a malformed URL, a bad config file. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The run could not start: target unreachable, TLS failure, port in use, file unreadable. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

export function isExpectedError(err: unknown): err is UsageError | SetupError {
  return err instanceof UsageError || err instanceof SetupError;
}
