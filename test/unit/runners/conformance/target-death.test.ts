// The pieces of crash handling: which cases were in flight when the target died, and a restart command that runs
// through the shell with a timeout and ends only its own process group.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DeathWatch, restartTarget, RestartError } from '../../../../runners/conformance/target-death.js';

const dir = mkdtempSync(join(tmpdir(), 'wsprobe-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Running (a zombie nobody has reaped yet is ended). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('DeathWatch', () => {
  it('names the cases that held a connection between the last accepted connect and the first refused one', async () => {
    const port = await freePort();
    const w = new DeathWatch();
    w.connected('done-long-ago');
    w.ended('done-long-ago');
    await sleep(5);
    w.connected('in-flight');
    w.connected('ended-after-last-accept');
    await sleep(5);
    w.ended('ended-after-last-accept');
    // Nothing listens on the port: the probes confirm the target is down.
    expect(await w.refused('first-refused', 'ECONNREFUSED', { url: new URL(`ws://127.0.0.1:${port}/`) })).toBe(true);
    expect(w.dead).toBe(true);
    expect(w.suspects(['done-long-ago', 'in-flight', 'ended-after-last-accept', 'first-refused'])).toEqual(['in-flight', 'ended-after-last-accept']);
  });

  it('a refused connect that the probes do not confirm is not a death', async () => {
    const srv = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const w = new DeathWatch();
      expect(await w.refused('x', 'ECONNREFUSED', { url: new URL(`ws://127.0.0.1:${(srv.address() as net.AddressInfo).port}/`) })).toBe(false);
      expect(w.dead).toBe(false);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});

describe('restartTarget', () => {
  it('runs the command through the shell and waits until the target accepts connections', async () => {
    const port = await freePort();
    const flag = join(dir, 'started');
    const srv = net.createServer((s) => s.destroy());
    // The "restart" starts the listener 300 ms after the command itself has exited.
    const cmd = `touch ${flag}`;
    setTimeout(() => srv.listen(port, '127.0.0.1'), 300);
    try {
      await restartTarget(cmd, { url: new URL(`ws://127.0.0.1:${port}/`) }, 5000);
      expect(existsSync(flag)).toBe(true);
      expect(srv.listening).toBe(true);
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('a command that outlives the timeout is ended with its own children, and reported in one line', async () => {
    const pidFile = join(dir, 'pid');
    const t = performance.now();
    const err = await restartTarget(`sleep 30 & echo $! > ${pidFile}; wait`, { url: new URL('ws://127.0.0.1:9/') }, 400).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestartError);
    expect((err as Error).message).toBe('--restart-cmd did not finish within 400 ms');
    expect(performance.now() - t).toBeLessThan(3000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 20 && alive(pid); i++) await sleep(50);
    expect(alive(pid)).toBe(false);
  });

  it('a failing command is a one-line error with its last stderr line', async () => {
    const err = await restartTarget('echo starting >&2; echo "unit not found" >&2; exit 5', { url: new URL('ws://127.0.0.1:9/') }, 2000).catch((e: unknown) => e);
    expect((err as Error).message).toBe('--restart-cmd exited with code 5: unit not found');
  });
});
