// Ctrl-C and SIGTERM stop a run cleanly: the runner sees the signal abort, stops, and returns what it measured
// with interrupted: true, which the CLI then writes. A second Ctrl-C exits at once.

export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      process.stderr.write(`wsprobe: ${name} again, exiting without waiting\n`);
      process.exit(130);
    }
    process.stderr.write(`wsprobe: ${name} received, stopping and writing what was measured\n`);
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
