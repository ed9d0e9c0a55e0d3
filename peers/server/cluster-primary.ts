// N reference-server processes on one port with node:cluster (the load runner needs this for runs of tens of
// thousands of connections: one event loop and one open-file limit per process). The primary only supervises:
// it starts the workers, sums their counters, answers their stats requests and shuts them down.
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { ReferenceServerOptions, RunningServer } from './reference-server.js';
import { isMessage, type PrimaryToWorker, type WorkerToPrimary } from './cluster-messages.js';
import { aggregateStats, type ServerStats } from './stats.js';

const START_TIMEOUT_MS = 20_000;
const STATS_QUERY_TIMEOUT_MS = 1_000;

/** The compiled worker entry. Under vitest this module runs from source, so fall back to dist/. */
export function clusterWorkerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = join(dirname(here), 'cluster-worker.js');
  if (here.endsWith('.js') && existsSync(beside)) return beside;
  const root = join(dirname(here), '..', '..');
  const built = join(root, 'dist', 'peers', 'server', 'cluster-worker.js');
  if (!existsSync(built)) throw new Error(`workers need the compiled worker ${built}: run \`npx tsc -p tsconfig.json\``);
  return built;
}

export async function startClusterPrimary(opts: ReferenceServerOptions, count: number): Promise<RunningServer> {
  // Every worker accepts from the shared listening socket itself. Under the default round-robin policy the primary
  // accepts every connection and passes it to a worker over IPC: one process on the path of every connection, the
  // first to saturate in connection ramps (bench/RESULTS.md, "Load"); it also listens with Node's default backlog
  // of 511, ignoring ours. Node 20's net.Server has no reusePort (one listener per process). Node reads the policy
  // once, at the first setupPrimary.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: clusterWorkerScript(), args: [], serialization: 'advanced' });
  const workers: Worker[] = [];
  const latest = new Map<number, ServerStats>();
  const queries = new Map<number, { replies: Map<number, ServerStats>; done: (s: ServerStats) => void; timer: NodeJS.Timeout }>();
  let nextQuery = 1;
  let shuttingDown = false;
  const send = (w: Worker, msg: PrimaryToWorker): void => {
    if (w.isConnected()) w.send(msg);
  };
  const live = (): Worker[] => workers.filter((w) => !w.isDead());
  const snapshot = (): ServerStats =>
    aggregateStats(
      process.pid,
      workers.map((w) => latest.get(w.id)).filter((s): s is ServerStats => s !== undefined),
    );

  /** Fresh figures from every worker (their pushes are up to 250 ms old), or what arrived by the timeout. */
  const query = (): Promise<ServerStats> =>
    new Promise((resolve) => {
      const id = nextQuery++;
      const targets = live();
      const finish = (): void => {
        const q = queries.get(id);
        if (q === undefined) return;
        clearTimeout(q.timer);
        queries.delete(id);
        for (const [wid, s] of q.replies) latest.set(wid, s);
        resolve(snapshot());
      };
      queries.set(id, { replies: new Map(), done: finish, timer: setTimeout(finish, STATS_QUERY_TIMEOUT_MS) });
      for (const w of targets) send(w, { type: 'stats-query', id });
      if (targets.length === 0) finish();
    });

  let port = opts.port ?? 0;
  const started = new Promise<number>((resolve, reject) => {
    let listening = 0;
    const timer = setTimeout(() => reject(new Error(`workers did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    for (let i = 0; i < count; i++) {
      const w = cluster.fork();
      workers.push(w);
      w.on('message', (msg: unknown) => {
        if (!isMessage<WorkerToPrimary>(msg)) return;
        switch (msg.type) {
          case 'ready':
            // Every worker listens on the same port: port 0 makes the primary pick one for all of them.
            send(w, { type: 'start', options: { ...opts, workers: 1 } });
            break;
          case 'listening':
            port = msg.port;
            if (++listening === count) {
              clearTimeout(timer);
              resolve(msg.port);
            }
            break;
          case 'start-failed': {
            clearTimeout(timer);
            const err = new Error(msg.message) as NodeJS.ErrnoException;
            if (msg.code !== undefined) err.code = msg.code;
            reject(err);
            break;
          }
          case 'stats':
            latest.set(w.id, msg.stats);
            break;
          case 'stats-reply': {
            const q = queries.get(msg.id);
            if (q === undefined) break;
            q.replies.set(w.id, msg.stats);
            if (q.replies.size >= live().length) q.done(snapshot());
            break;
          }
          case 'stats-request':
            void query().then((stats) => send(w, { type: 'stats-aggregate', id: msg.id, stats }));
            break;
        }
      });
      w.on('exit', (code, signal) => {
        if (!shuttingDown && listening < count) {
          clearTimeout(timer);
          reject(new Error(`worker ${w.process.pid} exited during start (${signal ?? `code ${code}`})`));
        }
      });
    }
  });

  const stopAll = async (graceMs: number): Promise<void> => {
    shuttingDown = true;
    const exits = live().map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    for (const w of live()) send(w, { type: 'shutdown' });
    const deadline = setTimeout(() => {
      for (const w of live()) w.process.kill('SIGKILL');
    }, graceMs);
    await Promise.all(exits);
    clearTimeout(deadline);
  };

  try {
    await started;
  } catch (err) {
    await stopAll(2_000);
    throw err;
  }
  const host = opts.host ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${opts.tls !== undefined ? 'wss' : 'ws'}://${hostPart}:${port}${opts.path ?? '/'}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    host,
    stats: snapshot,
    close() {
      closing ??= stopAll((opts.closeTimeoutMs ?? 5_000) + 3_000);
      return closing;
    },
  };
}
