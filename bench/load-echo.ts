// Load-runner echo benchmark: wsprobe's load worker against a driver on the `ws` client, both against the same `ws`
// server, with raw Node TCP (client and server) as the floor. 100 connections, 32-byte binary messages, one in
// flight per connection (closed loop). Every client and server runs in its own child process and measures its own
// CPU time (process.cpuUsage) over the same counting window; rounds alternate the clients.
//
//   npx tsc -p tsconfig.json && node dist/bench/load-echo.js [--connections 100] [--size 32] [--seconds 5] [--rounds 3]
import { fork, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { LoadWorker } from '../runners/load/load-worker.js';
import { PROFILE_DEFAULTS } from '../runners/load/profile.js';
import { WHOLE } from '../runners/load/share.js';

type Msg =
  | { type: 'listening'; port: number }
  | { type: 'ready' }
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'measure'; count: number; cpuUs: number; elapsedMs: number };

const self = fileURLToPath(import.meta.url);
const CLIENTS = ['ws-client', 'wsprobe', 'raw-tcp'] as const;
type ClientKind = (typeof CLIENTS)[number];

/** Answers start/stop with the CPU time and count between them. */
function measured(count: () => number, ready: boolean): void {
  let cpu = process.cpuUsage();
  let at = performance.now();
  let c0 = 0;
  process.on('message', (m: Msg) => {
    if (m.type === 'start') {
      cpu = process.cpuUsage();
      at = performance.now();
      c0 = count();
    } else if (m.type === 'stop') {
      const d = process.cpuUsage(cpu);
      process.send!({ type: 'measure', count: count() - c0, cpuUs: d.user + d.system, elapsedMs: performance.now() - at } satisfies Msg);
    }
  });
  if (ready) process.send!({ type: 'ready' } satisfies Msg);
}

async function serverChild(kind: 'ws' | 'raw'): Promise<void> {
  let port: number;
  let echoes = 0;
  if (kind === 'ws') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((r) => wss.on('listening', () => r()));
    wss.on('connection', (ws) =>
      ws.on('message', (data, isBinary) => {
        echoes++;
        ws.send(data, { binary: isBinary });
      }),
    );
    port = (wss.address() as { port: number }).port;
  } else {
    const srv = createServer({ noDelay: true }, (s) => {
      s.on('data', (chunk) => {
        echoes++;
        s.write(chunk);
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    port = (srv.address() as { port: number }).port;
  }
  measured(() => echoes, false);
  process.send!({ type: 'listening', port } satisfies Msg);
}

async function clientChild(kind: ClientKind, port: number, connections: number, size: number): Promise<void> {
  let echoes = 0;
  const payload = Buffer.alloc(size, 0x61);
  if (kind === 'raw-tcp') {
    let open = 0;
    for (let i = 0; i < connections; i++) {
      const s: Socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => {
        open++;
        s.write(payload);
        if (open === connections) measured(() => echoes, true);
      });
      let got = 0;
      s.on('data', (chunk) => {
        got += chunk.length;
        while (got >= size) {
          got -= size;
          echoes++;
          s.write(payload);
        }
      });
    }
  } else if (kind === 'ws-client') {
    let open = 0;
    for (let i = 0; i < connections; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
      ws.on('open', () => {
        open++;
        ws.send(payload, { binary: true });
        if (open === connections) measured(() => echoes, true);
      });
      ws.on('message', () => {
        echoes++;
        ws.send(payload, { binary: true });
      });
    }
  } else {
    const worker = new LoadWorker(
      {
        profile: { ...PROFILE_DEFAULTS, url: `ws://127.0.0.1:${port}/`, connections, durationS: 3600, heartbeatMs: 0, inFlight: 1, messageSize: size, binary: true, workers: 0, thresholds: [] },
        share: WHOLE,
        totalPeak: connections,
        worker: 0,
        workers: 1,
      },
      () => {},
    );
    void worker.run();
    const wait = (): void => {
      if (worker.counters.opened === connections) measured(() => worker.counters.messagesReceived, true);
      else setTimeout(wait, 10);
    };
    wait();
  }
}

function child(args: string[]): ChildProcess {
  return fork(self, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function next(c: ChildProcess, type: Msg['type']): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${type} from child`)), 30_000);
    const on = (m: Msg): void => {
      if (m.type === type) {
        clearTimeout(t);
        c.off('message', on);
        resolve(m);
      }
    };
    c.on('message', on);
  });
}

interface Row {
  client: ClientKind;
  echoesPerS: number;
  clientCpuUsPerEcho: number;
  serverCpuUsPerEcho: number;
  clientCpuPercent: number;
  serverCpuPercent: number;
}

async function round(kind: ClientKind, connections: number, size: number, seconds: number): Promise<Row> {
  const server = child(['server', kind === 'raw-tcp' ? 'raw' : 'ws']);
  const { port } = (await next(server, 'listening')) as Extract<Msg, { type: 'listening' }>;
  const client = child(['client', kind, String(port), String(connections), String(size)]);
  try {
    await next(client, 'ready');
    await new Promise((r) => setTimeout(r, 1000)); // warm-up
    server.send({ type: 'start' });
    client.send({ type: 'start' });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const sm = next(server, 'measure');
    const cm = next(client, 'measure');
    server.send({ type: 'stop' });
    client.send({ type: 'stop' });
    const s = (await sm) as Extract<Msg, { type: 'measure' }>;
    const c = (await cm) as Extract<Msg, { type: 'measure' }>;
    return {
      client: kind,
      echoesPerS: (c.count / c.elapsedMs) * 1000,
      clientCpuUsPerEcho: c.cpuUs / c.count,
      serverCpuUsPerEcho: s.cpuUs / c.count,
      clientCpuPercent: (c.cpuUs / 1000 / c.elapsedMs) * 100,
      serverCpuPercent: (s.cpuUs / 1000 / s.elapsedMs) * 100,
    };
  } finally {
    client.kill('SIGKILL');
    server.kill('SIGKILL');
  }
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'server') return serverChild(rest[0] as 'ws' | 'raw');
  if (mode === 'client') return clientChild(rest[0] as ClientKind, Number(rest[1]), Number(rest[2]), Number(rest[3]));
  const { values } = parseArgs({
    options: { connections: { type: 'string', default: '100' }, size: { type: 'string', default: '32' }, seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } },
  });
  const connections = Number(values.connections);
  const size = Number(values.size);
  const seconds = Number(values.seconds);
  const rows: Row[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const kind of CLIENTS) {
      const row = await round(kind, connections, size, seconds);
      rows.push(row);
      process.stderr.write(`round ${r + 1} ${kind}: ${Math.round(row.echoesPerS)} echoes/s, client ${row.clientCpuUsPerEcho.toFixed(1)} µs/echo (${row.clientCpuPercent.toFixed(0)}%), server ${row.serverCpuUsPerEcho.toFixed(1)} µs/echo (${row.serverCpuPercent.toFixed(0)}%)\n`);
    }
  }
  const med = (k: ClientKind, f: keyof Omit<Row, 'client'>): number => median(rows.filter((r) => r.client === k).map((r) => r[f]));
  const table = CLIENTS.map((k) => ({
    client: k,
    echoesPerS: Math.round(med(k, 'echoesPerS')),
    clientCpuUsPerEcho: Number(med(k, 'clientCpuUsPerEcho').toFixed(1)),
    serverCpuUsPerEcho: Number(med(k, 'serverCpuUsPerEcho').toFixed(1)),
    clientCpuPercent: Math.round(med(k, 'clientCpuPercent')),
    serverCpuPercent: Math.round(med(k, 'serverCpuPercent')),
  }));
  console.table(table);
  const ws = table.find((t) => t.client === 'ws-client')!;
  const us = table.find((t) => t.client === 'wsprobe')!;
  const raw = table.find((t) => t.client === 'raw-tcp')!;
  const ARTILLERY_PUBLISHED = 10_500;
  console.log(
    JSON.stringify(
      {
        connections,
        size,
        seconds,
        rounds: Number(values.rounds),
        cpuPerEchoVsWsClient: Number((us.clientCpuUsPerEcho / ws.clientCpuUsPerEcho).toFixed(2)),
        throughputVsWsClient: Number((us.echoesPerS / ws.echoesPerS).toFixed(2)),
        throughputVsArtilleryPublished: Number((us.echoesPerS / ARTILLERY_PUBLISHED).toFixed(2)),
        cpuPerEchoVsRawTcpFloor: Number((us.clientCpuUsPerEcho / raw.clientCpuUsPerEcho).toFixed(2)),
      },
      null,
      2,
    ),
  );
}

await main();
