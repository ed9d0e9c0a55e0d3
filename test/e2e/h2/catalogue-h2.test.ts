// `wsprobe test --http2` end to end: the whole HTTP/2 selection (every case that means the same on a stream, plus
// the http2.* cases) passes against the reference server over h2c and over h2 (TLS, ALPN), all on one shared
// connection per run; and the deliberately broken HTTP/2 servers (test/fixtures/broken-servers/h2-variants.ts) are
// each caught by the http2.* cases they name, while every negative http2.* case is caught by some variant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import type { CaseResult, RunResult } from '../../../reports/schema.js';
import { caseMatches, filterCases } from '../../../runners/conformance/filter.js';
import { h2Catalogue, h2Exclusion } from '../../../runners/conformance/h2-select.js';
import { runConformance } from '../../../runners/conformance/run.js';
import { resolveExpectation, type ConformanceCase, type Expectation } from '../../../suites/define.js';
import { CATALOGUE, HTTP2_CASES } from '../../../suites/conformance/index.js';
import { H2_BROKEN_VARIANTS, startBrokenH2Server, type H2BrokenFault } from '../../fixtures/broken-servers/index.js';
import { makeSelfSignedCert, type TestCert } from '../../helpers/tls-cert.js';

const FULL = process.env.WSPROBE_HUGE === '1';
const cases = filterCases(h2Catalogue(CATALOGUE, HTTP2_CASES), { quick: !FULL }).cases;

const summaryOf = (cs: CaseResult[]): string => cs.map((c) => `${c.verdict} ${c.id} [${c.reasonCode}] ${c.reason}`).join('\n');
const notPassing = (r: RunResult): CaseResult[] => r.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'informational');

describe('the --http2 selection', () => {
  it('leaves out the HTTP/1.1 handshake cases and adds the http2 area', () => {
    const all = h2Catalogue(CATALOGUE, HTTP2_CASES);
    expect(all.filter((c) => c.id.startsWith('handshake.'))).toEqual([]);
    expect(all.filter((c) => c.id.startsWith('http2.')).length).toBe(HTTP2_CASES.length);
    // Every other area runs over a stream; only HTTP/1.1-specific handshakes are left out, each with a reason.
    for (const area of ['framing', 'fragmentation', 'control', 'close', 'utf8', 'limits', 'deflate', 'masking']) {
      expect(all.some((c) => c.id.startsWith(`${area}.`)), area).toBe(true);
    }
    const left = CATALOGUE.filter((c) => !all.includes(c));
    expect(left.every((c) => h2Exclusion(c) !== null)).toBe(true);
    expect(left.filter((c) => !c.id.startsWith('handshake.')).map((c) => c.id)).toEqual(['limits.slow-handshake']);
  });
});

describe('the --http2 catalogue against the reference server', () => {
  let plain: RunningServer;
  let secure: RunningServer;
  let cert: TestCert;
  beforeAll(async () => {
    cert = makeSelfSignedCert();
    plain = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
    secure = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null, tls: { cert: cert.cert, key: cert.key } });
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), secure?.close()]);
    cert?.cleanup();
  });

  it('passes over h2c (prior knowledge), every WebSocket a stream of one connection', async () => {
    const before = plain.stats().totalConnections;
    const r = await runConformance({ url: new URL(plain.url), embedded: true, cases, http2: true, seed: 8441 });
    expect(r.target.transport).toBe('h2c');
    expect(r.cases.length).toBe(cases.length);
    expect(summaryOf(notPassing(r))).toBe('');
    // Hundreds of WebSockets (the extra ones of http2.streams.* among them), and no run of TCP connections to match.
    expect(plain.stats().totalConnections - before).toBeGreaterThan(cases.length);
  }, 300_000);

  it('passes over h2 (TLS, ALPN h2)', async () => {
    const r = await runConformance({ url: new URL(secure.url), cases, http2: true, tls: { ca: cert.cert }, seed: 8441 });
    expect(r.target.transport).toBe('h2');
    expect(r.cases.length).toBe(cases.length);
    expect(summaryOf(notPassing(r))).toBe('');
  }, 300_000);
});

function isNegative(e: Expectation): boolean {
  if (e.kind === 'negotiated') return isNegative(e.then);
  if (e.kind === 'fail') return true;
  return e.kind === 'handshake' && (e.status === 'reject' || !e.status.includes(101));
}

describe('broken HTTP/2 servers against the http2.* cases', () => {
  const results = new Map<H2BrokenFault | 'conformant', Map<string, CaseResult>>();

  beforeAll(async () => {
    // One case at a time, so a server that kills its connection fails the case that provoked it, not its neighbours.
    for (const fault of [null, ...H2_BROKEN_VARIANTS.map((v) => v.name)]) {
      const server = await startBrokenH2Server(fault);
      try {
        const r = await runConformance({ url: new URL(server.url), cases: HTTP2_CASES, http2: true, concurrency: 1, timeoutScale: 0.3, graceMs: 500, seed: 8441 });
        results.set(fault ?? 'conformant', new Map(r.cases.map((c) => [c.id, c])));
      } finally {
        await server.close();
      }
    }
  }, 120_000);

  it('the conformant fixture passes every http2.* case', () => {
    const got = [...results.get('conformant')!.values()];
    expect(got).toHaveLength(HTTP2_CASES.length);
    expect(summaryOf(got.filter((c) => c.verdict !== 'pass'))).toBe('');
  });

  it.each(H2_BROKEN_VARIANTS.map((v) => [v.name, v] as const))('%s is caught by the cases it names', (name, v) => {
    const got = [...results.get(name)!.values()];
    for (const pattern of v.expectCaught) {
      const matched = got.filter((r) => caseMatches({ id: r.id } as ConformanceCase, pattern));
      expect(matched.length, `pattern ${pattern} matches no case`).toBeGreaterThan(0);
      const caught = matched.filter((r) => r.verdict === 'fail');
      expect(caught.length, `no case of ${pattern} caught ${name}:\n${summaryOf(matched)}`).toBe(matched.length);
      // A failure names the rule it found broken, with its section, in HTTP/2's words (200, not the grader's 101).
      for (const r of caught) {
        expect(r.reason).toMatch(/RFC (8441|7540|6455) §/);
        expect(`${r.reason} ${r.expected} ${r.observed}`).not.toMatch(/RFC 6455 §\d{4} |\b(status|not|expected) 101\b/);
      }
    }
    expect(summaryOf(got.filter((r) => r.verdict === 'error'))).toBe('');
  });

  it('every negative http2.* case is caught by a variant that names it', () => {
    const negatives = HTTP2_CASES.filter((c) => isNegative(resolveExpectation(c, {})));
    expect(negatives.length).toBeGreaterThan(4);
    const uncaught = negatives.filter(
      (c) => !H2_BROKEN_VARIANTS.some((v) => v.expectCaught.some((p) => caseMatches(c, p)) && results.get(v.name)!.get(c.id)?.verdict === 'fail'),
    );
    expect(uncaught.map((c) => c.id)).toEqual([]);
  });
});
