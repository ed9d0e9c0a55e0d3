// The scheduler: concurrency limit, exclusive cases alone, harness errors as verdict 'error', the hard guard on
// scripts that overrun, per-case seeds, interruption, and results in the RunResult contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../../../peers/server/reference-server.js';
import { caseSeed, runConformance } from '../../../../runners/conformance/run.js';
import { closeNormally, defineCase, echo, text, type ConformanceCase } from '../../../../suites/define.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
});
afterAll(async () => {
  await server?.close();
});

let inFlight = 0;
let maxInFlight = 0;
const log: string[] = [];

function echoCase(id: string, extra: Partial<ConformanceCase> = {}): ConformanceCase {
  return defineCase({
    id,
    title: id,
    rfc: ['5.6'],
    autobahn: [],
    expect: echo([text('x')]),
    async run(peer) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      log.push(`start ${id} ${inFlight}`);
      await peer.sendMessage(0x1, 'x');
      await peer.waitForMessages(1);
      await peer.pause(30);
      inFlight--;
      await closeNormally(peer);
    },
    ...extra,
  });
}

describe('runConformance', () => {
  it('keeps at most `concurrency` cases in flight and runs exclusive cases alone', async () => {
    inFlight = 0;
    maxInFlight = 0;
    log.length = 0;
    const cases = [...Array.from({ length: 12 }, (_, i) => echoCase(`t.case-${i}`)), echoCase('t.exclusive', { exclusive: true })];
    const r = await runConformance({ url: new URL(server.url), cases, concurrency: 3, seed: 42 });
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(log.find((l) => l.startsWith('start t.exclusive'))).toBe('start t.exclusive 1');
    expect(r).toMatchObject({ schema: 'wsprobe/result@1', kind: 'conformance', interrupted: false });
    expect(r.summary.pass).toBe(13);
    expect(r.cases.map((c) => c.id)).toEqual(cases.map((c) => c.id));
    expect(r.options).toMatchObject({ seed: 42, concurrency: 3 });
    expect(r.cases[0]).toMatchObject({ area: 't', seed: caseSeed(42, 't.case-0'), timeoutMs: 10_000 });
    expect(r.cases[0]!.transcript.length).toBeGreaterThan(3);
  });

  it('a script that throws is verdict error (harness-error), the others still run', async () => {
    const boom = defineCase({ id: 't.boom', title: 'boom', rfc: ['5'], autobahn: [], expect: echo([]), run: async () => { throw new Error('kaboom'); } });
    const r = await runConformance({ url: new URL(server.url), cases: [boom, echoCase('t.fine')], preflight: false });
    expect(r.cases[0]).toMatchObject({ verdict: 'error', reasonCode: 'harness-error' });
    expect(r.cases[0]!.reason).toMatch(/kaboom/);
    expect(r.cases[1]!.verdict).toBe('pass');
  });

  it('the hard guard ends a script that ignores its deadline', async () => {
    const stuck = defineCase({
      id: 't.stuck',
      title: 'stuck',
      rfc: ['5'],
      autobahn: [],
      timeoutMs: 300,
      expect: echo([text('never')]),
      run: () => new Promise<void>(() => undefined),
    });
    const t = performance.now();
    const r = await runConformance({ url: new URL(server.url), cases: [stuck], graceMs: 200, preflight: false });
    expect(performance.now() - t).toBeLessThan(3000);
    expect(r.cases[0]).toMatchObject({ verdict: 'fail', reasonCode: 'timeout' });
  });

  it('--timeout and --timeout-scale set the budgets', async () => {
    const r = await runConformance({ url: new URL(server.url), cases: [echoCase('t.a', { timeoutMs: 4000 })], timeoutScale: 2, preflight: false });
    expect(r.cases[0]!.timeoutMs).toBe(8000);
    const o = await runConformance({ url: new URL(server.url), cases: [echoCase('t.b', { timeoutMs: 4000 })], timeoutMs: 1500, preflight: false });
    expect(o.cases[0]!.timeoutMs).toBe(1500);
  });

  it('an abort stops the run: finished cases are kept, interrupted is true', async () => {
    const controller = new AbortController();
    const cases = Array.from({ length: 20 }, (_, i) => echoCase(`t.abort-${i}`));
    const r = await runConformance({
      url: new URL(server.url),
      cases,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'case-end' && e.done === 3) controller.abort();
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.cases.length).toBeGreaterThanOrEqual(3);
    expect(r.cases.length).toBeLessThan(20);
  });

  it('progress events: start, one case-end per case, end', async () => {
    const events: string[] = [];
    await runConformance({ url: new URL(server.url), cases: [echoCase('t.p1'), echoCase('t.p2')], preflight: false, onProgress: (e) => events.push(e.type) });
    expect(events[0]).toBe('start');
    expect(events.filter((e) => e === 'case-end')).toHaveLength(2);
    expect(events.at(-1)).toBe('end');
  });
});
