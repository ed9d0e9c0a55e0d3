// RunResults for the report tests, built through the TypeScript types so they cannot drift from schema.ts.
// The conformance fixture carries the strings that break writers: control characters, lone surrogates, `]]>`,
// `</script>`, `<!--`, U+2028 and a very long payload.
import hdr from 'hdr-histogram-js';
import { summarizeHistogram } from '../../reports/histogram.js';
import {
  SCHEMA_ID,
  summarize,
  type CaseResult,
  type Finding,
  type HistogramSummary,
  type RunResult,
  type ScenarioSection,
  type StepSummary,
  type TimelinePoint,
  type TranscriptEntry,
  type Verdict,
} from '../../reports/schema.js';
import { capacitySearchFixture } from './capacity-fixture.js';
import { fullProbeSection } from './probe-fixture.js';
export { capacitySearchFixture };

export const NASTY = 'ctl\u0000\u0001\u0007\u001b[31m\u000b\u000c tab\tcr\rlf\n lone\uD800 \uDC00x ]]> </script><!-- <b>&amp;</b> \u2028\u2029 \uFFFE\uFFFF "q" \'a\' é 😀';
export const LONG_PAYLOAD = 'A'.repeat(9000) + '</script>' + 'B'.repeat(3000);

/** A small deterministic PRNG (mulberry32) for histogram values. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HANDSHAKE =
  'GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13';

export function sampleTranscript(): TranscriptEntry[] {
  return [
    { t: 0, dir: 'out', kind: 'handshake', text: HANDSHAKE },
    { t: 1.25, dir: 'in', kind: 'handshake', text: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket' },
    { t: 1.5, dir: 'out', kind: 'frame', opcode: 1, fin: true, rsv: 0, masked: true, length: 5, preview: 'hello', previewEncoding: 'text' },
    { t: 2.125, dir: 'in', kind: 'frame', opcode: 1, fin: true, rsv: 4, masked: false, length: 12_000, preview: LONG_PAYLOAD.slice(0, 64), previewEncoding: 'text' },
    { t: 3, dir: 'out', kind: 'frame', opcode: 9, fin: true, rsv: 0, masked: true, length: 126, preview: 'ff00fe01'.repeat(8), previewEncoding: 'hex' },
    { t: 3.5, dir: 'out', kind: 'bytes', length: 3, preview: '81 ff 00', previewEncoding: 'hex' },
    { t: 4, dir: 'in', kind: 'frame', opcode: 8, fin: true, rsv: 0, masked: false, length: 2 + NASTY.length, closeCode: 1002, closeReason: NASTY },
    { t: 4.5, dir: 'local', kind: 'tcp', text: 'fin received' },
    { t: 5, dir: 'local', kind: 'note', text: `note with ${NASTY}` },
  ];
}

interface CaseSpec {
  id: string;
  verdict: Verdict;
  reasonCode?: string;
  reason?: string;
  title?: string;
}

export function caseResult(spec: CaseSpec, extra: Partial<CaseResult> = {}): CaseResult {
  const area = spec.id.split('.')[0]!;
  return {
    id: spec.id,
    title: spec.title ?? `Case ${spec.id}`,
    area,
    rfc: ['5.2'],
    autobahn: ['1.1.1'],
    verdict: spec.verdict,
    reasonCode: spec.reasonCode ?? (spec.verdict === 'pass' ? 'ok' : 'wrong-code'),
    reason: spec.reason ?? (spec.verdict === 'pass' ? 'As expected.' : 'RFC 6455 §7.4.1: expected close code 1002, got 1000'),
    expected: 'The server fails the connection with close code 1002.',
    observed: spec.verdict === 'pass' ? 'Close 1002, clean.' : 'Close 1000, clean.',
    durationMs: 12.5,
    transcript: [],
    ...extra,
  };
}

export function withSummary(r: Omit<RunResult, 'summary'>): RunResult {
  return { ...r, summary: summarize(r.cases) } as RunResult;
}

const BASE = {
  schema: SCHEMA_ID,
  tool: { name: 'wsprobe', version: '0.1.0' },
  startedAt: '2025-01-02T03:04:05.678Z',
  interrupted: false,
} as const;

/** A realistic conformance run with every verdict, failing cases and the hostile strings. */
export function conformanceFixture(): RunResult {
  const cases: CaseResult[] = [
    caseResult({ id: 'handshake.accept.valid', verdict: 'pass', title: 'Valid opening handshake' }, { rfc: ['4.2.2'], autobahn: ['1.1.1'] }),
    caseResult({ id: 'handshake.version.missing', verdict: 'pass', title: 'Missing Sec-WebSocket-Version gets 426' }, { rfc: ['4.2.2'], autobahn: [] }),
    caseResult(
      { id: 'framing.rsv.rsv1-set', verdict: 'fail', title: 'RSV1 set without an extension', reason: `RFC 6455 §5.2: expected close 1002, got 1000 with reason "${NASTY}"` },
      { rfc: ['5.2'], autobahn: ['3.1'], transcript: sampleTranscript(), observed: `Echoed the frame; closed 1000 "${NASTY}"` },
    ),
    caseResult({ id: 'framing.opcode.reserved-3', verdict: 'pass', title: 'Reserved opcode 3' }, { autobahn: ['4.1.1'] }),
    caseResult(
      { id: 'control.ping.payload-126', verdict: 'fail', reasonCode: 'no-close', title: 'Ping with a 126-byte payload', reason: 'RFC 6455 §5.5: control frame payload 126 > 125 was answered with a pong' },
      { rfc: ['5.5'], autobahn: ['2.5'], transcript: sampleTranscript().slice(2, 6), transcriptOmitted: 1234, timeoutMs: 2000 },
    ),
    caseResult({ id: 'control.pong.unsolicited', verdict: 'informational', reasonCode: 'ignored', title: 'Unsolicited pong', reason: 'The target ignored an unsolicited pong.' }, { autobahn: ['2.8'] }),
    caseResult(
      { id: 'utf8.invalid.late-fail', verdict: 'non-strict', reasonCode: 'late-fail', title: 'Invalid UTF-8 detected only at message end', reason: 'RFC 6455 §8.1: failed after the whole message instead of at the first invalid byte' },
      { rfc: ['8.1'], autobahn: ['6.4.1'], transcript: [{ t: 0.5, dir: 'out', kind: 'frame', opcode: 1, fin: false, rsv: 0, masked: true, length: LONG_PAYLOAD.length, preview: LONG_PAYLOAD, previewEncoding: 'text' }] },
    ),
    caseResult({ id: 'close.code.1005-sent', verdict: 'error', reasonCode: 'harness-error', title: 'Close with 1005 on the wire', reason: 'Harness error: ECONNRESET while sending' }, { rfc: ['7.4.1'], autobahn: ['7.9.1'] }),
    caseResult({ id: 'deflate.negotiate.basic', verdict: 'unimplemented', reasonCode: 'no-extension', title: 'permessage-deflate negotiation', reason: 'The target does not offer permessage-deflate.' }, { rfc: ['7692 §7'], autobahn: ['12.1.1'] }),
    caseResult({ id: 'limits.message.1mib', verdict: 'pass', title: 'Echo of a 1 MiB message' }, { metrics: { rttMs: 4.25, throughputMiBs: 240 }, autobahn: ['9.1.6'] }),
  ];
  return withSummary({ ...BASE, kind: 'conformance', target: { url: 'ws://127.0.0.1:9001/', embedded: false }, durationMs: 4321, cases });
}

/**
 * A run against a target that died during a case (a run-level finding), with failures of one cause differing only
 * in numbers and quoted text, a lone failure and the cases never run.
 */
export function findingsFixture(): RunResult {
  const window = (bits: number, length: number): CaseResult =>
    caseResult(
      { id: `deflate.window.bits-${bits}`, verdict: 'fail', reasonCode: 'handshake-status', reason: `RFC 6455 §4.2.2: a correct opening handshake got status 400 "bad server_max_window_bits=${bits}", not 101 (${length} bytes)` },
      { rfc: ['7692 7.1.2.1'], autobahn: [] },
    );
  const notRun = (id: string): CaseResult =>
    caseResult({ id, verdict: 'not-run', reasonCode: 'target-died', reason: 'not run: the target stopped accepting connections (TCP connect to 127.0.0.1:9001 failed: connect ECONNREFUSED) during the run' }, { durationMs: 0 });
  const cases: CaseResult[] = [
    caseResult({ id: 'handshake.accept.valid', verdict: 'pass' }),
    caseResult({ id: 'handshake.head.16k', verdict: 'fail', reasonCode: 'unreachable', reason: 'Afterwards the target stopped accepting connections (the case ran alone against a restarted target)' }),
    window(8, 120),
    window(9, 121),
    window(10, 124),
    caseResult({ id: 'close.code.1000', verdict: 'fail', reasonCode: 'wrong-code', reason: 'RFC 6455 §7.4.1: the target answered our close with 1011, expected 1000' }),
    notRun('framing.text.empty'),
    notRun('framing.text.len-125'),
    notRun('control.ping.empty'),
  ];
  const findings: Finding[] = [
    {
      key: 'run|target-died',
      scope: 'run',
      verdict: 'fail',
      reasonCode: 'target-died',
      cause: 'the target died during case handshake.head.16k: run alone against the restarted target, it stopped accepting connections afterwards; 3 cases not started were not run',
      cases: ['handshake.head.16k', 'framing.text.empty', 'framing.text.len-125', 'control.ping.empty'],
    },
  ];
  return withSummary({ ...BASE, kind: 'conformance', target: { url: 'ws://127.0.0.1:9001/' }, durationMs: 2500, cases, findings });
}

export function fuzzFixture(): RunResult {
  const cases: CaseResult[] = [
    caseResult(
      { id: 'fuzz.frames.decoder-agrees', verdict: 'fail', reasonCode: 'property-failed', title: 'Echo of any valid frame sequence', reason: 'Property failed after 37 runs: the echo differed' },
      {
        seed: 424242,
        path: '36:1:0',
        numRuns: 37,
        counterexample: ['[{"opcode":1,"fin":false,"payload":"ce"},{"opcode":0,"fin":true,"payload":"bae1"}]', `text ${NASTY}`],
        replay: "wsprobe fuzz ws://127.0.0.1:9001/ --suite frames --replay '424242:36:1:0'",
        transcript: sampleTranscript().slice(2, 5),
        rfc: ['5.4'],
        autobahn: ['5.1'],
      },
    ),
    caseResult({ id: 'fuzz.handshake.headers', verdict: 'pass', title: 'Any header order' }, { seed: 7, numRuns: 200, rfc: ['4.1'], autobahn: [] }),
  ];
  return withSummary({ ...BASE, kind: 'fuzz', target: { url: 'ws://127.0.0.1:9001/' }, durationMs: 9000, cases, fuzz: { suites: ['frames', 'handshake'], seed: 424242, runs: 237, casesPerSecond: 26.3 } });
}

/** A histogram of `count` microsecond values drawn from a skewed distribution around `medianUs`. */
export function histogramOf(values: readonly number[]): HistogramSummary {
  const h = hdr.build();
  for (const v of values) h.recordValue(Math.max(1, Math.round(v)));
  return summarizeHistogram(h);
}

export function latencyValues(seed: number, count: number, medianUs: number): number[] {
  const rand = prng(seed);
  return Array.from({ length: count }, () => medianUs * Math.exp((rand() - 0.5) * 1.2) * (rand() < 0.01 ? 8 : 1));
}

export function timeline(seconds: number, connections: number, seed = 1): TimelinePoint[] {
  const rand = prng(seed);
  return Array.from({ length: seconds }, (_, t) => {
    const open = Math.min(connections, Math.round((connections * (t + 1)) / 5));
    return {
      t,
      open,
      target: Math.min(connections, Math.round((connections * (t + 1)) / 5)),
      opened: t < 5 ? Math.round(connections / 5) : 0,
      closed: t === seconds - 1 ? open : 0,
      messagesSent: open * 10,
      messagesReceived: open * 10 - (t === 7 ? 3 : 0),
      bytesSent: open * 10 * 128,
      bytesReceived: open * 10 * 128,
      pingsSent: open,
      pongsReceived: open,
      errors: t === 7 ? 3 : 0,
      reconnects: t === 8 ? 2 : 0,
      pingRttP99: 2 + rand() * 3,
      messageRttP99: 3 + rand() * 4,
      runnerCpuPercent: 20 + rand() * 30,
      runnerRssBytes: 80e6 + t * 1e6,
      eventLoopLagMs: rand() * 5,
    };
  });
}

export interface LoadFixtureOptions {
  seed?: number;
  connections?: number;
  seconds?: number;
  startedAt?: string;
  shard?: { index: number; count: number };
  /** Values (microseconds) for each histogram; defaults drawn from `seed`. */
  values?: { connect: number[]; pingRtt: number[]; messageRtt: number[] };
}

export function loadFixture(o: LoadFixtureOptions = {}): RunResult {
  const seed = o.seed ?? 1;
  const connections = o.connections ?? 1000;
  const seconds = o.seconds ?? 30;
  const values = o.values ?? {
    connect: latencyValues(seed, connections, 3000),
    pingRtt: latencyValues(seed + 1, connections * 20, 900),
    messageRtt: latencyValues(seed + 2, connections * 50, 1400),
  };
  const histograms = {
    connect: histogramOf(values.connect),
    pingRtt: histogramOf(values.pingRtt),
    messageRtt: histogramOf(values.messageRtt),
  };
  return withSummary({
    ...BASE,
    startedAt: o.startedAt ?? BASE.startedAt,
    kind: 'load',
    target: { url: 'ws://127.0.0.1:9001/', embedded: true },
    durationMs: seconds * 1000,
    cases: [],
    load: {
      profile: { connections, ramp: 5, durationS: seconds, messageRate: 10, messageSize: 128, heartbeatMs: 1000 },
      connections: { target: connections, peak: connections, opened: connections + 2, failed: 1, reconnects: 2, dropped: 2, dropsByCode: { '1006': 2 } },
      histograms,
      counters: { messagesSent: connections * 10 * seconds, messagesReceived: connections * 10 * seconds - 3, peakOpen: connections, errorRatePercent: 0.1 * seed },
      timeline: timeline(seconds, connections, seed),
      errors: { ECONNRESET: 2, 'handshake-timeout': 1 },
      thresholds: [
        { expr: 'pingRtt.p99<50ms', metric: 'pingRtt.p99', value: histograms.pingRtt.p99, ok: histograms.pingRtt.p99 < 50 },
        { expr: 'connect.p99<2ms', metric: 'connect.p99', value: histograms.connect.p99, ok: histograms.connect.p99 < 2 },
        { expr: 'connections.failed<=0', metric: 'connections.failed', value: 1, ok: false },
      ],
      heartbeat: { intervalMs: 1000, jitterP99Ms: 2 + seed, pingsSent: connections * seconds, pongsReceived: connections * seconds, pongTimeouts: 0 },
      runner: { workers: 2, peakRssBytes: 110e6, bytesPerConnection: 110e3, cpuSeconds: 12.5, maxEventLoopLagMs: 4.2, warnings: ['source port range nearly exhausted on 127.0.0.1'] },
      http: { statsUrl: 'http://127.0.0.1:9002/stats' },
      ...(o.shard ? { shard: o.shard } : {}),
      timelinePercentiles: 'exact',
    },
  });
}

/** A scenario step as the runtime would sum it, from its latencies in microseconds (`values`); counts default to 0. */
export type StepSpec = Pick<StepSummary, 'kind' | 'name' | 'started' | 'matched'> &
  Partial<Pick<StepSummary, 'timeouts' | 'late' | 'connectionsWithTimeouts'>> & { values?: readonly number[] };
export type ScenarioSpec = Pick<ScenarioSection, 'name' | 'roles'> & Partial<Omit<ScenarioSection, 'name' | 'roles' | 'steps'>> & { steps: StepSpec[] };

export function stepSummary({ values, ...spec }: StepSpec): StepSummary {
  return { timeouts: 0, late: 0, connectionsWithTimeouts: 0, ...spec, latency: histogramOf(values ?? []) };
}

export function scenarioSection({ steps, ...spec }: ScenarioSpec): ScenarioSection {
  const zero = { unexpected: 0, connectionsWithUnexpected: 0, unmatched: 0, connectionsWithUnmatched: 0, completed: 0, iterationsSkipped: 0 };
  return { ...zero, ...spec, steps: Object.fromEntries(steps.map((st) => [`${st.kind}.${st.name}`, stepSummary(st)])) };
}

/**
 * A chat scenario with two roles and steps of all four kinds: every `request.join` timed out (the loud line), a few
 * `request.history` replies came late, a subscription with delivery latency, messages nobody waited for.
 */
export function chatScenario(seed = 1): ScenarioSpec {
  return {
    name: 'chat',
    roles: [{ name: 'publisher', connections: 100 }, { name: 'subscriber', connections: 900 }],
    steps: [
      { kind: 'send', name: 'hello', started: 1000, matched: 0 },
      { kind: 'expect', name: 'welcome', started: 1000, matched: 1000, values: latencyValues(seed + 10, 1000, 2500) },
      { kind: 'request', name: 'join', started: 1600, matched: 0, timeouts: 1600, connectionsWithTimeouts: 900 },
      { kind: 'request', name: 'history', started: 900, matched: 888, timeouts: 12, late: 3, connectionsWithTimeouts: 9, values: latencyValues(seed + 11, 888, 6000) },
      { kind: 'subscribe', name: 'room', started: 900, matched: 9000, values: latencyValues(seed + 12, 9000, 1800) },
    ],
    unexpected: 42,
    connectionsWithUnexpected: 7,
    unmatched: 1612,
    connectionsWithUnmatched: 905,
    completed: 91,
    iterationsSkipped: 5,
  };
}

/** Spreads each step's matches and timeouts over the seconds (the remainder in the last) with a p99 when it matched. */
export function timelineSteps(points: TimelinePoint[], scenario: ScenarioSection, seed = 1): TimelinePoint[] {
  const rand = prng(seed + 100);
  const share = (total: number, i: number): number => Math.floor(total / points.length) + (i === points.length - 1 ? total % points.length : 0);
  return points.map((p, i) => ({
    ...p,
    steps: Object.fromEntries(
      Object.entries(scenario.steps).map(([key, st]) => {
        const matched = share(st.matched, i);
        const p99 = matched > 0 && st.latency.count > 0 ? { p99: Math.round(st.latency.p99 * (0.7 + rand() * 0.6) * 1000) / 1000 } : {};
        return [key, { matched, timeouts: share(st.timeouts, i), ...p99 }];
      }),
    ),
  }));
}

/** A load run that followed a scenario: loadFixture with `load.scenario` and per-second steps in the timeline. */
export function scenarioLoadFixture(o: LoadFixtureOptions & { scenario?: ScenarioSpec } = {}): RunResult {
  const r = loadFixture(o);
  const scenario = scenarioSection(o.scenario ?? chatScenario(o.seed ?? 1));
  const load = r.load!;
  return {
    ...r,
    load: {
      ...load,
      profile: { ...load.profile, scenario: scenario.name },
      timeline: timelineSteps(load.timeline, scenario, o.seed ?? 1),
      scenario,
    },
  };
}

export function capacityFixture(): RunResult {
  const steps = [500, 1000, 2000, 4000, 8000].map((n, i) => ({
    connections: n,
    ok: n <= 2000,
    breached: n <= 2000 ? [] : ['pingRtt.p99<50ms'],
    thresholds: [{ expr: 'pingRtt.p99<50ms', metric: 'pingRtt.p99', value: 5 * 2 ** i * 1.7, ok: n <= 2000 }],
    pingRttP99: 5 * 2 ** i * 1.7,
    connectP99: 2 + i * 3,
    errorRate: n <= 2000 ? 0 : 0.002 * i,
    durationMs: 20_000,
  }));
  return withSummary({
    ...BASE,
    kind: 'capacity',
    target: { url: 'ws://127.0.0.1:9001/' },
    durationMs: 100_000,
    cases: [],
    capacity: { slo: ['pingRtt.p99<50ms', 'errors.rate<0.1%'], maxConnections: 2000, steps },
  });
}

/** Every optional property set, for the schema-coverage test. */
export function fullyPopulatedFixture(): RunResult {
  const conf = conformanceFixture();
  const fuzz = fuzzFixture();
  const load = scenarioLoadFixture({ shard: { index: 0, count: 2 }, connections: 50, seconds: 6 });
  const cap = capacitySearchFixture();
  const c0 = { ...conf.cases[2]!, ...fuzz.cases[0]!, transcript: sampleTranscript(), timeoutMs: 1000, transcriptOmitted: 3, metrics: { rttMs: 1 } };
  const outcome = { verdict: 'fail' as const, reasonCode: 'x', reason: 'r', observed: 'o', durationMs: 1, transcript: sampleTranscript(), transcriptOmitted: 2 };
  const cases: CaseResult[] = [{ ...c0, outcomes: [outcome, { ...outcome, verdict: 'pass' }] }];
  return withSummary({
    ...BASE,
    kind: 'conformance',
    target: { url: 'ws://127.0.0.1:9001/', embedded: true, transport: 'h2c', profile: { echo: true, source: 'preflight', echoesText: true, echoesBinary: true, unsolicited: 0, closesOnUnknown: false } },
    targets: [
      { url: 'ws://a/', label: 'a', summary: summarize([{ verdict: 'fail' }]) },
      { url: 'ws://b/', label: 'b', summary: summarize([{ verdict: 'pass' }]) },
    ],
    durationMs: 1,
    options: { concurrency: 4 },
    cases,
    findings: [{ key: 'run|target-died', scope: 'run', verdict: 'fail', reasonCode: 'target-died', cause: 'the target died', cases: [c0.id], target: 'a' }],
    fuzz: fuzz.fuzz!,
    load: {
      ...load.load!,
      mergedFrom: 2,
      http2: { sessions: 3, sessionsAtPeak: 3, streamsPerSession: { max: 100, mean: 100 }, streamsPerConnection: 100, maxConcurrentStreams: 128, sessionsLost: 0, streamsLost: 0, streamsReset: 1 },
    },
    capacity: cap.capacity!,
    probe: fullProbeSection(),
    role: 'client',
    client: { agent: 'ws', driver: 'ws', url: 'ws://127.0.0.1:9001/' },
  });
}

/** `count` cases, every one with a transcript of `frames` entries (one shared array: cheap to build). */
export function bigFixture(count = 600, frames = 5000): RunResult {
  const transcript: TranscriptEntry[] = Array.from({ length: frames }, (_, i) => ({
    t: i * 0.01,
    dir: i % 2 === 0 ? 'out' : 'in',
    kind: 'frame',
    opcode: i % 7 === 0 ? 9 : 2,
    fin: true,
    rsv: 0,
    masked: i % 2 === 0,
    length: 64,
    preview: '00ff'.repeat(16),
    previewEncoding: 'hex',
  }));
  const areas = ['handshake', 'framing', 'fragmentation', 'control', 'close', 'utf8', 'limits', 'deflate'];
  const verdicts: Verdict[] = ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'non-strict', 'fail', 'informational', 'unimplemented', 'pass', 'error'];
  const cases = Array.from({ length: count }, (_, i) =>
    caseResult(
      { id: `${areas[i % areas.length]}.generated.case-${String(i).padStart(4, '0')}`, verdict: verdicts[i % verdicts.length]! },
      { transcript },
    ),
  );
  return withSummary({ ...BASE, kind: 'conformance', target: { url: 'ws://127.0.0.1:9001/' }, durationMs: 60_000, cases });
}

/** A plausible run for the README screenshot: realistic ids, a few failures, no hostile strings. */
export function realisticFixture(): RunResult {
  const spec: [string, string, Verdict, string, string[], string?][] = [
    ['handshake.accept.valid', 'Valid opening handshake', 'pass', '4.2.2', ['1.1.1']],
    ['handshake.version.unsupported', 'Unsupported version gets 426 with Sec-WebSocket-Version: 13', 'pass', '4.4', []],
    ['handshake.key.missing', 'Missing Sec-WebSocket-Key is rejected', 'pass', '4.2.1', []],
    ['framing.rsv.rsv1-set', 'RSV1 set without a negotiated extension', 'fail', '5.2', ['3.2'], 'RFC 6455 §5.2: expected the connection to fail with 1002; the frame was echoed'],
    ['framing.rsv.rsv2-set', 'RSV2 set without a negotiated extension', 'pass', '5.2', ['3.3']],
    ['framing.opcode.reserved-3', 'Reserved non-control opcode 3', 'pass', '5.2', ['4.1.1']],
    ['framing.opcode.reserved-11', 'Reserved control opcode 11', 'pass', '5.2', ['4.2.1']],
    ['framing.length.non-minimal-16', 'Length encoded in 16 bits below 126', 'informational', '5.2', [], 'The target accepted a non-minimal length encoding (recorded, not graded).'],
    ['fragmentation.text.two-fragments', 'Text message in two fragments', 'pass', '5.4', ['5.3']],
    ['fragmentation.control.interleaved-ping', 'Ping between fragments', 'pass', '5.4', ['5.6']],
    ['fragmentation.continuation.unexpected', 'Continuation without a message', 'pass', '5.4', ['5.9']],
    ['control.ping.payload-125', 'Ping with a 125-byte payload', 'pass', '5.5', ['2.4']],
    ['control.ping.payload-126', 'Ping with a 126-byte payload', 'fail', '5.5', ['2.5'], 'RFC 6455 §5.5: control frame payload 126 > 125 was answered with a pong instead of close 1002'],
    ['control.ping.fragmented', 'Fragmented ping', 'pass', '5.5', ['2.9']],
    ['utf8.valid.all-planes', 'Valid UTF-8 across all planes', 'pass', '8.1', ['6.2.1']],
    ['utf8.invalid.fail-fast', 'Invalid UTF-8 fails at the first bad byte', 'non-strict', '8.1', ['6.4.1'], 'RFC 6455 §8.1: the connection failed only after the whole message (late-fail)'],
    ['close.code.1000', 'Close with 1000', 'pass', '7.4.1', ['7.3.1']],
    ['close.code.1005-on-wire', 'Close code 1005 on the wire is rejected', 'fail', '7.4.1', ['7.9.1'], 'RFC 6455 §7.4.1: expected close 1002, got 1000'],
    ['close.reason.invalid-utf8', 'Close reason with invalid UTF-8', 'pass', '7.1.6', ['7.5.1']],
    ['limits.message.16mib', 'Echo of a 16 MiB message', 'pass', '10.4', ['9.1.6']],
    ['deflate.negotiate.basic', 'permessage-deflate negotiation', 'unimplemented', '7692 §7', ['12.1.1'], 'The target does not offer permessage-deflate.'],
  ];
  const cases = spec.map(([id, title, verdict, rfc, autobahn, reason]) =>
    caseResult(
      { id, title, verdict, ...(reason ? { reason } : {}), reasonCode: verdict === 'pass' ? 'ok' : verdict === 'non-strict' ? 'late-fail' : verdict === 'fail' ? 'wrong-code' : verdict },
      {
        rfc: [rfc],
        autobahn,
        durationMs: 3 + (id.length % 9) * 1.7,
        observed: verdict === 'fail' ? 'Close 1000 "bye", clean TCP close by the server' : 'As expected.',
        transcript: sampleTranscript()
          .slice(0, 6)
          .concat([{ t: 5.2, dir: 'in', kind: 'frame', opcode: 8, fin: true, rsv: 0, masked: false, length: 5, closeCode: 1000, closeReason: 'bye' }, { t: 5.6, dir: 'local', kind: 'tcp', text: 'fin received' }]),
      },
    ),
  );
  return withSummary({ ...BASE, kind: 'conformance', target: { url: 'wss://echo.example.net/ws' }, durationMs: 18_420, cases });
}
