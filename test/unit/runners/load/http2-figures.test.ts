// The --http2 figures above the connections: sockets the limits count, the workers' HTTP/2 figures summed into
// result.load.http2 (notes turned into one warning each), and shards merged (counts add, the mean is weighed).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { H2Figures } from '../../../../peers/load/h2-load-connection.js';
import { mergeRuns } from '../../../../reports/merge.js';
import { validateRunResult } from '../../../../reports/validate.js';
import { LoadAggregator } from '../../../../runners/load/aggregator.js';
import { socketsFor } from '../../../../runners/load/profile.js';
import type { WorkerReport } from '../../../../runners/load/worker-report.js';
import { loadFixture } from '../../../reports/fixtures.js';

function figures(over: Partial<H2Figures>): H2Figures {
  return {
    sessionsOpened: 0,
    sessionsLost: 0,
    streamsReset: 0,
    streamsLost: 0,
    sessionsOpen: 0,
    maxStreamsPerSession: 0,
    peakStreams: 0,
    sessionsAtPeak: 0,
    streamLimit: 100,
    notes: [],
    ...over,
  };
}

function report(worker: number, seq: number, http2: H2Figures): WorkerReport {
  const gauges = { open: 0, pending: 0, target: 0, maxSilenceMs: 0, rssBytes: 0, heapUsedBytes: 0, cpuPercent: 0, cpuSeconds: 0, eventLoopLagMaxMs: 0 };
  return { worker, seq, final: false, tMs: seq * 1000, counters: {}, errors: {}, dropsByCode: {}, histograms: {} as WorkerReport['histograms'], gauges, http2 };
}

describe('--http2 figures', () => {
  it('sockets: one per WebSocket over HTTP/1.1; over HTTP/2 enough connections for every worker, never more than WebSockets', () => {
    fc.assert(
      fc.property(fc.nat(100_000), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 64 }), (n, per, workers) => {
        expect(socketsFor({}, n, workers)).toBe(n);
        const s = socketsFor({ http2: { streamsPerConnection: per } }, n, workers);
        expect(s).toBeLessThanOrEqual(n);
        // Each worker packs its own share: at most one partly filled connection each.
        expect(s).toBeGreaterThanOrEqual(Math.min(n, Math.ceil(n / per)));
        expect(s).toBeLessThanOrEqual(Math.ceil(n / per) + workers - 1);
      }),
    );
    expect(socketsFor({ http2: { streamsPerConnection: 100 } }, 10_000, 1)).toBe(100);
  });

  it('sums the workers (their latest reports), weighs the mean by sessions at the peak, and warns once per note', () => {
    const agg = new LoadAggregator();
    const note = 'the server allows 50 streams per HTTP/2 connection';
    agg.add(report(0, 1, figures({ sessionsOpened: 1, notes: [note] })));
    agg.add(report(0, 2, figures({ sessionsOpened: 3, maxStreamsPerSession: 50, peakStreams: 150, sessionsAtPeak: 3, streamLimit: 50, maxConcurrentStreams: 50, sessionsLost: 1, streamsLost: 50, notes: [note] })));
    agg.add(report(1, 1, figures({ sessionsOpened: 1, maxStreamsPerSession: 40, peakStreams: 40, sessionsAtPeak: 1, streamsReset: 2, notes: [note] })));
    expect(agg.http2()).toEqual({
      sessions: 4,
      sessionsAtPeak: 4,
      streamsPerSession: { max: 50, mean: 47.5 },
      streamsPerConnection: 50,
      maxConcurrentStreams: 50,
      sessionsLost: 1,
      streamsLost: 50,
      streamsReset: 2,
    });
    expect(agg.warnings).toEqual([`HTTP/2: ${note}`]);
    expect(new LoadAggregator().http2()).toBeUndefined();
  });

  it('report merge adds shards: counts summed, the mean weighed by each shard’s sessions at its peak', () => {
    const shard = (seed: number, h: NonNullable<NonNullable<ReturnType<typeof loadFixture>['load']>['http2']>) => {
      const r = loadFixture({ seed });
      return { ...r, load: { ...r.load!, http2: h } };
    };
    const merged = mergeRuns([
      shard(1, { sessions: 2, sessionsAtPeak: 2, streamsPerSession: { max: 100, mean: 100 }, streamsPerConnection: 100, sessionsLost: 0, streamsLost: 0, streamsReset: 1 }),
      shard(2, { sessions: 3, sessionsAtPeak: 2, streamsPerSession: { max: 90, mean: 50 }, streamsPerConnection: 90, maxConcurrentStreams: 90, sessionsLost: 1, streamsLost: 90, streamsReset: 0 }),
    ]);
    expect(merged.load!.http2).toEqual({
      sessions: 5,
      sessionsAtPeak: 4,
      streamsPerSession: { max: 100, mean: 75 },
      streamsPerConnection: 90,
      maxConcurrentStreams: 90,
      sessionsLost: 1,
      streamsLost: 90,
      streamsReset: 1,
    });
    // The section is declared in reports/result.schema.json (strict: nothing outside it).
    expect(validateRunResult(merged, { strict: true })).toEqual([]);
    expect(validateRunResult({ ...merged, load: { ...merged.load!, http2: { ...merged.load!.http2!, streamsPerConnection: 0 } } }, { strict: true })).not.toEqual([]);
    expect(mergeRuns([loadFixture({ seed: 1 }), loadFixture({ seed: 2 })]).load!.http2).toBeUndefined();
  });
});
