// A server that stops answering pings: with other data still arriving, every connection is dropped after
// --pong-timeout; with nothing arriving at all it is a silent drop (half-open) after one more; pongs in that grace
// are late, not drops.
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { profile, startWsServer, type TestServer } from './load-helpers.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('load: pong timeouts', () => {
  it('drops connections whose pings go unanswered while echoes still arrive as pong timeouts', async () => {
    server = await startWsServer({ autoPong: false });
    // Echo traffic on every connection (20 messages/s each): the target is alive, it just answers no ping.
    const r = await runLoad(profile({ url: server.url, connections: 20, durationS: 2, heartbeatMs: 300, pongTimeoutMs: 400, messageRate: 20 }));
    const l = r.load!;
    expect(l.connections.opened).toBe(20);
    expect(l.errors['pong-timeout']).toBe(20);
    expect(l.connections.dropsByCode['pong-timeout']).toBe(20);
    expect(l.heartbeat!.missedPongs).toBe(20);
    expect(l.counters.silentDrops).toBe(0);
    expect(l.counters.pongsReceived).toBe(0);
  }, 30_000);

  it('counts a connection that goes silent after a ping as a silent drop (half-open), after one more pong timeout', async () => {
    server = await startWsServer({ autoPong: false });
    const r = await runLoad(profile({ url: server.url, connections: 20, durationS: 2, heartbeatMs: 300, pongTimeoutMs: 400 }));
    const l = r.load!;
    expect(l.connections.opened).toBe(20);
    expect(l.errors).toEqual({ 'silent-drop': 20 });
    expect(l.connections.dropsByCode).toEqual({ 'silent-drop': 20 });
    expect(l.heartbeat).toMatchObject({ missedPongs: 20, silentDrops: 20, latePongs: 0 });
    expect(l.counters.pongsReceived).toBe(0);
  }, 30_000);

  it('counts pongs that come after the pong timeout but within the grace as late, and drops nothing', async () => {
    server = await startWsServer({ autoPong: false });
    // Every pong 1.5 s late: past the 1 s pong timeout, inside the grace of one more (500 ms of margin either way).
    server.wss.on('connection', (ws) => ws.on('ping', (data) => setTimeout(() => ws.pong(data), 1_500)));
    const r = await runLoad(profile({ url: server.url, connections: 10, durationS: 4.5, heartbeatMs: 2_000, pongTimeoutMs: 1_000 }));
    const l = r.load!;
    expect(l.errors).toEqual({});
    expect(l.connections.dropped).toBe(0);
    expect(l.counters.pongsReceived).toBeGreaterThanOrEqual(10);
    // A pong counts as late when a sweep saw its timeout pass first (sweeps run every 250 ms here).
    expect(l.counters.latePongs).toBeGreaterThan(0);
    expect(l.counters.latePongs).toBeLessThanOrEqual(l.counters.pongsReceived);
    expect(l.counters.silentDrops).toBe(0);
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
