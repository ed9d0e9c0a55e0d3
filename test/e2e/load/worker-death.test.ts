// A worker process that dies mid-run: the run goes on, the dead worker's last per-second report is kept, and the
// result says so.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { profile, waitFor } from './load-helpers.js';

function workerPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('runners/load/worker.js'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('load: a worker dies', () => {
  it('keeps the dead worker’s measurements up to its last report', async () => {
    const warnings: string[] = [];
    let opened = 0;
    const run = runLoad(profile({ connections: 100, durationS: 4, heartbeatMs: 200, workers: 2 }), {
      onEvent: (e) => {
        if (e.type === 'warning') warnings.push(e.message);
        if (e.type === 'tick') opened = Math.max(opened, e.point.open);
      },
    });
    await waitFor(() => opened === 100, 15_000, 'all connections open');
    const pids = workerPids();
    expect(pids).toHaveLength(2);
    process.kill(pids[1]!, 'SIGKILL');
    const r = await run;
    const l = r.load!;
    expect(l.connections.opened).toBe(100);
    expect(l.connections.peak).toBe(100);
    expect(l.runner!.warnings.join('\n')).toMatch(/worker \d was killed \(SIGKILL\) before its final report/);
    expect(warnings.length).toBeGreaterThan(0);
    // Both workers' pongs are in: the dead one's up to its last report.
    expect(l.histograms.pingRtt.count).toBe(l.counters.pongsReceived);
    expect(l.counters.pongsReceived).toBeGreaterThan(100);
  }, 40_000);
});
