// Codec benchmark: our frame decoder and encoder against ws's Receiver and Sender, in one process, side by side.
// Decode: a persistent decoder fed the same wire bytes each op (small frames: a chunk of BATCH frames, as one socket
// read delivers them; 16 MiB also in 64 KiB chunks). Both sides check the frame rules (ours: validateFrame; ws: in
// its state machine) and unmask in place. Encode: one frame (or BATCH small frames) written to a fake socket with
// cork/write/uncork, a fresh random mask per masked frame on both sides.
//
//   npx tsc -p tsconfig.json && node dist/bench/codec.bench.js [--quick]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Bench } from 'tinybench';
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

const quick = process.argv.includes('--quick');
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

interface Row {
  op: 'decode' | 'encode';
  size: string;
  masked: boolean;
  chunked: boolean;
  /** Frames per tinybench iteration. */
  batch: number;
  ours: string;
  ws: string;
  /** Informational: the whole Connection (events, limits, drain) instead of the bare codec. */
  conn?: string;
}

const bench = new Bench({ time: quick ? 150 : 1000, warmupTime: quick ? 50 : 200 });
const rows: Row[] = [];

for (const { label, n, batch } of SIZES) {
  for (const masked of [false, true]) {
    const payload = payloadOf(n);
    const wire = wireOf(payload, masked, batch);
    // Masked frames come from clients, so a server decodes them; unmasked ones a client.
    const ctx: ValidateContext = { role: masked ? 'server' : 'client', allowedRsv: 0, messageOpen: false };
    for (const chunked of n >= 1 << 20 ? [false, true] : [false]) {
      const inputs = chunked ? chunksOf(wire, CHUNK) : [wire];
      const tag = `decode ${label} ${masked ? 'masked' : 'unmasked'}${chunked ? ' 64K-chunks' : ''}`;
      const row: Row = { op: 'decode', size: label, masked, chunked, batch, ours: `ours ${tag}`, ws: `ws ${tag}`, conn: `conn ${tag}` };
      rows.push(row);

      const decoder = new FrameDecoder();
      bench.add(row.ours, () => {
        for (let i = 0; i < inputs.length; i++) {
          decoder.push(inputs[i]!);
          for (let r = decoder.poll(); r !== null; r = decoder.poll()) {
            if (!('opcode' in r) || validateFrame(r, ctx) !== null) throw new Error('decode failed');
            sink += r.payload.length;
          }
        }
      });

      const receiver = new WsReceiver({ isServer: masked, maxPayload: 0 });
      receiver.on('message', (data) => {
        sink += data.length;
      });
      receiver.on('error', (err) => {
        throw err;
      });
      bench.add(row.ws, () => {
        for (let i = 0; i < inputs.length; i++) receiver._write(inputs[i]!, null, noop);
      });

      const conn = new Connection({ role: masked ? 'server' : 'client', frameEvents: false });
      bench.add(row.conn!, () => {
        for (let i = 0; i < inputs.length; i++) conn.receive(inputs[i]!);
        const { events } = conn.drain();
        if (events.length !== batch) throw new Error(`connection: ${events.length} events`);
      });
    }

    const tag = `encode ${label} ${masked ? 'masked' : 'unmasked'}`;
    const row: Row = { op: 'encode', size: label, masked, chunked: false, batch, ours: `ours ${tag}`, ws: `ws ${tag}`, conn: `conn ${tag}` };
    rows.push(row);
    const entropy = cryptoEntropy();
    bench.add(row.ours, () => {
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
    });
    const sender = new WsSender(fakeSocket);
    const sendOpts = { binary: true, fin: true, mask: masked, compress: false };
    bench.add(row.ws, () => {
      for (let i = 0; i < batch; i++) sender.send(payload, sendOpts);
    });
    const sendConn = new Connection({ role: masked ? 'client' : 'server' });
    bench.add(row.conn!, () => {
      for (let i = 0; i < batch; i++) sendConn.sendBinary(payload);
      const { writes } = sendConn.drain();
      fakeSocket.cork();
      for (let i = 0; i < writes.length; i++) fakeSocket.write(writes[i]!);
      fakeSocket.uncork();
    });
  }
}

await bench.run();

function resultOf(name: string) {
  const result = bench.getTask(name)?.result;
  if (!result || !('throughput' in result)) throw new Error(`${name}: ${result?.state ?? 'no result'}`);
  return result;
}
/** Mean frames per second. */
const framesPerSec = (name: string, batch: number): number => resultOf(name).throughput.mean * batch;
/** Ratio of median op latencies (b over a): robust to the scheduling noise of a shared machine. */
const medianRatio = (a: string, b: string): number => resultOf(b).latency.p50 / resultOf(a).latency.p50;

const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1));
const lines: string[] = [];
lines.push('| op | frame | masked | ours frames/s | ws frames/s | ours/ws (mean) | ours/ws (median) | Connection/ws (median) |');
lines.push('|---|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const ours = framesPerSec(r.ours, r.batch);
  const ws = framesPerSec(r.ws, r.batch);
  lines.push(
    `| ${r.op} | ${r.size}${r.chunked ? ' (64 KiB chunks)' : ''} | ${r.masked ? 'yes' : 'no'} | ${fmt(ours)} | ${fmt(ws)} | ` +
      `${(ours / ws).toFixed(2)}x | ${medianRatio(r.ours, r.ws).toFixed(2)}x | ${r.conn ? `${medianRatio(r.conn, r.ws).toFixed(2)}x` : ''} |`,
  );
}
console.log(`codec benchmark: node ${process.version}, ws ${wsVersion} (no bufferutil), ${new Date().toISOString()}`);
console.log(lines.join('\n'));
if (sink === -1) console.log('unreachable');
