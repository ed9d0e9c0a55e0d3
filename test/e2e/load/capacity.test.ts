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
      slo: ['errors.count==0'],
      start: 8,
      maxConnections: 64,
      stepDurationS: 0.5,
      warmupS: 0.2,
      settleS: 0.2,
      confirm: 1,
      resolution: 0.01,
      inline: true,
    });
    expect(r.kind).toBe('capacity');
    expect(r.capacity!.maxConnections).toBe(LIMIT);
    const steps = r.capacity!.steps;
    // Doubling grows each step on the connections of the step before; bisection below a breach starts fresh.
    expect(steps.slice(0, 3).map((s) => [s.connections, s.ok, s.start])).toEqual([
      [8, true, 'fresh'],
      [16, true, 'grown'],
      [32, false, 'grown'],
    ]);
    expect(steps[3]!.start).toBe('fresh');
    // Refused connections count over the whole step (ramp included), and a step must hold what it asked for.
    expect(steps.find((s) => s.connections === 32)!.breached).toEqual(['errors.count==0', 'connections.held>=32']);
    expect(steps.every((s) => s.ok === s.connections <= LIMIT)).toBe(true);
    // The knee is confirmed by one fresh repeat of each side.
    expect(steps.filter((s) => s.repeat === 1).map((s) => s.connections).sort()).toEqual([LIMIT, LIMIT + 1]);
    expect(r.capacity!.knee).toMatchObject({ lastHeld: LIMIT, firstBreached: LIMIT + 1, confirmed: true });
    expect(r.capacity!.flags ?? []).toEqual([]);
    for (const s of steps) {
      expect(s.window!.steadyEndS - s.window!.steadyStartS).toBeGreaterThanOrEqual(0.5);
      expect(s.bottleneck!.limit).toBe(s.ok ? 'none' : 'target');
    }
  }, 120_000);
});
