// Entry of the embedded target: the reference server in a child process (N processes with `workers`), so the
// server never shares the load runner's event loop. Stops on the parent's request or when the parent goes away.
import { startReferenceServer, type RunningServer } from '../../peers/server/reference-server.js';

interface StartMessage {
  type: 'start';
  workers: number;
  tls?: { cert: string; key: string };
  /** Accept permessage-deflate offers (a --deflate run); otherwise the server declines them. */
  deflate?: boolean;
}

let server: RunningServer | null = null;
// The engine stops this process itself, after the load workers have closed their connections.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => void stop());

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const s = server;
  server = null;
  // Closing tens of thousands of connections over several processes takes a while.
  const force = setTimeout(() => process.exit(0), 30_000);
  force.unref();
  if (s) await s.close().catch(() => undefined);
  process.exit(0);
}

process.on('disconnect', () => void stop());
// A write to the engine after it went (EPIPE, emitted on `process`) means the same.
process.on('error', () => void stop());
process.on('message', (msg: StartMessage | { type: 'stop' }) => {
  if (msg.type === 'stop') void stop();
  else if (msg.type === 'start' && server === null) {
    startReferenceServer({ host: '127.0.0.1', port: 0, workers: msg.workers, deflate: msg.deflate === true, tls: msg.tls })
      .then((s) => {
        server = s;
        process.send!({ type: 'ready', url: s.url });
      })
      .catch((err: Error) => {
        process.send!({ type: 'error', message: err.message });
        process.exit(1);
      });
  }
});
