// Load and fuzz sections of the HTML report: static HTML with inline SVG charts, computed at render time from the
// RunResult (no script needed to read them). The capacity section is in html-capacity.ts.
import type { HistogramSummary, LoadSection, RunResult, ThresholdResult } from './schema.js';
import { escapeHtml as esc } from './escape.js';
import { formatBytes, formatCount, formatMs, formatNumber } from './format.js';
import { renderLineChart, type Series } from './svg-chart.js';
import { renderScenario, renderStepAlerts } from './html-scenario.js';

const HIST_LABELS: Record<string, string> = { connect: 'Connect', pingRtt: 'Ping RTT', messageRtt: 'Message RTT', heartbeatJitter: 'Heartbeat jitter', recover: 'Reconnect time' };
const histLabel = (name: string): string => HIST_LABELS[name] ?? name;

export function figures(items: readonly [label: string, value: string][]): string {
  return `<div class="grid-figures">${items
    .map(([k, n]) => `<div class="figure"><div class="k">${esc(k)}</div><div class="n">${esc(n)}</div></div>`)
    .join('')}</div>`;
}

export function okLabel(ok: boolean, breachedText = 'breached'): string {
  return ok ? '<span class="v v-pass">OK</span>' : `<span class="v v-fail">${esc(breachedText.toUpperCase())}</span>`;
}

export function thresholdsTable(thresholds: readonly ThresholdResult[]): string {
  if (thresholds.length === 0) return '<p class="muted">No thresholds were set.</p>';
  const rows = thresholds
    .map(
      (t) =>
        `<tr class="threshold" data-ok="${t.ok}"><td><code>${esc(t.expr)}</code></td><td><code>${esc(t.metric)}</code></td>` +
        `<td class="num">${t.value === null ? '-' : esc(formatNumber(t.value, 3))}</td><td>${okLabel(t.ok)}</td>` +
        `<td class="muted">${esc(t.note ?? '')}</td></tr>`,
    )
    .join('');
  return `<table class="thresholds"><thead><tr><th>Threshold</th><th>Metric</th><th class="num">Value</th><th>Result</th><th>Note</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function recordTable(title: string, record: Record<string, number>, keyHead: string, valueHead = 'Count'): string {
  // Counts sort largest first; mixed figures (settings, durations) keep their order.
  const entries = valueHead === 'Count' ? Object.entries(record).sort((a, b) => b[1] - a[1]) : Object.entries(record);
  if (entries.length === 0) return '';
  return (
    `<h3>${esc(title)}</h3><table class="record"><thead><tr><th>${esc(keyHead)}</th><th class="num">${esc(valueHead)}</th></tr></thead><tbody>` +
    entries.map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td class="num">${esc(formatNumber(v, 3))}</td></tr>`).join('') +
    '</tbody></table>'
  );
}

function latencyTable(histograms: Record<string, HistogramSummary>): string {
  const rows = Object.entries(histograms)
    .map(([name, h]) => {
      const cells = [h.min, h.mean, h.p50, h.p90, h.p99, h.p999, h.max].map((v) => `<td class="num">${h.count === 0 ? '-' : esc(formatMs(v))}</td>`);
      return `<tr><td>${esc(histLabel(name))}</td><td class="num">${esc(formatCount(h.count))}</td>${cells.join('')}</tr>`;
    })
    .join('');
  return (
    '<table class="latency"><thead><tr><th>Latency</th><th class="num">Count</th><th class="num">min</th><th class="num">mean</th>' +
    '<th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>`
  );
}

/**
 * The latency distribution as the classic HDR percentile plot: x is the number of nines (log of 1/(1-q)), so the
 * tail gets as much room as the median. Drawn from the summary percentiles of each histogram.
 */
function distributionChart(histograms: Record<string, HistogramSummary>): string {
  const nines = (q: number): number => Math.log10(1 / (1 - q));
  const MAX_X = 4;
  const series: Series[] = Object.entries(histograms)
    .filter(([, h]) => h.count > 0)
    .map(([name, h]) => ({
      name: histLabel(name),
      points: [
        [nines(0.5), h.p50],
        [nines(0.9), h.p90],
        [nines(0.99), h.p99],
        [nines(0.999), h.p999],
        [MAX_X, h.max],
      ],
    }));
  return renderLineChart({
    title: 'Latency distribution (percentiles)',
    series,
    xLabel: 'percentile',
    yLabel: 'ms',
    xTicks: [
      { value: 0, label: '0%' },
      { value: nines(0.5), label: '50%' },
      { value: 1, label: '90%' },
      { value: 2, label: '99%' },
      { value: 3, label: '99.9%' },
      { value: MAX_X, label: 'max' },
    ],
    formatY: (y) => formatMs(y).replace(' ms', ''),
  });
}

function timelineCharts(load: LoadSection): string {
  const tl = load.timeline;
  const pick = (name: string, f: (p: LoadSection['timeline'][number]) => number | undefined): Series => ({
    name,
    points: tl.flatMap((p) => {
      const v = f(p);
      return v === undefined ? [] : [[p.t, v] as const];
    }),
  });
  const sec = (x: number): string => `${x}s`;
  const p99Note = load.timelinePercentiles === 'max-of-shards' ? ' (max across shards)' : '';
  const charts = [
    renderLineChart({ title: 'Connections', series: [pick('open', (p) => p.open), pick('target', (p) => p.target)], xLabel: 'seconds', yLabel: 'connections', formatX: sec }),
    renderLineChart({
      title: 'Throughput (messages per second)',
      series: [pick('sent', (p) => p.messagesSent), pick('received', (p) => p.messagesReceived), pick('pings sent', (p) => p.pingsSent), pick('pongs received', (p) => p.pongsReceived)],
      xLabel: 'seconds',
      yLabel: 'per second',
      formatX: sec,
    }),
    renderLineChart({
      title: 'Bandwidth (bytes per second)',
      series: [pick('sent', (p) => p.bytesSent), pick('received', (p) => p.bytesReceived)],
      xLabel: 'seconds',
      yLabel: 'bytes/s',
      formatX: sec,
      formatY: formatBytes,
    }),
    renderLineChart({
      title: `Latency p99 over time${p99Note}`,
      series: [pick('ping RTT p99', (p) => p.pingRttP99), pick('message RTT p99', (p) => p.messageRttP99)],
      xLabel: 'seconds',
      yLabel: 'ms',
      formatX: sec,
    }),
    renderLineChart({
      title: 'Errors and reconnects per second',
      series: [pick('errors', (p) => p.errors), pick('reconnects', (p) => p.reconnects), pick('closed', (p) => p.closed)],
      xLabel: 'seconds',
      yLabel: 'per second',
      formatX: sec,
    }),
  ];
  if (tl.some((p) => p.runnerCpuPercent !== undefined || p.eventLoopLagMs !== undefined)) {
    charts.push(
      renderLineChart({
        title: 'Runner health',
        series: [pick('CPU %', (p) => p.runnerCpuPercent), pick('event-loop lag (ms)', (p) => p.eventLoopLagMs)],
        xLabel: 'seconds',
        yLabel: '% / ms',
        formatX: sec,
      }),
    );
  }
  return `<div class="charts">${charts.join('')}</div>`;
}

export function renderLoadSection(r: RunResult): string {
  const l = r.load!;
  const c = l.connections;
  const seconds = Math.max(1, l.timeline.length);
  const received = l.timeline.reduce((n, p) => n + p.messagesReceived, 0);
  const sent = l.timeline.reduce((n, p) => n + p.messagesSent, 0);
  const items: [string, string][] = [
    ['Target connections', formatCount(c.target)],
    ['Peak open', formatCount(c.peak)],
    ['Opened', formatCount(c.opened)],
    ['Failed to open', formatCount(c.failed)],
    ['Reconnects', formatCount(c.reconnects)],
    ['Dropped', formatCount(c.dropped)],
    ['Messages sent', formatCount(sent)],
    ['Messages received', formatCount(received)],
    ['Throughput', `${formatNumber(received / seconds, 1)} msg/s`],
    ['Ping RTT p99', l.histograms.pingRtt.count > 0 ? formatMs(l.histograms.pingRtt.p99) : '-'],
    ['Message RTT p99', l.histograms.messageRtt.count > 0 ? formatMs(l.histograms.messageRtt.p99) : '-'],
    ['Connect p99', l.histograms.connect.count > 0 ? formatMs(l.histograms.connect.p99) : '-'],
  ];
  if (l.mergedFrom !== undefined) items.push(['Shards merged', String(l.mergedFrom)]);
  if (l.runner) {
    items.push(['Runner workers', String(l.runner.workers)], ['Runner peak RSS', formatBytes(l.runner.peakRssBytes)]);
    if (l.runner.bytesPerConnection !== undefined) items.push(['Memory per connection', formatBytes(l.runner.bytesPerConnection)]);
    if (l.runner.maxEventLoopLagMs !== undefined) items.push(['Max event-loop lag', formatMs(l.runner.maxEventLoopLagMs)]);
  }
  const breached = l.thresholds.filter((t) => !t.ok).length;
  const warnings = l.runner?.warnings ?? [];
  return [
    // Steps nothing answered, first; only a scenario run has any, so other reports are unchanged.
    ...[renderStepAlerts(l)].filter((html) => html !== ''),
    figures(items),
    warnings.length > 0 ? `<ul class="warnings">${warnings.map((w) => `<li class="warning">${esc(w)}</li>`).join('')}</ul>` : '',
    `<h3>Thresholds ${l.thresholds.length > 0 ? (breached > 0 ? `<span class="breached">(${breached} breached)</span>` : '<span class="ok">(all met)</span>') : ''}</h3>`,
    thresholdsTable(l.thresholds),
    '<h3>Over time</h3>',
    timelineCharts(l),
    '<h3>Latency</h3>',
    `<div class="charts">${distributionChart(l.histograms)}</div>`,
    latencyTable(l.histograms),
    ...(l.scenario ? [renderScenario(l)] : []),
    recordTable('Errors by kind', l.errors, 'Error'),
    recordTable('Drops by close code or cause', c.dropsByCode, 'Code'),
    recordTable('Heartbeat', l.heartbeat ?? {}, 'Figure', 'Value'),
    ...(l.http2 ? [recordTable('HTTP/2 connections (RFC 8441)', http2Figures(l.http2), 'Figure', 'Value')] : []),
    recordTable('Counters', l.counters, 'Counter', 'Value'),
    `<details><summary>Load profile</summary><pre>${esc(JSON.stringify(l.profile, null, 2))}</pre></details>`,
  ].join('\n');
}

/** The --http2 section as one table of figures (the nested streams-per-session pair flattened). */
function http2Figures(h: NonNullable<LoadSection['http2']>): Record<string, number> {
  const { streamsPerSession, maxConcurrentStreams, ...rest } = h;
  const out: Record<string, number> = { ...rest, streamsPerSessionMax: streamsPerSession.max, streamsPerSessionMean: streamsPerSession.mean };
  if (maxConcurrentStreams !== undefined) out.maxConcurrentStreams = maxConcurrentStreams;
  return out;
}

export function renderFuzzSection(r: RunResult): string {
  const f = r.fuzz!;
  const items: [string, string][] = [
    ['Suites', f.suites.join(', ')],
    ['Seed', String(f.seed)],
    ['Runs', formatCount(f.runs)],
  ];
  if (f.casesPerSecond !== undefined) items.push(['Cases per second', formatNumber(f.casesPerSecond, 0)]);
  return `${figures(items)}<p class="muted">Each failing property below shows its seed, path, shrunk counterexample and the command that replays it.</p>`;
}
