// The inline stylesheet and script of the HTML report. Plain strings (not functions turned into source) so the
// output is byte-identical whether the writer runs from dist/ or from the TypeScript sources.

export const REPORT_CSS = String.raw`
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --soft: #f6f8fa;
  --pass: #1a7f37; --non-strict: #9a6700; --fail: #cf222e; --informational: #0969da; --unimplemented: #6e7781; --error: #8250df; --not-run: #0e7490; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { padding: 0 24px; max-width: 1280px; margin: 0 auto; }
header { padding-top: 16px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { background: var(--soft); padding: 8px; overflow: auto; white-space: pre-wrap; word-break: break-all; margin: 4px 0; }
.muted { color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; padding: 0; list-style: none; }
.counts li { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
.counts .count { font-weight: 600; font-size: 16px; margin-left: 6px; }
.v { display: inline-block; min-width: 6.5em; text-align: center; border-radius: 4px; padding: 1px 6px; font-size: 12px; font-weight: 600; color: #fff; letter-spacing: .02em; }
.v-pass { background: var(--pass); } .v-non-strict { background: var(--non-strict); } .v-fail { background: var(--fail); }
.v-informational { background: var(--informational); } .v-unimplemented { background: var(--unimplemented); } .v-error { background: var(--error); }
.v-not-run { background: var(--not-run); }
ol.findings { padding-left: 1.6em; } li.finding { margin: 6px 0; }
ul.finding-cases { display: flex; flex-wrap: wrap; gap: 2px 12px; list-style: none; padding: 0; margin: 4px 0; }
nav.sections a { margin-right: 14px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.toolbar { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; margin: 8px 0 12px; position: sticky; top: 0; background: var(--bg); padding: 8px 0; z-index: 1; border-bottom: 1px solid var(--line); }
.toolbar fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 10px; }
.toolbar label { white-space: nowrap; cursor: pointer; }
.toolbar input[type=search] { width: 280px; padding: 4px 8px; }
tr.area th { background: #eef1f4; font-size: 14px; }
tr.case { cursor: pointer; } tr.case:hover { background: var(--soft); }
tr.case td.title { width: 45%; }
button.toggle { border: 0; background: none; cursor: pointer; font-size: 12px; width: 1.6em; padding: 0; color: var(--muted); }
tr.detail > td { background: #fbfcfd; padding: 8px 16px 16px 32px; }
.reason { max-width: 420px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
table.transcript td, table.transcript th { padding: 1px 6px; font-size: 12px; border-bottom: 1px solid #eaeef2; }
table.transcript td.payload { word-break: break-all; }
tr.gap td { text-align: center; font-style: italic; color: var(--muted); background: var(--soft); }
.dir-out { color: #0969da; } .dir-in { color: #8250df; } .dir-local { color: var(--muted); }
.grid-figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 8px; margin: 8px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
.figure .k { color: var(--muted); font-size: 12px; } .figure .n { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px; overflow-x: auto; }
figure.chart figcaption { font-weight: 600; margin: 2px 4px; }
figure.chart svg { max-width: 100%; height: auto; }
svg .grid { stroke: #eaeef2; } svg .axis { stroke: #8c959f; } svg .marker { stroke: #cf222e; stroke-dasharray: 4 3; }
svg .tick, svg .legend { font-size: 11px; fill: #59636e; } svg .label { font-size: 12px; fill: #1f2328; }
svg .series { fill: none; stroke-width: 2; } svg .cross { fill: none; stroke-width: 2; }
.ok { color: var(--pass); font-weight: 600; } .breached { color: var(--fail); font-weight: 600; }
.warning { color: var(--non-strict); }
footer { color: var(--muted); font-size: 12px; padding: 24px; }
@media print { .toolbar { position: static; } }
`;

/**
 * Renders the case matrix from the embedded JSON: rows on load (fast: one innerHTML per render), details and
 * transcripts only when a row is expanded. Filter by verdict, search by id or text, order failing-first or run order.
 */
export const REPORT_SCRIPT = String.raw`
(function () {
  'use strict';
  var node = document.getElementById('wsprobe-data');
  // data-ready tells a reader (and the browser test) that the page is fully rendered.
  if (!node) { document.documentElement.setAttribute('data-ready', 'true'); return; }
  var data = JSON.parse(node.textContent);
  var SEV = data.severity, LABEL = data.labels, TARGETS = data.targets;
  var OPS = { 0: 'CONT', 1: 'TEXT', 2: 'BINARY', 8: 'CLOSE', 9: 'PING', 10: 'PONG' };
  var DIRS = { out: '\u2192 out', 'in': '\u2190 in', local: '\u2022 local' };
  var body = document.getElementById('cases-body');
  var search = document.getElementById('search');
  var order = document.getElementById('order');
  var shown = document.getElementById('shown');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name=verdict]'));
  var expanded = {};
  var cols = 2 + TARGETS.length + (TARGETS.length === 1 ? 1 : 0);

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;';
    });
  }
  function visibleChars(s) {
    return String(s).replace(/[\u0000-\u001f\u007f]/g, function (c) {
      return c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : '\\x' + ('0' + c.charCodeAt(0).toString(16)).slice(-2);
    });
  }
  function num(n) { return Number(n).toLocaleString('en-US'); }
  function badge(v) { return '<span class="v v-' + v + '">' + LABEL[v] + '</span>'; }
  function worst(c) { return c.verdict; }

  function selected() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    return on;
  }
  function matches(c, on, q) {
    var any = false;
    for (var i = 0; i < c.o.length; i++) if (on[c.o[i].verdict]) { any = true; break; }
    if (!any) return false;
    if (!q) return true;
    if (c.id.toLowerCase().indexOf(q) !== -1 || c.title.toLowerCase().indexOf(q) !== -1) return true;
    if (c.autobahn.join(' ').toLowerCase().indexOf(q) !== -1) return true;
    for (var j = 0; j < c.o.length; j++) {
      var o = c.o[j];
      if ((o.reason + ' ' + o.reasonCode + ' ' + o.observed).toLowerCase().indexOf(q) !== -1) return true;
    }
    return false;
  }

  function areas(list) {
    var byArea = {}, names = [];
    list.forEach(function (c, i) {
      if (!byArea[c.area]) { byArea[c.area] = []; names.push(c.area); }
      byArea[c.area].push(i);
    });
    if (order.value === 'severity') {
      names.forEach(function (a) {
        byArea[a].sort(function (x, y) {
          return SEV[worst(list[y])] - SEV[worst(list[x])] || (list[x].id < list[y].id ? -1 : list[x].id > list[y].id ? 1 : 0);
        });
      });
      var rank = {};
      names.forEach(function (a, i) { rank[a] = i; });
      names.sort(function (a, b) {
        return SEV[worst(list[byArea[b][0]])] - SEV[worst(list[byArea[a][0]])] || rank[a] - rank[b];
      });
    }
    return names.map(function (a) { return { name: a, idx: byArea[a] }; });
  }

  function row(c, i) {
    var cells = '<td class="title"><button class="toggle" type="button" aria-expanded="' + (expanded[c.id] ? 'true' : 'false') +
      '" aria-label="Show details of ' + esc(c.id) + '">' + (expanded[c.id] ? '\u25be' : '\u25b8') + '</button> <code>' + esc(c.id) +
      '</code> ' + esc(c.title) + '</td>';
    for (var t = 0; t < c.o.length; t++) cells += '<td class="verdict" data-verdict="' + c.o[t].verdict + '">' + badge(c.o[t].verdict) + '</td>';
    if (TARGETS.length === 1) cells += '<td class="reason muted" title="' + esc(c.o[0].reason) + '">' + esc(visibleChars(c.o[0].reason)) + '</td>';
    cells += '<td class="num">' + esc(c.ms) + '</td>';
    return '<tr class="case" data-index="' + i + '" data-id="' + esc(c.id) + '" data-verdict="' + c.verdict + '">' + cells + '</tr>' +
      (expanded[c.id] ? '<tr class="detail"><td colspan="' + cols + '">' + detail(c) + '</td></tr>' : '');
  }

  function render() {
    var on = selected();
    var q = search.value.trim().toLowerCase();
    var html = [], count = 0;
    areas(data.cases).forEach(function (area) {
      var rows = [], tally = {};
      area.idx.forEach(function (i) {
        var c = data.cases[i];
        if (!matches(c, on, q)) return;
        rows.push(row(c, i));
        tally[c.verdict] = (tally[c.verdict] || 0) + 1;
      });
      if (rows.length === 0) return;
      count += rows.length;
      var parts = Object.keys(tally).sort(function (a, b) { return SEV[b] - SEV[a]; }).map(function (v) { return tally[v] + ' ' + LABEL[v].toLowerCase(); });
      html.push('<tr class="area" data-area="' + esc(area.name) + '"><th colspan="' + cols + '">' + esc(area.name) +
        ' <span class="muted">(' + rows.length + ': ' + parts.join(', ') + ')</span></th></tr>');
      html.push(rows.join(''));
    });
    if (count === 0) html.push('<tr><td colspan="' + cols + '" class="muted">No case matches the filter.</td></tr>');
    body.innerHTML = html.join('');
    shown.textContent = 'Showing ' + num(count) + ' of ' + num(data.cases.length) + ' cases';
  }

  function dl(pairs) {
    var h = '<dl class="meta">';
    pairs.forEach(function (p) { if (p[1] !== undefined && p[1] !== null && p[1] !== '') h += '<dt>' + esc(p[0]) + '</dt><dd>' + p[1] + '</dd>'; });
    return h + '</dl>';
  }

  function transcript(tr) {
    if (!tr || (tr.e.length === 0 && !tr.gap && !tr.runnerOmitted)) return '<p class="muted">No transcript.</p>';
    var h = ['<table class="transcript"><thead><tr><th class="num">#</th><th class="num">t (ms)</th><th>dir</th><th>what</th><th>flags</th><th class="num">length</th><th>payload / detail</th></tr></thead><tbody>'];
    var n = 0;
    for (var i = 0; i < tr.e.length; i++) {
      if (i === tr.gapAt) { h.push('<tr class="gap"><td colspan="7">' + num(tr.gap) + ' more entries omitted</td></tr>'); n += tr.gap; }
      var e = tr.e[i];
      n++;
      var what = e[2] === 'frame' ? (e[3] === null ? 'FRAME' : (OPS[e[3]] || 'OP' + e[3])) : e[2];
      var flags = [];
      if (e[4]) flags.push('FIN');
      if (e[5] & 4) flags.push('RSV1');
      if (e[5] & 2) flags.push('RSV2');
      if (e[5] & 1) flags.push('RSV3');
      if (e[6]) flags.push('MASK');
      var detail = [];
      if (e[10] !== null) detail.push('code ' + e[10]);
      if (e[11] !== null && e[11] !== '') detail.push('reason "' + esc(visibleChars(e[11])) + '"');
      if (e[8] !== null && e[8] !== '') detail.push(e[9] === 'hex' ? '<span class="mono">' + esc(e[8]) + '</span> <span class="muted">hex</span>' : '<span class="mono">"' + esc(visibleChars(e[8])) + '"</span>');
      // Handshake heads keep their lines; other text shows control characters as escapes.
      if (e[12] !== null && e[12] !== '') {
        detail.push(e[2] === 'handshake'
          ? '<span class="mono head">' + esc(e[12]).replace(/\r\n|\n/g, '<br>') + '</span>'
          : '<span class="mono">' + esc(visibleChars(e[12])) + '</span>');
      }
      h.push('<tr><td class="num">' + n + '</td><td class="num">' + Number(e[0]).toFixed(3) + '</td><td class="dir-' + e[1] + '">' + DIRS[e[1]] +
        '</td><td>' + esc(what) + '</td><td>' + flags.join(' ') + '</td><td class="num">' + (e[7] === null ? '' : num(e[7])) + '</td><td class="payload">' + detail.join(' \u00b7 ') + '</td></tr>');
    }
    if (tr.gapAt === tr.e.length && tr.gap) h.push('<tr class="gap"><td colspan="7">' + num(tr.gap) + ' more entries omitted</td></tr>');
    if (tr.runnerOmitted) h.push('<tr class="gap"><td colspan="7">' + num(tr.runnerOmitted) + ' more entries omitted by the runner</td></tr>');
    h.push('</tbody></table>');
    return h.join('');
  }

  function detail(c) {
    var h = [];
    h.push(dl([
      ['Expected', esc(visibleChars(c.expected))],
      ['Sections', c.rfc.map(function (s) { var m = /^(\d{4,})\s+\u00a7?(.+)$/.exec(s.replace(/^\u00a7/, '')); return esc(m ? 'RFC ' + m[1] + ' \u00a7' + m[2] : 'RFC 6455 \u00a7' + s.replace(/^\u00a7/, '')); }).join(', ')],
      ['Autobahn', esc(c.autobahn.join(', '))],
      ['Timeout', c.timeoutMs === undefined ? '' : esc(c.timeoutMs + ' ms')],
      ['Metrics', c.metrics ? esc(Object.keys(c.metrics).map(function (k) { return k + ' = ' + c.metrics[k]; }).join(', ')) : ''],
      ['Seed', c.seed === undefined ? '' : '<code>' + esc(c.seed) + '</code>'],
      ['Path', c.path === undefined ? '' : '<code>' + esc(c.path) + '</code>'],
      ['Runs', c.numRuns === undefined ? '' : esc(num(c.numRuns))]
    ]));
    if (c.counterexample && c.counterexample.length) h.push('<h4>Shrunk counterexample</h4><pre>' + esc(c.counterexample.join('\n')) + '</pre>');
    if (c.replay) h.push('<h4>Replay</h4><pre><code>' + esc(c.replay) + '</code></pre>');
    c.o.forEach(function (o, t) {
      h.push('<h3>' + (TARGETS.length > 1 ? esc(TARGETS[t]) + ': ' : '') + badge(o.verdict) + ' <code>' + esc(o.reasonCode) + '</code></h3>');
      h.push(dl([['Reason', esc(visibleChars(o.reason))], ['Observed', esc(visibleChars(o.observed))], ['Duration', esc(o.durationMs + ' ms')]]));
      h.push(transcript(o.tr));
    });
    return '<div class="detail-body">' + h.join('') + '</div>';
  }

  body.addEventListener('click', function (ev) {
    var tr = ev.target.closest ? ev.target.closest('tr.case') : null;
    if (!tr) return;
    var c = data.cases[Number(tr.getAttribute('data-index'))];
    if (expanded[c.id]) {
      delete expanded[c.id];
      var next = tr.nextElementSibling;
      if (next && next.className === 'detail') next.parentNode.removeChild(next);
    } else {
      expanded[c.id] = true;
      tr.insertAdjacentHTML('afterend', '<tr class="detail"><td colspan="' + cols + '">' + detail(c) + '</td></tr>');
    }
    var b = tr.querySelector('button.toggle');
    b.setAttribute('aria-expanded', expanded[c.id] ? 'true' : 'false');
    b.textContent = expanded[c.id] ? '\u25be' : '\u25b8';
  });
  var timer = null;
  search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(render, 120); });
  order.addEventListener('change', render);
  boxes.forEach(function (b) { b.addEventListener('change', render); });
  document.getElementById('only-problems').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = SEV[b.value] >= SEV['non-strict']; });
    render();
  });
  // A case named by a finding: show it alone, expanded.
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest ? ev.target.closest('a[data-case]') : null;
    if (!a) return;
    ev.preventDefault();
    var id = a.getAttribute('data-case');
    search.value = id;
    boxes.forEach(function (b) { b.checked = true; });
    expanded[id] = true;
    render();
    var rows = body.querySelectorAll('tr.case');
    for (var i = 0; i < rows.length; i++) if (rows[i].getAttribute('data-id') === id) rows[i].scrollIntoView({ block: 'center' });
  });
  document.getElementById('show-all').addEventListener('click', function () {
    boxes.forEach(function (b) { b.checked = true; });
    render();
  });
  render();
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
