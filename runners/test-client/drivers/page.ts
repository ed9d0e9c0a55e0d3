// The browser driver's page, served at / and /client.html: open it in any browser (the chromium driver does, with
// ?agent=chromium) and it runs every selected case the Autobahn way, with the browser's own WebSocket: the case
// count from /getCaseCount, then /runCase?case=N for each, echoing every message with its type (binaryType
// 'arraybuffer'), then /updateReports. After each case it POSTs what the browser saw (the close event's code,
// reason and wasClean, error events) to /report, which the run records in the case's metrics and transcript.
// `window.wsprobeDone` turns true (and the title 'done') when it has finished.

/** The page; `caseTimeoutMs` bounds the wait for one case's close event (the server ends every case sooner). */
export function clientPage(opts: { caseTimeoutMs: number }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wsprobe test-client</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;max-height:60vh;overflow:auto}</style>
</head>
<body>
<h1>wsprobe test-client</h1>
<p>This page runs every case of the run against this browser's WebSocket. Keep it open until it says done.</p>
<p id="state">starting</p>
<pre id="log"></pre>
<script>
"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const agent = params.get('agent') || 'browser';
  const base = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host;
  const caseTimeoutMs = ${JSON.stringify(opts.caseTimeoutMs)};
  const logEl = document.getElementById('log');
  const stateEl = document.getElementById('state');
  let lines = 0;
  function log(text) {
    if (++lines <= 2000) logEl.textContent += text + '\\n';
  }
  // One WebSocket: echo every message, resolve with what the close event said (or the error, or a timeout).
  function connect(url, echo) {
    return new Promise((resolve) => {
      const out = { messages: [] };
      let ws;
      try {
        ws = new WebSocket(url);
      } catch (e) {
        resolve({ error: 'constructor threw: ' + e });
        return;
      }
      ws.binaryType = 'arraybuffer';
      const timer = setTimeout(() => {
        out.error = 'no close event within ' + caseTimeoutMs + ' ms';
        try { ws.close(); } catch (e) {}
        resolve(out);
      }, caseTimeoutMs);
      ws.onmessage = (e) => {
        if (!echo) {
          out.messages.push(typeof e.data === 'string' ? e.data : '');
          return;
        }
        try { ws.send(e.data); } catch (err) { out.error = 'send threw: ' + err; }
      };
      ws.onerror = () => { out.error = out.error || 'error event'; };
      ws.onclose = (e) => {
        clearTimeout(timer);
        out.code = e.code;
        out.reason = e.reason;
        out.wasClean = e.wasClean;
        resolve(out);
      };
    });
  }
  async function report(query, body) {
    try {
      await fetch('/report?agent=' + encodeURIComponent(agent) + query, { method: 'POST', body: JSON.stringify(body) });
    } catch (e) {
      log('report failed: ' + e);
    }
  }
  async function main() {
    const info = await connect(base + '/getCaseCount', false);
    const count = parseInt(info.messages[0], 10);
    if (!(count >= 0)) {
      stateEl.textContent = 'no case count from /getCaseCount';
      await report('&done=1', { error: 'no case count' });
      return;
    }
    for (let n = 1; n <= count; n++) {
      stateEl.textContent = 'case ' + n + ' of ' + count;
      const r = await connect(base + '/runCase?case=' + n + '&agent=' + encodeURIComponent(agent), true);
      log(n + ': close ' + r.code + (r.reason ? ' ' + JSON.stringify(r.reason) : '') + (r.wasClean ? ' clean' : ' not clean') + (r.error ? ' (' + r.error + ')' : ''));
      await report('&case=' + n, { code: r.code, reason: r.reason, wasClean: r.wasClean, error: r.error });
    }
    await connect(base + '/updateReports?agent=' + encodeURIComponent(agent), false);
    await report('&done=1', {});
  }
  main().catch((e) => log('driver error: ' + e)).finally(() => {
    stateEl.textContent = 'done';
    document.title = 'done';
    window.wsprobeDone = true;
  });
})();
</script>
</body>
</html>
`;
}
