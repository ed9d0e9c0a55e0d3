// A capacity search as the rewritten search (issue 14) reports it, for the report tests: doubling on held
// connections (grown steps), a breach, bisection steps (fresh after a breach), two repeats of each side of the knee,
// one of them runner-limited (so the knee is unconfirmed), flags, the knee's spread and the per-second timeline of
// the whole search. Built through the schema types and deterministic (no randomness), so goldens are stable. Also an
// arbitrary of capacity sections for the property tests.
import fc from 'fast-check';
import { SCHEMA_ID, summarize, type Bottleneck, type CapacitySection, type CapacityStep, type LatencyFigures, type RunResult, type TimelinePoint } from '../../reports/schema.js';

export const SEARCH_SLO = ['ping_rtt.p99<10ms', 'errors.rate<0.1%'];
const WARMUP_S = 3;
const STEADY_S = 5;
/** Closing every connection, then --settle, before a fresh step. */
const CLOSE_S = 1;
const SETTLE_S = 3;
const RAMP_PER_S = 250;

interface Plan {
  n: number;
  start: 'grown' | 'fresh';
  repeat: number;
  outcome: 'held' | 'breached' | 'runner-limited';
  p99: number;
  err: number;
}

/**
 * Run order, as runners/capacity/plan.ts decides it: doubling from 100 (grown), a breach at 800, bisection 600 (fresh
 * after the breach), 700 and 750 (grown on held ones), 725 (fresh after 750 broke), then the knee's repeats, fresh and
 * alternating: 725 held all three times, 750 broke twice and its last repeat was runner-limited, so the knee is
 * unconfirmed.
 */
const PLAN: Plan[] = [
  { n: 100, start: 'fresh', repeat: 0, outcome: 'held', p99: 1.2, err: 0 },
  { n: 200, start: 'grown', repeat: 0, outcome: 'held', p99: 1.6, err: 0 },
  { n: 400, start: 'grown', repeat: 0, outcome: 'held', p99: 2.5, err: 0 },
  { n: 800, start: 'grown', repeat: 0, outcome: 'breached', p99: 25.0, err: 0.0004 },
  { n: 600, start: 'fresh', repeat: 0, outcome: 'held', p99: 3.4, err: 0 },
  { n: 700, start: 'grown', repeat: 0, outcome: 'held', p99: 4.1, err: 0 },
  { n: 750, start: 'grown', repeat: 0, outcome: 'breached', p99: 14.2, err: 0.0002 },
  { n: 725, start: 'fresh', repeat: 0, outcome: 'held', p99: 4.5, err: 0 },
  { n: 725, start: 'fresh', repeat: 1, outcome: 'held', p99: 4.8, err: 0 },
  { n: 750, start: 'fresh', repeat: 1, outcome: 'breached', p99: 15.6, err: 0.0011 },
  { n: 725, start: 'fresh', repeat: 2, outcome: 'held', p99: 4.3, err: 0.0001 },
  { n: 750, start: 'fresh', repeat: 2, outcome: 'runner-limited', p99: 21.0, err: 0.0003 },
];

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

function figures(p99: number, scale = 1): LatencyFigures {
  return { count: 0, p50: round(p99 * 0.36 * scale), p90: round(p99 * 0.68 * scale), p99: round(p99 * scale), p999: round(p99 * 1.3 * scale), max: round(p99 * 1.9 * scale) };
}

function bottleneck(p: Plan, first: boolean): Bottleneck {
  const limited = p.outcome === 'runner-limited';
  const base = { runnerCpuPercent: limited ? 97 : round(12 + p.n / 25, 0), eventLoopLagMs: limited ? 140 : round(2 + p.n / 200, 1), heartbeatJitterP99Ms: limited ? 9.5 : round(0.2 + p.n / 2000) };
  const target = { targetCpuPercent: p.outcome === 'breached' ? 99 : round(p.n / 8, 0), targetRssBytes: 40_000_000 + p.n * 20_000 };
  const shared = "; the machine's CPU was 96% busy: runner and target compete for it";
  if (limited) return { limit: 'runner', reason: `the runner was the limit: a runner process at 97% CPU, event-loop lag 140 ms${shared}`, ...base, ...target, machineCpuPercent: 96 };
  if (p.outcome === 'breached') return { limit: 'target', reason: "the target was the limit (target at 99% CPU): the runner had headroom", ...base, ...target, machineCpuPercent: 71 };
  return { limit: 'none', reason: 'the SLO held; the runner had headroom', ...base, ...target, ...(first ? { machineCpuPercent: 20 } : {}) };
}

/** The search's steps with their windows, and the per-second timeline they imply. */
function build(): { steps: CapacityStep[]; timeline: TimelinePoint[] } {
  const steps: CapacityStep[] = [];
  // Phases on the time axis, to draw the timeline from: [from, to, open at from, open at to, p99].
  const phases: [number, number, number, number, number][] = [];
  let t = 0;
  let open = 0;
  PLAN.forEach((p, i) => {
    if (p.start === 'fresh' && i > 0) {
      phases.push([t, t + CLOSE_S, open, 0, 1.1], [t + CLOSE_S, t + CLOSE_S + SETTLE_S, 0, 0, 1.0]);
      t += CLOSE_S + SETTLE_S;
      open = 0;
    }
    const rampS = Math.max(1, Math.ceil((p.n - open) / RAMP_PER_S));
    const rampStartS = t;
    const steadyStartS = t + rampS + WARMUP_S;
    const steadyEndS = steadyStartS + STEADY_S;
    phases.push([t, t + rampS, open, p.n, p.p99 * 1.5], [t + rampS, steadyStartS, p.n, p.n, p.p99 * 1.2], [steadyStartS, steadyEndS, p.n, p.n, p.p99]);
    const pingOk = p.p99 < 10;
    const errOk = p.err < 0.001;
    const judged = p.outcome !== 'runner-limited';
    const breached = [...(pingOk ? [] : [SEARCH_SLO[0]!]), ...(errOk ? [] : [SEARCH_SLO[1]!])];
    const ping = { ...figures(p.p99), count: p.n * STEADY_S };
    steps.push({
      connections: p.n,
      ok: p.outcome === 'held',
      breached: judged ? breached : [SEARCH_SLO[0]!],
      thresholds: [
        { expr: SEARCH_SLO[0]!, metric: 'pingRtt.p99', value: p.p99, ok: pingOk },
        { expr: SEARCH_SLO[1]!, metric: 'errors.rate', value: p.err, ok: errOk },
      ],
      pingRttP99: p.p99,
      connectP99: round(1.5 + p.n / 300),
      errorRate: p.err,
      durationMs: (steadyEndS - rampStartS) * 1000,
      outcome: p.outcome,
      start: p.start,
      repeat: p.repeat,
      window: { rampStartS, steadyStartS, steadyEndS },
      pingRtt: ping,
      messageRtt: { ...figures(p.p99, 1.15), count: p.n * STEADY_S * 2 },
      ramp: {
        seconds: rampS,
        opened: p.n - open,
        failed: p.n === 800 && p.start === 'grown' ? 1 : 0,
        errors: p.n === 800 && p.start === 'grown' ? 2 : 0,
        connectP50: round(0.8 + p.n / 1000),
        connectP99: round(2 + p.n / 150),
      },
      bottleneck: bottleneck(p, i === 0),
    });
    t = steadyEndS;
    open = p.n;
  });
  const timeline: TimelinePoint[] = [];
  for (let s = 0; s <= t; s++) {
    const phase = phases.find(([from, to]) => s >= from && s < to) ?? phases[phases.length - 1]!;
    const [from, to, a, b, p99] = phase;
    const now = Math.round(a + ((b - a) * (s - from)) / Math.max(1, to - from));
    const wobble = 1 + 0.08 * Math.sin(s * 1.7);
    timeline.push({
      t: s,
      open: now,
      target: b,
      opened: Math.max(0, now - (timeline[timeline.length - 1]?.open ?? 0)),
      closed: Math.max(0, (timeline[timeline.length - 1]?.open ?? 0) - now),
      messagesSent: now * 2,
      messagesReceived: now * 2,
      bytesSent: now * 2 * 64,
      bytesReceived: now * 2 * 64,
      pingsSent: now,
      pongsReceived: now,
      errors: p99 > 20 ? 1 : 0,
      reconnects: 0,
      pingRttP99: round(p99 * wobble),
      messageRttP99: round(p99 * 1.15 * wobble),
      runnerCpuPercent: round(10 + now / 12, 0),
      eventLoopLagMs: round(1 + now / 300, 1),
    });
  }
  return { steps, timeline };
}

export function capacitySearchFixture(): RunResult {
  const { steps, timeline } = build();
  return {
    schema: SCHEMA_ID,
    kind: 'capacity',
    tool: { name: 'wsprobe', version: '0.1.0' },
    target: { url: 'ws://127.0.0.1:9001/', embedded: true },
    startedAt: '2025-01-02T03:04:05.678Z',
    durationMs: timeline.length * 1000,
    interrupted: false,
    summary: summarize([]),
    cases: [],
    capacity: {
      slo: SEARCH_SLO,
      maxConnections: 725,
      steps,
      warmupS: WARMUP_S,
      confirm: 2,
      knee: { lastHeld: 725, firstBreached: 750, confirmed: false, spread: { metric: 'pingRtt.p99', held: [4.3, 4.8], breached: [14.2, 21.0] } },
      flags: [
        "runner-limited at 750 connections (the runner was the limit: a runner process at 97% CPU, event-loop lag 140 ms; the machine's CPU was 96% busy: runner and target compete for it): the search stopped growing there; add --workers or run shards on more machines",
        'unconfirmed knee: 750 connections breached 2 of 3 runs; the third measured the runner',
      ],
      timeline,
    },
  };
}

/**
 * Any capacity section the search could write, and some it should not (a knee that names counts never run, steps
 * without figures): the writers must say the same true things about all of them. Thresholds and reasons never
 * contain the word "breached", so a test can tell the writer's words from the runner's.
 */
export function capacitySectionArbitrary(): fc.Arbitrary<CapacitySection> {
  const counts = [100, 200, 400, 725, 800];
  const latency = fc.record({ count: fc.nat(1e6), p50: fc.double({ min: 0, max: 50, noNaN: true }), p90: fc.double({ min: 0, max: 80, noNaN: true }), p99: fc.double({ min: 0, max: 200, noNaN: true }), p999: fc.constant(300), max: fc.constant(400) });
  const bottleneckArb = fc.record(
    {
      limit: fc.constantFrom<Bottleneck['limit']>('target', 'runner', 'none'),
      reason: fc.constantFrom('runner CPU 97% over 90%', 'the target at 99% CPU', 'nothing near its limit'),
      runnerCpuPercent: fc.nat(400),
      eventLoopLagMs: fc.nat(2000),
      targetCpuPercent: fc.nat(400),
    },
    { requiredKeys: ['limit', 'reason', 'runnerCpuPercent', 'eventLoopLagMs'] },
  );
  const step = fc
    .record(
      {
        connections: fc.constantFrom(...counts),
        outcome: fc.constantFrom<Plan['outcome']>('held', 'breached', 'runner-limited'),
        breached: fc.subarray(SEARCH_SLO),
        start: fc.constantFrom<Plan['start']>('grown', 'fresh'),
        repeat: fc.nat(3),
        window: fc.nat(500).map((s) => ({ rampStartS: s, steadyStartS: s + 4, steadyEndS: s + 9 })),
        pingRtt: latency,
        messageRtt: latency,
        errorRate: fc.double({ min: 0, max: 0.05, noNaN: true }),
        ramp: fc.record({ seconds: fc.nat(20), opened: fc.nat(1000), failed: fc.nat(5), errors: fc.nat(5) }),
        bottleneck: bottleneckArb,
      },
      { requiredKeys: ['connections', 'outcome', 'breached'] },
    )
    .map((s): CapacityStep => ({ ...s, ok: s.outcome === 'held', thresholds: [], durationMs: 1000 }));
  const countOrNull = fc.option(fc.constantFrom(...counts), { nil: null });
  return fc.record(
    {
      slo: fc.constant(SEARCH_SLO),
      maxConnections: countOrNull,
      steps: fc.array(step, { minLength: 1, maxLength: 14 }),
      confirm: fc.nat(3),
      warmupS: fc.nat(10),
      knee: fc.record({ lastHeld: countOrNull, firstBreached: countOrNull, confirmed: fc.boolean() }),
      flags: fc.array(fc.constantFrom('the curve is not monotonic', 'step 3 was runner-limited'), { maxLength: 3 }),
    },
    { requiredKeys: ['slo', 'maxConnections', 'steps'] },
  );
}
