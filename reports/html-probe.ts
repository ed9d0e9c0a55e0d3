// The probe section of the HTML report (`wsprobe probe idle`): the answer first (idle timeout, how idle connections
// end, the heartbeat to use, the CI check), a chart of every silence probed (round against seconds of silence;
// dots survived, crosses were killed, the timeout marked), the heartbeat intervals' verdicts, and each round's
// connections. Static HTML and inline SVG, computed at render time.
import type { ProbeConnection, ProbeSection, RunResult } from './schema.js';
import { escapeHtml as esc } from './escape.js';
import { figures, okLabel } from './html-load.js';
import { endingLines, endingText, heartbeatText, recommendationLine, seconds, timeoutLine } from './probe-words.js';
import { renderLineChart } from './svg-chart.js';

const OUTCOME_CLASS: Record<ProbeConnection['outcome'], string> = { survived: 'ok', killed: 'breached', cancelled: 'muted', failed: 'warning' };

export function renderProbeSection(r: RunResult): string {
  const p = r.probe!;
  const parts = [
    figures([
      ['Idle timeout', p.idleTimeoutS !== null ? seconds(p.idleTimeoutS) : !p.consistent ? 'varies' : p.complete ? `none up to ${seconds(p.maxS)}` : 'not found (incomplete)'],
      ['Idle connections end by', p.endings.length > 0 ? p.endings[0]!.how.replace('-', ' ') : '-'],
      ['Longest heartbeat kept alive', p.longestKeptAliveS === null ? '-' : seconds(p.longestKeptAliveS)],
      ['Recommended heartbeat', p.recommended === null ? '-' : seconds(p.recommended.intervalS)],
    ]),
    '<dl class="meta">',
    `<dt>Idle timeout</dt><dd>${esc(timeoutLine(p))}</dd>`,
    `<dt>Idle connections end by</dt><dd>${endingLines(p).map(esc).join('<br>') || '<span class="muted">none was killed</span>'}</dd>`,
    `<dt>Recommended</dt><dd>${esc(recommendationLine(p))}</dd>`,
    ...(p.expectation !== undefined ? [`<dt>Check</dt><dd>${okLabel(p.expectation.ok, 'failed')} ${esc(p.expectation.message)}</dd>`] : []),
    ...(p.targetTraffic !== undefined ? [`<dt>Target traffic</dt><dd>${p.targetTraffic.pings} pings, ${p.targetTraffic.messages} messages on silent connections</dd>`] : []),
    '</dl>',
    ...p.warnings.map((w) => `<p class="warning">${esc(w)}</p>`),
    silenceChart(p),
    heartbeatsTable(p),
    roundsTable(p),
  ];
  return parts.filter((s) => s !== '').join('\n');
}

function silenceChart(p: ProbeSection): string {
  const probed = p.rounds.flatMap((r, i) => r.connections.filter((c) => c.outcome === 'survived' || c.outcome === 'killed').map((c) => ({ c, round: i + 1 })));
  if (probed.length === 0) return '';
  const survived = probed.filter((x) => x.c.outcome === 'survived');
  const killed = probed.filter((x) => x.c.outcome === 'killed');
  return `<div class="charts">${renderLineChart({
    title: 'Silences probed (dots survived, crosses were killed)',
    series: [
      { name: 'survived', points: survived.map((x) => [x.c.silenceS, x.round] as const), line: false, legend: false, pointStyle: () => ({ shape: 'dot', className: 'survived' }) },
      {
        name: 'killed',
        points: killed.map((x) => [x.c.endedAfterS ?? x.c.silenceS, x.round] as const),
        line: false,
        legend: false,
        pointStyle: (i) => ({ shape: 'cross', className: 'killed', note: killed[i]?.c.ending ? endingText(killed[i]!.c.ending!) : 'killed' }),
      },
    ],
    legendPoints: [
      { label: 'survived its probe', style: { shape: 'dot', color: '#1f6feb' } },
      { label: 'killed (at the silence that ended it)', style: { shape: 'cross', color: '#d1242f' } },
    ],
    xLabel: 'seconds of silence',
    yLabel: 'round',
    formatY: (y) => (Number.isInteger(y) ? String(y) : ''),
    formatX: (x) => seconds(x),
    ...(p.idleTimeoutS !== null ? { markerX: { value: p.idleTimeoutS, label: `timeout ${seconds(p.idleTimeoutS)}` } } : {}),
  })}</div>`;
}

function heartbeatsTable(p: ProbeSection): string {
  if (p.heartbeats.length === 0) return '';
  const rows = p.heartbeats.map((h) => {
    const verdict = h.verdict === 'kept-alive' ? '<span class="ok">kept alive</span>' : h.verdict === 'died' ? '<span class="breached">died</span>' : '<span class="muted">untested</span>';
    return `<tr><td class="num">${esc(seconds(h.intervalS))}</td><td>${h.via === 'app' ? 'app heartbeat' : 'ping'}</td><td>${verdict}</td><td class="num">${h.answered}/${h.beats}</td><td class="num">${esc(seconds(h.livedS))}</td><td>${esc(heartbeatText(h))}</td></tr>`;
  });
  return [
    '<h3>Heartbeats</h3>',
    '<table><thead><tr><th class="num">Interval</th><th>Via</th><th>Verdict</th><th class="num">Answered</th><th class="num">Lived</th><th>Detail</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
  ].join('\n');
}

function connectionText(c: ProbeConnection): string {
  if (c.outcome === 'survived') return `answered${c.rttMs !== undefined ? ` in ${c.rttMs.toFixed(1)} ms` : ''}`;
  if (c.outcome === 'killed') return `after ${seconds(c.endedAfterS ?? c.silenceS)}: ${c.ending ? endingText(c.ending) : 'ended'}`;
  if (c.outcome === 'failed') return c.error ?? 'did not open';
  return 'not probed: a shorter silence had already killed';
}

function roundsTable(p: ProbeSection): string {
  if (p.rounds.length === 0) return '';
  const rows = p.rounds.flatMap((r, i) =>
    r.connections.map(
      (c, j) =>
        `<tr>${j === 0 ? `<td rowspan="${r.connections.length}">${i + 1}<br><span class="muted">${esc(seconds(r.startS))} + ${esc(seconds(r.durationS))}</span></td>` : ''}<td class="num">${esc(seconds(c.silenceS))}</td><td class="${OUTCOME_CLASS[c.outcome]}">${c.outcome}</td><td>${esc(connectionText(c))}</td></tr>`,
    ),
  );
  return [
    '<h3>Rounds</h3>',
    '<table><thead><tr><th>Round</th><th class="num">Silence</th><th>Outcome</th><th>Detail</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
  ].join('\n');
}
