// The RunResult of a client run: one per agent (kind 'conformance', role 'client', so every writer, merge and
// compare work unchanged), cases in the selected order, a case the agent never ran `not-run`. What a driver reported
// about each case's end (the client's close code, wasClean, errors) is added to that case's metrics and transcript;
// it is what the client said, not what the grader judged. Several agents merge side by side (reports/merge.ts), one
// column per agent.
import { mergeRuns } from '../../reports/merge.js';
import { SCHEMA_ID, summarize, type CaseResult, type Finding, type RunResult } from '../../reports/schema.js';
import type { ClientCase } from '../../suites/client/define.js';
import { describeClientExpectation } from '../../suites/grade/client.js';
import { notRun } from '../../suites/grade/grade.js';
import { clientCaseBase, type ClientCaseOptions } from './run-case.js';
import type { ClientReport, RunState } from './state.js';

export interface ResultMeta extends ClientCaseOptions {
  /** ws://host:port of the run. */
  url: string;
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  toolVersion: string;
  /** Agent -> the driver that ran it (agents of external clients have none). */
  drivers: ReadonlyMap<string, string>;
  options: Record<string, unknown>;
  /** Why cases were not run: the run timed out, was interrupted, or the agent stopped early. */
  notRunWhy: (agent: string) => string;
}

/** The URL a result names as its target: the server's, with the agent, so agents stay apart when merged. */
export function agentUrl(url: string, agent: string): string {
  const u = new URL(url);
  u.searchParams.set('agent', agent);
  return u.href;
}

/** A case the agent never ran. */
export function notRunResult(c: ClientCase, opts: ClientCaseOptions, why: string): CaseResult {
  let expected = '';
  // A case whose expectation depends on the request cannot say it without one.
  if (typeof c.expect !== 'function') expected = describeClientExpectation(c.expect);
  // The grader has no reason code of its own for "the client never ran it": the nearest is the target's absence.
  return { ...clientCaseBase(c, opts), ...notRun('client-not-run', why, expected), durationMs: 0, transcript: [] };
}

/** The client's own account of the case's end, in the case's metrics and as a note at the end of its transcript. */
export function withClientReport(r: CaseResult, report: ClientReport | undefined): CaseResult {
  if (report === undefined) return r;
  const metrics: Record<string, number> = { ...(r.metrics ?? {}) };
  if (report.code !== undefined) metrics['client-close-code'] = report.code;
  if (report.wasClean !== undefined) metrics['client-was-clean'] = report.wasClean ? 1 : 0;
  const parts: string[] = [];
  if (report.code !== undefined) parts.push(`close event code ${report.code}${report.reason ? ` reason ${JSON.stringify(report.reason)}` : ''}${report.wasClean !== undefined ? `, wasClean ${report.wasClean}` : ''}`);
  if (report.error !== undefined) parts.push(`error: ${report.error}`);
  const t = r.transcript.length > 0 ? r.transcript[r.transcript.length - 1]!.t : 0;
  const out: CaseResult = { ...r, transcript: parts.length > 0 ? [...r.transcript, { t, dir: 'local', kind: 'note', text: `client reported ${parts.join('; ')}` }] : r.transcript };
  if (Object.keys(metrics).length > 0) out.metrics = metrics;
  return out;
}

export function agentResult(state: RunState, agent: string, meta: ResultMeta): RunResult {
  const cases = state.cases.map((c) => {
    const r = state.resultOf(agent, c.id);
    return r === undefined ? notRunResult(c, meta, meta.notRunWhy(agent)) : withClientReport(r, state.reportOf(agent, c.id));
  });
  const driver = meta.drivers.get(agent);
  const unrun = cases.filter((c) => state.resultOf(agent, c.id) === undefined);
  // A client that did not run every case is a finding of the run (it stopped, or never connected): stated once.
  const findings: Finding[] =
    unrun.length === 0
      ? []
      : [{ key: 'run|client-not-run', scope: 'run', verdict: unrun[0]!.verdict, reasonCode: unrun[0]!.reasonCode, cause: `the client ran ${cases.length - unrun.length} of ${cases.length} cases; ${meta.notRunWhy(agent).replace(/^not run: /, '').replace(/this case/, 'the others')}`, cases: unrun.map((c) => c.id) }];
  return {
    schema: SCHEMA_ID,
    kind: 'conformance',
    role: 'client',
    client: { agent, ...(driver !== undefined ? { driver } : {}), url: meta.url },
    tool: { name: 'wsprobe', version: meta.toolVersion },
    target: { url: agentUrl(meta.url, agent) },
    startedAt: meta.startedAt,
    durationMs: meta.durationMs,
    interrupted: meta.interrupted,
    summary: summarize(cases),
    cases,
    ...(findings.length > 0 ? { findings } : {}),
    options: { ...meta.options, seed: meta.baseSeed, casesSelected: state.cases.length },
  };
}

/** Several agents side by side: one column each, labelled with the agent's name. */
export function mergeAgents(results: readonly RunResult[], agents: readonly string[], url: string): RunResult {
  if (results.length === 1) return results[0]!;
  const merged = mergeRuns(results);
  const targets = (merged.targets ?? []).map((t, i) => ({ ...t, label: agents[i] ?? t.label ?? t.url }));
  // Run-level findings belong to their agent's column (merge labels columns by host, the same for every agent).
  const findings = results.flatMap((r, i) => (r.findings ?? []).filter((f) => f.scope === 'run').map((f) => ({ ...f, target: targets[i]?.label ?? agents[i]! })));
  const { findings: _old, ...rest } = merged;
  return { ...rest, role: 'client', client: { url }, target: { url }, targets, ...(findings.length > 0 ? { findings } : {}) };
}
