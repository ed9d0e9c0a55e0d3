// Server echo benchmark: the reference server against a `ws` server, with a raw TCP echo server as the floor,
// all driven by the same lean client in the same run. Each server runs in its own child process, and so does the
// driver (a raw client on node:net with pre-encoded masked frames, one message in flight per connection), so no
// two share an event loop. The server measures its own CPU time (process.cpuUsage) over the counting window
// and reports it over IPC.
//
//   npx tsc -p tsconfig.json && node dist/bench/server-echo.js [--connections 100] [--size 32] [--seconds 5]
//     [--rounds 3] [--text] [--prof DIR]
import { fork, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';
import { startReferenceServer } from '../peers/server/reference-server.js';

const SERVERS = ['reference', 'ws', 'raw-tcp'] as const;
type ServerKind = (typeof SERVERS)[number];

type Msg =
  | { type: 'listening'; port: number }
  | { type: 'cpu-start' }
  | { type: 'cpu-started' }
  | { type: 'cpu-stop' }
  | { type: 'exit' }
  | { type: 'cpu'; cpuUs: number; elapsedMs: number }
  | { type: 'ready' }
  | { type: 'count-start' }
  | { type: 'count-stop' }
  | { type: 'count'; echoes: number; elapsedMs: number; cpuUs: number }
  | { type: 'error'; message: string };

const self = fileURLToPath(import.meta.url);

// ---- server child ----

async function runServer(kind: ServerKind): Promise<void> {
  let port: number;
  if (kind === 'reference') {
    const s = await startReferenceServer({ port: 0 });
    port = s.port;
  } else if (kind === 'ws') {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((resolve) => wss.on('listening', () => resolve()));
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    port = (wss.address() as { port: number }).port;
  } else {
    const srv = createServer({ noDelay: true }, (socket) => {
      socket.on('data', (chunk) => socket.write(chunk));
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    port = (srv.address() as { port: number }).port;
  }
  let start = process.cpuUsage();
  let startAt = performance.now();
  process.on('message', (m: Msg) => {
    if (m.type === 'cpu-start') {
      start = process.cpuUsage();
      startAt = performance.now();
      process.send!({ type: 'cpu-started' } satisfies Msg);
    } else if (m.type === 'cpu-stop') {
      const d = process.cpuUsage(start);
      process.send!({ type: 'cpu', cpuUs: d.user + d.system, elapsedMs: performance.now() - startAt } satisfies Msg);
    } else if (m.type === 'exit') {
      // A normal exit, so --cpu-prof writes its profile.
      process.exit(0);
    }
  });
  process.send!({ type: 'listening', port } satisfies Msg);
}

// ---- driver child ----

function maskedFrame(opcode: number, payload: Uint8Array): Buffer {
  // Payloads here are < 126 bytes: 2-byte header, 4-byte mask.
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x80 | opcode;
  out[1] = 0x80 | payload.length;
  const mask = [0x12, 0x34, 0x56, 0x78];
  out.set(mask, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

async function runDriver(kind: ServerKind, port: number, connections: number, size: number, text: boolean, warmupMs: number): Promise<void> {
  if (size > 125) throw new Error('the driver pre-encodes small frames only (size <= 125)');
  const payload = Buffer.alloc(size, 0x61);
  const frame = maskedFrame(text ? 0x1 : 0x2, payload);
  // The raw TCP server echoes the masked frame as is; a WebSocket server answers with an unmasked one.
  const replyLength = kind === 'raw-tcp' ? frame.length : 2 + size;
  let echoes = 0;
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        if (kind === 'raw-tcp') {
          resolve(socket);
          return;
        }
        socket.write(
          `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        );
        let head = '';
        const onHead = (chunk: Buffer): void => {
          head += chunk.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          socket.off('data', onHead);
          if (!head.startsWith('HTTP/1.1 101')) {
            reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
            return;
          }
          resolve(socket);
        };
        socket.on('data', onHead);
      });
    });
  const sockets: Socket[] = [];
  for (let i = 0; i < connections; i++) sockets.push(await open());
  for (const socket of sockets) {
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.length;
      while (pending >= replyLength) {
        pending -= replyLength;
        echoes++;
        socket.write(frame);
      }
    });
    socket.write(frame);
  }
  let countStart = 0;
  let countAt = 0;
  let cpuAt = process.cpuUsage();
  process.on('message', (m: Msg) => {
    if (m.type === 'count-start') {
      countStart = echoes;
      countAt = performance.now();
      cpuAt = process.cpuUsage();
    } else if (m.type === 'count-stop') {
      const cpu = process.cpuUsage(cpuAt);
      const cpuUs = cpu.user + cpu.system;
      process.send!({ type: 'count', echoes: echoes - countStart, elapsedMs: performance.now() - countAt, cpuUs } satisfies Msg);
    }
  });
  setTimeout(() => process.send!({ type: 'ready' } satisfies Msg), warmupMs);
}

// ---- orchestrator ----

function nextMessage(child: ChildProcess, type: Msg['type'], timeoutMs: number): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', on);
      reject(new Error(`no '${type}' from child ${child.pid} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: Msg): void => {
      if (m.type === 'error') {
        clearTimeout(timer);
        child.off('message', on);
        reject(new Error(m.message));
      } else if (m.type === type) {
        clearTimeout(timer);
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

interface Sample {
  kind: ServerKind;
  echoesPerSec: number;
  cpuUsPerEcho: number;
  serverCpuPct: number;
  driverCpuPct: number;
}

async function measure(kind: ServerKind, o: { connections: number; size: number; seconds: number; text: boolean; prof?: string }): Promise<Sample> {
  const execArgv = o.prof !== undefined && kind === 'reference' ? ['--cpu-prof', `--cpu-prof-dir=${o.prof}`] : [];
  const server = fork(self, ['server', kind], { execArgv, stdio: 'inherit' });
  let driver: ChildProcess | null = null;
  try {
    const { port } = (await nextMessage(server, 'listening', 10_000)) as { port: number };
    driver = fork(self, ['driver', kind, String(port), String(o.connections), String(o.size), o.text ? 'text' : 'binary'], { stdio: 'inherit' });
    await nextMessage(driver, 'ready', 30_000);
    server.send({ type: 'cpu-start' } satisfies Msg);
    await nextMessage(server, 'cpu-started', 5_000);
    driver.send({ type: 'count-start' } satisfies Msg);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    driver.send({ type: 'count-stop' } satisfies Msg);
    const count = (await nextMessage(driver, 'count', 5_000)) as { echoes: number; elapsedMs: number; cpuUs: number };
    server.send({ type: 'cpu-stop' } satisfies Msg);
    const cpu = (await nextMessage(server, 'cpu', 5_000)) as { cpuUs: number; elapsedMs: number };
    return {
      kind,
      echoesPerSec: (count.echoes / count.elapsedMs) * 1000,
      cpuUsPerEcho: cpu.cpuUs / count.echoes,
      serverCpuPct: (cpu.cpuUs / 1000 / cpu.elapsedMs) * 100,
      driverCpuPct: (count.cpuUs / 1000 / count.elapsedMs) * 100,
    };
  } finally {
    driver?.kill('SIGTERM');
    const exited = new Promise((r) => (server.exitCode !== null || server.signalCode !== null ? r(null) : server.once('exit', r)));
    if (server.connected) server.send({ type: 'exit' } satisfies Msg);
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function orchestrate(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '100' },
      size: { type: 'string', default: '32' },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      text: { type: 'boolean', default: false },
      prof: { type: 'string' },
    },
  });
  const o = { connections: Number(values.connections), size: Number(values.size), seconds: Number(values.seconds), text: values.text === true, prof: values.prof };
  const rounds = Number(values.rounds);
  const samples = new Map<ServerKind, Sample[]>(SERVERS.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const kind of SERVERS) {
      const s = await measure(kind, o);
      samples.get(kind)!.push(s);
      process.stderr.write(`round ${r + 1}/${rounds} ${kind}: ${s.echoesPerSec.toFixed(0)} echoes/s, ${s.cpuUsPerEcho.toFixed(2)} µs CPU/echo, server CPU ${s.serverCpuPct.toFixed(0)}%, driver CPU ${s.driverCpuPct.toFixed(0)}%\n`);
    }
  }
  const med = (k: ServerKind, f: (s: Sample) => number): number => median(samples.get(k)!.map(f));
  process.stdout.write(
    `server echo: ${o.connections} connections, ${o.size}-byte ${o.text ? 'text' : 'binary'} messages, one in flight each, ${o.seconds} s x ${rounds} rounds (medians)\n\n` +
      '| server | echoes/s | server CPU µs/echo | best echoes/s | best CPU µs/echo | server CPU % | driver CPU % |\n' +
      '|---|---:|---:|---:|---:|---:|---:|\n',
  );
  for (const k of SERVERS) {
    const all = samples.get(k)!;
    const bestRate = Math.max(...all.map((s) => s.echoesPerSec));
    const bestCpu = Math.min(...all.map((s) => s.cpuUsPerEcho));
    process.stdout.write(
      `| ${k} | ${med(k, (s) => s.echoesPerSec).toFixed(0)} | ${med(k, (s) => s.cpuUsPerEcho).toFixed(2)} | ${bestRate.toFixed(0)} | ${bestCpu.toFixed(2)} | ` +
        `${med(k, (s) => s.serverCpuPct).toFixed(0)} | ${med(k, (s) => s.driverCpuPct).toFixed(0)} |\n`,
    );
  }
  const best = (k: ServerKind): number => Math.min(...samples.get(k)!.map((s) => s.cpuUsPerEcho));
  const ratioCpu = med('ws', (s) => s.cpuUsPerEcho) / med('reference', (s) => s.cpuUsPerEcho);
  const ratioBest = best('ws') / best('reference');
  const ratioRate = med('reference', (s) => s.echoesPerSec) / med('ws', (s) => s.echoesPerSec);
  // Paired: each round's ws over the same round's reference (measured back to back), then the median.
  const ref = samples.get('reference')!;
  const ratioPaired = median(samples.get('ws')!.map((s, i) => s.cpuUsPerEcho / ref[i]!.cpuUsPerEcho));
  const overFloor = med('reference', (s) => s.cpuUsPerEcho) / med('raw-tcp', (s) => s.cpuUsPerEcho);
  process.stdout.write(
    `\nCPU/echo ws / reference: ${ratioCpu.toFixed(2)}x median, ${ratioBest.toFixed(2)}x best, ${ratioPaired.toFixed(2)}x median of ` +
      `per-round ratios (goal >= 1.2); ` +
      `echoes/s reference / ws: ${ratioRate.toFixed(2)}x; ` +
      `reference CPU/echo over the raw TCP floor: ${overFloor.toFixed(2)}x; load average at the end: ` +
      `${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs\n`,
  );
}

const [role, ...args] = process.argv.slice(2);
const fail = (err: unknown): void => {
  const message = err instanceof Error ? err.message : String(err);
  if (process.send) process.send({ type: 'error', message } satisfies Msg);
  process.stderr.write(`server-echo ${role ?? ''}: ${message}\n`);
  process.exitCode = 1;
};
if (role === 'server') runServer(args[0] as ServerKind).catch(fail);
else if (role === 'driver') {
  runDriver(args[0] as ServerKind, Number(args[1]), Number(args[2]), Number(args[3]), args[4] === 'text', 1000).catch(fail);
} else orchestrate().catch(fail);
