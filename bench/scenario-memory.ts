// Scenario memory benchmark (issue 13): the runner's memory per connection holding N connections against the
// example chat server (examples/chat-server), idle (heartbeats only, as `wsprobe load` holds them without traffic)
// and following a pub/sub scenario (bench/scenarios/pubsub-10-rooms.yaml: joins, subscriptions with broadcast
// latency, app-level pings, ten publishers), side by side in one script against the same server process.
//
//   npx tsc -p tsconfig.json && node dist/bench/scenario-memory.js [--connections 10000] [--workers 2] [--duration 20]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '../runners/load/engine.js';
import { PROFILE_DEFAULTS, type LoadProfile } from '../runners/load/profile.js';
import { loadScenario } from '../runners/load/scenario/parse.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '2' },
    duration: { type: 'string', default: '20' },
    ramp: { type: 'string', default: '2000' },
  },
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const server = spawn(process.execPath, [join(root, 'examples', 'chat-server', 'server.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the chat server did not start within 10 s')), 10_000);
  let out = '';
  server.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    const m = /PORT (\d+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(Number(m[1]));
    }
  });
});
const url = `ws://127.0.0.1:${port}/`;
const base: LoadProfile = {
  ...PROFILE_DEFAULTS,
  url,
  connections: Number(values.connections),
  rampPerSecond: Number(values.ramp),
  durationS: Number(values.duration),
  heartbeatMs: 10_000,
  workers: Number(values.workers),
  connectTimeoutMs: 20_000,
};

async function measure(label: string, p: LoadProfile): Promise<Record<string, unknown>> {
  const r = await runLoad(p, { onEvent: (e) => e.type === 'warning' && process.stderr.write(`${label}: warning: ${e.message}\n`) });
  const l = r.load!;
  const steps = l.scenario
    ? Object.fromEntries(Object.entries(l.scenario.steps).map(([k, s]) => [k, { started: s.started, matched: s.matched, timeouts: s.timeouts, p50: s.latency.p50, p99: s.latency.p99 }]))
    : undefined;
  return {
    label,
    peak: l.connections.peak,
    errors: l.errors,
    bytesPerConnection: l.runner?.bytesPerConnection,
    workerMemory: l.runner?.workerMemory,
    peakRssMiB: Math.round((l.runner?.peakRssBytes ?? 0) / 2 ** 20),
    cpuSeconds: l.runner?.cpuSeconds,
    unexpected: l.scenario?.unexpected,
    steps,
  };
}

try {
  const idle = await measure('idle', base);
  const scenario = await measure('pubsub', { ...base, scenario: loadScenario(join(root, 'bench', 'scenarios', 'pubsub-10-rooms.yaml')) });
  const ratio = (scenario.bytesPerConnection as number) / (idle.bytesPerConnection as number);
  console.log(JSON.stringify({ command: process.argv.slice(2).join(' '), idle, scenario, ratio: Math.round(ratio * 100) / 100 }, null, 2));
} finally {
  server.kill('SIGTERM');
}
