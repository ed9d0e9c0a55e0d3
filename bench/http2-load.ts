// HTTP/2 load benchmark (issue 17): the same load over HTTP/1.1 and over HTTP/2 (RFC 8441, `--http2`) side by side,
// in one script against one reference server in its own process. Per run: the runner's memory per WebSocket (the
// load worker's RSS growth after GC over the WebSockets it holds, as `wsprobe load` reports it), ping and message
// RTT percentiles (the latency cost of sharing a connection), the runner's and the server's CPU, and the server's
// peak RSS (one server process serves every run, so only the first run's growth is its own). Rounds alternate the
// two protocols, so both see the same machine.
//
//   npx tsc -p tsconfig.json && node dist/bench/http2-load.js [--connections 10000] [--streams 100] [--workers 1]
//     [--ramp 2000] [--duration 20] [--heartbeat 5000] [--message-rate 1] [--rounds 1]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startEmbeddedTarget } from '../runners/load/embedded-target.js';
import { runLoad } from '../runners/load/engine.js';
import { PROFILE_DEFAULTS, type LoadProfile } from '../runners/load/profile.js';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    streams: { type: 'string', default: '100' },
    workers: { type: 'string', default: '1' },
    ramp: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '20' },
    heartbeat: { type: 'string', default: '5000' },
    'message-rate': { type: 'string', default: '1' },
    rounds: { type: 'string', default: '1' },
  },
});
const connections = Number(values.connections);
const streams = Number(values.streams);

/** User + system CPU seconds and resident bytes of one process (Linux /proc; clock ticks at the usual 100 Hz). */
function processFigures(pid: number): { cpuSeconds: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, rssBytes: rssPages * 4096 };
}

const load = (): string => loadavg().map((v) => v.toFixed(2)).join(' ');
const loadAtStart = load();
const target = await startEmbeddedTarget({ workers: 1 });
const pid = target.pid!;

async function measure(label: string, http2: boolean): Promise<Record<string, unknown>> {
  const profile: LoadProfile = {
    ...PROFILE_DEFAULTS,
    url: target.url,
    connections,
    rampPerSecond: Number(values.ramp),
    durationS: Number(values.duration),
    heartbeatMs: Number(values.heartbeat),
    messageRate: Number(values['message-rate']),
    workers: Number(values.workers),
    connectTimeoutMs: 20_000,
    thresholds: [`connections.peak>=${connections}`, 'errors.count==0'],
    ...(http2 ? { http2: { streamsPerConnection: streams } } : {}),
  };
  const before = processFigures(pid);
  let serverPeakRss = before.rssBytes;
  const r = await runLoad(profile, {
    onEvent: (e) => {
      if (e.type === 'tick') serverPeakRss = Math.max(serverPeakRss, processFigures(pid).rssBytes);
      else if (e.type === 'warning') process.stderr.write(`${label}: warning: ${e.message}\n`);
    },
  });
  const after = processFigures(pid);
  const l = r.load!;
  const h = l.histograms;
  const echoed = l.counters.echoed ?? 0;
  const runnerCpu = l.runner?.cpuSeconds ?? 0;
  const serverCpu = after.cpuSeconds - before.cpuSeconds;
  const ms = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    label,
    held: l.connections.peak,
    errors: l.errors,
    thresholds: l.thresholds.map((t) => `${t.expr}: ${t.ok ? 'ok' : 'BREACHED'} (${t.value})`),
    http2: l.http2,
    bytesPerWebSocket: l.runner?.workerMemory?.map((w) => w.bytesPerConnection),
    pingRttMs: { count: h.pingRtt.count, p50: ms(h.pingRtt.p50), p99: ms(h.pingRtt.p99), max: ms(h.pingRtt.max) },
    messageRttMs: { count: h.messageRtt.count, p50: ms(h.messageRtt.p50), p99: ms(h.messageRtt.p99), max: ms(h.messageRtt.max) },
    connectMs: { p50: ms(h.connect.p50), p99: ms(h.connect.p99) },
    echoed,
    unmatched: l.counters.unmatched,
    runnerCpuSeconds: runnerCpu,
    serverCpuSeconds: Math.round(serverCpu * 100) / 100,
    cpuUsPerEcho: echoed > 0 ? { runner: Math.round((runnerCpu / echoed) * 1e7) / 10, server: Math.round((serverCpu / echoed) * 1e7) / 10 } : undefined,
    runnerPeakRssMiB: Math.round((l.runner?.peakRssBytes ?? 0) / 2 ** 20),
    serverPeakRssMiB: Math.round(serverPeakRss / 2 ** 20),
    warnings: l.runner?.warnings ?? [],
    loadAverageAfter: load(),
  };
}

const runs: Record<string, unknown>[] = [];
try {
  for (let round = 1; round <= Number(values.rounds); round++) {
    // Alternate which goes first, so neither always follows the other's teardown.
    const order = round % 2 === 1 ? [false, true] : [true, false];
    for (const http2 of order) runs.push({ round, ...(await measure(http2 ? `HTTP/2 (${streams} per connection)` : 'HTTP/1.1', http2)) });
  }
} finally {
  await target.stop();
}
console.log(JSON.stringify({ command: process.argv.slice(2).join(' '), node: process.version, loadAverageAtStart: loadAtStart, runs }, null, 2));
