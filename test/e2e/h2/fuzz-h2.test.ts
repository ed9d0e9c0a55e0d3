// `wsprobe fuzz --http2` end to end (executeFuzz, the command's whole run without the terminal): every suite that
// means something on a stream runs its cases as WebSockets on one shared HTTP/2 connection against the embedded
// reference server and holds; a bounded run, in cases and in time. The HTTP/1.1 handshake suite is not selected.
import { describe, expect, it } from 'vitest';
import { executeFuzz, FUZZ_OPTIONS } from '../../../cli/commands/fuzz.command.js';
import { executeTest, TEST_OPTIONS } from '../../../cli/commands/test.command.js';
import { resolveOptions } from '../../../cli/options.js';
import { H2FuzzTarget } from '../../../peers/fuzz/h2-target.js';
import { startReferenceServer } from '../../../peers/server/reference-server.js';
import { FUZZ_SUITE_NAMES } from '../../../suites/properties/fuzz-suite.js';

describe('wsprobe fuzz --http2', () => {
  it('holds against the reference server over h2c, every suite but the HTTP/1.1 handshake one', async () => {
    const o = resolveOptions(FUZZ_OPTIONS, { http2: true, runs: 24, concurrency: 8, seed: 8441, 'time-limit': 60 });
    const run = await executeFuzz(o, undefined);
    const r = run.result;
    expect(r.target.transport).toBe('h2c');
    expect(r.cases.map((c) => c.id)).toEqual(FUZZ_SUITE_NAMES.filter((n) => n !== 'handshake').map((n) => `fuzz.${n}`));
    expect(r.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.verdict} ${c.reason}`)).toEqual([]);
    // The cases really ran (no skipped-as-harness-error run passes for nothing).
    for (const c of r.cases) expect(c.metrics?.harnessErrors ?? 0, c.id).toBe(0);
    expect(run.cases).toBeGreaterThan(100);
  }, 120_000);

  it('the handshake suite and --http2 together are a usage error', async () => {
    const o = resolveOptions(FUZZ_OPTIONS, { http2: true, suite: ['handshake'] });
    await expect(executeFuzz(o, undefined)).rejects.toThrow(/--suite handshake .* does not run with --http2/);
  });

  it('a fuzz case on a stream sends and records the same WebSocket bytes as over TCP', async () => {
    const server = await startReferenceServer({ port: 0, statsPath: null });
    const target = new H2FuzzTarget(server.url, { timeoutMs: 2000 });
    try {
      const frame = { opcode: 1, payload: new TextEncoder().encode('over a stream'), fin: true, rsv1: false, rsv2: false, rsv3: false, mask: new Uint8Array([1, 2, 3, 4]) };
      const record = await target.runStream({ frames: [frame], chunking: { kind: 'whole' }, keySeed: 5, mustFail: false });
      expect(record.harnessError).toBeUndefined();
      // The grader is shown RFC 8441's 200 as the 101 it knows; the transcript keeps what the target sent.
      expect(record.observation.handshake).toMatchObject({ ok: true, status: 101, h2: { endStream: false } });
      expect(record.transcript.some((e) => e.kind === 'handshake' && e.dir === 'in' && /^:status: 200/.test(e.text ?? ''))).toBe(true);
      expect(record.observation.events.map((e) => e.kind)).toEqual(['message', 'close']);
      expect(record.observation.tcpEnd?.kind).toBe('fin');
      // What was sent: the Extended CONNECT as text, then the frames.
      expect(Buffer.from(record.sent).toString('latin1')).toMatch(/^:method: CONNECT\r\n:protocol: websocket\r\n/);
      const handshake = await target.runHandshake({ head: new Uint8Array(0), pipelined: [], after: [] });
      expect(handshake.harnessError).toMatch(/does not apply over HTTP\/2/);
    } finally {
      await target.close();
      await server.close();
    }
  });
});

describe('wsprobe test --http2 (executeTest)', () => {
  it('selects the http2.* cases only with --http2 and records the transport', async () => {
    await expect(executeTest(resolveOptions(TEST_OPTIONS, { cases: ['http2.*'] }), undefined)).rejects.toThrow(/http2\.\* cases need --http2/);
    await expect(executeTest(resolveOptions(TEST_OPTIONS, { cases: ['handshake.*'], http2: true }), undefined)).rejects.toThrow(/over HTTP\/2/);
    const r = await executeTest(resolveOptions(TEST_OPTIONS, { cases: ['http2.*', 'close.after-message'], http2: true, seed: 3 }), undefined);
    expect(r.target).toMatchObject({ embedded: true, transport: 'h2c' });
    expect(r.options).toMatchObject({ http2: true });
    expect(r.cases.some((c) => c.id.startsWith('close.'))).toBe(true);
    expect(r.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
  }, 60_000);
});
