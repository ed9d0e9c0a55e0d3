// The capacity section of the HTML report (`wsprobe capacity`): the answer and what a planner must know first
// (flags, the knee's spread), the latency and error-rate curves against connections with the SLO's limits and the
// confirmed knee, every step with its outcome, steady window, ramp and bottleneck, and the search's timeline with
// each steady window shaded. Results written before the search rewrite (no outcome, window, knee...) keep the
// layout they always had. Static HTML and inline SVG, computed at render time.
import type { CapacitySection, CapacityStep, RunResult, TimelinePoint } from './schema.js';
import { escapeHtml as esc } from './escape.js';
import { formatCount, formatDuration, formatMs } from './format.js';
import { renderLineChart, type PointStyle, type Series } from './svg-chart.js';
import { figures, okLabel } from './html-load.js';
import {
  answerLine,
  bottleneckFigures,
  errorRateSlo,
  isSearchResult,
  latencyOf,
  latencySlo,
  latencySource,
  median,
  outcomeNote,
  outcomeOf,
  percent,
  rampText,
  repeatText,
  SOURCE_LABEL,
  spreadLine,
  windowText,
  type LatencySlo,
  type LatencySource,
  type Outcome,
} from './capacity-words.js';

/** Escaped, with spaces that do not break: a narrow column keeps a figure ("4.50 ms", "12.0-17.0 s") whole. */
const nb = (text: string): string => esc(text).replace(/ /g, '&nbsp;').replace(/(\d)-(\d)/g, '$1&#8209;$2');

export function renderCapacitySection(r: RunResult): string {
  const cap = r.capacity!;
  return isSearchResult(cap) ? renderSearch(cap) : renderFirstSearch(cap);
}

// ---- results of the first search (before issue 14): unchanged layout ----

function renderFirstSearch(cap: CapacitySection): string {
  const steps = [...cap.steps].sort((a, b) => a.connections - b.connections);
  const chart = renderLineChart({
    title: 'Latency by step (crosses: SLO breached)',
    series: [
      { name: 'ping RTT p99', points: steps.flatMap((s) => (s.pingRttP99 === undefined ? [] : [[s.connections, s.pingRttP99] as const])) },
      { name: 'connect p99', points: steps.flatMap((s) => (s.connectP99 === undefined ? [] : [[s.connections, s.connectP99] as const])) },
    ],
    xLabel: 'connections',
    yLabel: 'ms',
    crossAt: (si, pi) => {
      const pts = steps.filter((s) => (si === 0 ? s.pingRttP99 : s.connectP99) !== undefined);
      return pts[pi]?.ok === false;
    },
    ...(cap.maxConnections !== null ? { markerX: { value: cap.maxConnections, label: `capacity ${formatCount(cap.maxConnections)}` } } : {}),
  });
  const errorChart = steps.some((s) => s.errorRate !== undefined)
    ? renderLineChart({
        title: 'Error rate by step',
        series: [{ name: 'error rate %', points: steps.flatMap((s) => (s.errorRate === undefined ? [] : [[s.connections, s.errorRate * 100] as const])) }],
        xLabel: 'connections',
        yLabel: '%',
        crossAt: (_si, pi) => steps.filter((s) => s.errorRate !== undefined)[pi]?.ok === false,
      })
    : '';
  const rows = steps
    .map(
      (s) =>
        `<tr class="step" data-ok="${s.ok}"><td class="num">${esc(formatCount(s.connections))}</td><td class="num">${esc(formatMs(s.pingRttP99))}</td>` +
        `<td class="num">${esc(formatMs(s.connectP99))}</td><td class="num">${s.errorRate === undefined ? '-' : esc(`${(s.errorRate * 100).toFixed(2)}%`)}</td>` +
        `<td class="num">${esc(formatDuration(s.durationMs))}</td><td>${okLabel(s.ok)} ${esc(s.breached.join('; '))}</td></tr>`,
    )
    .join('');
  return [
    figures([
      ['Max connections within SLO', cap.maxConnections === null ? 'none' : formatCount(cap.maxConnections)],
      ['Steps', String(steps.length)],
    ]),
    `<p>SLO: ${cap.slo.map((s) => `<code>${esc(s)}</code>`).join(', ')}</p>`,
    `<div class="charts">${chart}${errorChart}</div>`,
    '<table class="steps"><thead><tr><th class="num">Connections</th><th class="num">Ping RTT p99</th><th class="num">Connect p99</th>' +
      `<th class="num">Error rate</th><th class="num">Duration</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table>`,
  ].join('\n');
}

// ---- the search with steady windows, confirmation and bottlenecks ----

/** Shape and colour per outcome: the shape alone tells them apart; a runner-limited step is never drawn as a breach. */
const OUTCOME_STYLE: Record<Outcome, PointStyle> = {
  held: { shape: 'dot', color: '#1a7f37', className: 'pt-held' },
  breached: { shape: 'cross', color: '#d1242f', className: 'pt-breached' },
  'runner-limited': { shape: 'square', color: '#9a6700', className: 'pt-runner-limited' },
};
const OUTCOME_BADGE: Record<Outcome, string> = {
  held: '<span class="v v-pass">HELD</span>',
  breached: '<span class="v v-fail">BREACHED</span>',
  'runner-limited': '<span class="v v-non-strict">RUNNER-LIMITED</span>',
};
const PERCENTILES = [
  { key: 'p50', color: '#8250df', dash: '2 3' },
  { key: 'p90', color: '#57606a', dash: '6 3' },
  { key: 'p99', color: '#1f6feb', dash: '' },
] as const;

interface StepPoint {
  step: CapacityStep;
  /** Place in run order (the steps table's #, less one). */
  index: number;
  y: number;
}

function pointNote(p: StepPoint, cap: CapacitySection): string {
  const rep = p.step.repeat !== undefined && p.step.repeat > 0 ? `, repeat ${repeatText(p.step, cap.confirm)}` : '';
  return `#${p.index + 1} ${outcomeOf(p.step)}${p.step.start ? `, ${p.step.start}` : ''}${rep}`;
}

/**
 * Every run as a point coloured by its outcome (repeats at one count show the spread), and a line through the
 * median of each count's runs. Runner-limited runs measured the runner: they stay as points but not on the line.
 */
function curveSeries(name: string, pts: StepPoint[], cap: CapacitySection, look: { color: string; dash: string }): Series[] {
  const byCount = new Map<number, number[]>();
  for (const p of pts) {
    if (outcomeOf(p.step) === 'runner-limited') continue;
    byCount.set(p.step.connections, [...(byCount.get(p.step.connections) ?? []), p.y]);
  }
  const line = [...byCount].sort((a, b) => a[0] - b[0]).map(([x, ys]) => [x, median(ys)] as const);
  return [
    { name, points: line, markers: false, ...look },
    {
      name,
      points: pts.map((p) => [p.step.connections, p.y] as const),
      line: false,
      legend: false,
      ...look,
      pointStyle: (j) => ({ ...OUTCOME_STYLE[outcomeOf(pts[j]!.step)], note: pointNote(pts[j]!, cap) }),
    },
  ];
}

function kneeMarker(cap: CapacitySection): { value: number; label: string } | undefined {
  const knee = cap.knee;
  const at = knee ? knee.lastHeld : cap.maxConnections;
  if (at === null) return undefined;
  const how = knee ? (knee.confirmed ? ' (confirmed)' : ' (unconfirmed)') : '';
  return { value: at, label: `capacity ${formatCount(at)}${how}` };
}

function outcomeLegend(cap: CapacitySection): { label: string; style: PointStyle }[] {
  const present = new Set(cap.steps.map(outcomeOf));
  return (['held', 'breached', 'runner-limited'] as const).filter((o) => present.has(o)).map((o) => ({ label: o, style: OUTCOME_STYLE[o] }));
}

function stepPoints(cap: CapacitySection, value: (s: CapacityStep) => number | undefined): StepPoint[] {
  return cap.steps
    .map((step, index) => ({ step, index, y: value(step) }))
    .filter((p): p is StepPoint => p.y !== undefined)
    .sort((a, b) => a.step.connections - b.step.connections || a.index - b.index);
}

function curveCharts(cap: CapacitySection, source: LatencySource, slo: LatencySlo | null): string {
  const marker = kneeMarker(cap);
  const legendPoints = outcomeLegend(cap);
  const latency = renderLineChart({
    title: `${SOURCE_LABEL[source]} percentiles over each steady window, by connections`,
    series: PERCENTILES.flatMap((p) => curveSeries(p.key, stepPoints(cap, (s) => latencyOf(s, source)[p.key]), cap, p)),
    xLabel: 'connections',
    yLabel: 'ms',
    width: 720,
    ...(slo ? { hLines: [{ value: slo.limitMs, label: `SLO ${slo.expr}` }] } : {}),
    ...(marker ? { markerX: marker } : {}),
    legendPoints,
  });
  const errors = stepPoints(cap, (s) => (s.errorRate === undefined ? undefined : s.errorRate * 100));
  const errSlo = errorRateSlo(cap.slo);
  const errorChart =
    errors.length === 0
      ? ''
      : renderLineChart({
          title: 'Error rate over each steady window, by connections',
          series: curveSeries('error rate %', errors, cap, { color: '#57606a', dash: '' }),
          xLabel: 'connections',
          yLabel: '%',
          width: 720,
          ...(errSlo ? { hLines: [{ value: errSlo.limit * 100, label: `SLO ${errSlo.expr}` }] } : {}),
          ...(marker ? { markerX: marker } : {}),
          legendPoints,
        });
  return `<div class="charts capacity-curve">${latency}${errorChart}</div>`;
}

/** Open connections and per-second p99 over the whole search, each step's steady window shaded and numbered. */
function timelineCharts(cap: CapacitySection, source: LatencySource, slo: LatencySlo | null): string {
  const tl = cap.timeline ?? [];
  if (tl.length === 0) return '';
  const bands = cap.steps.flatMap((s, i) =>
    s.window === undefined
      ? []
      : [{ from: s.window.steadyStartS, to: s.window.steadyEndS, label: String(i + 1), title: `#${i + 1}: ${formatCount(s.connections)} connections, steady ${windowText(s)}, ${outcomeOf(s)}` }],
  );
  const pick = (name: string, f: (p: TimelinePoint) => number | undefined): Series => ({
    name,
    points: tl.flatMap((p) => {
      const v = f(p);
      return v === undefined ? [] : [[p.t, v] as const];
    }),
  });
  const sec = (x: number): string => `${x}s`;
  const p99 = (p: TimelinePoint): number | undefined => (source === 'pingRtt' ? p.pingRttP99 : p.messageRttP99);
  const sloLine = slo && slo.metric === source ? { hLines: [{ value: slo.limitMs, label: `SLO ${slo.expr}` }] } : {};
  return [
    '<div class="charts capacity-timeline">',
    renderLineChart({ title: 'Open connections (shaded: steady windows, by step #)', series: [pick('open', (p) => p.open), pick('target', (p) => p.target)], xLabel: 'seconds since the search began', yLabel: 'connections', formatX: sec, width: 720, bands }),
    renderLineChart({ title: `${SOURCE_LABEL[source]} p99 per second (shaded: steady windows)`, series: [pick(`${SOURCE_LABEL[source]} p99`, p99)], xLabel: 'seconds since the search began', yLabel: 'ms', formatX: sec, width: 720, bands, ...sloLine }),
    '</div>',
  ].join('');
}

function bottleneckCell(s: CapacityStep): string {
  const b = s.bottleneck;
  if (b === undefined) return '-';
  return `<strong>${esc(b.limit)}</strong> ${esc(b.reason)}<br><span class="muted">${esc(bottleneckFigures(b).join(' · '))}</span>`;
}

function stepsTable(cap: CapacitySection, source: LatencySource): string {
  const rows = cap.steps
    .map((s, i) => {
      const o = outcomeOf(s);
      const lat = latencyOf(s, source);
      return (
        `<tr class="step" data-outcome="${o}" data-connections="${s.connections}"><td class="num">${i + 1}</td>` +
        `<td class="num">${esc(formatCount(s.connections))}</td><td>${esc(s.start ?? '-')}</td><td>${esc(repeatText(s, cap.confirm))}</td>` +
        `<td>${OUTCOME_BADGE[o]} ${esc(outcomeNote(s))}</td><td class="num">${nb(windowText(s))}</td>` +
        `<td class="num">${nb(formatMs(lat.p50))}</td><td class="num">${nb(formatMs(lat.p99))}</td><td class="num">${nb(percent(s.errorRate))}</td>` +
        `<td>${esc(rampText(s))}</td><td>${bottleneckCell(s)}</td></tr>`
      );
    })
    .join('');
  const label = SOURCE_LABEL[source];
  return (
    '<table class="steps capacity-steps"><thead><tr><th class="num">#</th><th class="num">Connections</th><th>Start</th><th>Repeat</th>' +
    `<th>Outcome</th><th class="num">Steady window</th><th class="num">${esc(label)} p50</th><th class="num">${esc(label)} p99</th>` +
    `<th class="num">Error rate</th><th>Ramp</th><th>Bottleneck</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

function renderSearch(cap: CapacitySection): string {
  const source = latencySource(cap);
  const slo = latencySlo(cap.slo);
  const answer = answerLine(cap);
  const spread = spreadLine(cap);
  const flags = cap.flags ?? [];
  const knee = cap.knee;
  const items: [string, string][] = [
    ['Max connections within SLO', cap.maxConnections === null ? 'none' : formatCount(cap.maxConnections)],
    ['Last held / first breached', knee ? `${knee.lastHeld === null ? '-' : formatCount(knee.lastHeld)} / ${knee.firstBreached === null ? '-' : formatCount(knee.firstBreached)}` : '-'],
    ['Knee', knee ? (knee.confirmed ? 'confirmed' : 'unconfirmed') : '-'],
    ['Steps', String(cap.steps.length)],
  ];
  if (cap.confirm !== undefined) items.push(['Confirmation repeats', String(cap.confirm)]);
  if (cap.warmupS !== undefined) items.push(['Warm-up per step', `${cap.warmupS} s`]);
  const answerClass = answer.confirmed === null ? '' : answer.confirmed ? ' ok' : ' warning';
  return [
    flags.length > 0 ? `<ul class="warnings capacity-flags">${flags.map((f) => `<li class="warning">${esc(f)}</li>`).join('')}</ul>` : '',
    `<p class="capacity-answer${answerClass}"><strong>${esc(answer.text)}</strong></p>`,
    spread === null ? '' : `<p class="capacity-spread"><span class="muted">Knee spread:</span> ${esc(spread)}</p>`,
    figures(items),
    `<p>SLO: ${cap.slo.map((s) => `<code>${esc(s)}</code>`).join(', ')}</p>`,
    '<p class="muted">Each step ramps to its count (growing the connections the step before held, or fresh after the previous ' +
      `ones closed and the target settled), warms up${cap.warmupS !== undefined ? ` for ${cap.warmupS} s` : ''}, then is judged on its steady ` +
      'window alone. The ramp\'s own figures are shown beside it and judged only by an SLO on <code>connect.*</code>. A runner-limited step ' +
      'measured the runner, not the target: it is neither held nor breached.</p>',
    curveCharts(cap, source, slo),
    '<h3>Steps</h3>',
    stepsTable(cap, source),
    ...(cap.timeline && cap.timeline.length > 0 ? ['<h3>Steady windows</h3>', timelineCharts(cap, source, slo)] : []),
  ]
    .filter((part) => part !== '')
    .join('\n');
}
