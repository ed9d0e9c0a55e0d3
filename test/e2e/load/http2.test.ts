// `load --http2` (RFC 8441): WebSockets as streams of a few shared HTTP/2 connections, against the reference server
// (h2c by prior knowledge, and h2 by ALPN over TLS), through a relay whose connection we kill (the session dies,
// its streams drop and reconnect), against an HTTP/2 server that never enables Extended CONNECT, and from the CLI.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import { runLoad } from '../../../runners/load/engine.js';
import type { LoadProfile } from '../../../runners/load/profile.js';
import { runCli } from '../../helpers/cli.js';
import { makeSelfSignedCert } from '../../helpers/tls-cert.js';
import { profile, waitFor } from './load-helpers.js';

let server: RunningServer | null = null;
let relay: Server | null = null;
let bare: Http2Server | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  if (relay) await new Promise<void>((r) => relay!.close(() => r()));
  relay = null;
  if (bare) await new Promise<void>((r) => bare!.close(() => r()));
  bare = null;
});

/** 300 WebSockets over HTTP/2, 100 per connection, pinging and echoing. */
function h2Profile(url: string, over: Partial<LoadProfile> = {}): LoadProfile {
  return profile({ url, connections: 300, durationS: 3, heartbeatMs: 500, pongTimeoutMs: 2000, messageRate: 5, http2: { streamsPerConnection: 100 }, ...over });
}

/** A TCP relay to `port` that can kill one of its connections (both sides at once, as a dead path would). */
async function startRelay(port: number): Promise<{ url: string; pairs: [Socket, Socket][] }> {
  const pairs: [Socket, Socket][] = [];
  relay = createServer((down) => {
    const up = connect(port, '127.0.0.1');
    pairs.push([down, up]);
    down.pipe(up).pipe(down);
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
    down.on('close', () => up.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((r) => relay!.listen(0, '127.0.0.1', () => r()));
  return { url: `ws://127.0.0.1:${(relay.address() as { port: number }).port}/`, pairs };
}

describe('load --http2', () => {
  it('holds 300 WebSockets on 3 HTTP/2 connections: every echo matched, thresholds judged', async () => {
    server = await startReferenceServer();
    const r = await runLoad(h2Profile(server.url, { thresholds: ['connections.peak>=300', 'errors.count==0', 'ping_rtt.p99<0.001ms'] }));
    const l = r.load!;
    expect(l.errors).toEqual({});
    expect(l.connections).toMatchObject({ target: 300, peak: 300, opened: 300, failed: 0, dropped: 0 });
    expect(l.http2).toEqual({
      sessions: 3,
      sessionsAtPeak: 3,
      streamsPerSession: { max: 100, mean: 100 },
      streamsPerConnection: 100,
      sessionsLost: 0,
      streamsLost: 0,
      streamsReset: 0,
    });
    expect(l.counters.messagesSent).toBeGreaterThan(300 * 5 * 2);
    expect(l.counters.echoed).toBe(l.counters.messagesSent - l.counters.abandoned!);
    expect(l.counters.unmatched).toBe(0);
    expect(l.counters.unexpected).toBe(0);
    expect(l.counters.outOfOrder).toBe(0);
    expect(l.heartbeat!.pongsReceived).toBe(l.heartbeat!.pingsSent);
    expect(l.heartbeat!.pingsSent).toBeGreaterThan(300 * 4);
    expect(l.histograms.messageRtt.count).toBe(l.counters.echoed);
    // Closed cleanly at the end: the server saw every WebSocket come and go.
    expect(server.stats()).toMatchObject({ totalConnections: 300, openConnections: 0 });
    expect(l.thresholds.map((t) => [t.expr, t.ok])).toEqual([
      ['connections.peak>=300', true],
      ['errors.count==0', true],
      ['ping_rtt.p99<0.001ms', false],
      ['messages.unmatched.rate<1%', true],
    ]);
  }, 30_000);

  it('a connection that dies drops its 100 streams, which reconnect on a new connection', async () => {
    server = await startReferenceServer();
    const { url, pairs } = await startRelay(server.port);
    const run = runLoad(h2Profile(url, { durationS: 4, reconnect: true, reconnectBaseMs: 50, reconnectMaxMs: 200 }));
    await waitFor(() => pairs.length === 3 && server!.stats().openConnections === 300, 10_000, '300 WebSockets on 3 connections');
    const [down, up] = pairs[1]!;
    down.destroy();
    up.destroy();
    await waitFor(() => pairs.length === 4 && server!.stats().openConnections === 300, 10_000, 'the 100 WebSockets back on a 4th connection');
    const l = (await run).load!;
    expect(l.connections).toMatchObject({ peak: 300, opened: 400, dropped: 100, reconnects: 100, failed: 0 });
    expect(l.connections.dropsByCode).toEqual({ '1006': 100 });
    expect(l.errors).toEqual({ 'session-lost': 100 });
    expect(l.http2).toMatchObject({ sessions: 4, sessionsLost: 1, streamsLost: 100, streamsReset: 0, streamsPerSession: { max: 100, mean: 100 } });
    expect(l.histograms.recover.count).toBe(100);
    // Only echoes in flight on the dead connection go unanswered (a few per WebSocket at most, at 5 messages/s).
    expect(l.counters.unmatched).toBeLessThanOrEqual(200);
    expect(l.counters.echoed + l.counters.unmatched! + l.counters.abandoned!).toBe(l.counters.messagesSent);
  }, 30_000);

  it('fails every WebSocket, by handshake kind, on an HTTP/2 server that never enables Extended CONNECT', async () => {
    bare = createH2Server();
    bare.on('stream', (stream) => stream.respond({ ':status': 200 }));
    await new Promise<void>((r) => bare!.listen(0, '127.0.0.1', () => r()));
    const url = `ws://127.0.0.1:${(bare.address() as { port: number }).port}/`;
    const l = (await runLoad(h2Profile(url, { connections: 30, durationS: 0.5, http2: { streamsPerConnection: 10 } }))).load!;
    expect(l.connections).toMatchObject({ opened: 0, failed: 30 });
    expect(l.errors).toEqual({ handshake: 30 });
    expect(l.http2).toMatchObject({ sessions: 0, sessionsLost: 0 });
    const warnings = l.runner!.warnings.filter((w) => w.startsWith('HTTP/2: '));
    expect(warnings).toEqual(['HTTP/2: RFC 8441 §3: the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1, so no WebSocket can open over HTTP/2 on this target']);
  }, 30_000);

  it('lowers --streams-per-connection to the server SETTINGS_MAX_CONCURRENT_STREAMS, and says so', async () => {
    bare = createH2Server({ settings: { enableConnectProtocol: true, maxConcurrentStreams: 4 } });
    // Accepts and echoes nothing: enough to hold streams open without pings (heartbeat off).
    bare.on('stream', (stream) => stream.respond({ ':status': 200 }));
    await new Promise<void>((r) => bare!.listen(0, '127.0.0.1', () => r()));
    const url = `ws://127.0.0.1:${(bare.address() as { port: number }).port}/`;
    const l = (await runLoad(h2Profile(url, { connections: 20, durationS: 0.5, heartbeatMs: 0, messageRate: 0, closeTimeoutMs: 200 }))).load!;
    expect(l.connections).toMatchObject({ peak: 20, opened: 20, failed: 0 });
    expect(l.http2).toMatchObject({ sessions: 5, streamsPerConnection: 4, maxConcurrentStreams: 4, streamsPerSession: { max: 4, mean: 4 } });
    expect(l.runner!.warnings).toContain(
      'HTTP/2: the server allows 4 streams per HTTP/2 connection (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 7540 §6.5.2): --streams-per-connection 100 lowered to 4',
    );
  }, 30_000);

  it('speaks h2 by ALPN to a wss:// target, and says so when the target offers only HTTP/1.1', async () => {
    const cert = makeSelfSignedCert();
    try {
      const tls = { cert: cert.cert, key: cert.key };
      server = await startReferenceServer({ tls });
      const l = (await runLoad(h2Profile(server.url, { connections: 40, durationS: 1, caPem: cert.cert.toString(), http2: { streamsPerConnection: 20 } }))).load!;
      expect(l.errors).toEqual({});
      expect(l.connections).toMatchObject({ opened: 40, peak: 40 });
      expect(l.http2).toMatchObject({ sessions: 2, streamsPerSession: { max: 20, mean: 20 } });
      expect(l.counters.unmatched).toBe(0);
      await server.close();
      server = await startReferenceServer({ tls, http2: false });
      const h1 = (await runLoad(h2Profile(server.url, { connections: 10, durationS: 0.5, caPem: cert.cert.toString() }))).load!;
      expect(h1.errors).toEqual({ handshake: 10 });
      expect(h1.runner!.warnings.filter((w) => w.startsWith('HTTP/2: '))).toEqual([
        `HTTP/2: the connection to 127.0.0.1:${server.port} failed: RFC 7540 §3.3: the server does not offer h2 by ALPN (TLS alert no_application_protocol)`,
      ]);
    } finally {
      cert.cleanup();
    }
  }, 30_000);

  it('is a CLI flag (embedded server, worker processes): results.json has the http2 section; misuse is a usage error', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wsprobe-h2-'));
    try {
      const args = ['load', '--http2', '--streams-per-connection', '50', '--connections', '200', '--duration', '1', '--workers', '2', '--message-rate', '5'];
      const r = await runCli([...args, '--threshold', 'connections.peak>=200', '--out', out], { timeoutMs: 40_000 });
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^http2 {8}4 connections, WebSockets per connection max 50 mean 50 \(limit 50\), lost 0 \(0 WebSockets with them\), reset 0$/m);
      const l = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).load;
      expect(l.profile.http2).toEqual({ streamsPerConnection: 50 });
      expect(l.http2).toMatchObject({ sessions: 4, sessionsAtPeak: 4, streamsPerSession: { max: 50, mean: 50 } });
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('HTTP/2 connections (RFC 8441)');
      const bad = await runCli(['load', '--streams-per-connection', '10', '--connections', '1'], { timeoutMs: 20_000 });
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--streams-per-connection needs --http2/)]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
