// Conformant targets pass every fuzz suite: the embedded reference server and ws's WebSocketServer (echo on
// 127.0.0.1, port 0, permessage-deflate on, so the deflate suite negotiates it), 200 seeded cases per suite,
// bounded in time. A failure prints its counterexample.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import { runFuzz } from '../../../runners/fuzz/run-fuzz.js';
import { TcpFuzzTarget } from '../../../peers/fuzz/tcp-target.js';
import { deflateSuite } from '../../../suites/properties/deflate.prop.js';
import { FUZZ_SUITE_NAMES } from '../../../suites/properties/fuzz-suite.js';
import type { HandshakeFault } from '../../../suites/properties/handshake.arb.js';
import { startWsEcho } from './helpers.js';

const RUNS = 200;

/**
 * ws 8 answers 101 to an HTTP/1.0 request and to a request without Host, both refused by RFC 6455 §4.2.1 (the
 * handshake suite reports them; see fuzz-ws-deviations below). Everything else ws does is within the RFC.
 */
const WS_DEVIATIONS: readonly HandshakeFault[] = ['http-1.0', 'no-host'];

async function fuzzAll(url: string, skipFaults: readonly HandshakeFault[] = []) {
  const run = await runFuzz({
    target: new TcpFuzzTarget(url, { timeoutMs: 2000 }),
    targetUrl: url,
    embedded: false,
    suites: FUZZ_SUITE_NAMES,
    runs: RUNS,
    seed: 20240601,
    concurrency: 16,
    timeLimitMs: 100_000,
    toolVersion: 'test',
    replayCommand: (s, t) => `wsprobe fuzz ${url} --suite ${s} --replay ${t}`,
    suiteOptions: { handshake: { skipFaults } },
  });
  const failures = run.result.cases
    .filter((c) => c.verdict !== 'pass')
    .map((c) => [`${c.id}: ${c.reason}`, ...(c.counterexample ?? []), `replay: ${c.replay}`].join('\n'));
  return { run, failures };
}

describe('conformant targets pass every fuzz suite', () => {
  let ws: { url: string; close(): Promise<void> };
  let ref: RunningServer;
  beforeAll(async () => {
    ws = await startWsEcho({ perMessageDeflate: true });
    ref = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
  });
  afterAll(async () => {
    await ws?.close();
    await ref?.close();
  });

  it('ws WebSocketServer: every suite holds for 200 cases', async () => {
    const { run, failures } = await fuzzAll(ws.url, WS_DEVIATIONS);
    expect(failures).toEqual([]);
    for (const c of run.result.cases) expect(c.numRuns).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);

  it('ws deviations are real: the handshake suite catches HTTP/1.0 or a missing Host', async () => {
    const { run } = await fuzzAll(ws.url);
    const hs = run.result.cases.find((c) => c.id === 'fuzz.handshake')!;
    expect(hs.verdict).toBe('fail');
    expect(hs.counterexample?.[0]).toMatch(/fault (http-1\.0|no-host)/);
  }, 120_000);

  it('the reference server: every suite holds for 200 cases', async () => {
    const { run, failures } = await fuzzAll(ref.url);
    expect(failures).toEqual([]);
    for (const c of run.result.cases) expect(c.numRuns).toBeGreaterThanOrEqual(RUNS);
  }, 120_000);
});

/** Grades a few deflate cases one by one: the verdicts a suite-level pass would hide. */
async function deflateVerdicts(url: string): Promise<string[]> {
  const target = new TcpFuzzTarget(url, { timeoutMs: 2000 });
  const out: string[] = [];
  for (const value of fc.sample(deflateSuite.arbitrary, { numRuns: 20, seed: 11 })) {
    const check = await deflateSuite.check(target, value);
    out.push(`${check.grade?.verdict}/${check.grade?.reasonCode}`);
  }
  return out;
}

describe('the deflate suite', () => {
  it('negotiates permessage-deflate with both conformant targets, so their passes are not vacuous', async () => {
    const ws = await startWsEcho({ perMessageDeflate: true });
    const ref = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
    try {
      for (const url of [ws.url, ref.url]) expect(new Set(await deflateVerdicts(url))).toEqual(new Set(['pass/ok']));
    } finally {
      await ws.close();
      await ref.close();
    }
  }, 60_000);

  it('a target that declines the offer is not-negotiated (unimplemented), never a counterexample', async () => {
    const ws = await startWsEcho({ perMessageDeflate: false });
    try {
      expect(new Set(await deflateVerdicts(ws.url))).toEqual(new Set(['unimplemented/not-negotiated']));
      const run = await runFuzz({
        target: new TcpFuzzTarget(ws.url, { timeoutMs: 2000 }),
        targetUrl: ws.url,
        embedded: false,
        suites: ['deflate'],
        runs: 50,
        seed: 3,
        concurrency: 8,
        timeLimitMs: 30_000,
        toolVersion: 'test',
        replayCommand: (s, t) => `wsprobe fuzz ${ws.url} --suite ${s} --replay ${t}`,
      });
      expect(run.result.cases[0]!.verdict).toBe('pass');
    } finally {
      await ws.close();
    }
  }, 60_000);
});
