// Whole-catalogue wall time: the conformance catalogue without and with the 16 MiB cases, against the embedded
// reference server (the baseline) and against a `ws` echo server in a child process, side by side in one script.
// Usage: npx tsc -p tsconfig.json && node dist/bench/conformance-run.js [--skip-huge]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { startReferenceServer } from '../peers/server/reference-server.js';
import type { RunResult } from '../reports/schema.js';
import { filterCases } from '../runners/conformance/filter.js';
import { runConformance } from '../runners/conformance/run.js';
import { CATALOGUE } from '../suites/conformance/index.js';

const WS_SERVER = `
const { WebSocketServer } = await import(process.env.WS_MODULE);
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 });
wss.on('connection', (ws) => { ws.on('error', () => {}); ws.on('message', (d, b) => ws.send(d, { binary: b })); });
wss.on('listening', () => process.stdout.write('PORT ' + wss.address().port + '\\n'));
`;

async function startWs(): Promise<{ url: string; stop: () => void }> {
  const mod = createRequire(import.meta.url).resolve('ws').replace(/index\.js$/, 'wrapper.mjs');
  const child = spawn(process.execPath, ['--input-type=module', '-e', WS_SERVER], {
    env: { ...process.env, WS_MODULE: new URL(`file://${mod}`).href },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ws server did not start')), 10_000);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { url: `ws://127.0.0.1:${port}/`, stop: () => child.kill('SIGTERM') };
}

interface Row {
  target: string;
  selection: string;
  cases: number;
  wallS: number;
  summary: RunResult['summary'];
  slowest: string;
}

async function measure(target: string, url: string, huge: boolean): Promise<Row> {
  const cases = filterCases(CATALOGUE, { quick: !huge }).cases;
  const t0 = performance.now();
  const r = await runConformance({ url: new URL(url), cases, seed: 1 });
  const wallS = (performance.now() - t0) / 1000;
  const slow = [...r.cases].sort((a, b) => b.durationMs - a.durationMs)[0];
  return { target, selection: huge ? 'full' : '--quick', cases: cases.length, wallS, summary: r.summary, slowest: slow ? `${slow.id} ${(slow.durationMs / 1000).toFixed(1)} s` : '' };
}

const skipHuge = process.argv.includes('--skip-huge');
const rows: Row[] = [];
const ref = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
const ws = await startWs();
try {
  for (const huge of skipHuge ? [false] : [false, true]) {
    rows.push(await measure('reference', ref.url, huge));
    rows.push(await measure('ws', ws.url, huge));
  }
} finally {
  await ref.close();
  ws.stop();
}
const s = (x: RunResult['summary']): string => `${x.pass}/${x['non-strict']}/${x.fail}/${x.informational}/${x.unimplemented}/${x.error}`;
console.log('| target | selection | cases | wall time | ratio to reference | pass/non-strict/fail/info/unimpl/error | slowest case |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const base = rows.find((b) => b.target === 'reference' && b.selection === r.selection)!;
  console.log(`| ${r.target} | ${r.selection} | ${r.cases} | ${r.wallS.toFixed(1)} s | ${(r.wallS / base.wallS).toFixed(2)} | ${s(r.summary)} | ${r.slowest} |`);
}
