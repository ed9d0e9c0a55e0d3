// `wsprobe load` without a URL: the reference server, started in a child process and stopped afterwards.
import { fork, type ChildProcess } from 'node:child_process';
import { compiledScript } from './dist-script.js';

export interface EmbeddedTarget {
  url: string;
  processes: number;
  /** The server's root process (its cluster workers are its children). */
  pid: number | undefined;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** `deflate`: the server accepts permessage-deflate offers (only a --deflate run makes them). */
export async function startEmbeddedTarget(opts: { workers: number; tls?: { cert: string; key: string }; deflate?: boolean }): Promise<EmbeddedTarget> {
  const child: ChildProcess = fork(compiledScript(import.meta.url, 'target-process.js'), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // Its own process group: a Ctrl-C on the terminal reaches the engine, which stops the target last.
    detached: true,
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the embedded reference server did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.on('message', (m: { type: string; url?: string; message?: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.url!);
      } else if (m.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`the embedded reference server failed to start: ${m.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the embedded reference server exited (code ${code}) before it was ready`));
    });
    child.send({ type: 'start', workers: opts.workers, tls: opts.tls, deflate: opts.deflate === true });
  });
  return {
    url,
    processes: opts.workers,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 35_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.connected) child.send({ type: 'stop' });
        else child.kill('SIGTERM');
      }),
  };
}
