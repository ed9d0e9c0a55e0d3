// 1,000 heartbeating connections against the embedded reference server (worker processes from dist/).
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { profile } from './load-helpers.js';

describe('load: heartbeats', () => {
  it('holds 1,000 heartbeating connections over 2 workers with exact counts', async () => {
    const r = await runLoad(profile({ connections: 1000, rampPerSecond: 2000, durationS: 3, heartbeatMs: 500, pongTimeoutMs: 2000, workers: 2 }));
    const l = r.load!;
    expect(r.kind).toBe('load');
    expect(r.target.embedded).toBe(true);
    expect(r.interrupted).toBe(false);
    expect(l.connections).toMatchObject({ target: 1000, peak: 1000, opened: 1000, failed: 0, dropped: 0 });
    expect(l.counters.closed).toBe(1000);
    expect(l.errors).toEqual({});
    // Every ping sent was answered (pings still in flight at the end are the only allowed gap).
    expect(l.counters.pingsSent).toBeGreaterThan(1000 * 3);
    expect(l.counters.pongsReceived).toBeGreaterThanOrEqual(l.counters.pingsSent! - 1000);
    expect(l.histograms.pingRtt.count).toBe(l.counters.pongsReceived);
    expect(l.histograms.connect.count).toBe(1000);
    expect(l.heartbeat!.missedPongs).toBe(0);
    expect(l.runner!.workers).toBe(2);
    expect(l.timeline.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...l.timeline.map((p) => p.open))).toBe(1000);
  }, 60_000);
});
