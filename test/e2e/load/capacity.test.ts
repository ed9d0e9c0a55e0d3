// The capacity search against a server that refuses connections beyond a fixed number: it finds that number.
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapacity } from '../../../runners/capacity/search.js';
import { profile } from './load-helpers.js';

const LIMIT = 25;
let wss: WebSocketServer;
let url = '';
beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: () => wss.clients.size < LIMIT });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
});
afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
});

describe('capacity', () => {
  it('finds the largest connection count that holds the SLO, with every step', async () => {
    const r = await runCapacity(profile({ url, heartbeatMs: 100, pongTimeoutMs: 1000 }), {
      slo: ['errors.count==0', 'connections.peak>=1'],
      start: 8,
      maxConnections: 64,
      stepDurationS: 0.5,
      resolution: 0.01,
    });
    expect(r.kind).toBe('capacity');
    expect(r.capacity!.maxConnections).toBe(LIMIT);
    const steps = r.capacity!.steps;
    expect(steps.slice(0, 3).map((s) => [s.connections, s.ok])).toEqual([
      [8, true],
      [16, true],
      [32, false],
    ]);
    expect(steps.find((s) => s.connections === 32)!.breached).toEqual(['errors.count==0']);
    expect(steps.every((s) => s.ok === s.connections <= LIMIT)).toBe(true);
    expect(r.load!.connections.opened).toBe(LIMIT);
  }, 60_000);
});
