// The CLI from dist/: thresholds set the exit code, a malformed one is a usage error, Ctrl-C writes a result with
// interrupted: true, and a wss run against a self-signed certificate.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runCli } from '../../helpers/cli.js';
import { makeSelfSignedCert } from '../../helpers/tls-cert.js';
import { runLoad } from '../../../runners/load/engine.js';
import { profile } from './load-helpers.js';

const dirs: string[] = [];
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'wsprobe-load-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SMALL = ['load', '--connections', '20', '--duration', '1', '--heartbeat', '200', '--workers', '1'];

describe('wsprobe load (CLI)', () => {
  it('exits 0 when thresholds hold and 1 when one is breached, listing them in results.json', async () => {
    const ok = outDir();
    const a = await runCli([...SMALL, '--threshold', 'connections.peak>=20', '--threshold', 'errors.rate<1%', '--out', ok], { timeoutMs: 40_000 });
    expect(a.stderr).not.toMatch(/internal error/);
    expect(a.code).toBe(0);
    const ra = JSON.parse(readFileSync(join(ok, 'results.json'), 'utf8'));
    expect(ra.kind).toBe('load');
    expect(ra.load.thresholds).toEqual([
      expect.objectContaining({ expr: 'connections.peak>=20', ok: true, value: 20 }),
      expect.objectContaining({ expr: 'errors.rate<1%', ok: true }),
    ]);
    expect(ra.load.histograms.pingRtt.encoded).toMatch(/^[A-Za-z0-9+/=]+$/);

    const bad = outDir();
    const b = await runCli([...SMALL, '--threshold', 'ping_rtt.p99<0.001ms', '--out', bad], { timeoutMs: 40_000 });
    expect(b.code).toBe(1);
    const rb = JSON.parse(readFileSync(join(bad, 'results.json'), 'utf8'));
    expect(rb.load.thresholds[0]).toMatchObject({ expr: 'ping_rtt.p99<0.001ms', metric: 'pingRtt.p99', ok: false });
  }, 90_000);

  it('rejects a malformed threshold with exit 2 and the grammar, before connecting', async () => {
    const r = await runCli(['load', 'ws://127.0.0.1:9/', '--threshold', 'ping_rtt<50'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/malformed threshold "ping_rtt<50"/);
    expect(r.stderr).toMatch(/threshold := METRIC\.STAT OP NUMBER/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('stops cleanly on SIGINT and writes what it measured with interrupted: true', async () => {
    const dir = outDir();
    const child = spawn(process.execPath, [CLI, 'load', '--connections', '200', '--duration', '60', '--heartbeat', '300', '--workers', '2', '--out', dir], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!/connections over/.test(stderr)) {
        if (Date.now() > deadline) throw new Error(`no start line: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 2500));
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
      expect(code).not.toBe('timeout');
      expect(stderr).toMatch(/SIGINT received/);
      const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      expect(r.interrupted).toBe(true);
      expect(r.load.connections.opened).toBe(200);
      expect(r.load.counters.pongsReceived).toBeGreaterThan(0);
      expect(r.load.histograms.pingRtt.count).toBe(r.load.counters.pongsReceived);
      expect(r.durationMs).toBeLessThan(30_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);

  it('runs over wss:// against a self-signed certificate (trusted with --ca, refused without)', async () => {
    const cert = makeSelfSignedCert();
    try {
      const tls = { cert: cert.cert.toString(), key: cert.key.toString() };
      const ok = await runLoad(profile({ connections: 20, durationS: 1, heartbeatMs: 200, messageRate: 5, caPem: tls.cert }), { serverTls: tls });
      expect(ok.target.url).toMatch(/^wss:\/\//);
      expect(ok.load!.connections.opened).toBe(20);
      expect(ok.load!.errors).toEqual({});
      expect(ok.load!.histograms.messageRtt.count).toBeGreaterThan(0);
      const refused = await runLoad(profile({ connections: 5, durationS: 0.5, heartbeatMs: 0 }), { serverTls: tls });
      expect(refused.load!.connections.opened).toBe(0);
      expect(refused.load!.errors.tls).toBe(5);
    } finally {
      cert.cleanup();
    }
  }, 60_000);
});
