// A session window holds exactly what the workers recorded between its two marks: histograms from the reports after
// each worker's start mark up to and including its end-mark report, counters as end minus start, whatever the
// interleaving of the workers' reports.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_NAMES, newHistogramSet, recordMs, takeEncoded } from '../../../../runners/load/histograms.js';
import { LoadWindow } from '../../../../runners/load/window.js';
import type { WorkerReport } from '../../../../runners/load/worker-report.js';

function report(worker: number, seq: number, pings: number[], sent: number, mark?: number): WorkerReport {
  const set = newHistogramSet();
  for (const v of pings) recordMs(set.pingRtt, v);
  return {
    worker,
    seq,
    final: false,
    mark,
    tMs: seq * 1000,
    counters: { pingsSent: sent },
    errors: {},
    dropsByCode: {},
    histograms: takeEncoded(set),
    gauges: { open: 10, pending: 0, target: 10, maxSilenceMs: 0, rssBytes: 0, heapUsedBytes: 0, cpuPercent: 50, cpuSeconds: 0, eventLoopLagMaxMs: 3 },
  };
}

describe('LoadWindow', () => {
  it('counts exactly the values between the marks, for any interleaving of two workers', () => {
    // Per worker: a list of report sizes (pings per report); the start mark after `a` reports, the end after `b`.
    const worker = fc.record({ sizes: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 8 }), a: fc.nat(), b: fc.nat() });
    fc.assert(
      fc.property(worker, worker, fc.array(fc.boolean(), { maxLength: 40 }), (w0, w1, picks) => {
        const streams = [w0, w1].map((w, id) => {
          const start = w.a % w.sizes.length;
          const end = start + (w.b % (w.sizes.length - start));
          let sent = 0;
          const reports = w.sizes.map((n, i) => {
            sent += n;
            const mark = i === start ? 1 : i === end && end > start ? 2 : undefined;
            return report(id, i + 1, Array.from({ length: n }, (_, k) => k + 1), sent, mark);
          });
          // What the window must hold: reports after the start mark up to and including the end mark (all after the
          // start mark while the end mark has not come).
          const inside = end > start ? w.sizes.slice(start + 1, end + 1) : w.sizes.slice(start + 1);
          return { reports, expected: inside.reduce((s, n) => s + n, 0), closes: end > start };
        });
        const win = new LoadWindow(1, undefined);
        const queues = streams.map((s) => [...s.reports]);
        let p = 0;
        while (queues.some((q) => q.length > 0)) {
          const pick = queues[0]!.length === 0 ? 1 : queues[1]!.length === 0 ? 0 : picks[p++ % Math.max(1, picks.length)] ? 1 : 0;
          win.add(queues[pick]!.shift()!, 2);
        }
        const total = streams.reduce((s, x) => s + x.expected, 0);
        expect(win.histograms.pingRtt.totalCount).toBe(total);
        for (const name of HISTOGRAM_NAMES) if (name !== 'pingRtt') expect(win.histograms[name].totalCount).toBe(0);
        // Counters: only workers that reached both marks count, as end minus start.
        const counted = streams.filter((s) => s.closes).reduce((s, x) => s + x.expected, 0);
        expect(win.counters().pingsSent ?? 0).toBe(counted);
      }),
      { numRuns: 200 },
    );
  });
});
