// `--emit-case`: a shrunk counterexample becomes a conformance case that type-checks under the project's tsconfig,
// catches the same broken server through runners/conformance, and passes against the reference server. One frame
// suite, one handshake fault (an error status expected), one valid handshake the target refused (a 101 and an echo
// expected, the request offering subprotocols and an unknown extension as generated).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../../peers/server/reference-server.js';
import { TcpFuzzTarget } from '../../../peers/fuzz/tcp-target.js';
import { emitRegressionCase } from '../../../runners/fuzz/emit-case.js';
import { runFuzz } from '../../../runners/fuzz/run-fuzz.js';
import { runConformance } from '../../../runners/conformance/run.js';
import type { ConformanceCase, HandshakeSpec, Peer } from '../../../suites/define.js';
import { buildHandshakeHead, handshakeCaseArb, type HandshakeCase } from '../../../suites/properties/handshake.arb.js';
import type { FuzzSuiteName } from '../../../suites/properties/fuzz-suite.js';
import { startBrokenServer, type BrokenFault, type RunningBrokenServer } from '../../fixtures/broken-servers/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');

const CASES: { fault: BrokenFault; suite: FuzzSuiteName; expectKind: string }[] = [
  { fault: 'accepts-rsv-bits', suite: 'framing', expectKind: 'fail' },
  { fault: 'accepts-bad-key', suite: 'handshake', expectKind: 'handshake' },
  { fault: 'case-sensitive-headers', suite: 'handshake', expectKind: 'handshake' },
];

function typeCheck(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
      { cwd: ROOT, timeout: 120_000 },
      (err, stdout, stderr) => done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, out: stdout + stderr }),
    );
  });
}

describe('emitted regression cases', () => {
  const dir = (mkdirSync(join(ROOT, 'test-output'), { recursive: true }), mkdtempSync(join(ROOT, 'test-output', 'emit-case-')));
  const defineImport = relative(dir, join(ROOT, 'suites', 'define.js')).split('\\').join('/');
  const files = new Map<BrokenFault, string>();
  // Generated handshake values of every shape (faults, padding past 8 KiB, pipelined frames, queries, OWS).
  const sampled: HandshakeCase[] = fc.sample(handshakeCaseArb(), { seed: 11, numRuns: 40 });
  const servers: RunningBrokenServer[] = [];
  let reference: RunningServer;

  beforeAll(async () => {
    reference = await startReferenceServer({ host: '127.0.0.1', port: 0, statsPath: null });
    for (const { fault, suite } of CASES) {
      const server = await startBrokenServer(fault);
      servers.push(server);
      const run = await runFuzz({
        target: new TcpFuzzTarget(server.url, { timeoutMs: 1000, closeTimeoutMs: 600 }),
        targetUrl: server.url,
        embedded: false,
        suites: [suite],
        runs: 200,
        seed: 7,
        concurrency: 8,
        timeLimitMs: 20_000,
        toolVersion: 'test',
        replayCommand: (s, t) => `wsprobe fuzz --suite ${s} --replay ${t}`,
      });
      const failure = run.failures[0];
      if (failure === undefined) throw new Error(`${fault}: the ${suite} suite found no counterexample`);
      const c = run.result.cases[0]!;
      const text = emitRegressionCase({ suite, token: failure.token, value: failure.value, reason: c.reason, rfc: c.rfc, defineImport });
      if (text === null) throw new Error(`${fault}: nothing emitted`);
      const file = join(dir, `${fault}.case.ts`);
      writeFileSync(file, text);
      files.set(fault, file);
    }
    sampled.forEach((value, i) => {
      const text = emitRegressionCase({ suite: 'handshake', token: `${i}:0`, value, reason: 'sampled', rfc: ['4.1'], defineImport });
      writeFileSync(join(dir, `sampled-${i}.case.ts`), text!);
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: relative(dir, join(ROOT, 'tsconfig.json')), compilerOptions: { noEmit: true, rootDir: relative(dir, ROOT) }, include: ['*.case.ts'] }),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...servers.map((s) => s.close()), reference?.close()]);
    if (!process.env.WSPROBE_KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it('type-check with the project tsconfig', async () => {
    const r = await typeCheck(dir);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('an emitted handshake case sends the generated head byte for byte (host and path: the target\'s)', async () => {
    expect(new Set(sampled.map((c) => c.fault)).size).toBeGreaterThan(5);
    expect(sampled.some((c) => c.padBytes > 0) && sampled.some((c) => c.pipelined && c.fault === null)).toBe(true);
    const url = new URL('ws://127.0.0.1:4567/chat');
    for (const [i, value] of sampled.entries()) {
      const mod = (await import(pathToFileURL(join(dir, `sampled-${i}.case.ts`)).href)) as { cases: ConformanceCase[] };
      const specs: HandshakeSpec[] = [];
      const sent: Uint8Array[] = [];
      // Just enough of a Peer for the script: the handshake is refused, or opened and echoing.
      const peer = {
        url,
        ended: false,
        handshake: async (spec: HandshakeSpec) => (specs.push(spec), { ok: value.fault === null, status: value.fault === null ? 101 : 400 }),
        send: async (b: Uint8Array) => void sent.push(b),
        waitForMessages: async () => true,
        close: async () => undefined,
      } as unknown as Peer;
      await mod.cases[0]!.run(peer, {} as never);
      const want = buildHandshakeHead(value, url);
      expect(specs).toHaveLength(1);
      expect(Buffer.from(specs[0]!.raw as string, 'latin1').equals(Buffer.from(want.head)), `sampled-${i}`).toBe(true);
      const pipelined = value.pipelined && value.fault === null;
      expect(specs[0]!.trailing !== undefined).toBe(pipelined);
      expect(sent.length).toBe(value.fault === null && !pipelined ? 1 : 0);
    }
  });

  for (const [i, { fault, suite, expectKind }] of CASES.entries()) {
    it(`${suite} against ${fault}: the case fails there and passes against the reference server`, async () => {
      const mod = (await import(pathToFileURL(files.get(fault)!).href)) as { cases: ConformanceCase[] };
      expect(mod.cases).toHaveLength(1);
      const c = mod.cases[0]!;
      expect(c.id).toMatch(new RegExp(`^fuzz\\.${suite}\\.r`));
      expect(typeof c.expect === 'function' ? null : c.expect.kind).toBe(expectKind);
      if (suite === 'handshake') expect(c.handshake).toBe('manual');

      const broken = await runConformance({ url: new URL(servers[i]!.url), cases: [c], concurrency: 1, seed: 1, preflight: false, toolVersion: 'test' });
      expect(broken.cases[0]!.verdict, broken.cases[0]!.reason).toBe('fail');
      const good = await runConformance({ url: new URL(reference.url), cases: [c], concurrency: 1, seed: 1, preflight: false, toolVersion: 'test' });
      expect(good.cases[0]!.verdict, good.cases[0]!.reason).toBe('pass');
    }, 30_000);
  }
});
