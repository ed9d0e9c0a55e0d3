import { it } from 'vitest';
import { startWsEcho } from './helpers.js';
import { TcpFuzzTarget } from '../../../peers/fuzz/tcp-target.js';
import { runFuzz } from '../../../runners/fuzz/run-fuzz.js';
import { FUZZ_SUITE_NAMES } from '../../../suites/properties/fuzz-suite.js';
it('smoke', async () => {
  const srv = await startWsEcho();
  const target = new TcpFuzzTarget(srv.url, { timeoutMs: 2000 });
  const run = await runFuzz({ target, targetUrl: srv.url, embedded: false, suites: FUZZ_SUITE_NAMES, runs: 200, seed: 20240601, concurrency: Number(process.env.CONC ?? 16), toolVersion: '0', replayCommand: (s, t) => `x`, suiteOptions: { handshake: { skipFaults: ['http-1.0', 'no-host'] } } });
  for (const c of run.result.cases) process.stdout.write(`RESULT ${c.id} ${c.verdict} ${c.durationMs} ${JSON.stringify(c.metrics)} ${c.reason}\n`);
  await srv.close();
}, 300000);
