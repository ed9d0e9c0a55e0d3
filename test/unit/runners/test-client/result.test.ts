// The RunResult of a client run: one per agent, not-run cases and their run-level finding, the client's own reports
// in metrics and transcript, and several agents merged side by side with their names as column labels.
import { describe, expect, it } from 'vitest';
import { validateRunResult } from '../../../../reports/validate.js';
import { agentResult, mergeAgents, withClientReport, type ResultMeta } from '../../../../runners/test-client/result.js';
import { parseReport } from '../../../../runners/test-client/server.js';
import { RunState } from '../../../../runners/test-client/state.js';
import type { CaseResult } from '../../../../reports/schema.js';
import { defineClientCase, type ClientCase } from '../../../../suites/client/define.js';

const mk = (id: string): ClientCase => defineClientCase({ id, title: id, rfc: ['5.1'], autobahn: ['1.1.1'], expect: { kind: 'request' }, run: async () => undefined });
const CASES = [mk('framing.text.small'), mk('close.basic.normal')];
const graded = (id: string, verdict: 'pass' | 'fail'): CaseResult => ({
  id,
  title: id,
  area: id.split('.')[0]!,
  rfc: ['5.1'],
  autobahn: ['1.1.1'],
  verdict,
  reasonCode: verdict === 'pass' ? 'ok' : 'no-echo',
  reason: verdict === 'pass' ? 'ok' : 'RFC 6455 §5.1: text never arrived',
  expected: '',
  observed: '',
  durationMs: 3,
  transcript: [{ t: 1, dir: 'out', kind: 'frame', opcode: 1 }],
});

const meta: ResultMeta = {
  url: 'ws://127.0.0.1:9001',
  startedAt: '2025-01-01T00:00:00.000Z',
  durationMs: 10,
  interrupted: false,
  toolVersion: '0.1.0',
  drivers: new Map([['ws', 'ws']]),
  baseSeed: 7,
  options: {},
  notRunWhy: () => 'not run: the client did not run this case within the run timeout (600 s)',
};

describe('client run results', () => {
  it('a case the agent ran keeps its grade; one it never ran is not-run, stated once as a run-level finding', () => {
    const s = new RunState(CASES, ['ws']);
    s.begin('ws', 'framing.text.small');
    s.record('ws', graded('framing.text.small', 'pass'));
    const r = agentResult(s, 'ws', meta);
    expect(r).toMatchObject({ kind: 'conformance', role: 'client', client: { agent: 'ws', driver: 'ws', url: 'ws://127.0.0.1:9001' }, target: { url: 'ws://127.0.0.1:9001/?agent=ws' } });
    expect(r.cases.map((c) => c.verdict)).toEqual(['pass', 'not-run']);
    expect(r.findings).toEqual([expect.objectContaining({ scope: 'run', cases: ['close.basic.normal'] })]);
    expect(r.findings![0]!.cause).toMatch(/^the client ran 1 of 2 cases; the client did not run the others within the run timeout/);
    expect(validateRunResult(r, { strict: true })).toEqual([]);
  });

  it("adds the client's own account of the end to metrics and as a transcript note", () => {
    const c = withClientReport(graded('a.b', 'pass'), { code: 1006, reason: '', wasClean: false, error: 'error event' });
    expect(c.metrics).toEqual({ 'client-close-code': 1006, 'client-was-clean': 0 });
    expect(c.transcript.at(-1)).toMatchObject({ dir: 'local', kind: 'note', text: 'client reported close event code 1006, wasClean false; error: error event' });
    expect(withClientReport(graded('a.b', 'pass'), undefined).metrics).toBeUndefined();
  });

  it('merges agents side by side, labelled with their names, run-level findings in their own column', () => {
    const s = new RunState(CASES, ['ws', 'chromium']);
    for (const id of ['framing.text.small', 'close.basic.normal']) {
      s.begin('ws', id);
      s.record('ws', graded(id, 'pass'));
    }
    s.begin('chromium', 'framing.text.small');
    s.record('chromium', graded('framing.text.small', 'fail'));
    const agents = s.agentNames();
    const merged = mergeAgents(agents.map((a) => agentResult(s, a, meta)), agents, meta.url);
    expect(merged.targets?.map((t) => t.label)).toEqual(['ws', 'chromium']);
    expect(merged.cases[0]!.outcomes?.map((o) => o.verdict)).toEqual(['pass', 'fail']);
    expect(merged.findings).toEqual([expect.objectContaining({ scope: 'run', target: 'chromium', cases: ['close.basic.normal'] })]);
    expect(merged).toMatchObject({ role: 'client', client: { url: meta.url }, target: { url: meta.url } });
    expect(validateRunResult(merged, { strict: true })).toEqual([]);
  });

  it('reads a browser report leniently: known fields with the right types only', () => {
    const enc = (x: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(x));
    expect(parseReport(enc({ code: 1000, reason: 'bye', wasClean: true, extra: 1 }))).toEqual({ code: 1000, reason: 'bye', wasClean: true });
    expect(parseReport(enc({ code: '1000', wasClean: 'yes', error: '' }))).toEqual({});
    expect(parseReport(enc([1]))).toBeNull();
    expect(parseReport(new TextEncoder().encode('{'))).toBeNull();
  });
});
