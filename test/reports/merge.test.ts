import hdr from 'hdr-histogram-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MergeError, mergeRuns } from '../../reports/merge.js';
import { summarizeHistogram } from '../../reports/histogram.js';
import { validateRunResult } from '../../reports/validate.js';
import { judgeThresholdOnSection } from '../../runners/load/thresholds.js';
import {
  caseResult,
  chatScenario,
  conformanceFixture,
  fuzzFixture,
  latencyValues,
  loadFixture,
  scenarioLoadFixture,
  scenarioSection,
  withSummary,
  type ScenarioSpec,
  type StepSpec,
} from './fixtures.js';
import type { HistogramSummary, RunResult, ScenarioSection } from '../../reports/schema.js';

const withoutEncoding = ({ encoded: _e, ...rest }: HistogramSummary) => rest;

describe('mergeRuns: load shards', () => {
  const valuesA = { connect: latencyValues(11, 500, 2500), pingRtt: latencyValues(12, 8000, 700), messageRtt: latencyValues(13, 20_000, 1200) };
  // Shard B sees a slower target, so the merged tail is not either shard's tail.
  const valuesB = { connect: latencyValues(21, 700, 9000), pingRtt: latencyValues(22, 3000, 4000), messageRtt: latencyValues(23, 9000, 5000) };
  const a = loadFixture({ values: valuesA, connections: 500, seconds: 10, shard: { index: 0, count: 2 } });
  const b = loadFixture({ values: valuesB, connections: 700, seconds: 10, shard: { index: 1, count: 2 }, startedAt: '2025-01-02T03:04:07.678Z' });
  // As `report merge` does: thresholds judged again with the load runner's grammar.
  const merged = mergeRuns([a, b], { judgeThreshold: judgeThresholdOnSection });

  it('gives exactly the counts and percentiles of one histogram holding every value', () => {
    for (const name of ['connect', 'pingRtt', 'messageRtt'] as const) {
      const all = hdr.build();
      for (const v of [...valuesA[name], ...valuesB[name]]) all.recordValue(Math.max(1, Math.round(v)));
      const expected = summarizeHistogram(all);
      expect(withoutEncoding(merged.load!.histograms[name]), name).toEqual(withoutEncoding(expected));
      expect(merged.load!.histograms[name].count).toBe(valuesA[name].length + valuesB[name].length);
      // The raw histogram agrees on every percentile too (not only our summary of it).
      expect(merged.load!.histograms[name].p99).toBe(all.getValueAtPercentile(99) / 1000);
      expect(merged.load!.histograms[name].p999).toBe(all.getValueAtPercentile(99.9) / 1000);
      // And the merged encoding decodes to the same distribution.
      const decoded = hdr.decodeFromCompressedBase64(merged.load!.histograms[name].encoded);
      expect(decoded.totalCount).toBe(all.totalCount);
      expect(decoded.getValueAtPercentile(90)).toBe(all.getValueAtPercentile(90));
    }
  });

  it('is not the average of the shard percentiles', () => {
    const avg = (a.load!.histograms.pingRtt.p99 + b.load!.histograms.pingRtt.p99) / 2;
    expect(merged.load!.histograms.pingRtt.p99).not.toBeCloseTo(avg, 1);
  });

  it('sums counters and connections, aligns timelines on wall-clock seconds and sums them', () => {
    const l = merged.load!;
    expect(l.connections.target).toBe(1200);
    expect(l.connections.opened).toBe(a.load!.connections.opened + b.load!.connections.opened);
    expect(l.connections.dropsByCode['1006']).toBe(4);
    expect(l.errors.ECONNRESET).toBe(4);
    expect(l.counters.messagesSent).toBe(a.load!.counters.messagesSent! + b.load!.counters.messagesSent!);
    expect(l.mergedFrom).toBe(2);
    expect(l.shard).toBeUndefined();
    expect(l.timelinePercentiles).toBe('max-of-shards');
    // B started 2 s after A: its second 0 is A's second 2.
    expect(l.timeline).toHaveLength(12);
    expect(l.timeline[0]!.messagesSent).toBe(a.load!.timeline[0]!.messagesSent);
    expect(l.timeline[2]!.messagesSent).toBe(a.load!.timeline[2]!.messagesSent + b.load!.timeline[0]!.messagesSent);
    expect(l.timeline[11]!.open).toBe(b.load!.timeline[9]!.open);
    const totalSent = [a, b].reduce((n, r) => n + r.load!.timeline.reduce((s, p) => s + p.messagesSent, 0), 0);
    expect(l.timeline.reduce((s, p) => s + p.messagesSent, 0)).toBe(totalSent);
    expect(l.timeline[2]!.pingRttP99).toBe(Math.max(a.load!.timeline[2]!.pingRttP99!, b.load!.timeline[0]!.pingRttP99!));
    expect(l.connections.peak).toBe(Math.max(...l.timeline.map((p) => p.open)));
    expect(merged.startedAt).toBe(a.startedAt);
    expect(merged.durationMs).toBe(12_000);
  });

  it('adds counts but keeps the largest of settings, durations, rates and peaks', () => {
    const l = merged.load!;
    expect(l.heartbeat!.pingsSent).toBe(a.load!.heartbeat!.pingsSent! + b.load!.heartbeat!.pingsSent!);
    expect(l.heartbeat!.intervalMs).toBe(1000);
    expect(l.heartbeat!.jitterP99Ms).toBe(Math.max(a.load!.heartbeat!.jitterP99Ms!, b.load!.heartbeat!.jitterP99Ms!));
    expect(l.counters.errorRatePercent).toBe(Math.max(a.load!.counters.errorRatePercent!, b.load!.counters.errorRatePercent!));
    expect(l.counters.peakOpen).toBe(l.connections.peak);
  });

  it('sums the --deflate counters (negotiations, application bytes each way)', () => {
    const withDeflate = (r: RunResult, n: number): RunResult => ({
      ...r,
      load: { ...r.load!, counters: { ...r.load!.counters, deflateNegotiated: n, appBytesSent: n * 1000, appBytesReceived: n * 3000 } },
    });
    const l = mergeRuns([withDeflate(a, 500), withDeflate(b, 700)]).load!;
    expect(l.counters).toMatchObject({ deflateNegotiated: 1200, appBytesSent: 1_200_000, appBytesReceived: 3_600_000 });
  });

  it('re-evaluates thresholds on the merged figures where it can', () => {
    const t = merged.load!.thresholds.find((x) => x.expr === 'pingRtt.p99<50ms')!;
    expect(t.value).toBe(merged.load!.histograms.pingRtt.p99);
    expect(t.ok).toBe(t.value! < 50);
    expect(t.note).toMatch(/re-evaluated/);
    const failed = merged.load!.thresholds.find((x) => x.metric === 'connections.failed')!;
    expect(failed.value).toBe(2);
    expect(failed.ok).toBe(false);
  });

  it('judges an expression the runner reads as it would on one run, any unit and percentile', () => {
    const withThresholds = (r: RunResult, exprs: string[]): RunResult => ({
      ...r,
      load: { ...r.load!, thresholds: exprs.map((expr) => ({ expr, metric: expr.split(/[<>=!]/)[0]!, value: 0, ok: true })) },
    });
    const exprs = ['ping_rtt.p95 < 1s', 'errors.rate<50%', 'errors.count<=100', 'connections.peak>=1'];
    const l = mergeRuns([withThresholds(a, exprs), withThresholds(b, exprs)], { judgeThreshold: judgeThresholdOnSection }).load!;
    const byExpr = new Map(l.thresholds.map((t) => [t.expr, t]));
    const p95 = hdr.decodeFromCompressedBase64(l.histograms.pingRtt.encoded).getValueAtPercentile(95) / 1000;
    expect(byExpr.get('ping_rtt.p95 < 1s')).toMatchObject({ value: p95, ok: p95 < 1000 });
    const ops = (l.counters.connectAttempts ?? 0) + (l.counters.pingsSent ?? 0) + (l.counters.messagesSent ?? 0);
    const errors = Object.values(l.errors).reduce((s, v) => s + v, 0);
    expect(byExpr.get('errors.rate<50%')!.value).toBeCloseTo(errors / ops, 12);
    expect(byExpr.get('errors.count<=100')!.value).toBe(errors);
    expect(byExpr.get('connections.peak>=1')).toMatchObject({ value: l.connections.peak, ok: true });
    for (const t of l.thresholds) expect(t.note).toMatch(/re-evaluated on 2 merged shards/);
  });

  it('without a judge, or for an expression it cannot read, a threshold is ok only if ok on every shard', () => {
    const plain = mergeRuns([a, b]).load!.thresholds;
    expect(plain.every((t) => t.value === null && /not re-evaluable/.test(t.note!))).toBe(true);
    expect(plain.find((t) => t.expr === 'connections.failed<=0')!.ok).toBe(false);
    const odd = { expr: 'latency is fine', metric: 'latency', value: 1, ok: true };
    const oddly = (r: RunResult): RunResult => ({ ...r, load: { ...r.load!, thresholds: [odd] } });
    const [t] = mergeRuns([oddly(a), oddly(b)], { judgeThreshold: judgeThresholdOnSection }).load!.thresholds;
    expect(t).toMatchObject({ expr: 'latency is fine', value: null, ok: true, note: expect.stringMatching(/2\/2/) });
  });

  it('produces a valid result', () => {
    expect(validateRunResult(merged, { strict: true })).toEqual([]);
  });
});

describe('mergeRuns: conformance and fuzz', () => {
  const a = conformanceFixture();

  it('makes a matrix for different targets, with one outcome per target and the worst verdict per row', () => {
    const bCases = a.cases.map((c) => (c.id === 'handshake.accept.valid' ? { ...c, verdict: 'fail' as const, reason: 'b broke it' } : c)).slice(0, -1);
    const b = withSummary({ ...a, target: { url: 'ws://b:1/' }, cases: bCases });
    const m = mergeRuns([a, b]);
    expect(m.targets!.map((t) => t.url)).toEqual([a.target.url, 'ws://b:1/']);
    const row = m.cases.find((c) => c.id === 'handshake.accept.valid')!;
    expect(row.outcomes!.map((o) => o.verdict)).toEqual(['pass', 'fail']);
    expect(row.verdict).toBe('fail');
    expect(row.reason).toBe('b broke it');
    const missing = m.cases.find((c) => c.id === a.cases.at(-1)!.id)!;
    expect(missing.outcomes![1]).toMatchObject({ verdict: 'not-run', reasonCode: 'not-run' });
    expect(m.targets![1]!.summary!.fail).toBe(a.summary.fail + 1);
    expect(validateRunResult(m, { strict: true })).toEqual([]);
    // A matrix merges again with a third target.
    const c = { ...a, target: { url: 'ws://c:1/' } };
    expect(mergeRuns([m, c]).targets).toHaveLength(3);
  });

  it('keeps a client run a client run: role and client section survive a merge of client results', () => {
    const client = (url: string, agent: string) => withSummary({ ...a, target: { url }, role: 'client' as const, client: { agent, url } });
    const m = mergeRuns([client('ws://127.0.0.1:9001/?agent=ws', 'ws'), client('ws://127.0.0.1:9001/?agent=chromium', 'chromium')]);
    expect(m.role).toBe('client');
    expect(m.client).toEqual({ agent: 'ws', url: 'ws://127.0.0.1:9001/?agent=ws' });
    expect(m.targets).toHaveLength(2);
    expect(mergeRuns([a, { ...a, target: { url: 'ws://b:1/' } }]).role).toBeUndefined();
  });

  it('makes a union for shards of one target, keeping the worse outcome of a duplicated case', () => {
    const s1 = withSummary({ ...a, cases: a.cases.slice(0, 6) });
    const s2 = withSummary({ ...a, cases: [...a.cases.slice(6), { ...a.cases[0]!, verdict: 'fail' }] });
    const u = mergeRuns([s1, s2]);
    expect(u.targets).toBeUndefined();
    expect(u.cases.map((c) => c.id)).toEqual(a.cases.map((c) => c.id));
    expect(u.cases[0]!.verdict).toBe('fail');
    expect(validateRunResult(u, { strict: true })).toEqual([]);
  });

  it('keeps fuzz details', () => {
    const f = fuzzFixture();
    const g = { ...fuzzFixture(), target: { url: 'ws://other/' } };
    const m = mergeRuns([f, g]);
    expect(m.fuzz).toEqual(f.fuzz);
    expect(m.cases[0]!.replay).toBe(f.cases[0]!.replay);
  });

  it('refuses to mix kinds or schema versions, and capacity results', () => {
    expect(() => mergeRuns([a, loadFixture()])).toThrow(MergeError);
    expect(() => mergeRuns([a, loadFixture()])).toThrow(/different kinds: conformance, load/);
    expect(() => mergeRuns([a, { ...a, schema: 'wsprobe/result@2' } as unknown as RunResult])).toThrow(/schema "wsprobe\/result@2"/);
    expect(() => mergeRuns([])).toThrow(/nothing to merge/);
    const cap = withSummary({ ...a, kind: 'capacity', cases: [caseResult({ id: 'x.y', verdict: 'pass' })] });
    expect(() => mergeRuns([cap, cap])).toThrow(/capacity/);
    expect(() => mergeRuns([loadFixture(), { ...loadFixture(), target: { url: 'ws://elsewhere/' } }])).toThrow(/different targets/);
  });
});

/** The scenario section with every histogram's encoding left out (two encodings of one distribution may differ). */
function comparable(s: ScenarioSection) {
  return { ...s, steps: Object.fromEntries(Object.entries(s.steps).map(([k, st]) => [k, { ...st, latency: withoutEncoding(st.latency) }])) };
}

/** What one run holding both shards' connections would have reported: counts summed, latencies pooled. */
function unionSpec(a: ScenarioSpec, b: ScenarioSpec): ScenarioSpec {
  const steps = new Map<string, StepSpec>();
  for (const st of [...a.steps, ...b.steps]) {
    const key = `${st.kind}.${st.name}`;
    const had = steps.get(key);
    const add = (f: 'timeouts' | 'late' | 'connectionsWithTimeouts'): number => (had?.[f] ?? 0) + (st[f] ?? 0);
    steps.set(
      key,
      had
        ? { ...had, started: had.started + st.started, matched: had.matched + st.matched, timeouts: add('timeouts'), late: add('late'), connectionsWithTimeouts: add('connectionsWithTimeouts'), values: [...(had.values ?? []), ...(st.values ?? [])] }
        : st,
    );
  }
  const roles = new Map<string, number>();
  for (const r of [...a.roles, ...b.roles]) roles.set(r.name, (roles.get(r.name) ?? 0) + r.connections);
  const sum = (f: 'unexpected' | 'connectionsWithUnexpected' | 'unmatched' | 'connectionsWithUnmatched' | 'completed' | 'iterationsSkipped'): number => (a[f] ?? 0) + (b[f] ?? 0);
  return {
    name: a.name,
    roles: [...roles].map(([name, connections]) => ({ name, connections })),
    steps: [...steps.values()],
    unexpected: sum('unexpected'),
    connectionsWithUnexpected: sum('connectionsWithUnexpected'),
    unmatched: sum('unmatched'),
    connectionsWithUnmatched: sum('connectionsWithUnmatched'),
    completed: sum('completed'),
    iterationsSkipped: sum('iterationsSkipped'),
  };
}

describe('mergeRuns: scenario load shards', () => {
  const specA = chatScenario(1);
  // Shard B has a slower target and lacks the subscription (its connections were all publishers).
  const specB: ScenarioSpec = {
    ...chatScenario(2),
    roles: [{ name: 'publisher', connections: 300 }],
    steps: chatScenario(2)
      .steps.filter((st) => st.kind !== 'subscribe')
      .map((st) => (st.values ? { ...st, values: st.values.map((v) => v * 4) } : st)),
  };
  const a = scenarioLoadFixture({ seed: 1, connections: 100, seconds: 8, scenario: specA, shard: { index: 0, count: 2 } });
  const b = scenarioLoadFixture({ seed: 2, connections: 100, seconds: 8, scenario: specB, shard: { index: 1, count: 2 }, startedAt: '2025-01-02T03:04:07.678Z' });
  const merged = mergeRuns([a, b], { judgeThreshold: judgeThresholdOnSection });

  it('equals the scenario section of one run of the union: counts summed, histograms exact', () => {
    const expected = scenarioSection(unionSpec(specA, specB));
    expect(comparable(merged.load!.scenario!)).toEqual(comparable(expected));
    expect(Object.keys(merged.load!.scenario!.steps)).toEqual(Object.keys(a.load!.scenario!.steps));
    const history = merged.load!.scenario!.steps['request.history']!;
    expect(history).toMatchObject({ started: 1800, matched: 1776, timeouts: 24, late: 6, connectionsWithTimeouts: 18 });
    const all = hdr.build();
    for (const v of [...specA.steps[3]!.values!, ...specB.steps[3]!.values!]) all.recordValue(Math.max(1, Math.round(v)));
    expect(history.latency.p99).toBe(all.getValueAtPercentile(99) / 1000);
    expect(hdr.decodeFromCompressedBase64(history.latency.encoded).totalCount).toBe(1776);
    expect(merged.load!.scenario!.roles).toEqual([{ name: 'publisher', connections: 400 }, { name: 'subscriber', connections: 900 }]);
  });

  it('sums the timeline steps on aligned seconds and keeps the largest p99', () => {
    const tl = merged.load!.timeline;
    const at = (r: RunResult, t: number, key: string) => r.load!.timeline[t]!.steps![key]!;
    expect(tl[2]!.steps!['request.history']).toEqual({
      matched: at(a, 2, 'request.history').matched + at(b, 0, 'request.history').matched,
      timeouts: at(a, 2, 'request.history').timeouts + at(b, 0, 'request.history').timeouts,
      p99: Math.max(at(a, 2, 'request.history').p99!, at(b, 0, 'request.history').p99!),
    });
    // Only shard A subscribes: its seconds pass through unchanged; a step that never matched has no p99.
    expect(tl[2]!.steps!['subscribe.room']).toEqual(at(a, 2, 'subscribe.room'));
    expect(tl[9]!.steps!['subscribe.room']).toBeUndefined();
    expect(tl[2]!.steps!['request.join']).not.toHaveProperty('p99');
    for (const key of Object.keys(merged.load!.scenario!.steps)) {
      const total = (r: RunResult) => r.load!.timeline.reduce((n, p) => n + (p.steps?.[key]?.matched ?? 0), 0);
      expect(total(merged), key).toBe(total(a) + total(b));
    }
  });

  it('produces a valid result', () => {
    expect(validateRunResult(merged, { strict: true })).toEqual([]);
  });

  it('refuses shards of different scenarios, and scenario shards with plain ones', () => {
    const other = scenarioLoadFixture({ connections: 10, seconds: 2, scenario: { ...specA, name: 'auction' } });
    expect(() => mergeRuns([a, other])).toThrow(/different scenarios cannot be merged: chat, auction/);
    expect(() => mergeRuns([a, loadFixture({ connections: 10, seconds: 2 })])).toThrow(/mix scenario and plain runs: 1 of 2/);
  });

  it('merging shards equals one run of their union, for any step figures (property)', () => {
    const kinds = ['send', 'expect', 'request', 'subscribe'] as const;
    const step = (kind: (typeof kinds)[number], name: string) =>
      fc.record({
        started: fc.nat(10_000),
        matched: fc.nat(10_000),
        timeouts: fc.nat(1000),
        late: fc.nat(100),
        connectionsWithTimeouts: fc.nat(100),
        values: fc.array(fc.integer({ min: 1, max: 20_000_000 }), { maxLength: 60 }),
        present: fc.boolean(),
      }).map(({ present, ...f }): StepSpec | null => (present ? { kind, name, ...f } : null));
    const shard = fc.record({
      steps: fc.tuple(step('send', 'a'), step('expect', 'b'), step('request', 'c'), step('subscribe', 'd'), step('request', 'e')),
      roles: fc.uniqueArray(fc.record({ name: fc.constantFrom('x', 'y', 'z'), connections: fc.nat(1000) }), { selector: (r) => r.name, maxLength: 3 }),
      counts: fc.array(fc.nat(1000), { minLength: 6, maxLength: 6 }),
    }).map(({ steps, roles, counts }): ScenarioSpec => {
      const [unexpected, connectionsWithUnexpected, unmatched, connectionsWithUnmatched, completed, iterationsSkipped] = counts as [number, number, number, number, number, number];
      return { name: 'p', roles, steps: steps.filter((st): st is StepSpec => st !== null), unexpected, connectionsWithUnexpected, unmatched, connectionsWithUnmatched, completed, iterationsSkipped };
    });
    fc.assert(
      fc.property(shard, shard, (x, y) => {
        const rx = scenarioLoadFixture({ connections: 3, seconds: 2, scenario: x, values: { connect: [1000], pingRtt: [1000], messageRtt: [1000] } });
        const ry = scenarioLoadFixture({ connections: 3, seconds: 2, scenario: y, values: { connect: [2000], pingRtt: [2000], messageRtt: [2000] } });
        const m = mergeRuns([rx, ry]).load!.scenario!;
        expect(comparable(m)).toEqual(comparable(scenarioSection(unionSpec(x, y))));
        for (const [key, st] of Object.entries(m.steps)) expect(st.latency.count, key).toBe(unionSpec(x, y).steps.find((s) => `${s.kind}.${s.name}` === key)!.values!.length);
      }),
      { numRuns: 100 },
    );
  });
});
