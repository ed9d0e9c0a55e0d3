// The library against real targets on loopback: the same runs as the CLI, progress by callback, cancellation by
// AbortSignal, typed errors, and an assertion that lists what a broken server gets wrong.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertConforms,
  ConformanceError,
  runConformance,
  runFuzz,
  runLoad,
  runProbeIdle,
  SetupError,
  startReferenceServer,
  UsageError,
  writeReports,
  type ConformanceProgress,
} from '../../../api/index.js';
import { startBrokenServer } from '../../fixtures/broken-servers/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('wsprobe library API', () => {
  it('runs the selected cases against the embedded server, reporting progress, and writes the CLI reports', async () => {
    const events: ConformanceProgress[] = [];
    const result = await runConformance({ cases: ['framing.*'], quick: true, onProgress: (e) => events.push(e) });
    expect(result.kind).toBe('conformance');
    expect(result.target.embedded).toBe(true);
    expect(result.cases.length).toBeGreaterThan(10);
    expect(result.cases.every((c) => c.id.startsWith('framing.') && c.verdict === 'pass')).toBe(true);
    expect(events[0]).toMatchObject({ type: 'start', total: result.cases.length });
    expect(events.filter((e) => e.type === 'case-end')).toHaveLength(result.cases.length);
    const dir = mkdtempSync(join(tmpdir(), 'wsprobe-api-'));
    dirs.push(dir);
    const written = writeReports(result, dir);
    expect(readdirSync(written.dir).sort()).toEqual(['junit.xml', 'report.html', 'results.json']);
  });

  it('assertConforms passes a correct server and throws the grouped findings of a broken one', async () => {
    const good = await startReferenceServer();
    const bad = await startBrokenServer('accepts-rsv-bits');
    try {
      await expect(assertConforms(good.url, { cases: ['framing.rsv-*'] })).resolves.toMatchObject({ kind: 'conformance' });
      const err = await assertConforms(bad.url, { cases: ['framing.rsv-*', 'framing.text.*'], timeout: 1000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConformanceError);
      expect((err as ConformanceError).message).toMatch(/does not conform: \d+ cases? at or beyond 'fail'/);
      expect((err as ConformanceError).message).toContain('framing.rsv-');
      expect((err as ConformanceError).message).not.toContain('framing.text.');
    } finally {
      await Promise.all([good.close(), bad.close()]);
    }
  });

  it('stops on abort and resolves with interrupted: true', async () => {
    const controller = new AbortController();
    const result = await runConformance({
      quick: true,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'case-end' && e.done === 5) controller.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    expect(result.cases.filter((c) => c.verdict === 'pass').length).toBeLessThan(100);
  });

  it('throws UsageError for bad options and SetupError for an unreachable target', async () => {
    await expect(runConformance({ cases: ['nothing.matches'] })).rejects.toThrow(UsageError);
    await expect(runConformance({ url: 'http://127.0.0.1/' })).rejects.toThrow(/unsupported scheme/);
    const server = await startReferenceServer();
    const url = server.url;
    await server.close();
    await expect(runConformance({ url, cases: ['framing.*'] })).rejects.toThrow(SetupError);
  });

  it('runs a short fuzz and a short load with the same options as the commands', async () => {
    const suites: string[] = [];
    const fuzz = await runFuzz({ suite: ['framing'], runs: 20, seed: 7, onProgress: (c) => suites.push(c.id) });
    expect(fuzz.kind).toBe('fuzz');
    expect(suites).toEqual(['fuzz.framing']);
    expect(fuzz.cases[0]!.verdict).toBe('pass');
    const server = await startReferenceServer();
    try {
      const ticks: string[] = [];
      const load = await runLoad({ url: server.url, connections: 4, duration: 1, heartbeat: 200, workers: 1, threshold: ['errors.rate<1%'], onProgress: (e) => ticks.push(e.type) });
      expect(load.load!.connections.opened).toBe(4);
      expect(load.load!.thresholds.every((t) => t.ok)).toBe(true);
      expect(ticks).toContain('tick');
    } finally {
      await server.close();
    }
  });

  it('runs an idle probe with progress, and stops it on abort with what was measured', async () => {
    const events: string[] = [];
    const probe = await runProbeIdle({ max: 1, resolution: 0.2, connections: 2, heartbeats: '0.5', onProgress: (e) => events.push(e.type) });
    expect(probe.kind).toBe('probe');
    expect(probe.target.embedded).toBe(true);
    expect(probe.probe).toMatchObject({ idleTimeoutS: null, complete: true });
    expect(probe.probe!.heartbeats).toEqual([expect.objectContaining({ intervalS: 0.5, verdict: 'kept-alive' })]);
    expect(events.length).toBeGreaterThan(0);
    const ac = new AbortController();
    const stopped = runProbeIdle({ max: 30, heartbeats: 'none', signal: ac.signal, onProgress: () => ac.abort() });
    const r = await stopped;
    expect(r.interrupted).toBe(true);
    expect(r.probe!.complete).toBe(false);
    await expect(runProbeIdle({ max: 5, expectIdleAtLeast: 10 })).rejects.toBeInstanceOf(UsageError);
  });
});
