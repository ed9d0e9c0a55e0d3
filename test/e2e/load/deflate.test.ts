// `load --deflate`: permessage-deflate offered in every handshake, echoes compressed and inflated, and the wire and
// application byte counts side by side. Against ws with and without deflate, a server with a bad response, and the
// embedded reference server (worker and target processes from dist/).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { computeAcceptKey } from '../../../protocol/handshake/accept-key.js';
import { runLoad } from '../../../runners/load/engine.js';
import type { LoadProfile } from '../../../runners/load/profile.js';
import { profile, startWsServer, type TestServer } from './load-helpers.js';

/** 20 connections, 3 s, 20 messages/s each of 1 KiB compressible text, an echoed app heartbeat. */
function deflateProfile(over: Partial<LoadProfile>): LoadProfile {
  return profile({
    connections: 20,
    durationS: 3,
    messageRate: 20,
    messageSize: 1024,
    heartbeatMs: 500,
    pongTimeoutMs: 2000,
    appHeartbeat: { send: 'heartbeat heartbeat heartbeat', expect: 'heartbeat heartbeat heartbeat' },
    deflate: { noContextTakeover: false },
    ...over,
  });
}

let server: TestServer | null = null;
let raw: Server | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  if (raw) await new Promise<void>((r) => raw!.close(() => r()));
  raw = null;
});

function expectEchoed(l: NonNullable<Awaited<ReturnType<typeof runLoad>>['load']>): void {
  expect(l.errors).toEqual({});
  expect(l.connections).toMatchObject({ opened: 20, failed: 0, dropped: 0 });
  expect(l.histograms.messageRtt.count).toBeGreaterThan(20 * 20);
  expect(l.counters.unexpected).toBe(0);
  expect(l.counters.unmatched).toBe(0);
  expect(l.counters.outOfOrder).toBe(0);
  expect(l.counters.pongsReceived).toBeGreaterThan(20);
}

describe('load --deflate', () => {
  it('compresses against a ws server with permessage-deflate: echoes match, fewer bytes on the wire (2 workers)', async () => {
    server = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    const l = (await runLoad(deflateProfile({ url: server.url, workers: 2 }))).load!;
    expect(l.runner!.workers).toBe(2);
    expectEchoed(l);
    expect(l.counters.deflateNegotiated).toBe(20);
    expect(l.counters.appBytesReceived).toBeGreaterThan(l.histograms.messageRtt.count * 1024);
    expect(l.counters.bytesReceived).toBeLessThan(l.counters.appBytesReceived!);
    expect(l.counters.bytesSent).toBeLessThan(l.counters.appBytesSent!);
  }, 30_000);

  it('offers no context takeover with --deflate-no-context-takeover, and still compresses each message', async () => {
    server = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    const offers: string[] = [];
    server.wss.on('headers', (_h, req) => offers.push(String(req.headers['sec-websocket-extensions'])));
    const l = (await runLoad(deflateProfile({ url: server.url, durationS: 2, deflate: { noContextTakeover: true } }))).load!;
    expectEchoed(l);
    // The first handshake is the echo probe's, made before the load starts (it offers no extension).
    expect(offers[0]).toBe('undefined');
    expect(offers[1]).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits');
    expect(l.counters.deflateNegotiated).toBe(20);
    expect(l.counters.bytesReceived).toBeLessThan(l.counters.appBytesReceived!);
  }, 30_000);

  it('runs uncompressed when the server declines the offer', async () => {
    server = await startWsServer({ perMessageDeflate: false });
    const l = (await runLoad(deflateProfile({ url: server.url }))).load!;
    expectEchoed(l);
    expect(l.counters.deflateNegotiated).toBe(0);
    // Uncompressed: the wire carries the payloads plus frame headers and the handshakes.
    expect(l.counters.appBytesReceived).toBeGreaterThan(0);
    expect(l.counters.bytesReceived).toBeGreaterThan(l.counters.appBytesReceived!);
  }, 30_000);

  it('fails the handshake on a response its offer does not allow, counted by kind', async () => {
    // RFC 7692 §7.1.2.2: client_max_window_bits must be 8..15; 7 makes the client fail the connection.
    raw = createServer();
    raw.on('upgrade', (req, socket: Socket) => {
      const accept = computeAcceptKey(String(req.headers['sec-websocket-key']));
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=7\r\n\r\n`,
      );
    });
    await new Promise<void>((r) => raw!.listen(0, '127.0.0.1', () => r()));
    const port = (raw.address() as { port: number }).port;
    const l = (await runLoad(deflateProfile({ url: `ws://127.0.0.1:${port}/`, durationS: 1 }))).load!;
    expect(l.connections.opened).toBe(0);
    expect(l.connections.failed).toBe(20);
    expect(l.errors).toEqual({ handshake: 20 });
    expect(l.counters.deflateNegotiated).toBe(0);
  }, 30_000);

  it('compresses against the embedded reference server', async () => {
    const r = await runLoad(deflateProfile({ url: '' }));
    expect(r.target.embedded).toBe(true);
    const l = r.load!;
    expectEchoed(l);
    expect(l.counters.deflateNegotiated).toBe(20);
    expect(l.counters.bytesReceived).toBeLessThan(l.counters.appBytesReceived!);
    expect(l.counters.bytesSent).toBeLessThan(l.counters.appBytesSent!);
  }, 60_000);

  it('without --deflate offers nothing and reports no deflate counters', async () => {
    server = await startWsServer({ perMessageDeflate: { threshold: 0 } });
    const offers: (string | undefined)[] = [];
    server.wss.on('headers', (_h, req) => offers.push(req.headers['sec-websocket-extensions']));
    const l = (await runLoad(deflateProfile({ url: server.url, durationS: 2, deflate: undefined }))).load!;
    expectEchoed(l);
    // 20 connections and the echo probe made before the load starts.
    expect(offers).toHaveLength(21);
    expect(offers.every((o) => o === undefined)).toBe(true);
    expect(l.counters).not.toHaveProperty('deflateNegotiated');
    expect(l.counters).not.toHaveProperty('appBytesReceived');
  }, 30_000);

  it('is a CLI flag: results.json has the counters; --deflate-no-context-takeover alone is a usage error', async () => {
    const out = mkdtempSync(join(tmpdir(), 'wsprobe-deflate-'));
    try {
      const args = ['load', '--connections', '20', '--duration', '1', '--workers', '1', '--message-rate', '20', '--message-size', '1024'];
      const r = await runCli([...args, '--deflate', '--out', out], { timeoutMs: 40_000 });
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.code).toBe(0);
      const c = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).load.counters;
      expect(c.deflateNegotiated).toBe(20);
      expect(c.bytesReceived).toBeLessThan(c.appBytesReceived);
      const bad = await runCli([...args, '--deflate-no-context-takeover'], { timeoutMs: 20_000 });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--deflate-no-context-takeover needs --deflate/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
