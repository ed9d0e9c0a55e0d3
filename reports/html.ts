// The HTML report: one self-contained file (inline CSS, JS and SVG; no network) that reads like Autobahn's report.
// The page is a list of sections; each section decides from the RunResult whether it applies, so fuzz, load and
// capacity results add sections rather than change the page. Case data travels as JSON in a
// <script type="application/json"> and rows are rendered by the inline script; a case's details and transcript are
// built only when it is expanded, so 600 cases with long transcripts stay fast.
import { noEchoLine, SCHEMA_ID, VERDICTS, VERDICT_SEVERITY, type CaseOutcome, type CaseResult, type RunResult, type TranscriptEntry, type Verdict } from './schema.js';
import { escapeHtml as esc, jsonForScript, toWellFormed } from './escape.js';
import { formatDuration } from './format.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';
import { renderFuzzSection, renderLoadSection } from './html-load.js';
import { renderCapacitySection } from './html-capacity.js';
import { renderProbeSection } from './html-probe.js';
import { mergeRuns } from './merge.js';
import { findingsOf, findingTitle } from './findings.js';
import { clientUnderTest } from './text.js';

export interface HtmlOptions {
  /** Transcript entries kept per case outcome (head and tail; the gap shows its count). Default 400. */
  maxTranscriptEntries?: number;
  /**
   * Budget of transcript entries for the whole page (default 120,000, about 15 MB): with many cases each keeps
   * budget / outcomes entries (at least 40), so the page stays quick to open.
   */
  maxTotalTranscriptEntries?: number;
  /** Payload previews longer than this are cut, with the number of characters left out. Default 240. */
  maxPreviewChars?: number;
}

/** Labels shown inside each verdict badge, so the matrix reads without colour. */
export const VERDICT_LABELS: Record<Verdict, string> = {
  pass: 'PASS',
  'non-strict': 'NON-STRICT',
  fail: 'FAIL',
  informational: 'INFO',
  unimplemented: 'UNIMPLEMENTED',
  error: 'ERROR',
  'not-run': 'NOT RUN',
};

interface HtmlSection {
  id: string;
  title: string;
  applies: (r: RunResult) => boolean;
  render: (r: RunResult, options: Required<HtmlOptions>) => string;
}

/** Sections in page order. Add one here to report something new. */
export const HTML_SECTIONS: readonly HtmlSection[] = [
  { id: 'findings', title: 'Findings', applies: (r) => findingsOf(r).length > 0, render: renderFindingsSection },
  { id: 'fuzz', title: 'Fuzz', applies: (r) => r.fuzz !== undefined, render: renderFuzzSection },
  { id: 'load', title: 'Load', applies: (r) => r.load !== undefined, render: renderLoadSection },
  { id: 'capacity', title: 'Capacity', applies: (r) => r.capacity !== undefined, render: renderCapacitySection },
  { id: 'probe', title: 'Idle probe', applies: (r) => r.probe !== undefined, render: renderProbeSection },
  { id: 'cases', title: 'Cases', applies: (r) => r.cases.length > 0, render: renderCasesSection },
];

// ---- findings ----

/** Case ids listed openly per finding; longer lists fold into a <details>. */
const OPEN_FINDING_CASES = 12;

function renderFindingsSection(r: RunResult): string {
  const items = findingsOf(r).map((f) => {
    const links = f.cases.map((id) => `<li><a href="#cases" data-case="${esc(id)}"><code>${esc(id)}</code></a></li>`).join('');
    const list = `<ul class="finding-cases">${links}</ul>`;
    const cases = f.cases.length <= OPEN_FINDING_CASES ? list : `<details><summary>${f.cases.length} cases</summary>${list}</details>`;
    return `<li class="finding" data-verdict="${f.verdict}" data-scope="${f.scope}"><span class="v v-${f.verdict}">${VERDICT_LABELS[f.verdict]}</span> ${esc(findingTitle(f))}${cases}</li>`;
  });
  return `<ol class="findings">${items.join('')}</ol>`;
}

// ---- embedded case data ----

/**
 * A transcript entry as a tuple (about half the size of the object form, which matters at 600 x 400 entries):
 * [t, dir, kind, opcode, fin, rsv, masked, length, preview, previewEncoding, closeCode, closeReason, text].
 */
type EntryTuple = [number, string, string, number | null, boolean, number, boolean, number | null, string | null, string | null, number | null, string | null, string | null];

interface EmbeddedTranscript {
  e: EntryTuple[];
  /** Index in `e` before which `gap` entries were left out by this writer (-1: none). */
  gapAt: number;
  gap: number;
  /** Entries the runner itself left out (transcriptOmitted). */
  runnerOmitted: number;
}

function cut(text: string | undefined, max: number): string | null {
  if (text === undefined) return null;
  return text.length > max ? `${text.slice(0, max)}... (${(text.length - max).toLocaleString('en-US')} more chars)` : text;
}

function tuple(e: TranscriptEntry, maxPreview: number): EntryTuple {
  return [
    e.t,
    e.dir,
    e.kind,
    e.opcode ?? null,
    e.fin === true,
    e.rsv ?? 0,
    e.masked === true,
    e.length ?? null,
    cut(e.preview, maxPreview),
    e.previewEncoding ?? null,
    e.closeCode ?? null,
    cut(e.closeReason, maxPreview),
    cut(e.text, maxPreview * 4),
  ];
}

/** Keeps the first three quarters of the budget and the last quarter: the start and how it ended both matter. */
function embedTranscript(entries: readonly TranscriptEntry[], omitted: number, o: Required<HtmlOptions>): EmbeddedTranscript {
  const max = o.maxTranscriptEntries;
  if (entries.length <= max) return { e: entries.map((x) => tuple(x, o.maxPreviewChars)), gapAt: -1, gap: 0, runnerOmitted: omitted };
  const tail = Math.floor(max / 4);
  const head = max - tail;
  const kept = [...entries.slice(0, head), ...entries.slice(entries.length - tail)];
  return { e: kept.map((x) => tuple(x, o.maxPreviewChars)), gapAt: head, gap: entries.length - kept.length, runnerOmitted: omitted };
}

function embedOutcome(out: CaseOutcome, o: Required<HtmlOptions>) {
  return {
    verdict: out.verdict,
    reasonCode: out.reasonCode,
    reason: out.reason,
    observed: out.observed,
    durationMs: out.durationMs,
    tr: embedTranscript(out.transcript ?? [], out.transcriptOmitted ?? 0, o),
  };
}

function embedCase(c: CaseResult, multi: boolean, o: Required<HtmlOptions>) {
  const outcomes = multi && c.outcomes ? c.outcomes : [c];
  return {
    id: c.id,
    title: c.title,
    area: c.area,
    rfc: c.rfc,
    autobahn: c.autobahn,
    verdict: c.verdict,
    expected: c.expected,
    ms: formatDuration(c.durationMs),
    ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
    ...(c.metrics !== undefined ? { metrics: c.metrics } : {}),
    ...(c.seed !== undefined ? { seed: c.seed } : {}),
    ...(c.path !== undefined ? { path: c.path } : {}),
    ...(c.replay !== undefined ? { replay: c.replay } : {}),
    ...(c.counterexample !== undefined ? { counterexample: c.counterexample } : {}),
    ...(c.numRuns !== undefined ? { numRuns: c.numRuns } : {}),
    o: outcomes.map((out) => embedOutcome(out, o)),
  };
}

function targetLabels(r: RunResult): string[] {
  return r.targets && r.targets.length > 0 ? r.targets.map((t) => t.label ?? t.url) : [r.target.url];
}

function renderCasesSection(r: RunResult, options: Required<HtmlOptions>): string {
  const labels = targetLabels(r);
  const multi = labels.length > 1;
  const outcomes = r.cases.reduce((n, c) => n + (multi && c.outcomes ? c.outcomes.length : 1), 0);
  const perCase = Math.max(40, Math.min(options.maxTranscriptEntries, Math.floor(options.maxTotalTranscriptEntries / Math.max(1, outcomes))));
  const o = { ...options, maxTranscriptEntries: perCase };
  const data = {
    targets: labels,
    severity: VERDICT_SEVERITY,
    labels: VERDICT_LABELS,
    cases: r.cases.map((c) => embedCase(c, multi, o)),
  };
  const boxes = VERDICTS.map(
    (v) => `<label><input type="checkbox" name="verdict" value="${v}" checked> <span class="v v-${v}">${VERDICT_LABELS[v]}</span></label>`,
  ).join('');
  const heads = labels.map((l) => `<th>${esc(l)}</th>`).join('');
  return [
    '<div class="toolbar">',
    `<fieldset><legend class="muted">Verdicts:</legend>${boxes}</fieldset>`,
    '<button type="button" id="only-problems">Problems only</button><button type="button" id="show-all">All</button>',
    '<input type="search" id="search" placeholder="Search id, title, reason, Autobahn id" aria-label="Search cases">',
    '<label>Order <select id="order"><option value="severity" selected>Failing first</option><option value="run">Run order</option></select></label>',
    '<span id="shown" class="muted" aria-live="polite"></span>',
    '</div>',
    `<table id="cases"><thead><tr><th>Case</th>${heads}${multi ? '' : '<th>Reason</th>'}<th class="num">Duration</th></tr></thead>`,
    '<tbody id="cases-body"></tbody></table>',
    '<noscript><p>The case matrix needs JavaScript; the same data is in results.json and in the JUnit and text reports.</p></noscript>',
    `<script type="application/json" id="wsprobe-data">${jsonForScript(data)}</script>`,
  ].join('\n');
}

// ---- page ----

function renderHeader(r: RunResult): string {
  const labels = targetLabels(r);
  const started = r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const meta: [string, string][] = [
    [labels.length > 1 ? 'Targets' : 'Target', labels.length > 1 ? (r.targets ?? []).map((t) => `<code>${esc(t.url)}</code>`).join('<br>') : `<code>${esc(r.target.url)}</code>${r.target.embedded ? ' <span class="muted">(embedded reference server)</span>' : ''}`],
    ['Tool', `${esc(r.tool.name)} ${esc(r.tool.version)}`],
    ['Started', esc(started)],
    ['Duration', esc(formatDuration(r.durationMs))],
  ];
  const client = clientUnderTest(r);
  if (client !== null) meta[0] = ['Client under test', esc(client)];
  if (r.interrupted) meta.push(['Interrupted', '<strong class="breached">yes: results are partial</strong>']);
  const counts =
    r.cases.length === 0
      ? ''
      : `<ul class="counts" aria-label="Cases per verdict">${VERDICTS.map(
          (v) => `<li><span class="v v-${v}">${VERDICT_LABELS[v]}</span><span class="count" data-verdict="${v}">${r.summary[v] ?? 0}</span></li>`,
        ).join('')}<li>Total<span class="count" data-verdict="total">${r.cases.length}</span></li></ul>`;
  const perTarget =
    r.targets && r.targets.length > 1 && r.targets.every((t) => t.summary)
      ? `<table class="per-target"><thead><tr><th>Target</th>${VERDICTS.map((v) => `<th class="num"><span class="v v-${v}">${VERDICT_LABELS[v]}</span></th>`).join('')}</tr></thead><tbody>${r.targets
          .map((t) => `<tr><td>${esc(t.label ?? t.url)}</td>${VERDICTS.map((v) => `<td class="num">${t.summary![v] ?? 0}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`
      : '';
  return [
    `<h1>wsprobe ${esc(r.kind)} report</h1>`,
    ...(noEchoLine(r) !== null ? [`<p class="no-echo"><strong>${esc(noEchoLine(r)!)}</strong></p>`] : []),
    `<dl class="meta">${meta.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`,
    counts,
    perTarget,
  ].join('\n');
}

export function renderHtml(results: readonly RunResult[] | RunResult, options: HtmlOptions = {}): string {
  const list = Array.isArray(results) ? results : [results as RunResult];
  const r = list.length === 1 ? list[0]! : mergeRuns(list);
  const opts: Required<HtmlOptions> = {
    maxTranscriptEntries: options.maxTranscriptEntries ?? 400,
    maxTotalTranscriptEntries: options.maxTotalTranscriptEntries ?? 120_000,
    maxPreviewChars: options.maxPreviewChars ?? 240,
  };
  const sections = HTML_SECTIONS.filter((s) => s.applies(r));
  const nav = sections.length > 1 ? `<nav class="sections">${sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('')}</nav>` : '';
  const title = `wsprobe ${r.kind} report: ${targetLabels(r).join(', ')}`;
  const page = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may load from the network: the policy makes a stray reference fail loudly rather than phone home.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    `<header>${renderHeader(r)}${nav}</header>`,
    '<main>',
    ...sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.render(r, opts)}\n</section>`),
    '</main>',
    `<footer>Generated by ${esc(r.tool.name)} ${esc(r.tool.version)} from a ${esc(SCHEMA_ID)} result.</footer>`,
    `<script>${REPORT_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
  return toWellFormed(page);
}
