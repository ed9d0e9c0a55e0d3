// node:test: start the server, run a slice of the conformance catalogue against it, fail with the grouped findings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertConforms, runLoad, type ConformanceProgress } from 'wsprobe';
import { startEchoServer, type EchoServer } from '../src/server.js';

let server: EchoServer;
before(async () => {
  server = await startEchoServer();
});
after(async () => {
  await server.close();
});

test('frames and close handshake conform to RFC 6455', async () => {
  let done = 0;
  // Throws a ConformanceError listing each finding ("3 cases fail for one reason: ...") with its case ids.
  const result = await assertConforms(server.url, {
    cases: ['framing.*', 'close.*'],
    quick: true,
    onProgress: (e: ConformanceProgress) => {
      if (e.type === 'case-end') done = e.done;
    },
  });
  assert.equal(done, result.cases.length);
});

test('holds 20 connections for 2 s within the latency budget', async () => {
  const result = await runLoad({ url: server.url, connections: 20, duration: 2, heartbeat: 500, workers: 1, threshold: ['ping_rtt.p99<200ms', 'errors.rate<1%'] });
  const breached = result.load!.thresholds.filter((t) => !t.ok);
  assert.deepEqual(breached, []);
});
