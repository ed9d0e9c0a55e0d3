// Ramp benchmark: how many new connections per second wsprobe opens (and holds) against the embedded reference
// server, side by side with the floor on this machine: a plain Node TCP connect loop against a plain net server
// that writes one byte on accept (a connection counts when that byte arrives, so the server's accept is in the
// figure, as the 101 is for WebSocket). Both sides use the same process counts, source addresses and explicit
// source ports. Every process's CPU is sampled from /proc once a second, so the report says which one saturates.
//
//   npx tsc -p tsconfig.json && node dist/bench/load-ramp.js [--connections 20000] [--workers 2]
//     [--server-workers 2] [--source-ips 127.0.0.1-127.0.0.4] [--ramp 0] [--rounds 1] [--mode both|floor|wsprobe]
import { fork, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad } from '../runners/load/engine.js';
import { readSystemLimits } from '../runners/load/preflight.js';
import { PROFILE_DEFAULTS } from '../runners/load/profile.js';
import { parseSourceIps } from '../runners/load/source-ips.js';

const self = fileURLToPath(import.meta.url);
const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '2' },
    'server-workers': { type: 'string', default: '2' },
    'source-ips': { type: 'string', default: '127.0.0.1-127.0.0.4' },
    ramp: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'both' },
    role: { type: 'string' },
    port: { type: 'string' },
    worker: { type: 'string' },
  },
});
const connections = Number(values.connections);
const workers = Number(values.workers);
const serverWorkers = Number(values['server-workers']);
const sourceIps = parseSourceIps(values['source-ips']!);
const MAX_PENDING = 1000;

// ---- floor: plain net server and connect loop ----

function floorServer(): void {
  if (cluster.isPrimary && serverWorkers > 1) {
    // Each worker accepts from the shared socket itself (no hand-off through the primary).
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    cluster.setupPrimary({ exec: self, args: process.argv.slice(2) });
    let listening = 0;
    for (let i = 0; i < serverWorkers; i++) {
      cluster.fork().on('message', (m: { port: number }) => {
        if (++listening === serverWorkers) process.send!({ port: m.port });
      });
    }
    process.on('disconnect', () => process.exit(0));
    return;
  }
  const held: Socket[] = [];
  const one = Buffer.from('x');
  const srv = createServer({ noDelay: true }, (s) => {
    s.on('error', () => {});
    s.write(one);
    held.push(s);
  });
  srv.listen({ host: '127.0.0.1', port: Number(values.port ?? 0), backlog: 4096 }, () => {
    process.send!({ port: (srv.address() as { port: number }).port });
  });
  process.on('disconnect', () => process.exit(0));
}

function floorClient(): void {
  const port = Number(values.port);
  const w = Number(values.worker);
  const own = Math.floor(connections / workers) + (w < connections % workers ? 1 : 0);
  const limits = readSystemLimits();
  const slice = Math.floor((limits.portHigh - limits.portLow + 1) / workers);
  const low = limits.portLow + slice * w;
  const cursor = sourceIps.map(() => 0);
  const held: Socket[] = [];
  let started = 0;
  let pending = 0;
  let opened = 0;
  let errors = 0;
  const open = (k: number): void => {
    pending++;
    const ip = sourceIps.length > 0 ? k % sourceIps.length : -1;
    const localPort = ip >= 0 ? low + (cursor[ip]!++ % slice) : undefined;
    const s = connect({ host: '127.0.0.1', port, noDelay: true, localAddress: ip >= 0 ? sourceIps[ip] : undefined, localPort });
    let done = false;
    s.once('data', () => {
      done = true;
      pending--;
      opened++;
      held.push(s);
      fill();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (done) return;
      done = true;
      pending--;
      if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL') open(k);
      else errors++;
      fill();
    });
  };
  const fill = (): void => {
    while (started < own && pending < MAX_PENDING) open(started++);
  };
  process.on('message', (m: { type: string }) => {
    if (m.type === 'start') {
      // Running totals; the parent samples their sum once a second, as the load engine does.
      const tick = setInterval(() => {
        process.send!({ type: 'tick', total: opened, errors });
        if (opened + errors >= own) clearInterval(tick);
      }, 100);
      fill();
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready' });
}

// ---- CPU of every process under this one, from /proc ----

interface ProcCpu {
  pid: number;
  role: string;
  ticks: number;
}

function descendants(): ProcCpu[] {
  const byParent = new Map<number, number[]>();
  const info = new Map<number, { ticks: number; role: string }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      const ticks = Number(f[11]) + Number(f[12]);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'latin1').split('\0');
      const script = cmd.find((a) => a.endsWith('.js')) ?? cmd[0] ?? '';
      const role = cmd.includes('--role') ? `${cmd[cmd.indexOf('--role') + 1]}` : script.slice(script.lastIndexOf('/') + 1);
      (byParent.get(ppid) ?? byParent.set(ppid, []).get(ppid)!).push(Number(d));
      info.set(Number(d), { ticks, role });
    } catch {
      // gone meanwhile
    }
  }
  const out: ProcCpu[] = [];
  const walk = (pid: number): void => {
    for (const c of byParent.get(pid) ?? []) {
      out.push({ pid: c, ...info.get(c)! });
      walk(c);
    }
  };
  walk(process.pid);
  return out;
}

/** Per role, the busiest second's CPU (% of one core, summed over that role's processes) and the mean. */
class CpuSampler {
  private last = new Map<number, number>();
  private lastAt = performance.now();
  private readonly peaks = new Map<string, number>();
  private readonly sums = new Map<string, number>();
  private samples = 0;
  sample(): Record<string, number> {
    const now = performance.now();
    const per = new Map<string, number>();
    for (const p of descendants()) {
      const prev = this.last.get(p.pid);
      this.last.set(p.pid, p.ticks);
      if (prev === undefined) continue;
      per.set(p.role, (per.get(p.role) ?? 0) + ((p.ticks - prev) * 10) / ((now - this.lastAt) / 100));
    }
    this.lastAt = now;
    this.samples++;
    for (const [r, v] of per) {
      this.peaks.set(r, Math.max(this.peaks.get(r) ?? 0, v));
      this.sums.set(r, (this.sums.get(r) ?? 0) + v);
    }
    return Object.fromEntries([...per].map(([r, v]) => [r, Math.round(v)]));
  }
  summary(): Record<string, { peakPercent: number; meanPercent: number }> {
    return Object.fromEntries(
      [...this.peaks].map(([r, v]) => [r, { peakPercent: Math.round(v), meanPercent: Math.round((this.sums.get(r) ?? 0) / Math.max(1, this.samples - 1)) }]),
    );
  }
}

// ---- the two runs ----

interface RampFigures {
  run: string;
  loadAvgStart: number;
  loadAvgEnd: number;
  opened: number;
  errors: number;
  /** Connections opened in each second of the run, space-separated. */
  perSecond: string;
  peakPerS: number;
  /** Connections over the seconds from the first to the last one that opened any. */
  sustainedPerS: number;
  cpu: Record<string, { peakPercent: number; meanPercent: number }>;
}

function figures(run: string, loadStart: number, perSecond: number[], errors: number, cpu: CpuSampler): RampFigures {
  const first = perSecond.findIndex((n) => n > 0);
  let last = perSecond.length - 1;
  while (last > 0 && perSecond[last] === 0) last--;
  const opened = perSecond.reduce((s, n) => s + n, 0);
  // The last second is partial; the sustained rate uses whole seconds up to it plus its share.
  return {
    run,
    loadAvgStart: loadStart,
    loadAvgEnd: Math.round(loadavg()[0]! * 100) / 100,
    opened,
    errors,
    perSecond: perSecond.join(' '),
    peakPerS: Math.max(0, ...perSecond),
    sustainedPerS: first < 0 ? 0 : Math.round(opened / Math.max(1, last - first + 1)),
    cpu: cpu.summary(),
  };
}

async function runFloor(): Promise<RampFigures> {
  const loadStart = Math.round(loadavg()[0]! * 100) / 100;
  const children: ChildProcess[] = [];
  const cpu = new CpuSampler();
  try {
    const server = fork(self, ['--role', 'floor-server', '--server-workers', String(serverWorkers)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(server);
    const port = await new Promise<number>((r) => server.once('message', (m: { port: number }) => r(m.port)));
    const clients = await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        const c = fork(self, [...process.argv.slice(2), '--role', 'floor-client', '--port', String(port), '--worker', String(w)], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        children.push(c);
        await new Promise<void>((r) => c.once('message', () => r()));
        return c;
      }),
    );
    const perSecond: number[] = [];
    const errs: number[] = clients.map(() => 0);
    const totals: number[] = clients.map(() => 0);
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    cpu.sample();
    let finish = (): void => {};
    const done = new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, 120_000);
      finish = () => {
        clearTimeout(deadline);
        resolve();
      };
      clients.forEach((c, w) => {
        c.on('message', (m: { type: string; total: number; errors: number }) => {
          errs[w] = m.errors;
          totals[w] = m.total;
        });
      });
    });
    let counted = 0;
    const sampler = setInterval(() => {
      const now = sum(totals);
      perSecond.push(now - counted);
      counted = now;
      process.stderr.write(`floor cpu ${JSON.stringify(cpu.sample())} opened ${perSecond.at(-1)}/s\n`);
      if (now + sum(errs) >= connections) finish();
    }, 1000);
    for (const c of clients) c.send({ type: 'start' });
    await done;
    clearInterval(sampler);
    perSecond.push(sum(totals) - counted);
    return figures('floor: net connect + 1 byte from the server', loadStart, Array.from(perSecond, (n) => n ?? 0), errs.reduce((a, b) => a + b, 0), cpu);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

async function runWsprobe(): Promise<RampFigures> {
  const loadStart = Math.round(loadavg()[0]! * 100) / 100;
  const cpu = new CpuSampler();
  cpu.sample();
  const ramp = Number(values.ramp);
  const r = await runLoad(
    {
      ...PROFILE_DEFAULTS,
      url: '',
      connections,
      rampPerSecond: ramp,
      durationS: ramp > 0 ? 2 : Math.max(4, Math.ceil(connections / 2000)),
      heartbeatMs: 0,
      workers,
      sourceIps,
      connectTimeoutMs: 20_000,
      thresholds: [],
    },
    {
      serverWorkers,
      onEvent: (e) => {
        if (e.type === 'tick') {
          process.stderr.write(`wsprobe t=${e.point.t}s open ${e.point.open} opened ${e.point.opened}/s errors ${e.errorsTotal} cpu ${JSON.stringify(cpu.sample())}\n`);
        } else if (e.type === 'warning') process.stderr.write(`warning: ${e.message}\n`);
      },
    },
  );
  const l = r.load!;
  const perSecond = l.timeline.map((p) => p.opened);
  const errors = Object.values(l.errors).reduce((s, v) => s + v, 0);
  const f = figures(`wsprobe load (embedded server, ${serverWorkers} processes)`, loadStart, perSecond, errors, cpu);
  return { ...f, errorsByKind: l.errors, connectMs: { p50: l.histograms.connect!.p50, p99: l.histograms.connect!.p99, max: l.histograms.connect!.max } } as RampFigures;
}

if (values.role === 'floor-server') floorServer();
else if (values.role === 'floor-client') floorClient();
else if (cluster.isWorker) floorServer();
else {
  const results: RampFigures[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    if (values.mode !== 'wsprobe') results.push(await runFloor());
    if (values.mode !== 'floor') results.push(await runWsprobe());
  }
  console.log(
    JSON.stringify(
      { command: `node dist/bench/load-ramp.js ${process.argv.slice(2).join(' ')}`, connections, workers, serverWorkers, sourceIps: sourceIps.length, results },
      null,
      2,
    ),
  );
}
