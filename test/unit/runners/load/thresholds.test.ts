import { describe, expect, it } from 'vitest';
import { newHistogramSet, recordMs } from '../../../../runners/load/histograms.js';
import { evaluateThresholds, parseThreshold, THRESHOLD_GRAMMAR, ThresholdSyntaxError } from '../../../../runners/load/thresholds.js';

function inputs() {
  const histograms = newHistogramSet();
  for (let i = 1; i <= 100; i++) recordMs(histograms.pingRtt, i);
  recordMs(histograms.connect, 150);
  return {
    histograms,
    connections: { peak: 10_000, opened: 10_000, failed: 0, dropped: 3, reconnects: 0 },
    errors: { refused: 1 },
    counters: { connectAttempts: 1000, pingsSent: 0, messagesSent: 0 },
  };
}

describe('thresholds', () => {
  it('parses the issue examples into canonical metrics and limits', () => {
    expect(parseThreshold('ping_rtt.p99<50ms')).toMatchObject({ metric: 'pingRtt.p99', op: '<', limit: 50 });
    expect(parseThreshold('errors.rate<0.1%')).toMatchObject({ metric: 'errors.rate', op: '<', limit: 0.001 });
    expect(parseThreshold('connect.p95<200ms')).toMatchObject({ metric: 'connect.p95', limit: 200 });
    expect(parseThreshold('connections.peak>=10000')).toMatchObject({ metric: 'connections.peak', op: '>=', limit: 10_000 });
    expect(parseThreshold('message_rtt.p99.9 <= 1s')).toMatchObject({ metric: 'messageRtt.p999', limit: 1000 });
    expect(parseThreshold('ping_rtt.max<500us')).toMatchObject({ limit: 0.5 });
  });

  it('rejects malformed expressions with the grammar in the message', () => {
    for (const bad of ['ping_rtt<50ms', 'ping_rtt.p99 50ms', 'latency.p99<5', 'errors.rate<5ms', 'connections.peak>=10k', 'ping_rtt.p99<50parsecs', '']) {
      let err: unknown;
      try {
        parseThreshold(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ThresholdSyntaxError);
      expect((err as Error).message).toContain(THRESHOLD_GRAMMAR.split('\n')[0]);
    }
  });

  it('judges values: ok, breached, and no samples for a latency bound', () => {
    const results = evaluateThresholds(
      ['ping_rtt.p99<50ms', 'ping_rtt.p50<=51ms', 'errors.rate<0.1%', 'errors.rate<1%', 'connections.peak>=10000', 'message_rtt.p99<1s', 'connect.p95<200ms'].map(
        parseThreshold,
      ),
      inputs(),
    );
    expect(results.map((r) => r.ok)).toEqual([false, true, false, true, true, false, true]);
    expect(results[0]!.value).toBeCloseTo(99, 0);
    expect(results[2]!.value).toBeCloseTo(0.001, 6);
    expect(results[5]!.value).toBeNull();
  });
});
