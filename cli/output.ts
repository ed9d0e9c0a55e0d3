// Output streams the reader may close early: `wsprobe test --list | head` reads ten lines and closes the pipe. A
// write to a closed pipe fails with EPIPE; that is the reader being done, not an error: the process ends quietly
// with the exit code it had, never with a stack trace.

const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export function endQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (CLOSED.has(err.code ?? '')) process.exit(process.exitCode ?? 0);
      // Any other failure of our own output cannot be reported on it either: exit as a setup error, silently.
      process.exit(2);
    });
  }
}
