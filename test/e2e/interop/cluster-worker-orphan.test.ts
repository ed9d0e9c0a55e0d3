// A reference-server cluster worker whose primary goes away exits quietly (code 0, nothing on stderr), even when it
// writes to the IPC channel before it has noticed: the write then fails with EPIPE, emitted on `process`.
import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { clusterWorkerScript } from '../../../peers/server/cluster-primary.js';

function nextMessage(child: ReturnType<typeof fork>, type: string, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms`)), timeoutMs);
    const on = (m: Record<string, unknown>): void => {
      if (m.type !== type) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
}

describe('cluster worker without its primary', () => {
  it('exits with code 0 and no stack trace when its stats push hits a closed channel', async () => {
    const child = fork(clusterWorkerScript(), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await nextMessage(child, 'ready', 10_000);
      child.send({ type: 'start', options: { host: '127.0.0.1', port: 0, deflate: false } });
      await nextMessage(child, 'listening', 10_000);
      // Stopped, the worker cannot see the channel close; its 250 ms stats push falls due meanwhile, so on SIGCONT
      // the timer runs first and writes to a channel whose other end is gone.
      child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 400));
      child.disconnect();
      child.kill('SIGCONT');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect(stderr).not.toMatch(/EPIPE|Error/);
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
