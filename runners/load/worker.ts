// Entry of a load worker process (forked by the engine). It ignores SIGINT/SIGTERM: the engine decides when to
// stop and asks for the final report, so a Ctrl-C on the terminal's process group loses nothing. If the engine
// goes away, the worker stops too.
import { LoadWorker } from './load-worker.js';
import type { WorkerCommand, WorkerReport } from './worker-report.js';

let worker: LoadWorker | null = null;
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
const orphaned = (): void => {
  if (worker) worker.stop();
  else process.exit(0);
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on('disconnect', orphaned);
// The engine can go while this process is busy: the next report's write fails with EPIPE, emitted on `process`
// (a crash with a stack trace unless handled). Same as a disconnect.
process.on('error', orphaned);

function send(report: WorkerReport): void {
  if (process.connected) process.send!(report);
}

process.on('message', (cmd: WorkerCommand) => {
  if (cmd.type === 'start' && worker === null) {
    worker = new LoadWorker(cmd.spec, send);
    void worker.run().then(() => {
      // Exit once the final report is flushed to the engine.
      if (process.connected) process.send!({ type: 'done' }, () => process.disconnect());
      setTimeout(() => process.exit(0), 2_000).unref();
    });
  } else if (cmd.type === 'stop') worker?.stop();
  else if (cmd.type === 'target' || cmd.type === 'mark') worker?.command(cmd);
});
process.send?.({ type: 'ready' });
