// Thresholds on scenario steps (issue 13): `request.join.p99<50ms`, `subscribe.ticker.p99<200ms`,
// `expect.welcome.timeouts==0`, and the checks a run adds by itself so that unanswered traffic never passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newHistogram } from '../../../../reports/histogram.js';
import { newHistogramSet, recordMs } from '../../../../runners/load/histograms.js';
import { implicitThresholds } from '../../../../runners/load/implicit-thresholds.js';
import { PROFILE_DEFAULTS, type LoadProfile } from '../../../../runners/load/profile.js';
import type { Scenario } from '../../../../runners/load/scenario/model.js';
import { evaluateThresholds, parseThreshold, ThresholdSyntaxError } from '../../../../runners/load/thresholds.js';

function stepInputs(latenciesMs: number[], counts: { started: number; matched: number; timeouts: number; late: number }) {
  const histogram = newHistogram();
  for (const v of latenciesMs) recordMs(histogram, v);
  return {
    histograms: newHistogramSet(),
    connections: {},
    errors: {},
    counters: { messagesSent: 100, unmatched: 3 },
    steps: new Map([['request.join', { ...counts, histogram }]]),
    scenario: { unexpected: 2, unmatched: counts.timeouts, completed: 7 },
  };
}

const SCENARIO: Scenario = {
  name: 's',
  roles: [
    {
      name: 'r',
      weight: 1,
      steps: [
        { kind: 'expect', name: 'welcome', match: { json: { type: 'welcome' } }, timeoutMs: 1000 },
        { kind: 'request', name: 'join', payload: { json: { id: '{{uuid}}' } }, correlate: 'id', timeoutMs: 1000 },
        { kind: 'subscribe', name: 'ticker', match: { json: { type: 'message' } }, timestamp: 'sentAt' },
        { kind: 'loop', everyMs: 1000, steps: [{ kind: 'request', name: 'hb', payload: { json: { id: '{{seq}}' } }, correlate: 'id', timeoutMs: 500 }] },
      ],
    },
  ],
};
const profile = (extra: Partial<LoadProfile>): LoadProfile => ({ ...PROFILE_DEFAULTS, url: '', durationS: 1, workers: 1, ...extra });

describe('thresholds on scenario steps', () => {
  it('parses the issue examples; step names keep their case', () => {
    expect(parseThreshold('request.join.p99<50ms')).toMatchObject({ metric: 'request.join.p99', parsed: { kind: 'step', key: 'request.join', stat: 99 }, limit: 50 });
    expect(parseThreshold('subscribe.ticker.p99<200ms')).toMatchObject({ metric: 'subscribe.ticker.p99', limit: 200 });
    expect(parseThreshold('expect.welcome.timeouts==0')).toMatchObject({ metric: 'expect.welcome.timeouts', op: '==', limit: 0 });
    expect(parseThreshold('request.Join-2.p99.9<1s')).toMatchObject({ parsed: { key: 'request.Join-2', stat: 99.9 }, limit: 1000 });
    expect(parseThreshold('send.publish.started>=10')).toMatchObject({ parsed: { key: 'send.publish', stat: 'started' } });
    expect(parseThreshold('messages.unmatched.rate<1%')).toMatchObject({ metric: 'messages.unmatched.rate', limit: 0.01 });
    expect(parseThreshold('scenario.unexpected==0')).toMatchObject({ metric: 'scenario.unexpected' });
    for (const bad of ['request.join<5ms', 'request.join.p99<5parsecs', 'request.join.timeouts<5ms', 'scenario.nothing==0', 'request.jo in.p99<5ms']) {
      expect(() => parseThreshold(bad), bad).toThrow(ThresholdSyntaxError);
    }
  });

  it('judges step latencies and counts, and a step never measured fails an upper bound', () => {
    const inputs = stepInputs([10, 20, 30, 40], { started: 5, matched: 4, timeouts: 1, late: 1 });
    const judge = (e: string) => evaluateThresholds([parseThreshold(e)], inputs)[0]!;
    expect(judge('request.join.max<=41ms')).toMatchObject({ ok: true });
    expect(judge('request.join.p50<15ms')).toMatchObject({ ok: false });
    expect(judge('request.join.timeouts==0')).toMatchObject({ value: 1, ok: false });
    expect(judge('request.join.late==1')).toMatchObject({ ok: true });
    expect(judge('request.join.count==4')).toMatchObject({ ok: true });
    expect(judge('request.other.p99<1s')).toMatchObject({ value: null, ok: false });
    expect(judge('scenario.unexpected<=2')).toMatchObject({ ok: true });
    expect(judge('messages.unmatched.rate<1%')).toMatchObject({ value: 0.03, ok: false });
  });

  it('a step percentile equals the histogram percentile for any latencies', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (values, pct) => {
        const inputs = stepInputs(values, { started: values.length, matched: values.length, timeouts: 0, late: 0 });
        const h = inputs.steps.get('request.join')!.histogram;
        const value = evaluateThresholds([parseThreshold(`request.join.p${pct}<1s`)], inputs)[0]!.value;
        expect(value).toBe(h.getValueAtPercentile(pct) / 1000);
      }),
      { numRuns: 100 },
    );
  });

  it('adds matched>0 for every request and expect step the user does not judge, and rejects unknown steps', () => {
    const given = [parseThreshold('request.hb.p99<100ms')];
    const { thresholds, implicit } = implicitThresholds(profile({ scenario: SCENARIO }), given);
    expect([...implicit].map((t) => t.expr).sort()).toEqual(['expect.welcome.matched>0', 'request.join.matched>0']);
    expect(thresholds.slice(0, 1)).toEqual(given);
    expect(() => implicitThresholds(profile({ scenario: SCENARIO }), [parseThreshold('request.nope.p99<1s')])).toThrow(/request\.nope.*request\.join/);
  });

  it('plain echo traffic gets messages.unmatched.rate<1% unless the user judges unmatched messages', () => {
    expect([...implicitThresholds(profile({ messageRate: 1 }), []).implicit].map((t) => t.expr)).toEqual(['messages.unmatched.rate<1%']);
    expect(implicitThresholds(profile({ inFlight: 2 }), [parseThreshold('messages.unmatched<10')]).implicit.size).toBe(0);
    expect(implicitThresholds(profile({}), []).implicit.size).toBe(0);
  });
});
