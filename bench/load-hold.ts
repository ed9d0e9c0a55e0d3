// Hold benchmark: many idle heartbeating connections against the embedded reference server, with several processes
// on both sides and several source addresses. Reports the ramp rate reached, what was held, errors, ping RTT, and
// the runner's memory per connection (RSS growth after GC, per worker process).
//
//   npx tsc -p tsconfig.json && node dist/bench/load-hold.js [--connections 50000] [--workers 4] [--server-workers 4]
//     [--source-ips 127.0.0.1-127.0.0.4] [--ramp 5000] [--heartbeat 10000] [--duration 60]
import { parseArgs } from 'node:util';
import { runLoad } from '../runners/load/engine.js';
import { PROFILE_DEFAULTS } from '../runners/load/profile.js';
import { parseSourceIps } from '../runners/load/source-ips.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50000' },
    workers: { type: 'string', default: '4' },
    'server-workers': { type: 'string', default: '4' },
    'source-ips': { type: 'string', default: '127.0.0.1-127.0.0.4' },
    ramp: { type: 'string', default: '5000' },
    heartbeat: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '60' },
  },
});
const connections = Number(values.connections);
const ramp = Number(values.ramp);
const started = Date.now();
const r = await runLoad(
  {
    ...PROFILE_DEFAULTS,
    url: '',
    connections,
    rampPerSecond: ramp,
    durationS: Number(values.duration),
    heartbeatMs: Number(values.heartbeat),
    pongTimeoutMs: 5000,
    workers: Number(values.workers),
    sourceIps: parseSourceIps(values['source-ips']!),
    thresholds: [`connections.peak>=${connections}`, 'errors.count==0'],
    connectTimeoutMs: 20_000,
  },
  {
    serverWorkers: Number(values['server-workers']),
    onEvent: (e) => {
      if (e.type === 'tick') {
        const p = e.point;
        process.stderr.write(
          `t=${p.t}s open ${p.open}/${p.target} opened ${p.opened}/s pings ${p.pingsSent}/s ping p99 ${p.pingRttP99 ?? '-'} ms errors ${e.errorsTotal} ` +
            `cpu ${p.runnerCpuPercent}% rss ${Math.round((p.runnerRssBytes ?? 0) / 2 ** 20)} MiB lag ${p.eventLoopLagMs} ms\n`,
        );
      } else if (e.type === 'warning') process.stderr.write(`warning: ${e.message}\n`);
    },
  },
);
const l = r.load!;
// Ramp: from the first second with connections opening to the first second the target was held.
const full = l.timeline.find((p) => p.open >= connections);
const firstOpen = l.timeline.find((p) => p.opened > 0);
const rampSeconds = full && firstOpen ? full.t - firstOpen.t + 1 : null;
const peakOpenedPerS = Math.max(...l.timeline.map((p) => p.opened));
console.log(
  JSON.stringify(
    {
      command: process.argv.slice(2).join(' '),
      wallSeconds: Math.round((Date.now() - started) / 1000),
      connections: l.connections,
      errors: l.errors,
      thresholds: l.thresholds.map((t) => `${t.expr}: ${t.ok ? 'ok' : 'BREACHED'} (${t.value})`),
      rampRequestedPerS: ramp,
      rampSecondsObserved: rampSeconds,
      peakOpenedPerS,
      connectMs: { p50: l.histograms.connect.p50, p99: l.histograms.connect.p99, max: l.histograms.connect.max },
      pingRttMs: { count: l.histograms.pingRtt.count, p50: l.histograms.pingRtt.p50, p99: l.histograms.pingRtt.p99, max: l.histograms.pingRtt.max },
      heartbeat: l.heartbeat,
      runner: l.runner,
    },
    null,
    2,
  ),
);
