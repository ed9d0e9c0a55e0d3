// A replay reproduces a failure byte for byte: the failing run's shrunk case and the replay of its token send the
// same bytes (masks and the handshake key are part of the generated value), and fail the same way.
import { afterAll, describe, expect, it } from 'vitest';
import { startBrokenServer, type BrokenFault } from '../../fixtures/broken-servers/index.js';
import { parseReplayToken } from '../../../runners/fuzz/replay-token.js';
import { runFuzz } from '../../../runners/fuzz/run-fuzz.js';
import { TcpFuzzTarget } from '../../../peers/fuzz/tcp-target.js';
import type { FuzzSuiteName } from '../../../suites/properties/fuzz-suite.js';

const CASES: [BrokenFault, FuzzSuiteName][] = [
  ['wrong-pong-payload', 'control'],
  ['accepts-rsv-bits', 'framing'],
  ['no-utf8-validation', 'utf8'],
  ['accepts-bad-key', 'handshake'],
  // Compressed after the handshake, within the agreement: the same agreement compresses to the same bytes.
  ['deflate-keeps-context', 'deflate'],
  // The model suite's token also carries fc.commands' replayPath (which commands ran at each shrink step).
  ['wrong-pong-payload', 'model'],
  ['accepts-reserved-opcodes', 'model'],
];

describe('replay', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(stops.map((s) => s()));
  });

  for (const [fault, suite] of CASES) {
    it(`${suite} against ${fault}: the replay sends the same bytes and fails the same way`, async () => {
      const server = await startBrokenServer(fault);
      stops.push(() => server.close());
      const base = {
        // The model waits for each step's answer, and deflate cases carry up to 70 KB: a tight deadline on a loaded
        // machine would fail a handshake now and then, and a shrink step that fails for that reason leads shrinking
        // astray.
        target: new TcpFuzzTarget(server.url, { timeoutMs: suite === 'model' || suite === 'deflate' ? 1000 : 500, closeTimeoutMs: 300 }),
        targetUrl: server.url,
        embedded: false,
        suites: [suite],
        runs: 200,
        seed: 99,
        concurrency: 8,
        timeLimitMs: 20_000,
        toolVersion: 'test',
        replayCommand: (s: string, t: string) => `wsprobe fuzz --suite ${s} --replay ${t}`,
      };
      const first = await runFuzz(base);
      expect(first.failures).toHaveLength(1);
      const failure = first.failures[0]!;
      const token = parseReplayToken(failure.token)!;
      if (suite === 'model') expect(token.replayPath).toBeDefined();
      else expect(token.replayPath).toBeUndefined();
      if (process.env.WSPROBE_SHOW) console.log(suite, fault, failure.token, '\n' + failure.counterexample.join('\n'));
      const again = await runFuzz({ ...base, replay: token });
      expect(again.result.cases[0]!.verdict).toBe('fail');
      expect(again.failures[0]?.token).toBe(failure.token);
      expect(again.failures).toHaveLength(1);
      const replayed = again.failures[0]!;
      expect(replayed.counterexample).toEqual(failure.counterexample);
      expect(replayed.check.grade?.reasonCode).toBe(failure.check.grade?.reasonCode);
      // The handshake key bytes are seeded by the case, so whole byte streams compare equal.
      expect(Buffer.from(replayed.check.sent).equals(Buffer.from(failure.check.sent))).toBe(true);
      expect(failure.check.sent.length).toBeGreaterThan(0);
    }, 40_000);
  }
});
