// Fuzz throughput in generated cases per second, against the embedded reference server and a `ws` echo server,
// each in its own process (so the target does not share the runner's event loop). The baseline is concurrency 1
// (what a plain sequential fc.asyncProperty achieves), run side by side with the pooled workers.
// Run: npx tsc -p tsconfig.json && node dist/bench/fuzz-throughput.js [runs-per-suite]
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runFuzz } from '../runners/fuzz/run-fuzz.js';
import { TcpFuzzTarget } from '../peers/fuzz/tcp-target.js';
import { FUZZ_SUITE_NAMES } from '../suites/properties/fuzz-suite.js';

const RUNS = Number(process.argv[2] ?? 200);
const DIST = fileURLToPath(new URL('..', import.meta.url));

const SERVERS: Record<string, string> = {
  reference: `const { startReferenceServer } = await import(${JSON.stringify(`${DIST}peers/server/reference-server.js`)});
const s = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
console.log(s.url);`,
  ws: `const { WebSocketServer } = await import('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws) => { ws.on('error', () => {}); ws.on('message', (d, b) => ws.send(d, { binary: b })); });
wss.on('listening', () => console.log('ws://127.0.0.1:' + wss.address().port + '/'));`,
};

function startServer(code: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 10 s')), 10_000);
    child.stdout!.setEncoding('utf8').once('data', (d: string) => {
      clearTimeout(timer);
      resolve({ url: d.trim().split('\n')[0]!, child });
    });
    child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
  });
}

const rows: string[] = [];
for (const [name, code] of Object.entries(SERVERS)) {
  const { url, child } = await startServer(code);
  try {
    const results: Record<number, number> = {};
    for (const concurrency of [1, 16, 64]) {
      const run = await runFuzz({
        target: new TcpFuzzTarget(url, { timeoutMs: 2000 }),
        targetUrl: url,
        embedded: false,
        suites: FUZZ_SUITE_NAMES,
        runs: RUNS,
        seed: 1,
        concurrency,
        timeLimitMs: 300_000,
        toolVersion: 'bench',
        replayCommand: () => '',
        suiteOptions: name === 'ws' ? { handshake: { skipFaults: ['http-1.0', 'no-host'] } } : {},
      });
      results[concurrency] = run.casesPerSecond;
      const perSuite = run.result.cases.map((c) => `${c.id.slice(5)} ${c.metrics?.casesPerSecond}${c.verdict === 'pass' ? '' : ` (${c.verdict})`}`).join(', ');
      rows.push(`| ${name} | ${concurrency} | ${run.cases} | ${run.casesPerSecond} | ${(run.casesPerSecond / results[1]!).toFixed(1)}x | ${perSuite} |`);
    }
  } finally {
    child.kill();
  }
}
console.log(`| target | concurrency | cases | cases/s | vs concurrency 1 | per suite (cases/s) |\n|---|---|---|---|---|---|\n${rows.join('\n')}`);
