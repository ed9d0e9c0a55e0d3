// `wsprobe serve` as a process (from dist/: run `npx tsc -p tsconfig.json` first): prints its real port, echoes,
// answers SIGTERM with 1001 and exit 0; bad flags give one line and exit 2; workers share one port.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runCli } from '../../helpers/cli.js';
import { makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert.js';
import { nextWsMessage, openWs, wsClosed } from './helpers.js';

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` first');
});

interface Served {
  child: ChildProcess;
  url: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Spawns `wsprobe serve ...args` and resolves with the URL from its first stdout line. */
function serve(args: string[], timeoutMs = 20_000): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let stdout = '';
    let stderr = '';
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
    const timer = setTimeout(() => reject(new Error(`no 'listening' line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const line = stdout.slice(0, nl);
      const m = /^listening (wss?:\/\/\S+)$/.exec(line);
      if (m === null) reject(new Error(`unexpected first line: ${JSON.stringify(line)}`));
      else resolve({ child, url: m[1]!, exit, stderr: () => stderr });
    });
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

function expectOneLineUsageError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines[0]).toMatch(/^wsprobe: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('wsprobe serve', () => {
  let cert: TestCert;
  beforeAll(() => {
    cert = makeSelfSignedCert();
  });
  afterAll(() => cert?.cleanup());

  it('--port 0 prints `listening ws://HOST:PORT/` with the real port; a ws client echoes; SIGTERM sends 1001 and exits 0', async () => {
    const s = await serve(['--port', '0']);
    expect(s.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(Number(new URL(s.url).port)).toBeGreaterThan(0);
    const ws = await openWs(s.url);
    ws.send('through the CLI');
    expect((await nextWsMessage(ws)).data.toString()).toBe('through the CLI');
    const closed = wsClosed(ws);
    s.child.kill('SIGTERM');
    expect((await closed).code).toBe(1001);
    expect(await s.exit).toEqual({ code: 0, signal: null });
  });

  it('serves wss:// with --tls-cert and --tls-key', async () => {
    const s = await serve(['--port', '0', '--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--no-deflate']);
    expect(s.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/$/);
    const ws = await openWs(s.url, { ca: cert.cert });
    expect(ws.extensions).toBe('');
    ws.send(Buffer.from([1, 2, 3]));
    expect([...(await nextWsMessage(ws)).data]).toEqual([1, 2, 3]);
    s.child.kill('SIGINT');
    expect((await s.exit).code).toBe(0);
  });

  it('--workers 2 shares one port; stats are summed with one entry per worker', async () => {
    const s = await serve(['--port', '0', '--workers', '2']);
    const clients = await Promise.all(Array.from({ length: 8 }, () => openWs(s.url)));
    for (const ws of clients) ws.send('x');
    await Promise.all(clients.map((ws) => nextWsMessage(ws)));
    const port = new URL(s.url).port;
    const stats = await new Promise<Record<string, unknown>>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/stats', timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
      }).on('error', reject);
    });
    const workers = stats.workers as { pid: number; messagesIn: number }[];
    expect(workers).toHaveLength(2);
    expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
    expect(stats.messagesIn).toBe(8);
    expect(workers.reduce((a, w) => a + w.messagesIn, 0)).toBe(8);
    expect(stats.openConnections).toBe(8);
    const closes = clients.map((ws) => wsClosed(ws));
    s.child.kill('SIGTERM');
    for (const c of await Promise.all(closes)) expect(c.code).toBe(1001);
    expect((await s.exit).code).toBe(0);
  });

  it('takes options from --config (flags win)', async () => {
    const file = join(cert.dir, 'wsprobe.json');
    writeFileSync(file, JSON.stringify({ port: 1, deflate: false, path: '/cfg', protocols: ['p1'] }));
    const s = await serve(['--config', file, '--port', '0']);
    expect(s.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/cfg$/);
    const ws = await openWs(s.url, { protocols: ['p1'] });
    expect(ws.protocol).toBe('p1');
    expect(ws.extensions).toBe('');
    s.child.kill('SIGTERM');
    expect((await s.exit).code).toBe(0);
  });

  it.each([
    [['--port', 'abc'], /port/],
    [['--port', '70000'], /port.*65535/],
    [['--workers', '0'], /workers/],
    [['--frobnicate'], /frobnicate|Unknown/i],
    [['--tls-cert', 'x.pem'], /--tls-cert and --tls-key/],
    [['--pong-timeout', '100'], /--heartbeat/],
    [['--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem'], /TLS/],
    [['--config', '/nonexistent/wsprobe.json'], /config/],
  ])('bad flags %j: one line, exit 2', async (args, pattern) => {
    expectOneLineUsageError(await runCli(['serve', ...args]), pattern);
  });

  it('a port in use: one line, exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      expectOneLineUsageError(await runCli(['serve', '--port', String(port)]), /in use/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
