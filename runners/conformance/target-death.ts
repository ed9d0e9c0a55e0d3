// A target that stops accepting connections in the middle of a run has crashed: the runner stops scheduling cases,
// names the cases that were in flight when it died (one of them killed it) and, given a restart command, re-runs
// each of them alone against a restarted target to find which. The restart command runs through /bin/sh with a
// timeout; on timeout only its own process group (the shell this module started and its children) is ended.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeerConnectError, RawPeer, type RawPeerOptions } from '../../peers/raw/raw-peer.js';

export interface ProbeTarget {
  url: URL;
  tls?: RawPeerOptions['tls'];
}

/** True when the target accepts a TCP (TLS) connection within timeoutMs. */
export async function accepts(target: ProbeTarget, timeoutMs = 2000): Promise<boolean> {
  try {
    const peer = await RawPeer.connect({ url: target.url, tls: target.tls, connectTimeoutMs: timeoutMs, deadline: performance.now() + timeoutMs, closeReserveMs: 0 });
    peer.destroy();
    return true;
  } catch (err) {
    if (err instanceof PeerConnectError) return false;
    throw err;
  }
}

/** A refused connect that a few more tries, a moment apart, confirm (a full accept backlog is not a crash). */
export async function isDown(target: ProbeTarget, tries = 3, gapMs = 250): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await accepts(target)) return false;
    if (i < tries - 1) await sleep(gapMs);
  }
  return true;
}

/** When each case held a connection, to tell which were in flight when the target died. */
export class DeathWatch {
  private readonly spans = new Map<string, { connectedAt: number; endedAt?: number }>();
  private lastAccepted = -Infinity;
  /** The first refused connect that probes confirmed, with the last accepted one before it. */
  death: { caseId: string; at: number; lastAccepted: number; detail: string } | null = null;
  private checking: Promise<boolean> | null = null;

  connected(id: string): void {
    const now = performance.now();
    this.spans.set(id, { connectedAt: now });
    if (this.death === null) this.lastAccepted = now;
  }

  ended(id: string): void {
    const span = this.spans.get(id);
    if (span) span.endedAt = performance.now();
  }

  get dead(): boolean {
    return this.death !== null;
  }

  /** A case could not connect: is the target down? One probe run at a time; concurrent callers share it. */
  async refused(id: string, detail: string, target: ProbeTarget): Promise<boolean> {
    if (this.death) return true;
    const at = performance.now();
    const lastAccepted = this.lastAccepted;
    this.checking ??= isDown(target).finally(() => (this.checking = null));
    const down = await this.checking;
    if (down && !this.death) this.death = { caseId: id, at, lastAccepted, detail };
    return down;
  }

  /** Cases holding a connection at some point between the last connection accepted and the first refused. */
  suspects(order: readonly string[]): string[] {
    const d = this.death;
    if (!d) return [];
    return order.filter((id) => {
      const s = this.spans.get(id);
      return s !== undefined && s.connectedAt <= d.at && (s.endedAt === undefined || s.endedAt >= d.lastAccepted);
    });
  }
}

export class RestartError extends Error {
  override readonly name = 'RestartError';
}

/** Runs the restart command through /bin/sh and waits for the target to accept connections, all within timeoutMs. */
export async function restartTarget(command: string, target: ProbeTarget, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-400)));
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'timeout' | Error>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
    // 'exit', not 'close': a server the command starts in the background may keep the stderr pipe open.
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  child.stderr!.destroy();
  if (outcome === 'timeout') {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    throw new RestartError(`--restart-cmd did not finish within ${timeoutMs} ms`);
  }
  if (outcome instanceof Error) throw new RestartError(`--restart-cmd could not start: ${outcome.message}`);
  if (outcome.code !== 0) {
    const last = stderr.trim().split('\n').pop() ?? '';
    throw new RestartError(`--restart-cmd exited with ${outcome.code !== null ? `code ${outcome.code}` : outcome.signal}${last ? `: ${last}` : ''}`);
  }
  while (performance.now() < deadline) {
    if (await accepts(target, Math.max(1, Math.min(2000, deadline - performance.now())))) return;
    await sleep(Math.max(0, Math.min(200, deadline - performance.now())));
  }
  throw new RestartError(`the target did not accept connections within ${timeoutMs} ms of --restart-cmd`);
}
