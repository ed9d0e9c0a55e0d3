// `wsprobe test` as a user runs it (built CLI in dist/, see test/helpers/cli.ts): embedded server, reports written,
// --json on stdout, --list, usage and setup errors as one line with exit 2.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wsprobe-test-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wsprobe test', () => {
  it('runs selected cases against the embedded reference server and writes the reports', async () => {
    const out = join(dir, 'report');
    const r = await runCli(['test', '--cases', 'control.*', '--exclude', 'control.ping.sizes-*', '--out', out, '--json'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { kind: string; target: { embedded?: boolean }; cases: { id: string; verdict: string }[]; summary: Record<string, number> };
    expect(result.kind).toBe('conformance');
    expect(result.target.embedded).toBe(true);
    expect(result.cases.length).toBeGreaterThan(5);
    expect(result.cases.every((c) => c.id.startsWith('control.'))).toBe(true);
    expect(result.summary.pass).toBe(result.cases.length);
    for (const f of ['results.json', 'report.html', 'junit.xml']) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).cases.length).toBe(result.cases.length);
    expect(r.stderr).toMatch(/running \d+ cases/);
  });

  it('--list prints ids, titles and Autobahn ids without running anything', async () => {
    const r = await runCli(['test', '--list', '--cases', 'close.code.*']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^close\.code\.1000\t.*\tautobahn 7\.7\.1$/m);
    expect(r.stdout.trim().split('\n').every((l) => l.startsWith('close.code.'))).toBe(true);
  });

  it('a pattern that matches nothing is a usage error (exit 2, one line)', async () => {
    const r = await runCli(['test', '--cases', 'nope.*', '--out', join(dir, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/"nope\.\*" matches no case/);
  });

  it('an unreachable target is a setup error (exit 2, one line), not hundreds of failed cases', async () => {
    const probe = net.createServer();
    await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((res) => probe.close(() => res()));
    const r = await runCli(['test', `ws://127.0.0.1:${port}/`, '--out', join(dir, 'y')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach ws:\/\/127\.0\.0\.1:\d+\/.*ECONNREFUSED/);
  });

  it('exit 1 when a case fails at or beyond --fail-on', async () => {
    // A target that accepts the handshake and then ignores everything: the cases time out and fail.
    const srv = net.createServer((s) => {
      s.on('error', () => undefined);
      s.once('data', (d) => {
        const key = /sec-websocket-key: *(\S+)/i.exec(d.toString('latin1'))?.[1] ?? '';
        void import('../../../protocol/handshake/accept-key.js').then(({ computeAcceptKey }) =>
          s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`),
        );
      });
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    try {
      const port = (srv.address() as net.AddressInfo).port;
      const r = await runCli(['test', `ws://127.0.0.1:${port}/`, '--cases', 'control.ping.empty', '--timeout', '1000', '--out', join(dir, 'z')], { timeoutMs: 30_000 });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/control\.ping\.empty/);
    } finally {
      await new Promise<void>((res) => srv.close(() => res()));
    }
  });
});
