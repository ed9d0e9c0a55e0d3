// permessage-deflate benchmark: our PerMessageDeflate (protocol/extensions, synchronous one-shot zlib calls with
// the sliding window passed as a dictionary) against ws's PerMessageDeflate (lib/permessage-deflate.js: zlib
// streams, asynchronous, on the libuv thread pool), in one process, side by side. One op = compress a message as
// the client and inflate it as the server (one message in flight, as on one connection). JSON-like text and
// binary (a bitmap) of 1 KiB, 16 KiB and 128 KiB, with and without context takeover; each op takes the next of
// several overlapping slices (half of each is in the one before), so context takeover sees related messages and no
// exact repeat within its window.
//
//   npx tsc -p tsconfig.json && node dist/bench/deflate.bench.js [--quick] [--rounds=N]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Bench } from 'tinybench';
import { createPerMessageDeflate, type DeflateAgreement } from '../protocol/extensions/permessage-deflate.js';
import { corpusMessages, type CorpusKind } from '../suites/conformance/deflate/corpus.js';

// ws does not export its internals; load them from its package directory.
const require = createRequire(import.meta.url);
const wsDir = dirname(require.resolve('ws/package.json'));
type WsParams = Record<string, unknown>;
interface WsPmd {
  offer(): WsParams;
  accept(configurations: WsParams[]): WsParams;
  compress(data: Buffer, fin: boolean, cb: (err: Error | null, out?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, cb: (err: Error | null, out?: Buffer) => void): void;
}
const WsPerMessageDeflate = require(join(wsDir, 'lib/permessage-deflate.js')) as new (opts: Record<string, unknown>) => WsPmd;
const wsExtension = require(join(wsDir, 'lib/extension.js')) as {
  parse(header: string): Record<string, WsParams[]>;
  format(exts: Record<string, WsParams>): string;
};
const wsVersion = (require('ws/package.json') as { version: string }).version;

const quick = process.argv.includes('--quick');
const SIZES = [1024, 16 * 1024, 128 * 1024];
const KINDS: { kind: CorpusKind; label: string }[] = [
  { kind: 'json', label: 'JSON' },
  { kind: 'bitmap', label: 'binary' },
];
/** Slices per payload: at least 8, and enough to span two 32 KiB windows so no message repeats within one. */
const slicesFor = (size: number): number => Math.max(8, Math.ceil((2 * 32768) / (size / 2)));

function ourPair(takeover: boolean): (payload: Uint8Array) => number {
  const agreement: DeflateAgreement = {
    serverNoContextTakeover: !takeover,
    clientNoContextTakeover: !takeover,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  const client = createPerMessageDeflate({ role: 'client', agreement });
  const server = createPerMessageDeflate({ role: 'server', agreement });
  return (payload) => {
    const c = client.encode({ opcode: 0x1, payload });
    const out = server.decode({ rsv1: c.rsv1, opcode: 0x1, payload: c.payload });
    if (!(out instanceof Uint8Array) || out.length !== payload.length) throw new Error('our round trip failed');
    return c.payload.length;
  };
}

/** A ws client and server negotiated through ws's own offer/accept, so both run exactly as on a connection. */
function wsPair(takeover: boolean): (payload: Buffer) => Promise<number> {
  const opts = { threshold: 0, ...(takeover ? {} : { serverNoContextTakeover: true, clientNoContextTakeover: true }) };
  const client = new WsPerMessageDeflate({ ...opts, isServer: false, maxPayload: 0 });
  const server = new WsPerMessageDeflate({ ...opts, isServer: true, maxPayload: 0 });
  const offer = wsExtension.parse(wsExtension.format({ 'permessage-deflate': client.offer() }))['permessage-deflate']!;
  const accepted = server.accept(offer);
  client.accept(wsExtension.parse(wsExtension.format({ 'permessage-deflate': accepted }))['permessage-deflate']!);
  return (payload) =>
    new Promise((resolve, reject) => {
      client.compress(payload, true, (err, c) => {
        if (err || !c) return reject(err ?? new Error('ws compress failed'));
        server.decompress(c, true, (err2, out) => {
          if (err2 || !out || out.length !== payload.length) return reject(err2 ?? new Error('ws round trip failed'));
          resolve(c.length);
        });
      });
    });
}

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (quick ? 1 : 5));

/** Compressed bytes and messages per side, to report the compression each achieves. */
interface Wire {
  ours: number;
  oursN: number;
  ws: number;
  wsN: number;
}
interface Row {
  name: string;
  bytes: number;
  wire: Wire;
  /** Per round: ops/s and median op time (ms) of each side. */
  samples: { ours: number; ws: number; oursP50: number; wsP50: number }[];
}
const rows: Row[] = [];
const runs: { row: Row; ours: () => unknown; ws: () => Promise<unknown> }[] = [];
for (const { kind, label } of KINDS) {
  for (const size of SIZES) {
    // Text corpora are sliced in code points; JSON here is almost all ASCII, so sizes are close to bytes.
    const n = slicesFor(size);
    const slices = corpusMessages(kind, size, n + 1).slice(0, n);
    const buffers = slices.map((s) => Buffer.from(s.buffer, s.byteOffset, s.length));
    const bytes = Math.round(slices.reduce((sum, s) => sum + s.length, 0) / n);
    for (const takeover of [true, false]) {
      const name = `${label} ${size / 1024} KiB ${takeover ? 'takeover' : 'no takeover'}`;
      const ours = ourPair(takeover);
      const theirs = wsPair(takeover);
      let i = 0;
      let j = 0;
      const row: Row = { name, bytes, wire: { ours: 0, oursN: 0, ws: 0, wsN: 0 }, samples: [] };
      rows.push(row);
      runs.push({
        row,
        ours: () => {
          row.wire.ours += ours(slices[i++ % n]!);
          row.wire.oursN++;
        },
        ws: async () => {
          row.wire.ws += await theirs(buffers[j++ % n]!);
          row.wire.wsN++;
        },
      });
    }
  }
}

type TaskResult = { throughput: { mean: number }; latency: { p50: number } };
// Rounds alternate the two sides payload by payload, so a burst of load on a shared machine hits both alike;
// the table gives medians over rounds.
for (let r = 0; r < rounds; r++) {
  for (const run of runs) {
    const bench = new Bench({ time: quick ? 200 : 500, warmupTime: quick ? 50 : 100 });
    bench.add('ours', run.ours);
    bench.add('ws', run.ws);
    await bench.run();
    const res = (name: string): TaskResult => {
      const result = bench.getTask(name)?.result;
      if (!result || !('throughput' in result)) throw new Error(`${run.row.name} ${name}: ${result?.state ?? 'no result'}`);
      return result as unknown as TaskResult;
    };
    const o = res('ours');
    const w = res('ws');
    run.row.samples.push({ ours: o.throughput.mean, ws: w.throughput.mean, oursP50: o.latency.p50, wsP50: w.latency.p50 });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mbps = (bytes: number, opsPerSec: number): string => ((bytes * opsPerSec) / 1e6).toFixed(1);
const lines = [
  '| payload | ours MB/s | ws MB/s | ours / ws (throughput) | ours / ws (median op time) | compressed size: ours, ws |',
  '|---|---:|---:|---:|---:|---:|',
];
for (const r of rows) {
  const ours = median(r.samples.map((x) => x.ours));
  const ws = median(r.samples.map((x) => x.ws));
  const ratio = median(r.samples.map((x) => x.ours / x.ws));
  const timeRatio = median(r.samples.map((x) => x.wsP50 / x.oursP50));
  const pct = (x: number, n: number): string => `${((100 * x) / Math.max(1, n) / r.bytes).toFixed(1)}%`;
  lines.push(
    `| ${r.name} | ${mbps(r.bytes, ours)} | ${mbps(r.bytes, ws)} | ${ratio.toFixed(2)}x | ${timeRatio.toFixed(2)}x | ${pct(r.wire.ours, r.wire.oursN)}, ${pct(r.wire.ws, r.wire.wsN)} |`,
  );
}
console.log(`deflate benchmark (compress + inflate, one message in flight, median of ${rounds} rounds): node ${process.version}, ws ${wsVersion}, ${new Date().toISOString()}`);
console.log(lines.join('\n'));
