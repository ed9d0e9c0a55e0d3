// The catalogue against deliberately broken servers (test/fixtures/broken-servers): each variant must be caught by
// the cases it names, the conformant fixture must pass everything, and every negative case (one that expects a
// failure or a refusal) must be caught by some variant: a case that cannot fail proves nothing (design.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseMatches } from '../../../runners/conformance/filter.js';
import { runCase, type ConformanceRunOptions } from '../../../runners/conformance/run.js';
import type { CaseResult } from '../../../reports/schema.js';
import { resolveExpectation, type CaseOptions, type ConformanceCase, type Expectation } from '../../../suites/define.js';
import { CATALOGUE } from '../../../suites/conformance/index.js';
import { BROKEN_VARIANTS, startBrokenServer, type BrokenFault, type RunningBrokenServer } from '../../fixtures/broken-servers/index.js';

const CONCURRENCY = 48;
const CONFORMANT_CONCURRENCY = 12;
/** Every 29th case also runs against every variant: nothing may end in a harness error. */
const SAMPLE_EVERY = 29;
const SEED = 0x5eed;

/** Cheap cases only in the sample: limits and deflate send megabytes, and a sample runs against every variant. */
const LIGHT_AREAS = new Set(['handshake', 'control', 'fragmentation', 'utf8', 'close', 'masking']);
function isLight(c: ConformanceCase): boolean {
  return LIGHT_AREAS.has(c.id.split('.')[0] ?? '') && !(c.tags ?? []).some((t) => t === 'huge' || t === 'slow');
}

function isNegative(e: Expectation): boolean {
  if (e.kind === 'negotiated') return isNegative(e.then);
  if (e.kind === 'fail') return true;
  return e.kind === 'handshake' && (e.status === 'reject' || !e.status.includes(101));
}

function run(c: ConformanceCase, url: string, extra: Partial<ConformanceRunOptions> = {}): Promise<CaseResult> {
  // Short budgets: against a broken server many cases wait for something that never comes.
  return runCase(c, { url: new URL(url), cases: [], timeoutScale: 0.3, graceMs: 500, ...extra }, SEED);
}

async function pool<T, R>(jobs: readonly T[], limit: number, fn: (job: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await fn(jobs[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

const summary = (r: CaseResult): string => `${r.id}: ${r.verdict} (${r.reasonCode}) ${r.reason.slice(0, 160)}`;

describe('broken servers against the catalogue', () => {
  const servers = new Map<BrokenFault | 'conformant', RunningBrokenServer>();
  /** Results per variant, by case id. */
  const results = new Map<BrokenFault, Map<string, CaseResult>>();
  let conformant: CaseResult[] = [];

  beforeAll(async () => {
    servers.set('conformant', await startBrokenServer(null));
    for (const v of BROKEN_VARIANTS) servers.set(v.name, await startBrokenServer(v.name));
    // The whole catalogue against the conformant fixture, with the cases' own budgets (some send 16 MiB), and
    // each variant against the cases that name it plus a light sample, with short budgets (many of those cases
    // wait for something a broken server never sends). Both at once: one is CPU-bound, the other waits.
    const jobs: { fault: BrokenFault; c: ConformanceCase }[] = [];
    for (const v of BROKEN_VARIANTS) {
      results.set(v.name, new Map());
      CATALOGUE.forEach((c, i) => {
        const sampled = i % SAMPLE_EVERY === 0 && isLight(c);
        if (sampled || v.expectCaught.some((p) => caseMatches(c, p))) jobs.push({ fault: v.name, c });
      });
    }
    const [conformantDone, variantsDone] = await Promise.all([
      pool(CATALOGUE, CONFORMANT_CONCURRENCY, (c) => run(c, servers.get('conformant')!.url, { timeoutScale: 1 })),
      pool(jobs, CONCURRENCY, async ({ fault, c }) => ({ fault, r: await run(c, servers.get(fault)!.url) })),
    ]);
    conformant = conformantDone;
    for (const { fault, r } of variantsDone) results.get(fault)!.set(r.id, r);
  }, 150_000);

  afterAll(async () => {
    await Promise.all([...servers.values()].map((s) => s.close()));
  });

  it('the conformant fixture passes every case (informational ones aside)', () => {
    expect(conformant).toHaveLength(CATALOGUE.length);
    const bad = conformant.filter((r) => r.verdict !== 'pass' && r.verdict !== 'informational');
    expect(bad.map(summary)).toEqual([]);
    // Only cases that are informational by design may be informational.
    const informational = conformant.filter((r) => r.verdict === 'informational').map((r) => r.id);
    const byDesign = CATALOGUE.filter((c) => {
      const e = resolveExpectation(c, {});
      return e.kind === 'informational' || (e.kind === 'handshake' && e.then?.kind === 'informational');
    }).map((c) => c.id);
    expect(informational.filter((id) => !byDesign.includes(id))).toEqual([]);
  });

  it('the conformant fixture selects the --protocol it speaks and applies a stated Origin policy', async () => {
    const byId = (id: string): ConformanceCase => CATALOGUE.find((c) => c.id === id)!;
    const strict = await startBrokenServer(null, { origins: ['https://good.example'] });
    try {
      const selected = await run(byId('handshake.subprotocol.user-selected'), strict.url, {
        handshakeDefaults: { protocols: ['wsprobe.echo'] },
        caseOptions: { protocols: ['wsprobe.echo'] } as CaseOptions,
      });
      const forbid = await run(byId('handshake.origin.policy'), strict.url, {
        caseOptions: { origin: 'https://evil.example', expectOrigin: 'forbid' } as CaseOptions,
      });
      const allow = await run(byId('handshake.origin.policy'), strict.url, {
        caseOptions: { origin: 'https://good.example', expectOrigin: 'allow' } as CaseOptions,
      });
      const wrongPolicy = await run(byId('handshake.origin.policy'), strict.url, {
        caseOptions: { origin: 'https://evil.example', expectOrigin: 'allow' } as CaseOptions,
      });
      expect([selected, forbid, allow].map(summary)).toEqual([selected, forbid, allow].map((r) => summary({ ...r, verdict: 'pass' })));
      expect(wrongPolicy.verdict).toBe('fail');
    } finally {
      await strict.close();
    }
  });

  it.each(BROKEN_VARIANTS.map((v) => [v.name, v] as const))('%s is caught by the cases it names', (name, v) => {
    const got = results.get(name)!;
    for (const pattern of v.expectCaught) {
      const matched = [...got.values()].filter((r) => caseMatches({ id: r.id } as ConformanceCase, pattern));
      expect(matched.length, `pattern ${pattern} matches no case`).toBeGreaterThan(0);
      const caught = matched.filter((r) => r.verdict !== 'pass');
      expect(caught.length, `no case of ${pattern} caught ${name}:\n${matched.map(summary).join('\n')}`).toBeGreaterThan(0);
    }
    const errors = [...got.values()].filter((r) => r.verdict === 'error');
    expect(errors.map(summary)).toEqual([]);
  });

  it('every negative case is caught by at least one variant that names it', () => {
    const negatives = CATALOGUE.filter((c) => isNegative(resolveExpectation(c, {})));
    expect(negatives.length).toBeGreaterThan(0);
    const uncaught = negatives.filter((c) => {
      return !BROKEN_VARIANTS.some((v) => {
        if (!v.expectCaught.some((p) => caseMatches(c, p))) return false;
        const r = results.get(v.name)!.get(c.id);
        return r !== undefined && r.verdict !== 'pass';
      });
    });
    expect(uncaught.map((c) => c.id)).toEqual([]);
  });
});
