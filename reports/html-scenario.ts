// The scenario part of the HTML load report (`wsprobe load --scenario`): the alerts for steps that went unanswered,
// the per-step table, per-step p99 and matches over time, the roles and the unexpected/unmatched figures. Static
// HTML and inline SVG (reports/svg-chart.ts); every name from the scenario file is escaped.
import type { LoadSection, ScenarioSection } from './schema.js';
import { escapeHtml as esc } from './escape.js';
import { formatCount } from './format.js';
import { renderLineChart, type Series } from './svg-chart.js';
import { completedLine, STEP_HEADS, stepAlerts, stepCells, timelineStepKeys, unexpectedLine, unmatchedLine } from './text-scenario.js';

/** The alerts, for the top of the load section: a step nothing answered in the failure colour, partial ones plain. */
export function renderStepAlerts(load: LoadSection): string {
  return stepAlerts(load.scenario)
    .map((a) => (a.loud ? `<p class="breached step-alert" data-step="${esc(a.key)}">${esc(a.text)}</p>` : `<p class="step-timeouts" data-step="${esc(a.key)}">${esc(a.text)}</p>`))
    .join('\n');
}

function stepTable(s: ScenarioSection): string {
  const steps = Object.entries(s.steps);
  if (steps.length === 0) return '<p class="muted">The scenario has no named steps.</p>';
  const loud = new Set(stepAlerts(s).filter((a) => a.loud).map((a) => a.key));
  // Words capitalised, percentiles and max as the latency table writes them.
  const heads = STEP_HEADS.map((h, i) => {
    const head = i < 5 ? h[0]!.toUpperCase() + h.slice(1) : h;
    return i === 0 ? `<th>${esc(head)}</th>` : `<th class="num">${esc(head)}</th>`;
  }).join('');
  const rows = steps
    .map(([key, step]) => {
      const [name, ...figures] = stepCells(key, step);
      const cells = figures.map((v) => `<td class="num">${esc(v)}</td>`).join('');
      return `<tr class="scenario-step" data-key="${esc(key)}" data-kind="${esc(step.kind)}" data-loud="${loud.has(key)}"><td><code>${esc(name!)}</code></td>${cells}</tr>`;
    })
    .join('');
  return `<table class="scenario-steps"><thead><tr>${heads}</tr></thead><tbody>${rows}</tbody></table><p class="muted">Latency in ms: expect from the wait's start, request from its send, subscribe from the sender's time stamp.</p>`;
}

/** Per-step p99 (steps that recorded latency) and matches per second, from the timeline's `steps`. */
function stepCharts(load: LoadSection, s: ScenarioSection): string {
  const tl = load.timeline;
  const keys = timelineStepKeys(s, tl);
  const series = (key: string, f: (v: { matched: number; timeouts: number; p99?: number }) => number | undefined): Series => ({
    name: key,
    points: tl.flatMap((p) => {
      const step = p.steps?.[key];
      const v = step === undefined ? undefined : f(step);
      return v === undefined ? [] : [[p.t, v] as const];
    }),
  });
  const sec = (x: number): string => `${x}s`;
  const p99Note = load.timelinePercentiles === 'max-of-shards' ? ' (max across shards)' : '';
  // A send step never matches anything: a flat zero line per send would only crowd the legend.
  const matching = keys.filter((k) => s.steps[k]?.kind !== 'send');
  return `<div class="charts">${[
    renderLineChart({ title: `Step latency p99 over time${p99Note}`, series: keys.map((k) => series(k, (v) => v.p99)), xLabel: 'seconds', yLabel: 'ms', formatX: sec }),
    renderLineChart({ title: 'Step matches per second', series: matching.map((k) => series(k, (v) => v.matched)), xLabel: 'seconds', yLabel: 'per second', formatX: sec }),
  ].join('')}</div>`;
}

function rolesTable(s: ScenarioSection): string {
  if (s.roles.length === 0) return '<p class="muted">No roles.</p>';
  const rows = s.roles.map((r) => `<tr class="scenario-role"><td>${esc(r.name)}</td><td class="num">${esc(formatCount(r.connections))}</td></tr>`).join('');
  return `<table class="scenario-roles"><thead><tr><th>Role</th><th class="num">Connections</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderScenario(load: LoadSection): string {
  const s = load.scenario;
  if (!s) return '';
  return [
    `<h3 id="scenario">Scenario <code>${esc(s.name)}</code></h3>`,
    stepTable(s),
    stepCharts(load, s),
    '<h3>Roles</h3>',
    rolesTable(s),
    '<h3>Unexpected and unmatched</h3>',
    `<ul class="scenario-figures"><li data-figure="unexpected">${esc(unexpectedLine(s))}</li><li data-figure="unmatched">${esc(unmatchedLine(s))}</li>` +
      `<li data-figure="completed">${esc(completedLine(s))}</li></ul>`,
  ].join('\n');
}
