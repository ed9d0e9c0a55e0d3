// k6-style stages: the held connections follow the target up and down, the highest-numbered closing first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../../runners/load/engine.js';
import { parseStages } from '../../../runners/load/stages.js';
import { profile, startWsServer, type TestServer } from './load-helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startWsServer();
});
afterAll(async () => {
  await server.close();
});

describe('load: stages', () => {
  it('ramps up, holds, steps down and holds again', async () => {
    const held: number[] = [];
    const r = await runLoad(profile({ url: server.url, connections: 40, stages: parseStages('500ms:40,1500ms:40,10ms:10,2s:10'), heartbeatMs: 250 }), {
      onEvent: (e) => {
        if (e.type === 'tick') held.push(e.point.open);
      },
    });
    const l = r.load!;
    expect(l.connections).toMatchObject({ target: 40, peak: 40, opened: 40, failed: 0, dropped: 0 });
    // 30 closed when the target fell, 10 at the end.
    expect(l.counters.closed).toBe(40);
    expect(held.slice(0, 2)).toContain(40);
    expect(held.slice(2, 4)).toContain(10);
    expect(l.errors).toEqual({});
  }, 30_000);
});
