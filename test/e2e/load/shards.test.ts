// Shards of one profile, merged by reports/merge.ts, equal a single run: same connection counts, histograms added
// exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRuns } from '../../../reports/merge.js';
import { runLoad } from '../../../runners/load/engine.js';
import { newHistogram, summarizeHistogram } from '../../../reports/histogram.js';
import { addEncoded } from '../../../runners/load/histograms.js';
import { profile, startWsServer, type TestServer } from './load-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startWsServer();
});
afterAll(async () => {
  await server.close();
});

describe('load: shards', () => {
  it('three shards merged equal one run of the whole profile', async () => {
    const base = profile({ url: server.url, connections: 301, durationS: 3, heartbeatMs: 400, messageRate: 4 });
    const single = (await runLoad(base)).load!;
    const shards = [];
    for (let i = 1; i <= 3; i++) shards.push(await runLoad({ ...base, shard: { index: i, count: 3 } }));
    const sizes = shards.map((s) => s.load!.connections.target);
    expect(sizes).toEqual([101, 100, 100]);
    expect(single.connections.opened).toBe(301);
    const merged = mergeRuns(shards).load!;
    for (const k of ['target', 'opened', 'failed', 'dropped'] as const) expect(merged.connections[k]).toBe(single.connections[k]);
    expect(merged.histograms.connect.count).toBe(301);
    // The merge adds the shards' histograms exactly: the same as adding them here.
    for (const name of ['connect', 'pingRtt', 'messageRtt'] as const) {
      const sum = newHistogram();
      for (const s of shards) addEncoded(sum, s.load!.histograms[name]!.encoded);
      expect({ ...merged.histograms[name], encoded: '' }).toEqual({ ...summarizeHistogram(sum), encoded: '' });
      expect(merged.histograms[name]!.count).toBe(shards.reduce((a, s) => a + s.load!.histograms[name]!.count, 0));
    }
    expect(merged.counters.messagesSent).toBe(shards.reduce((a, s) => a + s.load!.counters.messagesSent!, 0));
  }, 60_000);
});
