// Heartbeats both ways: a peer that stops answering pings is detected within the pong timeout and dropped;
// one that answers is kept.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectClient } from '../../../peers/client/reference-client.js';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import { openWs, startWsEchoServer, until, wsClosed, type WsEchoServer } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('reference client heartbeat', () => {
  it("emits 'dead' and drops TCP when the server stops answering pings", async () => {
    const server: WsEchoServer = await startWsEchoServer({ autoPong: false });
    cleanups.push(() => server.close());
    const started = performance.now();
    const client = await connectClient(server.url, { heartbeat: { intervalMs: 50, timeoutMs: 150 } });
    const dead = await client.waitFor('dead', 3000);
    const elapsed = performance.now() - started;
    expect(dead.timeoutMs).toBe(150);
    // First ping at ~50 ms, dead ~150 ms later.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    const info = await client.closed;
    expect(info.code).toBe(1006);
    expect(info.wasClean).toBe(false);
    expect(info.tcp.end).toBe('terminated');
  });

  it('stays open while the server answers', async () => {
    const server = await startWsEchoServer({ autoPong: true });
    cleanups.push(() => server.close());
    const client = await connectClient(server.url, { heartbeat: { intervalMs: 30, timeoutMs: 100 } });
    let dead = false;
    client.on('dead', () => (dead = true));
    for (let i = 0; i < 5; i++) await client.waitFor('pong', 2000);
    expect(dead).toBe(false);
    expect(client.state).toBe('open');
    await client.close();
  });
});

describe('reference server heartbeat', () => {
  let server: RunningServer;

  it('terminates a client that does not answer pings within the timeout, keeps one that does', async () => {
    server = await startReferenceServer({ port: 0, heartbeat: { intervalMs: 50, timeoutMs: 150 } });
    cleanups.push(() => server.close());
    const silent = await openWs(server.url, { autoPong: false });
    const polite = await openWs(server.url);
    let pings = 0;
    polite.on('ping', () => pings++);
    silent.on('error', () => {});
    const closed = await wsClosed(silent, 3000);
    // TCP dropped without a close frame.
    expect(closed.code).toBe(1006);
    expect(server.stats().heartbeatTimeouts).toBe(1);
    await until(() => pings >= 3, 3000, 'three pings to the answering client');
    expect(polite.readyState).toBe(WebSocket.OPEN);
    polite.terminate();
  });
});
