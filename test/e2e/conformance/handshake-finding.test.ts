// A target whose 101 is wrong for every connection (a bad Sec-WebSocket-Accept, an extension or subprotocol that
// was not offered) is a conformance finding, not a setup error: the built CLI grades the handshake cases, marks the
// cases that need a connection not run (their reason names the problem), writes the reports and exits 1.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../reports/schema.js';
import { BROKEN_VARIANTS, startBrokenServer, type BrokenFault } from '../../fixtures/broken-servers/index.js';
import { runCli } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wsprobe-hs-finding-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VARIANTS: { fault: string; problem: RegExp; args?: string[] }[] = [
  { fault: 'wrong-accept-key', problem: /Sec-WebSocket-Accept "[^"]+", expected "[^"]+"/ },
  { fault: 'answers-extension-not-offered', problem: /extension "permessage-deflate" was not offered/ },
  { fault: 'picks-unoffered-subprotocol', problem: /subprotocol "chat" was not offered/ },
  // Added beside this test by another change; checked once it exists.
  { fault: 'echoes-subprotocol-list', problem: /Sec-WebSocket-Protocol "[^"]*,[^"]*" is not a single token/, args: ['--protocol', 'wsprobe.echo', '--protocol', 'other'] },
];
const present = VARIANTS.filter((v) => BROKEN_VARIANTS.some((b) => b.name === v.fault));

describe('an invalid 101 for every connection', () => {
  it.each(present.map((v) => [v.fault, v] as const))('%s: handshake cases graded, the others not run, reports written, exit 1', async (fault, v) => {
    const server = await startBrokenServer(fault as BrokenFault);
    try {
      const out = join(dir, fault);
      const r = await runCli(['test', server.url, '--cases', 'handshake.accept.*', 'handshake.response.*', 'close.code.*', 'control.ping.*', '--exclude', 'control.ping.sizes-*', '--out', out, ...(v.args ?? [])], {
        timeoutMs: 60_000,
      });
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(1);
      for (const f of ['results.json', 'report.html', 'junit.xml']) expect(existsSync(join(out, f))).toBe(true);
      const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
      const handshake = result.cases.filter((c) => c.area === 'handshake');
      const others = result.cases.filter((c) => c.area !== 'handshake');
      expect(handshake.length).toBeGreaterThan(0);
      expect(handshake.every((c) => c.verdict !== 'not-run')).toBe(true);
      expect(handshake.some((c) => c.verdict === 'fail' && v.problem.test(c.reason))).toBe(true);
      expect(others.length).toBeGreaterThan(10);
      for (const c of others) {
        expect(`${c.id} ${c.verdict} ${c.reasonCode}`).toBe(`${c.id} not-run handshake-broken`);
        expect(c.reason).toMatch(v.problem);
      }
      expect(result.summary['not-run']).toBe(others.length);
      const headline = result.findings![0]!;
      expect(headline).toMatchObject({ scope: 'run', reasonCode: 'handshake-broken' });
      expect(headline.cases).toEqual(others.map((c) => c.id));
      expect(headline.cause).toMatch(v.problem);
      // Shown first in the text summary; JUnit lists the cases not run as skipped, with the reason.
      expect(r.stdout.slice(r.stdout.indexOf('Findings'), r.stdout.indexOf('area '))).toMatch(/answered a correct opening handshake with an invalid 101/);
      const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
      expect(junit.match(/<skipped message="not-run: [^"]*invalid 101/g)).toHaveLength(others.length);
    } finally {
      await server.close();
    }
  });
});
