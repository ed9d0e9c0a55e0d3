// A server that restarts: connections drop (1006), reconnect with backoff once it is back, and the time to recover
// is recorded.
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { profile, startWsServer, waitFor, type TestServer } from './load-helpers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('load: reconnects', () => {
  it('reopens every dropped connection after the server restarts', async () => {
    server = await startWsServer();
    const port = server.port;
    const n = 30;
    const run = runLoad(
      profile({ url: server.url, connections: n, durationS: 5, heartbeatMs: 500, pongTimeoutMs: 1000, reconnect: true, reconnectBaseMs: 100, reconnectMaxMs: 400 }),
    );
    await waitFor(() => server!.wss.clients.size === n, 10_000, 'all connections');
    await server.close();
    await new Promise((r) => setTimeout(r, 600)); // the outage: reconnect attempts meet ECONNREFUSED
    server = await startWsServer({ port });
    await waitFor(() => server!.wss.clients.size === n, 10_000, 'all connections back');
    const l = (await run).load!;
    expect(l.connections.opened).toBe(2 * n);
    expect(l.connections.dropped).toBe(n);
    expect(l.connections.dropsByCode['1006']).toBe(n);
    expect(l.connections.reconnects).toBe(n);
    expect(l.histograms.recover.count).toBe(n);
    expect(l.histograms.recover.min).toBeGreaterThanOrEqual(500);
    expect(l.errors.refused ?? 0).toBeGreaterThan(0);
    expect(l.counters.reconnectAttempts).toBeGreaterThan(n);
  }, 30_000);
});
