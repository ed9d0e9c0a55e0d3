// The engine's handle on one load worker: a forked process (the normal case: each has its own event loop and
// open-file table) or, for small runs and tests, a LoadWorker in the engine's own process. Both take the same
// commands (start, stop, a new target, a window mark) and deliver the same reports.
import { fork, type ChildProcess } from 'node:child_process';
import { compiledScript } from './dist-script.js';
import { LoadWorker } from './load-worker.js';
import type { WorkerCommand, WorkerReport, WorkerSpecMessage } from './worker-report.js';

export interface WorkerHandle {
  index: number;
  start(): void;
  stop(): void;
  /** A session command (capacity): a new connection target, or a mark that splits the figures into windows. */
  send(cmd: Extract<WorkerCommand, { type: 'target' | 'mark' }>): void;
  /** Resolves when the worker has sent its final report or exited. */
  finished: Promise<void>;
  kill(): void;
}

export function startInlineWorker(spec: WorkerSpecMessage, onReport: (r: WorkerReport) => void): WorkerHandle {
  const worker = new LoadWorker(spec, onReport);
  let finished!: Promise<void>;
  let resolveFinished!: () => void;
  finished = new Promise((r) => (resolveFinished = r));
  return {
    index: spec.worker,
    start: () => void worker.run().then(resolveFinished),
    stop: () => worker.stop(),
    send: (cmd) => worker.command(cmd),
    kill: () => worker.stop(),
    finished,
  };
}

export async function startProcessWorker(
  spec: WorkerSpecMessage,
  onReport: (r: WorkerReport) => void,
  onLost: (worker: number, how: string) => void,
): Promise<WorkerHandle> {
  // Mostly idle connections: a small young generation keeps the heap (and RSS) near what the connections need;
  // with echo traffic, V8's default sizing avoids frequent scavenges.
  const p = spec.profile;
  const idle = p.inFlight === 0 && p.messageRate * p.messageSize < 4096;
  const child: ChildProcess = fork(compiledScript(import.meta.url, 'worker.js'), [], {
    // Profiling flags given to the engine (node --cpu-prof ...) reach the workers too.
    execArgv: ['--expose-gc', '--max-old-space-size=4096', ...(idle ? ['--max-semi-space-size=1'] : []), ...process.execArgv.filter((a) => a.startsWith('--cpu-prof'))],
    // One malloc arena: glibc's per-thread arenas otherwise keep freed handshake memory as RSS.
    env: { MALLOC_ARENA_MAX: '1', ...process.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Own process group: a terminal Ctrl-C reaches only the engine, which asks each worker for its final report.
    detached: true,
  });
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  await new Promise<void>((resolve, reject) => {
    const onMsg = (m: { type?: string }): void => {
      if (m.type === 'ready') {
        child.off('message', onMsg);
        resolve();
      }
    };
    child.on('message', onMsg);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load worker ${spec.worker + 1} exited (code ${code}) before it started`)));
  });
  let final = false;
  let killed = false;
  child.on('message', (m: WorkerReport | { type: string }) => {
    if ('type' in m) {
      if (m.type === 'done') resolveFinished();
      return;
    }
    onReport(m);
    if (m.final) {
      final = true;
      resolveFinished();
    }
  });
  child.on('exit', (code, signal) => {
    if (!final && !killed) onLost(spec.worker, signal ? `was killed (${signal})` : `exited (code ${code})`);
    resolveFinished();
  });
  child.unref();
  return {
    index: spec.worker,
    start: () => child.send({ type: 'start', spec }),
    stop: () => {
      if (child.connected) child.send({ type: 'stop' });
    },
    send: (cmd) => {
      if (child.connected) child.send(cmd);
    },
    kill: () => {
      killed = true;
      const kill = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      // After its final report a worker exits by itself within moments; killing it then would lose what it writes
      // at exit (a --cpu-prof profile).
      if (final) setTimeout(kill, 2_000).unref();
      else kill();
    },
    finished,
  };
}
