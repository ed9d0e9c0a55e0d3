// Every deliberately broken server variant is caught by the fuzz suite(s) relevant to its fault, within the
// default run count and a time limit, and the shrunk counterexample is minimal: one or two frames for a single-rule
// bug (plus our closing frame), or a single request for a handshake fault.
import { afterAll, describe, expect, it } from 'vitest';
import { BROKEN_VARIANTS, startBrokenServer, type BrokenFault } from '../../fixtures/broken-servers/index.js';
import { TcpFuzzTarget } from '../../../peers/fuzz/tcp-target.js';
import { runFuzz } from '../../../runners/fuzz/run-fuzz.js';
import type { FuzzSuiteName } from '../../../suites/properties/fuzz-suite.js';

/**
 * The suites that target each fault's rule (the area of the variant's RFC section). The `deflate-*` faults need
 * permessage-deflate negotiated, which the deflate suite offers. deflate-keeps-context and
 * deflate-ignores-window-bits show once a later echo points back into an earlier message further than the
 * agreement allows (no context after server_no_context_takeover, or past a small server_max_window_bits): the
 * suite's messages share words, and its long ones start with words before a long filler.
 */
const SUITES_FOR: Partial<Record<BrokenFault, FuzzSuiteName[]>> = {
  'wrong-accept-key': ['handshake'],
  'ignores-version': ['handshake'],
  'version-400-without-header': ['handshake'],
  'version-426-without-header': ['handshake'],
  'accepts-missing-key': ['handshake'],
  'accepts-bad-key': ['handshake'],
  'accepts-http-1.0': ['handshake'],
  'accepts-any-method': ['handshake'],
  'ignores-upgrade-headers': ['handshake'],
  'accepts-missing-host': ['handshake'],
  'case-sensitive-headers': ['handshake'],
  'rejects-connection-token-list': ['handshake'],
  'rejects-query-string': ['handshake'],
  'picks-unoffered-subprotocol': ['handshake'],
  'echoes-subprotocol-list': ['handshake'],
  'answers-extension-not-offered': ['handshake'],
  'echoes-offered-extensions': ['handshake'],
  'corrupts-first-frame': ['handshake'],
  'dies-on-large-head': ['handshake'],
  'dies-after-refusing-large-head': ['handshake'],
  'accepts-unmasked-frames': ['masking'],
  'masks-server-frames': ['framing'],
  'accepts-rsv-bits': ['framing'],
  'accepts-reserved-opcodes': ['framing'],
  'accepts-length-msb': ['framing'],
  'accepts-continuation-without-start': ['fragmentation'],
  'accepts-data-inside-fragmented-message': ['fragmentation'],
  'reorders-fragments': ['fragmentation'],
  'rejects-interleaved-control': ['fragmentation'],
  'corrupts-long-messages': ['framing'],
  'no-pong': ['control'],
  'wrong-pong-payload': ['control'],
  'accepts-oversized-control': ['control'],
  'accepts-fragmented-control': ['control'],
  'accepts-any-close-code': ['close'],
  'accepts-1-byte-close-payload': ['close'],
  'ignores-close-reason-utf8': ['close'],
  'close-reply-wrong-code': ['close'],
  'close-without-echo': ['close'],
  'never-closes-tcp': ['close'],
  'sends-data-after-close': ['close'],
  'no-utf8-validation': ['utf8'],
  'utf8-check-at-end-only': ['utf8'],
  'rejects-noncharacters': ['utf8'],
  'fails-with-1002-on-bad-utf8': ['utf8'],
  'deflate-accepts-rsv1-on-control': ['deflate'],
  'deflate-accepts-rsv1-on-continuation': ['deflate'],
  'deflate-drops-undecodable': ['deflate'],
  'deflate-keeps-context': ['deflate'],
  'deflate-ignores-window-bits': ['deflate'],
  'deflate-hangs-on-undecodable': ['deflate'],
};

/**
 * Variants that break no MUST on the wire, so an RFC-exact model must let them pass (fuzz fails only a `fail`; the
 * conformance suite grades them non-strict, which its own broken-variants test counts as caught):
 * - utf8-check-at-end-only: RFC 6455 §8.1 only says "MUST _Fail_", not when.
 * - The rest only pick a close code no MUST names (docs/verdicts.md, "Rulings", 6): §7.1.7 "SHOULD send a Close
 *   frame with an appropriate status code", §5.5.1 "typically echos the status code it received".
 *   close-reply-wrong-code answers our close with 1001 (other-code); fails-with-1002-on-bad-utf8 fails with 1002,
 *   not 1007 (other-code); accepts-1-byte-close-payload answers a 1-byte close with an empty one, on the wire a
 *   failure without a code (failed-without-close); ignores-close-reason-utf8 answers a close whose reason is not
 *   UTF-8 with its code, on the wire a failure with another code (other-code).
 */
const ALLOWED_BY_RFC: ReadonlySet<BrokenFault> = new Set([
  'utf8-check-at-end-only',
  'close-reply-wrong-code',
  'fails-with-1002-on-bad-utf8',
  'accepts-1-byte-close-payload',
  'ignores-close-reason-utf8',
]);

const RUNS = 200;

/**
 * Frames in the shrunk counterexample, our closing frame included: two for a one-frame bug, three for a two-frame
 * bug. A ping between fragments needs a first fragment, the ping and a last fragment.
 */
const MAX_FRAMES: Partial<Record<BrokenFault, number>> = {
  'rejects-interleaved-control': 4,
  // A back-reference further than the agreed window: a message, a long one, the first again (or a long message
  // starting with words and one repeating them).
  'deflate-ignores-window-bits': 4,
};

/**
 * Every failing case against a target that hangs waits out the failure timeout (about 2.6 s here), and a deflate
 * case has more to shrink than a frame case (offer, compressor, fragments): more than the default 20 s, so a loaded
 * machine still drops the parts that do not matter.
 */
const TIME_LIMIT_MS: Partial<Record<BrokenFault, number>> = {
  'deflate-hangs-on-undecodable': 30_000,
};

describe('fuzz suites catch every broken variant', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(stops.map((s) => s()));
  });

  it('maps every variant to its suites', () => {
    expect(Object.keys(SUITES_FOR).sort()).toEqual(BROKEN_VARIANTS.map((v) => v.name).sort());
  });

  for (const variant of BROKEN_VARIANTS) {
    it(`${variant.name}: ${ALLOWED_BY_RFC.has(variant.name) ? 'passes (allowed by the RFC)' : 'caught with a minimal counterexample'}`, async () => {
      const server = await startBrokenServer(variant.name);
      stops.push(() => server.close());
      const target = new TcpFuzzTarget(server.url, { timeoutMs: 1000, closeTimeoutMs: 600 });
      const run = await runFuzz({
        target,
        targetUrl: server.url,
        embedded: false,
        suites: SUITES_FOR[variant.name]!,
        runs: RUNS,
        seed: 7,
        concurrency: 8,
        timeLimitMs: TIME_LIMIT_MS[variant.name] ?? 20_000,
        toolVersion: 'test',
        replayCommand: (s, t) => `wsprobe fuzz ${server.url} --suite ${s} --replay ${t}`,
      });
      const failing = run.result.cases.filter((c) => c.verdict !== 'pass');
      if (ALLOWED_BY_RFC.has(variant.name)) {
        expect(failing).toEqual([]);
        return;
      }
      expect(failing.length, `${variant.name} was not caught`).toBeGreaterThan(0);
      const c = failing[0]!;
      if (process.env.WSPROBE_SHOW) console.log(variant.name, c.reason, '\n' + (c.counterexample ?? []).join('\n'));
      expect(c.verdict).toBe('fail');
      expect(c.replay).toMatch(/--replay -?\d+:\d+/);
      const frames = (c.counterexample ?? []).filter((l) => /^\d+\. > /.test(l));
      if (SUITES_FOR[variant.name]![0] !== 'handshake') {
        // One or two frames for the bug, plus the close that ends every stream case.
        expect(frames.length, c.counterexample?.join('\n')).toBeLessThanOrEqual(MAX_FRAMES[variant.name] ?? 3);
      } else {
        expect(c.counterexample?.[0]).toMatch(/^(valid request|request with fault)/);
      }
    }, 60_000);
  }
});
