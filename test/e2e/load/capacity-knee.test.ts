// Capacity answers a planner can trust (issue 14): against a server whose ping latency rises sharply past a known
// connection count, the search finds that count within 10%, and two searches agree within 10%; a step at N
// measures what a standalone load run at N measures.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapacity } from '../../../runners/capacity/search.js';
import { runLoad } from '../../../runners/load/engine.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { startWsServer, type WsServer } from '../conformance/ws-server.js';
import { profile } from './load-helpers.js';

const KNEE = 60;
let server: WsServer;
beforeAll(async () => {
  // 200 ms more per connection beyond KNEE: the first connection past it breaks a 100 ms SLO, by a margin no noise
  // of a machine shared with other tests reaches.
  server = await startWsServer(10_000, [join(REPO_ROOT, 'test', 'fixtures', 'app-servers', 'knee-server.mjs'), String(KNEE), '200']);
});
afterAll(() => server.stop());

const search = () =>
  runCapacity(profile({ url: server.url, heartbeatMs: 200, pongTimeoutMs: 5000, workers: 1 }), {
    slo: ['ping_rtt.p99<100ms', 'errors.rate<1%'],
    start: 30,
    maxConnections: 240,
    stepDurationS: 1.5,
    warmupS: 0.5,
    settleS: 0.3,
    confirm: 1,
    resolution: 0.05,
  });

describe('capacity search against a server with a known knee', () => {
  it('finds the knee within 10% in repeated searches that agree within 10%', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await search();
      const cap = r.capacity!;
      answers.push(cap.maxConnections!);
      expect(cap.maxConnections, JSON.stringify(cap.steps.map((s) => [s.connections, s.outcome, s.pingRttP99]))).not.toBeNull();
      expect(Math.abs(cap.maxConnections! - KNEE) / KNEE).toBeLessThanOrEqual(0.1);
      expect(cap.knee!.confirmed).toBe(true);
      expect(cap.knee!.spread!.metric).toBe('pingRtt.p99');
      // Every breach was the target's: the runner had headroom.
      for (const s of cap.steps.filter((x) => !x.ok)) expect(s.outcome, s.bottleneck!.reason).toBe('breached');
      expect(cap.timeline!.length).toBeGreaterThan(10);
    }
    expect(Math.abs(answers[0]! - answers[1]!) / Math.max(...answers)).toBeLessThanOrEqual(0.1);
  }, 300_000);
});

describe('a capacity step measures what a standalone load run measures', () => {
  let busy: WsServer;
  beforeAll(async () => {
    // No knee below 1000 connections, but busy for 2 s (pongs 100 ms late) after any client leaves.
    busy = await startWsServer(10_000, [join(REPO_ROOT, 'test', 'fixtures', 'app-servers', 'knee-server.mjs'), '1000', '0', '2000']);
  });
  afterAll(() => busy.stop());

  it('steps grow on held connections and fresh steps wait until the target settles: the teardown is never measured', async () => {
    const p = profile({ url: busy.url, heartbeatMs: 200, pongTimeoutMs: 5000, workers: 1 });
    const r = await runCapacity(p, { slo: ['ping_rtt.p99<50ms'], start: 10, maxConnections: 40, stepDurationS: 2, warmupS: 0.5, settleS: 0.2, confirm: 1, resolution: 0.05 });
    const cap = r.capacity!;
    expect(cap.steps.map((s) => [s.connections, s.start, s.outcome])).toEqual([
      [10, 'fresh', 'held'],
      [20, 'grown', 'held'],
      [40, 'grown', 'held'],
      // The confirmation starts fresh: every connection closed, then the wait until a probe's ping is fast again.
      [40, 'fresh', 'held'],
    ]);
    expect(cap.maxConnections).toBe(40);
    // A standalone load run at the answer measures the same: both well under the 100 ms the teardown costs.
    const standalone = (await runLoad({ ...p, connections: 40, durationS: 2 })).load!.histograms.pingRtt;
    for (const s of cap.steps) expect(s.pingRtt!.p99, `standalone p99 ${standalone.p99} ms`).toBeLessThanOrEqual(Math.max(2 * standalone.p99, standalone.p99 + 20));
  }, 120_000);

  it('ping p99 of a step at N against the embedded server is within noise of `load` at N (same profile)', async () => {
    const n = 400;
    const base = profile({ url: '', connections: n, durationS: 4, heartbeatMs: 500, pongTimeoutMs: 5000, workers: 2 });
    const standalone = (await runLoad(base)).load!.histograms.pingRtt;
    const r = await runCapacity(base, { slo: ['ping_rtt.p99<1s'], start: n, maxConnections: n, stepDurationS: 4, warmupS: 1, confirm: 0, resolution: 0.05 });
    const step = r.capacity!.steps[0]!;
    expect(step.outcome).toBe('held');
    expect(step.pingRtt!.count).toBeGreaterThan(n * 4 * 2 * 0.8);
    expect(step.pingRtt!.p99, `standalone p99 ${standalone.p99} ms`).toBeLessThanOrEqual(Math.max(2 * standalone.p99, standalone.p99 + 5));
  }, 120_000);
});
