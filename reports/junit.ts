// JUnit XML in the Jenkins/Surefire dialect that CI test tabs read (GitHub Actions reporters, GitLab, Jenkins):
// one <testsuite> per area, one <testcase> per case (per case and target for a merged matrix). Load thresholds
// become test cases of a "load" suite, so a breached threshold shows up as a failed test.
import { VERDICT_SEVERITY, type CaseOutcome, type CaseResult, type Finding, type RunResult, type TranscriptEntry, type Verdict } from './schema.js';
import { escapeXml } from './escape.js';
import { formatTranscriptTail } from './transcript-format.js';
import { formatRfcSection } from './format.js';
import { findingByCase, findingsOf, findingTitle } from './findings.js';

export interface JunitOptions {
  /** Least severe verdict reported as <failure>: 'fail' (default) or 'non-strict'. `error` is always <error>. */
  failOn?: 'fail' | 'non-strict';
  /** Transcript entries (the last ones) quoted in a failure; default 20. */
  transcriptLines?: number;
}

interface TestCase {
  name: string;
  timeMs: number;
  /** At most one of these. */
  failure?: { message: string; type: string; body: string };
  error?: { message: string; type: string; body: string };
  skipped?: string;
  out?: string;
}

interface Suite {
  name: string;
  cases: TestCase[];
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v), true)}"`)
    .join('');
}

function detail(c: CaseResult, o: CaseOutcome, transcript: readonly TranscriptEntry[], omitted: number, lines: number): string {
  const parts = [
    o.reason,
    `expected: ${c.expected}`,
    `observed: ${o.observed}`,
    c.rfc.length > 0 ? `sections: ${c.rfc.map(formatRfcSection).join(', ')}` : '',
    c.autobahn.length > 0 ? `Autobahn: ${c.autobahn.join(', ')}` : '',
    c.seed !== undefined ? `seed: ${c.seed}${c.path !== undefined ? `  path: ${c.path}` : ''}` : '',
    c.counterexample && c.counterexample.length > 0 ? `counterexample:\n  ${c.counterexample.join('\n  ')}` : '',
    c.replay !== undefined ? `replay: ${c.replay}` : '',
  ].filter((s) => s !== '');
  const tail = formatTranscriptTail(transcript, lines, omitted);
  if (tail.length > 0) parts.push('transcript:', ...tail);
  return parts.join('\n');
}

/** The case's own reason, or the cause it shares with other cases (a CI test tab then shows one message N times). */
function messageOf(o: CaseOutcome, finding: Finding | undefined): string {
  if (!finding || finding.cases.length < 2) return `${o.verdict}: ${o.reason}`;
  return finding.scope === 'run' ? `${o.verdict}: ${finding.cause}` : findingTitle(finding);
}

function testCaseOf(c: CaseResult, o: CaseOutcome, target: string | undefined, options: Required<JunitOptions>, finding?: Finding): TestCase {
  const transcript = o.transcript ?? [];
  let body = detail(c, o, transcript, o.transcriptOmitted ?? 0, options.transcriptLines);
  if (finding && finding.cases.length > 1) body = `${body}\nfinding: ${findingTitle(finding)}\ncases: ${finding.cases.join(', ')}`;
  const tc: TestCase = { name: `${c.id} ${c.title}${target === undefined ? '' : ` [${target}]`}`, timeMs: o.durationMs };
  const message = messageOf(o, finding);
  const v: Verdict = o.verdict;
  if (v === 'error') tc.error = { message, type: o.reasonCode, body };
  else if (v === 'unimplemented' || v === 'not-run') tc.skipped = message;
  else if (v !== 'pass' && v !== 'informational' && VERDICT_SEVERITY[v] >= VERDICT_SEVERITY[options.failOn]) {
    tc.failure = { message, type: o.reasonCode, body };
  } else if (v !== 'pass') tc.out = `${message}\n${body}`;
  return tc;
}

function caseSuites(result: RunResult, options: Required<JunitOptions>): Suite[] {
  const suites = new Map<string, Suite>();
  const findings = findingByCase(findingsOf(result));
  for (const c of result.cases) {
    let suite = suites.get(c.area);
    if (!suite) {
      suite = { name: c.area, cases: [] };
      suites.set(c.area, suite);
    }
    if (result.targets && c.outcomes) {
      const labels = result.targets.map((t) => t.label ?? t.url);
      c.outcomes.forEach((o, i) => suite.cases.push(testCaseOf(c, o, labels[i], options, findings.get(`${labels[i]}\u0000${c.id}`))));
    } else {
      suite.cases.push(testCaseOf(c, c, undefined, options, findings.get(`\u0000${c.id}`)));
    }
  }
  return [...suites.values()];
}

function loadSuite(result: RunResult): Suite[] {
  const thresholds = result.load?.thresholds ?? [];
  if (thresholds.length === 0) return [];
  return [
    {
      name: 'load',
      cases: thresholds.map((t) => {
        const value = t.value === null ? 'no value' : String(t.value);
        const text = `${t.expr}: ${t.metric} = ${value}${t.note ? ` (${t.note})` : ''}`;
        return t.ok
          ? { name: `threshold ${t.expr}`, timeMs: 0, out: text }
          : { name: `threshold ${t.expr}`, timeMs: 0, failure: { message: `threshold breached: ${text}`, type: 'threshold', body: text } };
      }),
    },
  ];
}

function capacitySuite(result: RunResult): Suite[] {
  const cap = result.capacity;
  if (!cap) return [];
  // A capacity search breaches its SLO on purpose at its last steps: the steps are reported, not failed.
  return [
    {
      name: 'capacity',
      cases: cap.steps.map((s) => ({
        name: `step ${s.connections} connections${s.repeat ? ` (repeat ${s.repeat})` : ''}`,
        timeMs: s.durationMs,
        out: s.ok
          ? 'within SLO'
          : s.outcome === 'runner-limited'
            ? `runner-limited, SLO not judged: ${s.bottleneck?.reason ?? 'the runner was the limit'}`
            : `SLO breached: ${s.breached.join('; ')}`,
      })),
    },
  ];
}

/** `wsprobe probe idle --expect-idle-at-least S`: one test case, failed when the path's idle timeout is shorter. */
function probeSuite(result: RunResult): Suite[] {
  const e = result.probe?.expectation;
  if (e === undefined) return [];
  const name = `idle timeout at least ${e.atLeastS} s`;
  return [
    {
      name: 'probe',
      cases: [e.ok ? { name, timeMs: result.durationMs, out: e.message } : { name, timeMs: result.durationMs, failure: { message: e.message, type: 'idle-timeout', body: e.message } }],
    },
  ];
}

function renderCase(tc: TestCase, classname: string): string {
  const head = `    <testcase${attrs({ classname, name: tc.name, time: seconds(tc.timeMs) })}`;
  const inner: string[] = [];
  if (tc.failure) inner.push(`      <failure${attrs({ message: tc.failure.message, type: tc.failure.type })}>${escapeXml(tc.failure.body)}</failure>`);
  if (tc.error) inner.push(`      <error${attrs({ message: tc.error.message, type: tc.error.type })}>${escapeXml(tc.error.body)}</error>`);
  if (tc.skipped !== undefined) inner.push(`      <skipped${attrs({ message: tc.skipped })}/>`);
  if (tc.out !== undefined) inner.push(`      <system-out>${escapeXml(tc.out)}</system-out>`);
  return inner.length === 0 ? `${head}/>` : `${head}>\n${inner.join('\n')}\n    </testcase>`;
}

export function renderJunit(result: RunResult, options: JunitOptions = {}): string {
  const opts: Required<JunitOptions> = { failOn: options.failOn ?? 'fail', transcriptLines: options.transcriptLines ?? 20 };
  const suites = [...caseSuites(result, opts), ...loadSuite(result), ...capacitySuite(result), ...probeSuite(result)];
  const count = (s: Suite, k: 'failure' | 'error' | 'skipped'): number => s.cases.filter((c) => c[k] !== undefined).length;
  const total = (k: 'failure' | 'error' | 'skipped'): number => suites.reduce((n, s) => n + count(s, k), 0);
  const timeMs = (s: Suite): number => s.cases.reduce((n, c) => n + c.timeMs, 0);
  const timestamp = result.startedAt.replace(/\.\d+Z$|Z$/, '');
  const targets = result.targets?.map((t) => t.url).join(' ') ?? result.target.url;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({
      name: `wsprobe ${result.kind}`,
      tests: suites.reduce((n, s) => n + s.cases.length, 0),
      failures: total('failure'),
      errors: total('error'),
      skipped: total('skipped'),
      time: seconds(result.durationMs),
    })}>`,
  ];
  suites.forEach((s, id) => {
    const classname = `wsprobe.${s.name}`;
    out.push(
      `  <testsuite${attrs({
        name: classname,
        tests: s.cases.length,
        failures: count(s, 'failure'),
        errors: count(s, 'error'),
        skipped: count(s, 'skipped'),
        time: seconds(timeMs(s)),
        timestamp,
        hostname: 'localhost',
        id,
      })}>`,
      '    <properties>',
      `      <property${attrs({ name: 'wsprobe.target', value: targets })}/>`,
      `      <property${attrs({ name: 'wsprobe.version', value: result.tool.version })}/>`,
      `      <property${attrs({ name: 'wsprobe.kind', value: result.kind })}/>`,
      ...(result.interrupted ? [`      <property${attrs({ name: 'wsprobe.interrupted', value: 'true' })}/>`] : []),
      '    </properties>',
      ...s.cases.map((tc) => renderCase(tc, classname)),
      '  </testsuite>',
    );
  });
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
