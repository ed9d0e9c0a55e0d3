// Output streams the reader may close early: `wsprobe test --list | head` reads ten lines and closes the pipe. A
// write to a closed pipe fails with EPIPE; that is the reader being done, not an error: nothing more is shown, the
// command carries on (a run still writes its report files) and ends with the exit code it had, never with a stack
// trace.

const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

export function endQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // Any other failure of our own output (a full disk under a redirect) cannot be reported on it either: it
      // only turns the exit code into a setup error.
      if (!CLOSED.has(err.code ?? '')) process.exitCode = 2;
    });
  }
}
