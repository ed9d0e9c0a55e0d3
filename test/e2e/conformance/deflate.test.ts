// The permessage-deflate cases against real servers on loopback: every case passes against `ws` with
// permessage-deflate and against our reference server; all are unimplemented against `ws` without it; each
// deliberately broken deflate server (test/fixtures/deflate-servers.ts) fails the cases meant to catch it, and each
// behaviour RFC 7692 allows gets its ruled verdict (docs/verdicts.md, "Rulings", 10), never fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import type { CaseResult } from '../../../reports/schema.js';
import { runConformance } from '../../../runners/conformance/run.js';
import { cases as DEFLATE_CASES } from '../../../suites/conformance/deflate/index.js';
import type { ConformanceCase } from '../../../suites/define.js';
import { DEFLATE_ALLOWED, DEFLATE_FAULTS, startDeflateServer, type DeflateAllowed, type DeflateFault } from '../../fixtures/deflate-servers.js';

async function run(url: string, cases: readonly ConformanceCase[] = DEFLATE_CASES, timeoutScale = 1): Promise<CaseResult[]> {
  const r = await runConformance({ url: new URL(url), cases, concurrency: 16, seed: 7692, preflight: false, timeoutScale });
  expect(r.cases).toHaveLength(cases.length);
  return r.cases;
}

function notPassing(results: CaseResult[]): string[] {
  return results.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.verdict} ${c.reasonCode}: ${c.reason}`);
}

async function startWs(perMessageDeflate: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate });
  await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    ws.on('error', () => {});
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('deflate catalogue', () => {
  it('has unique ids, lists every Autobahn 12.x/13.x id exactly once, and stays a sensible size', () => {
    const ids = DEFLATE_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith('deflate.'))).toBe(true);
    const autobahn = DEFLATE_CASES.flatMap((c) => c.autobahn);
    expect(new Set(autobahn).size).toBe(autobahn.length);
    const expected: string[] = [];
    for (const g of ['12.1', '12.2', '12.3', '12.4', '12.5', '13.1', '13.2', '13.3', '13.4', '13.5', '13.6', '13.7']) {
      for (let i = 1; i <= 18; i++) expected.push(`${g}.${i}`);
    }
    expect([...autobahn].sort()).toEqual([...expected].sort());
    expect(DEFLATE_CASES.length).toBeLessThan(150);
  });
});

describe('ws with permessage-deflate', () => {
  let server: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    server = await startWs(true);
  });
  afterAll(() => server?.close());

  it('passes every deflate case', async () => {
    expect(notPassing(await run(server.url))).toEqual([]);
  });
});

describe('ws without permessage-deflate', () => {
  let server: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    server = await startWs(false);
  });
  afterAll(() => server?.close());

  it('reports every deflate case unimplemented', async () => {
    const results = await run(server.url);
    expect(results.filter((c) => c.verdict !== 'unimplemented').map((c) => `${c.id}: ${c.verdict} ${c.reason}`)).toEqual([]);
    expect(results.every((c) => c.reasonCode === 'not-negotiated')).toBe(true);
  });
});

describe('reference server (permessage-deflate on by default)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startReferenceServer({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server?.close());

  it('passes every deflate case', async () => {
    expect(notPassing(await run(server.url))).toEqual([]);
  });
});

describe('the conformant deflate fixture', () => {
  it('passes every deflate case (so the faults below are the only difference)', async () => {
    const s = await startDeflateServer(null);
    try {
      expect(notPassing(await run(s.url))).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

/** The cases each fault must fail (verdict 'fail'); the broken server runs only these, to keep the test short. */
const CAUGHT_BY: Record<Exclude<DeflateFault, 'no-deflate'>, string[]> = {
  'rsv1-on-continuation': ['deflate.echo.text.json-4096.unfragmented', 'deflate.negotiate.offer-default.json-1024.unfragmented'],
  'keeps-context': ['deflate.negotiate.offer-no-takeover.json-1024.unfragmented', 'deflate.negotiate.offer-no-takeover-window-15.json-32768.unfragmented'],
  'ignores-window-bits': [
    'deflate.negotiate.window-9-kept',
    'deflate.negotiate.offer-window-9.json-1024.unfragmented',
    'deflate.negotiate.offer-no-takeover-window-9.json-32768.unfragmented',
    'deflate.negotiate.offer-window-8.json-1024.unfragmented',
  ],
  'lenient-offers': [
    'deflate.negotiate.invalid-window-7',
    'deflate.negotiate.invalid-window-16',
    'deflate.negotiate.invalid-client-window-7',
    'deflate.negotiate.duplicate-parameter',
    'deflate.negotiate.unknown-parameter',
    'deflate.negotiate.value-on-no-context-takeover',
  ],
  'unoffered-parameters': ['deflate.negotiate.client-bits-not-offered'],
  'lenient-rsv1': ['deflate.rsv1.ping', 'deflate.rsv1.pong', 'deflate.rsv1.continuation', 'deflate.rsv1.continuation-of-plain'],
  'ignores-inflate-errors': ['deflate.inflate.bad-block-type', 'deflate.inflate.distance-too-far'],
  'hangs-after-inflate-error': ['deflate.inflate.bad-block-type', 'deflate.inflate.distance-too-far'],
  'rejects-tiny-compressed': ['deflate.empty.stored-block'],
  'requires-rsv1': ['deflate.echo.uncompressed-then-compressed'],
};

describe('broken deflate servers', () => {
  it('every fault has cases that catch it', () => {
    expect(Object.keys(CAUGHT_BY).sort()).toEqual(Object.keys(DEFLATE_FAULTS).filter((f) => f !== 'no-deflate').sort());
  });

  it('a server that does not negotiate makes every case unimplemented, none failed', async () => {
    const s = await startDeflateServer('no-deflate');
    try {
      const results = await run(s.url);
      expect(results.filter((c) => c.verdict !== 'unimplemented').map((c) => c.id)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it.each(Object.entries(CAUGHT_BY))('%s is caught', async (fault, ids) => {
    const s = await startDeflateServer(fault as DeflateFault);
    try {
      const results = await run(s.url, casesById(ids), fault === 'hangs-after-inflate-error' ? 0.4 : 1);
      expect(results.map((c) => [c.id, c.verdict])).toEqual(ids.map((id) => [id, 'fail']));
      if (fault === 'hangs-after-inflate-error') {
        // Ruling 12: the script marks its give-up and sends our close; unanswered, that is no-close, not not-failed.
        for (const r of results) {
          expect(r.reasonCode, r.reason).toBe('no-close');
          expect(r.transcript.some((t) => t.kind === 'note' && t.text === 'mark: give-up')).toBe(true);
          expect(r.transcript.some((t) => t.dir === 'out' && t.kind === 'frame' && t.opcode === 0x8)).toBe(true);
        }
      }
    } finally {
      await s.close();
    }
  });
});

function casesById(ids: readonly string[]): ConformanceCase[] {
  return ids.map((id) => {
    const c = DEFLATE_CASES.find((x) => x.id === id);
    if (!c) throw new Error(`no case ${id}`);
    return c;
  });
}

const INFLATE = ['deflate.inflate.bad-block-type', 'deflate.inflate.distance-too-far'];
const WINDOW_15 = ['deflate.negotiate.offer-window-15.json-64.unfragmented', 'deflate.negotiate.offer-no-takeover-window-15.json-1024.unfragmented'];
const WINDOW_8 = ['deflate.negotiate.offer-window-8.json-64.unfragmented', 'deflate.negotiate.offer-window-8.json-131072.fragment-256'];

/** Behaviours RFC 7692 allows (ruling 10): the verdicts their cases get, and what the reason must say. */
const ALLOWED: Record<DeflateAllowed, { ids: string[]; verdict: string; reasonCode: string; reason?: RegExp }> = {
  'inflate-error-1002': { ids: INFLATE, verdict: 'pass', reasonCode: 'ok' },
  'inflate-error-1011': { ids: INFLATE, verdict: 'non-strict', reasonCode: 'other-code', reason: /1011/ },
  'omits-window-15': { ids: WINDOW_15, verdict: 'non-strict', reasonCode: 'response-deviation', reason: /server_max_window_bits=15/ },
  'declines-window-8': { ids: WINDOW_8, verdict: 'unimplemented', reasonCode: 'not-negotiated' },
  'refuses-window-8-400': { ids: WINDOW_8, verdict: 'non-strict', reasonCode: 'handshake-status', reason: /status 400: .*a 4xx/ },
  'refuses-window-8-500': { ids: WINDOW_8, verdict: 'non-strict', reasonCode: 'handshake-status', reason: /status 500: .*a 5xx \(a server error\)/ },
};

describe('deflate behaviours the RFC allows', () => {
  it('every allowed behaviour has its expectations', () => {
    expect(Object.keys(ALLOWED).sort()).toEqual(Object.keys(DEFLATE_ALLOWED).sort());
  });

  it.each(Object.entries(ALLOWED))('%s is graded as ruled, never fail', async (behaviour, want) => {
    const s = await startDeflateServer(behaviour as DeflateAllowed);
    try {
      const results = await run(s.url, casesById(want.ids));
      for (const r of results) {
        // Ruling 10 (omits-window-15): until the grader reads the agreement's deviation, the case passes and the
        // transcript notes it; non-strict once it does. Never fail either way.
        if (behaviour === 'omits-window-15' && r.verdict === 'pass') {
          expect(r.transcript.some((t) => t.kind === 'note' && /RFC 7692 §7\.1\.2\.1: server_max_window_bits=15 was offered/.test(t.text ?? ''))).toBe(true);
          continue;
        }
        expect([r.id, r.verdict, r.reasonCode]).toEqual([r.id, want.verdict, want.reasonCode]);
        if (want.reason) expect(r.reason).toMatch(want.reason);
      }
    } finally {
      await s.close();
    }
  });
});
