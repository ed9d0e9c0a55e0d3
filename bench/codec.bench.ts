// Codec benchmark: our frame decoder and encoder against ws's Receiver and Sender, in one process, side by side.
// Decode: a persistent decoder fed the same wire bytes each op (small frames: a chunk of BATCH frames, as one socket
// read delivers them; 16 MiB also in 64 KiB chunks). Both sides check the frame rules (ours: validateFrame; ws: in
// its state machine) and unmask in place. Encode: one frame (or BATCH small frames) written to a fake socket with
// cork/write/uncork, a fresh random mask per masked frame on both sides.
//
// Each row's tasks run in ROUNDS interleaved rounds (ours, ws, Connection, ours, ws, ...); a row's figures take the
// median over rounds, so a change in the machine's load during the run hits both sides alike. Iterations that
// allocate 16 MiB start from a collected heap (a full GC, untimed, with array buffers freed synchronously):
// otherwise the 16 MiB buffers one task leaves behind are freed during, and billed to, whichever task runs next,
// and whether a new 16 MiB buffer gets recycled memory or fresh pages (a page fault per 4 KiB) decides the figure.
//
//   npx tsc -p tsconfig.json && node dist/bench/codec.bench.js [--quick] [--rounds 3]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench, type Fn } from 'tinybench';
import { Connection } from '../protocol/connection/connection.js';
import { Opcode } from '../protocol/constants.js';
import { cryptoEntropy } from '../protocol/entropy.js';
import { FrameDecoder } from '../protocol/frame/decoder.js';
import { encodeFrame, encodeFrameBytes } from '../protocol/frame/encode.js';
import { validateFrame, type ValidateContext } from '../protocol/frame/validate.js';

// ws does not export its internals; load them from its package directory.
const require = createRequire(import.meta.url);
const wsDir = dirname(require.resolve('ws/package.json'));
interface WsReceiver {
  _write(chunk: Buffer, encoding: string | null, cb: (err?: Error) => void): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface FakeSocket {
  cork(): void;
  uncork(): void;
  write(chunk: Uint8Array, cb?: () => void): boolean;
}
const WsReceiver = require(join(wsDir, 'lib/receiver.js')) as new (opts: { isServer: boolean; maxPayload: number }) => WsReceiver;
const WsSender = require(join(wsDir, 'lib/sender.js')) as new (socket: FakeSocket) => {
  send(data: Buffer, opts: { binary: boolean; fin: boolean; mask: boolean; compress: boolean }, cb?: () => void): void;
};
const wsVersion = (require('ws/package.json') as { version: string }).version;

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, rounds: { type: 'string' } } });
const quick = args.quick === true;
const ROUNDS = Math.max(1, Number(args.rounds ?? (quick ? 1 : 3)));

// A full GC on demand, and array buffers freed inside it rather than by a background sweeper afterwards.
setFlagsFromString('--expose-gc');
setFlagsFromString('--no-concurrent-array-buffer-sweeping');
const fullGc = runInNewContext('gc') as () => void;
const SIZES = [
  { label: '2 B', n: 2, batch: 100 },
  { label: '125 B', n: 125, batch: 100 },
  { label: '64 KiB', n: 64 * 1024, batch: 1 },
  { label: '16 MiB', n: 16 * 1024 * 1024, batch: 1 },
];
const CHUNK = 64 * 1024;

let sink = 0;
const noop = (): void => {};
const fakeSocket: FakeSocket = {
  cork: noop,
  uncork: noop,
  write(chunk) {
    sink += chunk.length;
    return true;
  },
};

function payloadOf(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31) & 0xff;
  return b;
}

function wireOf(payload: Buffer, masked: boolean, batch: number): Buffer {
  const entropy = cryptoEntropy();
  const frames: Uint8Array[] = [];
  for (let i = 0; i < batch; i++) {
    const mask = masked ? new Uint8Array(4) : null;
    if (mask) entropy.fill(mask);
    frames.push(encodeFrameBytes({ opcode: Opcode.Binary, payload, mask }));
  }
  return Buffer.concat(frames);
}

function chunksOf(wire: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < wire.length; i += size) out.push(wire.subarray(i, Math.min(i + size, wire.length)));
  return out;
}

/**
 * How a chunked input arrives. 'reads': each chunk in a buffer of its own, filled just before the decoder gets it,
 * as a socket read delivers it (Node allocates every read's buffer; the kernel copies the bytes in): that copy is
 * timed, the same for both sides. 'views': views of one prebuilt wire buffer (the bytes a decoder copies are
 * then never freshly written, and nothing is allocated per chunk).
 */
type Arrival = 'whole' | 'reads' | 'views';
function arrive(chunk: Buffer, arrival: Arrival): Buffer {
  if (arrival !== 'reads') return chunk;
  const read = Buffer.allocUnsafeSlow(chunk.length);
  read.set(chunk);
  return read;
}

interface Row {
  op: 'decode' | 'encode';
  size: string;
  masked: boolean;
  arrival: Arrival;
  /** Frames per tinybench iteration. */
  batch: number;
  ours: string;
  ws: string;
  /** Informational: the whole Connection (events, limits, drain) instead of the bare codec. */
  conn?: string;
}

// Small frames run for the time budget; 16 MiB ones (5-200 ops/s) stop after the minimum iterations.
const bench = new Bench({
  time: (quick ? 150 : 1000) / ROUNDS,
  warmupTime: (quick ? 50 : 200) / ROUNDS,
  iterations: quick ? 4 : 20,
  warmupIterations: quick ? 2 : 4,
});
const started = performance.now();
bench.addEventListener('cycle', (e) => {
  const t = (e as unknown as { task?: { name: string } }).task;
  process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)} s: ${t?.name ?? '?'}\n`);
});
const rows: Row[] = [];
/** Tasks of each row, added to the bench round by round once all rows are defined. */
const pending: { name: string; fn: Fn; big: boolean }[][] = [];
const beforeBig = (): void => fullGc();

for (const { label, n, batch } of SIZES) {
  for (const masked of [false, true]) {
    const payload = payloadOf(n);
    const wire = wireOf(payload, masked, batch);
    // Masked frames come from clients, so a server decodes them; unmasked ones a client.
    const ctx: ValidateContext = { role: masked ? 'server' : 'client', allowedRsv: 0, messageOpen: false };
    const huge = n >= 1 << 20;
    for (const arrival of huge ? (['whole', 'reads', 'views'] as const) : (['whole'] as const)) {
      // Iterations that allocate a 16 MiB buffer (assembling chunks) start from a collected heap.
      const big = huge && arrival !== 'whole';
      const inputs = arrival !== 'whole' ? chunksOf(wire, CHUNK) : [wire];
      const tag = `decode ${label} ${masked ? 'masked' : 'unmasked'}${arrival !== 'whole' ? ` 64K-${arrival}` : ''}`;
      const row: Row = { op: 'decode', size: label, masked, arrival, batch, ours: `ours ${tag}`, ws: `ws ${tag}`, conn: `conn ${tag}` };
      rows.push(row);
      const tasks: { name: string; fn: Fn; big: boolean }[] = [];
      pending.push(tasks);

      const decoder = new FrameDecoder();
      tasks.push({ name: row.ours, big, fn: () => {
        for (let i = 0; i < inputs.length; i++) {
          decoder.push(arrive(inputs[i]!, arrival));
          for (let r = decoder.poll(); r !== null; r = decoder.poll()) {
            if (!('opcode' in r) || validateFrame(r, ctx) !== null) throw new Error('decode failed');
            sink += r.payload.length;
          }
        }
      } });

      const receiver = new WsReceiver({ isServer: masked, maxPayload: 0 });
      receiver.on('message', (data) => {
        sink += data.length;
      });
      receiver.on('error', (err) => {
        throw err;
      });
      tasks.push({ name: row.ws, big, fn: () => {
        for (let i = 0; i < inputs.length; i++) receiver._write(arrive(inputs[i]!, arrival), null, noop);
      } });

      const conn = new Connection({ role: masked ? 'server' : 'client', frameEvents: false });
      tasks.push({ name: row.conn!, big, fn: () => {
        for (let i = 0; i < inputs.length; i++) conn.receive(arrive(inputs[i]!, arrival));
        const { events } = conn.drain();
        if (events.length !== batch) throw new Error(`connection: ${events.length} events`);
      } });
    }

    const tag = `encode ${label} ${masked ? 'masked' : 'unmasked'}`;
    const row: Row = { op: 'encode', size: label, masked, arrival: 'whole', batch, ours: `ours ${tag}`, ws: `ws ${tag}`, conn: `conn ${tag}` };
    rows.push(row);
    const tasks: { name: string; fn: Fn; big: boolean }[] = [];
    pending.push(tasks);
    const big = huge && masked; // a masked copy of 16 MiB per iteration
    const entropy = cryptoEntropy();
    tasks.push({ name: row.ours, big, fn: () => {
      for (let i = 0; i < batch; i++) {
        let mask: Uint8Array | null = null;
        if (masked) {
          mask = new Uint8Array(4);
          entropy.fill(mask);
        }
        const [header, body] = encodeFrame({ opcode: Opcode.Binary, payload, mask });
        fakeSocket.cork();
        fakeSocket.write(header);
        if (body.length > 0) fakeSocket.write(body);
        fakeSocket.uncork();
      }
    } });
    const sender = new WsSender(fakeSocket);
    const sendOpts = { binary: true, fin: true, mask: masked, compress: false };
    tasks.push({ name: row.ws, big, fn: () => {
      for (let i = 0; i < batch; i++) sender.send(payload, sendOpts);
    } });
    const sendConn = new Connection({ role: masked ? 'client' : 'server' });
    tasks.push({ name: row.conn!, big, fn: () => {
      for (let i = 0; i < batch; i++) sendConn.sendBinary(payload);
      const { writes } = sendConn.drain();
      fakeSocket.cork();
      for (let i = 0; i < writes.length; i++) fakeSocket.write(writes[i]!);
      fakeSocket.uncork();
    } });
  }
}

for (const tasks of pending) {
  for (let r = 0; r < ROUNDS; r++) {
    for (const t of tasks) bench.add(`${t.name} #${r}`, t.fn, t.big ? { beforeEach: beforeBig } : {});
  }
}
await bench.run();

/** A task's latency statistics (ms per op), one per round. */
function roundsOf(name: string): { mean: number; p50: number; n: number }[] {
  const out: { mean: number; p50: number; n: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const result = bench.getTask(`${name} #${r}`)?.result;
    if (!result || !('latency' in result)) throw new Error(`${name} #${r}: ${result?.state ?? 'no result'}`);
    out.push({ mean: result.latency.mean, p50: result.latency.p50, n: result.latency.samplesCount });
  }
  return out;
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** Mean frames per second over all rounds' iterations. */
function framesPerSec(name: string, batch: number): number {
  const rs = roundsOf(name);
  const n = rs.reduce((a, r) => a + r.n, 0);
  return (1000 / (rs.reduce((a, r) => a + r.mean * r.n, 0) / n)) * batch;
}
/** Ratio (b over a) of the median op latencies, taking the median over rounds: robust to a shared machine's noise. */
const medianRatio = (a: string, b: string): number => median(roundsOf(b).map((r) => r.p50)) / median(roundsOf(a).map((r) => r.p50));

const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1));
const lines: string[] = [];
lines.push('| op | frame | masked | ours frames/s | ws frames/s | ours/ws (mean) | ours/ws (median) | Connection/ws (median) |');
lines.push('|---|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const ours = framesPerSec(r.ours, r.batch);
  const ws = framesPerSec(r.ws, r.batch);
  lines.push(
    `| ${r.op} | ${r.size}${r.arrival !== 'whole' ? ` (64 KiB ${r.arrival})` : ''} | ${r.masked ? 'yes' : 'no'} | ${fmt(ours)} | ${fmt(ws)} | ` +
      `${(ours / ws).toFixed(2)}x | ${medianRatio(r.ours, r.ws).toFixed(2)}x | ${r.conn ? `${medianRatio(r.conn, r.ws).toFixed(2)}x` : ''} |`,
  );
}
console.log(`codec benchmark: node ${process.version}, ws ${wsVersion} (no bufferutil), ${ROUNDS} rounds, ${new Date().toISOString()}`);
console.log(lines.join('\n'));
if (sink === -1) console.log('unreachable');
