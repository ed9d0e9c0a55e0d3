// A server that stops answering pings: every connection is declared dead after --pong-timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { profile, startWsServer, type TestServer } from './load-helpers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('load: pong timeouts', () => {
  it('detects missing pongs, drops the connections and counts them', async () => {
    server = await startWsServer({ autoPong: false });
    const r = await runLoad(profile({ url: server.url, connections: 20, durationS: 2, heartbeatMs: 300, pongTimeoutMs: 400 }));
    const l = r.load!;
    expect(l.connections.opened).toBe(20);
    expect(l.errors['pong-timeout']).toBe(20);
    expect(l.connections.dropsByCode['pong-timeout']).toBe(20);
    expect(l.heartbeat!.missedPongs).toBe(20);
    expect(l.counters.pongsReceived).toBe(0);
  }, 30_000);

  it('keeps connections whose pongs arrive', async () => {
    server = await startWsServer();
    const r = await runLoad(profile({ url: server.url, connections: 20, durationS: 1.5, heartbeatMs: 300, pongTimeoutMs: 400 }));
    expect(r.load!.errors).toEqual({});
    expect(r.load!.heartbeat!.missedPongs).toBe(0);
  }, 30_000);

  it('an application-level heartbeat keeps connections alive where WebSocket pings go unanswered', async () => {
    server = await startWsServer({ autoPong: false });
    const r = await runLoad(
      profile({ url: server.url, connections: 20, durationS: 1.5, heartbeatMs: 300, pongTimeoutMs: 400, appHeartbeat: { send: 'hb', expect: 'hb' } }),
    );
    const l = r.load!;
    expect(l.errors).toEqual({});
    expect(l.counters.pingsSent).toBeGreaterThan(20);
    expect(l.counters.pongsReceived).toBeGreaterThanOrEqual(l.counters.pingsSent! - 20);
    expect(l.histograms.pingRtt.count).toBe(l.counters.pongsReceived);
    expect(l.counters.unexpected).toBe(0);
    expect(l.counters.unmatched).toBe(0);
  }, 30_000);
});
