// Issue 12, rulings 1-4, and the subprotocol detection gaps, case by case: each allowed behaviour (a lenient
// server, test/fixtures/broken-servers/handshake-faults.ts) gets the verdict its ruling names, and the server that
// breaks the MUST next to it still fails. Each row runs one catalogue case against its own server (some crash).
import { afterAll, describe, expect, it } from 'vitest';
import { runCase } from '../../../runners/conformance/run.js';
import type { CaseResult } from '../../../reports/schema.js';
import type { CaseOptions } from '../../../suites/define.js';
import { CATALOGUE } from '../../../suites/conformance/index.js';
import {
  startBrokenServer,
  startLenientServer,
  type BrokenFault,
  type BrokenServerOptions,
  type LenientBehaviour,
  type RunningBrokenServer,
} from '../../fixtures/broken-servers/index.js';

interface Row {
  /** A broken fault, `lenient:<behaviour>`, or 'conformant'. */
  server: BrokenFault | `lenient:${LenientBehaviour}` | 'conformant';
  id: string;
  verdict: CaseResult['verdict'];
  reasonCode?: string;
  /** The run's --protocol values (offered by default and stated to the cases). */
  protocols?: string[];
  serverOptions?: Omit<BrokenServerOptions, 'lenient'>;
  metrics?: Record<string, number>;
}

const ROWS: Row[] = [
  // Ruling 1: a malformed single key accepted with 101 is non-strict (§4.2.2 /key/); two keys or none still fail.
  ...['not-base64', '15-bytes', '17-bytes', 'empty'].map((k): Row => ({ server: 'lenient:accepts-any-key-value', id: `handshake.key.${k}`, verdict: 'non-strict', reasonCode: 'handshake-status' })),
  { server: 'lenient:accepts-any-key-value', id: 'handshake.key.two-keys', verdict: 'pass' },
  { server: 'lenient:accepts-any-key-value', id: 'handshake.key.missing', verdict: 'pass' },
  { server: 'accepts-bad-key', id: 'handshake.key.two-keys', verdict: 'fail', reasonCode: 'handshake-status' },
  { server: 'accepts-missing-key', id: 'handshake.key.missing', verdict: 'fail', reasonCode: 'handshake-status' },
  // Ruling 2: a value that is no version, refused with a bare 400, passes; an unsupported version still needs §4.4's header.
  { server: 'lenient:version-malformed-bare-400', id: 'handshake.version.garbage', verdict: 'pass' },
  { server: 'lenient:version-malformed-bare-400', id: 'handshake.version.14', verdict: 'pass' },
  { server: 'version-400-without-header', id: 'handshake.version.garbage', verdict: 'pass' },
  { server: 'version-400-without-header', id: 'handshake.version.14', verdict: 'fail', reasonCode: 'handshake-header' },
  // Ruling 3: data sent before the 101 breaks the client's §4.1 MUST: whatever the server does is informational.
  { server: 'conformant', id: 'handshake.pipelined-frame', verdict: 'informational' },
  { server: 'lenient:drops-pipelined-data', id: 'handshake.pipelined-frame', verdict: 'informational' },
  { server: 'corrupts-first-frame', id: 'handshake.accept.correct', verdict: 'fail', reasonCode: 'wrong-echo' },
  // Ruling 4: closing without a response to a big head or a body is recorded; a server that stops serving fails.
  ...['handshake.head.16k', 'handshake.head.64k', 'handshake.body.content-length'].map((id): Row => ({
    server: 'lenient:closes-without-response',
    id,
    verdict: 'informational',
    metrics: { 'request-status': 0, 'second-connection-ok': 1 },
  })),
  { server: 'conformant', id: 'handshake.head.16k', verdict: 'informational', metrics: { 'request-status': 431, 'second-connection-ok': 1 } },
  { server: 'conformant', id: 'handshake.body.content-length', verdict: 'informational', metrics: { 'request-status': 400, 'second-connection-ok': 1 } },
  { server: 'dies-on-large-head', id: 'handshake.head.16k', verdict: 'fail', reasonCode: 'metric' },
  { server: 'dies-after-refusing-large-head', id: 'handshake.head.64k', verdict: 'fail', reasonCode: 'metric' },
  // Several subprotocols offered: one value or none comes back, never the list (§4.2.2, §4.3); --protocol is honoured.
  { server: 'conformant', id: 'handshake.subprotocol.several-unknown', verdict: 'pass' },
  { server: 'conformant', id: 'handshake.subprotocol.several-offered', verdict: 'pass' },
  { server: 'conformant', id: 'handshake.subprotocol.several-offered', verdict: 'pass', protocols: ['wsprobe.echo'] },
  { server: 'conformant', id: 'handshake.subprotocol.several-offered', verdict: 'fail', reasonCode: 'handshake-header', protocols: ['wsprobe.echo'], serverOptions: { protocols: [] } },
  { server: 'echoes-subprotocol-list', id: 'handshake.subprotocol.several-unknown', verdict: 'fail', reasonCode: 'handshake-invalid' },
  { server: 'echoes-subprotocol-list', id: 'handshake.subprotocol.several-offered', verdict: 'fail', reasonCode: 'handshake-invalid' },
  { server: 'echoes-subprotocol-list', id: 'handshake.subprotocol.unoffered-not-selected', verdict: 'pass' },
  // An unoffered subprotocol or extension in the 101 fails §4.1 steps 5-6.
  { server: 'picks-unoffered-subprotocol', id: 'handshake.subprotocol.several-unknown', verdict: 'fail', reasonCode: 'handshake-invalid' },
  { server: 'picks-unoffered-subprotocol', id: 'handshake.subprotocol.none-offered', verdict: 'fail', reasonCode: 'handshake-invalid' },
  { server: 'answers-extension-not-offered', id: 'handshake.extensions.none-offered', verdict: 'fail', reasonCode: 'handshake-invalid' },
  { server: 'answers-extension-not-offered', id: 'handshake.extensions.unknown-not-accepted', verdict: 'fail', reasonCode: 'handshake-invalid' },
];

const servers: RunningBrokenServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function start(row: Row): Promise<RunningBrokenServer> {
  const opts = row.serverOptions ?? {};
  const s = row.server === 'conformant'
    ? await startBrokenServer(null, opts)
    : row.server.startsWith('lenient:')
      ? await startLenientServer(row.server.slice('lenient:'.length) as LenientBehaviour, opts)
      : await startBrokenServer(row.server as BrokenFault, opts);
  servers.push(s);
  return s;
}

async function runRow(row: Row): Promise<CaseResult> {
  const c = CATALOGUE.find((x) => x.id === row.id);
  if (c === undefined) throw new Error(`no case ${row.id}`);
  const server = await start(row);
  const protocols = row.protocols !== undefined ? { protocols: row.protocols } : {};
  // Short budgets: a lenient server never echoes the frame sent before its 101, so that case waits to its deadline.
  return runCase(c, { url: new URL(server.url), cases: [], timeoutScale: 0.3, graceMs: 500, handshakeDefaults: protocols, caseOptions: protocols as CaseOptions }, 0x5eed);
}

const label = (r: Row): string => `${r.server}${r.protocols ? ` --protocol ${r.protocols.join(',')}` : ''}${r.serverOptions ? ' (speaks no subprotocol)' : ''}: ${r.id}`;

describe('issue 12 handshake rulings: allowed behaviour beside the broken MUST', () => {
  it.concurrent.each(ROWS.map((r) => [label(r), r] as const))('%s', async (_name, row) => {
    const r = await runRow(row);
    const summary = `${r.verdict} (${r.reasonCode}) ${r.reason}`;
    expect(r.verdict, summary).toBe(row.verdict);
    if (row.reasonCode !== undefined) expect(r.reasonCode, summary).toBe(row.reasonCode);
    for (const [name, value] of Object.entries(row.metrics ?? {})) expect(r.metrics?.[name], `${name}: ${summary}`).toBe(value);
    if (row.verdict === 'fail' || row.verdict === 'non-strict') expect(r.reason).toMatch(/RFC 6455 §|§\d/);
  }, 30_000);
});
