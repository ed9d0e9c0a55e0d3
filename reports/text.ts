// Terminal summary. Built from sections, each a pure function that returns its lines or nothing, so fuzz, load and
// capacity results add sections without touching the others. Colour only when asked (the CLI passes isTTY).
import { emptySummary, noEchoLine, VERDICTS, VERDICT_SEVERITY, type CaseResult, type HistogramSummary, type RunResult, type Verdict } from './schema.js';
import { findingsOf, findingTitle } from './findings.js';
import { formatBytes, formatCount, formatDuration, formatMs, formatNumber } from './format.js';
import { formatTranscriptTail, oneLine } from './transcript-format.js';
import { toWellFormed } from './escape.js';
import { completedLine, rolesLine, STEP_HEADS, stepAlerts, stepCells, unexpectedLine, unmatchedLine } from './text-scenario.js';
import { capacityLines } from './text-capacity.js';
import { probeLines } from './text-probe.js';

export interface TextOptions {
  color: boolean;
  /** Failing cases listed in full; the rest are counted. Default 50. */
  maxFailures?: number;
  /** Transcript lines shown per failing case; default 0 (none). */
  transcriptLines?: number;
  /** Case ids listed per finding; the rest are counted. Default 12. */
  maxFindingCases?: number;
}

type Paint = (style: keyof typeof ANSI, text: string) => string;

const ANSI = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;

const VERDICT_STYLE: Record<Verdict, keyof typeof ANSI> = {
  pass: 'green',
  'non-strict': 'yellow',
  fail: 'red',
  informational: 'blue',
  unimplemented: 'gray',
  error: 'magenta',
  'not-run': 'cyan',
};

/** Short column heads for the summary table. */
const VERDICT_HEAD: Record<Verdict, string> = {
  pass: 'pass',
  'non-strict': 'non-strict',
  fail: 'fail',
  informational: 'info',
  unimplemented: 'unimpl',
  error: 'error',
  'not-run': 'not-run',
};

interface TextContext {
  paint: Paint;
  options: Required<TextOptions>;
}

type TextSection = (result: RunResult, ctx: TextContext) => string[];

function table(rows: string[][], alignRight: (col: number) => boolean = (c) => c > 0): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (alignRight(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Every graded verdict; `not-run` only when some case was not run, so other runs read as before. */
function shownVerdicts(r: RunResult): Verdict[] {
  return VERDICTS.filter((v) => v !== 'not-run' || (r.summary['not-run'] ?? 0) > 0);
}

/** A client run's "client under test" line (text and HTML headers); null for a server run. */
export function clientUnderTest(r: RunResult): string | null {
  if (r.role !== 'client' || r.client === undefined) return null;
  const agents = r.targets && r.targets.length > 0 ? r.targets.map((t) => t.label ?? t.url).join(', ') : (r.client.agent ?? 'client');
  return `${agents}${r.client.driver !== undefined ? ` (driver ${r.client.driver})` : ''}, connecting to ${r.client.url}`;
}

const header: TextSection = (r, { paint }) => {
  const targets = r.targets && r.targets.length > 0 ? r.targets.map((t) => t.label ?? t.url).join(', ') : `${r.target.url}${r.target.embedded ? ' (embedded reference server)' : ''}`;
  const lines = [
    paint('bold', `wsprobe ${r.kind} report`),
    `target    ${targets}`,
    `tool      ${r.tool.name} ${r.tool.version}`,
    `started   ${r.startedAt}   duration ${formatDuration(r.durationMs)}`,
  ];
  const client = clientUnderTest(r);
  if (client !== null) lines.splice(1, 1, `client    ${client}`);
  if (r.interrupted) lines.push(paint('yellow', 'INTERRUPTED: results are partial'));
  const noEcho = noEchoLine(r);
  if (noEcho !== null) lines.splice(1, 0, paint('cyan', noEcho));
  if (r.cases.length > 0) {
    lines.push(`verdicts  ${shownVerdicts(r).map((v) => paint(r.summary[v] > 0 ? VERDICT_STYLE[v] : 'gray', `${v} ${r.summary[v] ?? 0}`)).join('  ')}`);
  }
  return lines;
};

const areaTable: TextSection = (r) => {
  if (r.cases.length === 0) return [];
  const areas = new Map<string, Record<Verdict, number>>();
  for (const c of r.cases) {
    const counts = areas.get(c.area) ?? emptySummary();
    counts[c.verdict] += 1;
    areas.set(c.area, counts);
  }
  const verdicts = shownVerdicts(r);
  const row = (name: string, counts: Record<Verdict, number>): string[] => [
    name,
    ...verdicts.map((v) => String(counts[v] ?? 0)),
    String(VERDICTS.reduce((n, v) => n + (counts[v] ?? 0), 0)),
  ];
  return table([['area', ...verdicts.map((v) => VERDICT_HEAD[v]), 'total'], ...[...areas].map(([a, c]) => row(a, c)), row('all', r.summary)]);
};

/** Problems grouped by cause, before anything else: what a person acts on first. */
const findings: TextSection = (r, { paint, options }) => {
  const list = findingsOf(r);
  if (list.length === 0) return [];
  const lines = [paint('bold', `Findings (${list.length})`)];
  for (const f of list) {
    lines.push(`${paint(VERDICT_STYLE[f.verdict], f.verdict.toUpperCase().padEnd(10))} ${oneLine(findingTitle(f), 300)}`);
    const shown = f.cases.slice(0, options.maxFindingCases);
    const more = f.cases.length - shown.length;
    lines.push(`           ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return lines;
};

function byWorst(a: CaseResult, b: CaseResult): number {
  return VERDICT_SEVERITY[b.verdict] - VERDICT_SEVERITY[a.verdict] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const failures: TextSection = (r, { paint, options }) => {
  const failing = r.cases.filter((c) => VERDICT_SEVERITY[c.verdict] >= VERDICT_SEVERITY['non-strict']).sort(byWorst);
  if (failing.length === 0) return r.cases.length > 0 ? [paint('green', 'No failing cases.')] : [];
  const lines = [paint('bold', `Failing cases (${failing.length})`)];
  const labels = r.targets?.map((t) => t.label ?? t.url);
  for (const c of failing.slice(0, options.maxFailures)) {
    lines.push('', `${paint(VERDICT_STYLE[c.verdict], c.verdict.toUpperCase().padEnd(10))} ${c.id}  ${c.title}`);
    const outcomes = c.outcomes && labels ? c.outcomes.map((o, i) => ({ o, label: labels[i] })) : [{ o: c, label: undefined }];
    for (const { o, label } of outcomes) {
      if (VERDICT_SEVERITY[o.verdict] < VERDICT_SEVERITY['non-strict']) continue;
      const at = label === undefined ? '' : `[${label}] ${o.verdict}: `;
      lines.push(`           ${at}${oneLine(o.reason, 200)}`);
      if (o.observed !== '') lines.push(`           observed: ${oneLine(o.observed, 200)}`);
      if (options.transcriptLines > 0) {
        for (const t of formatTranscriptTail(o.transcript ?? [], options.transcriptLines, o.transcriptOmitted ?? 0)) lines.push(`             ${t}`);
      }
    }
    lines.push(`           expected: ${oneLine(c.expected, 200)}`);
    if (c.seed !== undefined) lines.push(`           seed ${c.seed}${c.path !== undefined ? `, path ${c.path}` : ''}`);
    if (c.counterexample && c.counterexample.length > 0) lines.push(`           counterexample: ${oneLine(c.counterexample.join(' ; '), 200)}`);
    if (c.replay !== undefined) lines.push(`           replay: ${c.replay}`);
  }
  if (failing.length > options.maxFailures) lines.push('', `... and ${failing.length - options.maxFailures} more failing cases (see the HTML report)`);
  return lines;
};

const fuzz: TextSection = (r) => {
  if (!r.fuzz) return [];
  const f = r.fuzz;
  const rate = f.casesPerSecond !== undefined ? `, ${formatNumber(f.casesPerSecond, 0)} cases/s` : '';
  return [`fuzz      suites ${f.suites.join(', ')}; seed ${f.seed}; ${formatCount(f.runs)} runs${rate}`];
};

const HIST_LABELS: Record<string, string> = { connect: 'connect', pingRtt: 'ping RTT', messageRtt: 'message RTT', heartbeatJitter: 'heartbeat jitter', recover: 'reconnect time' };

function histogramRows(hists: Record<string, HistogramSummary>): string[][] {
  return [
    ['latency', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'],
    ...Object.entries(hists).map(([name, h]) => [
      HIST_LABELS[name] ?? name,
      formatCount(h.count),
      ...[h.p50, h.p90, h.p99, h.p999, h.max].map((v) => (h.count === 0 ? '-' : formatMs(v))),
    ]),
  ];
}

const load: TextSection = (r, { paint }) => {
  const l = r.load;
  if (!l) return [];
  const c = l.connections;
  const secs = Math.max(1, l.timeline.length);
  const sent = l.timeline.reduce((n, p) => n + p.messagesSent, 0);
  const received = l.timeline.reduce((n, p) => n + p.messagesReceived, 0);
  const lines = [
    paint('bold', 'Load'),
    // A step nothing ever answered comes first, in red like other failures: the rest of the figures can look fine.
    ...stepAlerts(l.scenario).map((a) => (a.loud ? paint('red', a.text) : a.text)),
    `connections  target ${formatCount(c.target)}  peak ${formatCount(c.peak)}  opened ${formatCount(c.opened)}  failed ${formatCount(c.failed)}  reconnects ${formatCount(c.reconnects)}  dropped ${formatCount(c.dropped)}`,
    `messages     sent ${formatCount(sent)}  received ${formatCount(received)}  (${formatNumber(received / secs, 1)}/s over ${l.timeline.length} s)`,
  ];
  const k = l.counters;
  if (k.bytesSent !== undefined || k.bytesReceived !== undefined) {
    // With permessage-deflate the wire bytes and the application's (uncompressed) bytes differ: show both.
    const app = (wire: number | undefined, appBytes: number | undefined): string =>
      `${formatBytes(wire ?? 0)}${appBytes !== undefined ? ` (${formatBytes(appBytes)} uncompressed)` : ''}`;
    lines.push(`bytes        sent ${app(k.bytesSent, k.appBytesSent)}  received ${app(k.bytesReceived, k.appBytesReceived)}`);
  }
  if (k.deflateNegotiated !== undefined) lines.push(`deflate      negotiated on ${formatCount(k.deflateNegotiated)} connections`);
  const h2 = l.http2;
  if (h2) {
    const limit = `limit ${h2.streamsPerConnection}${h2.maxConcurrentStreams !== undefined ? `, server allows ${formatCount(h2.maxConcurrentStreams)}` : ''}`;
    lines.push(`http2        ${formatCount(h2.sessions)} connections, WebSockets per connection max ${formatCount(h2.streamsPerSession.max)} mean ${formatNumber(h2.streamsPerSession.mean, 1)} (${limit}), lost ${formatCount(h2.sessionsLost)} (${formatCount(h2.streamsLost)} WebSockets with them), reset ${formatCount(h2.streamsReset)}`);
  }
  if (l.mergedFrom !== undefined) lines.push(`shards       ${l.mergedFrom} merged`);
  if (Object.keys(l.connections.dropsByCode).length > 0) {
    lines.push(`drops        ${Object.entries(l.connections.dropsByCode).map(([k, v]) => `${k}: ${formatCount(v)}`).join('  ')}`);
  }
  if ((k.silentDrops ?? 0) > 0) {
    lines.push(paint('red', `half-open    ${formatCount(k.silentDrops!)} connection${k.silentDrops === 1 ? '' : 's'} silently dropped: open here, but a ping and then two pong timeouts passed with nothing received (a path that drops without FIN or RST)`));
  }
  if ((k.latePongs ?? 0) > 0) lines.push(`late pongs   ${formatCount(k.latePongs!)} answered only after the pong timeout (within one more): slow, not dropped`);
  if (Object.keys(l.errors).length > 0) {
    lines.push(`errors       ${Object.entries(l.errors).map(([k, v]) => `${k}: ${formatCount(v)}`).join('  ')}`);
  }
  if (l.runner) {
    lines.push(`runner       ${l.runner.workers} workers, peak RSS ${formatBytes(l.runner.peakRssBytes)}${l.runner.maxEventLoopLagMs !== undefined ? `, max event-loop lag ${formatMs(l.runner.maxEventLoopLagMs)}` : ''}`);
    for (const w of l.runner.warnings) lines.push(paint('yellow', `warning      ${w}`));
  }
  lines.push('', ...table(histogramRows(l.histograms)));
  if (l.scenario) lines.push('', ...scenarioLines(l.scenario, paint));
  if (l.thresholds.length > 0) {
    lines.push('', ...thresholdLines(l.thresholds, paint));
  }
  return lines;
};

/** The scenario block: roles, the per-step table (latency in ms), then what matched nothing and what went unanswered. */
function scenarioLines(s: NonNullable<NonNullable<RunResult['load']>['scenario']>, paint: Paint): string[] {
  const steps = Object.entries(s.steps);
  return [
    paint('bold', `Scenario ${oneLine(s.name, 80)}`),
    `roles        ${s.roles.length > 0 ? rolesLine(s) : '-'}`,
    ...(steps.length > 0 ? table([[...STEP_HEADS], ...steps.map(([key, step]) => stepCells(key, step))]) : ['no named steps']),
    `unexpected   ${unexpectedLine(s)}`,
    `unmatched    ${unmatchedLine(s)}`,
    `completed    ${completedLine(s)}`,
  ];
}

function thresholdLines(thresholds: NonNullable<RunResult['load']>['thresholds'], paint: Paint): string[] {
  const rows = table(
    [['threshold', 'value', 'result'], ...thresholds.map((t) => [t.expr, t.value === null ? '-' : formatNumber(t.value, 3), t.ok ? 'ok' : 'BREACHED'])],
    (col) => col === 1,
  );
  return rows.map((line, i) => (i === 0 ? line : paint(thresholds[i - 1]!.ok ? 'green' : 'red', line)));
}

const capacity: TextSection = (r, { paint }) => (r.capacity ? capacityLines(r.capacity, paint, table) : []);

const probe: TextSection = (r, { paint }) => (r.probe ? probeLines(r.probe, paint, table) : []);

/** Sections in order; a section that has nothing to say returns []. */
export const TEXT_SECTIONS: readonly TextSection[] = [header, findings, fuzz, areaTable, load, capacity, probe, failures];

export function renderText(result: RunResult, options: TextOptions): string {
  const paint: Paint = options.color ? (style, text) => `\u001b[${ANSI[style]}m${text}\u001b[0m` : (_style, text) => text;
  const ctx: TextContext = {
    paint,
    options: {
      color: options.color,
      maxFailures: options.maxFailures ?? 50,
      transcriptLines: options.transcriptLines ?? 0,
      maxFindingCases: options.maxFindingCases ?? 12,
    },
  };
  const blocks = TEXT_SECTIONS.map((s) => s(result, ctx)).filter((lines) => lines.length > 0);
  return toWellFormed(`${blocks.map((b) => b.join('\n')).join('\n\n')}\n`);
}
