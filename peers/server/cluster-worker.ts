// Entry of a reference-server worker process (node:cluster). The primary sends the options; this process
// serves, pushes its counters every 250 ms, and shuts down gracefully when told.
import { startReferenceServer, type RunningServer } from './reference-server.js';
import { isMessage, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.js';
import type { ServerStats } from './stats.js';

const STATS_PUSH_MS = 250;

const send = (msg: WorkerToPrimary): void => {
  if (process.connected) process.send?.(msg);
};

let server: RunningServer | null = null;
let pushTimer: NodeJS.Timeout | null = null;
let nextRequest = 1;
const pending = new Map<number, (stats: ServerStats) => void>();

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (pushTimer !== null) clearInterval(pushTimer);
  if (server !== null) {
    await server.close();
    send({ type: 'stats', stats: server.stats() });
  }
  process.exit(0);
}

// Signals reach the whole process group: a worker waits for the primary's word, so clients still get their 1001.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
// The primary is gone: nobody will say shutdown.
process.on('disconnect', () => void shutdown());
// The primary can go while this process is busy: `process.connected` is still true, the write to the channel fails
// (EPIPE; node:cluster's own messages give ERR_IPC_CHANNEL_CLOSED) and the error is emitted on `process`, which
// would crash the worker with a stack trace. Nobody is left to report to: shut down quietly instead.
process.on('error', () => void shutdown());

process.on('message', (msg: unknown) => {
  if (!isMessage<PrimaryToWorker>(msg)) return;
  switch (msg.type) {
    case 'start':
      startReferenceServer(msg.options, {
        statsProvider: () =>
          new Promise((resolve, reject) => {
            const id = nextRequest++;
            const timer = setTimeout(() => {
              pending.delete(id);
              reject(new Error('no stats from the primary'));
            }, 2_000);
            pending.set(id, (stats) => {
              clearTimeout(timer);
              resolve(stats);
            });
            send({ type: 'stats-request', id });
          }),
      }).then(
        (s) => {
          server = s;
          pushTimer = setInterval(() => send({ type: 'stats', stats: s.stats() }), STATS_PUSH_MS);
          pushTimer.unref();
          send({ type: 'listening', port: s.port });
        },
        (err: NodeJS.ErrnoException) => {
          const failed: WorkerToPrimary = { type: 'start-failed', message: err.message };
          if (err.code !== undefined) failed.code = err.code;
          send(failed);
        },
      );
      break;
    case 'stats-query':
      if (server !== null) send({ type: 'stats-reply', id: msg.id, stats: server.stats() });
      break;
    case 'stats-aggregate':
      pending.get(msg.id)?.(msg.stats);
      pending.delete(msg.id);
      break;
    case 'shutdown':
      void shutdown();
      break;
  }
});

send({ type: 'ready' });
