// The run-level findings of a conformance run: problems of the target as a whole, stated once and first (the
// target died during a case, its 101 is invalid for every connection, it never closes TCP). The report writers
// group the other failing cases by cause (reports/findings.ts); a case listed here is not listed again.
import { VERDICT_SEVERITY, type CaseResult, type Finding } from '../../reports/schema.js';
import type { HandshakeProblem } from './preflight.js';
import type { CloseKind, TcpClosePattern } from './close-watch.js';

function runFinding(key: string, reasonCode: string, cause: string, cases: readonly CaseResult[]): Finding | null {
  if (cases.length === 0) return null;
  const worst = cases.reduce((w, c) => (VERDICT_SEVERITY[c.verdict] > VERDICT_SEVERITY[w.verdict] ? c : w));
  return { key, scope: 'run', verdict: worst.verdict, reasonCode, cause, cases: cases.map((c) => c.id) };
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

export function handshakeFinding(problem: HandshakeProblem, results: readonly CaseResult[]): Finding | null {
  const notRun = results.filter((c) => c.reasonCode === 'handshake-broken');
  const cause = `${problem.message}: no connection opens, so ${plural(notRun.length, 'case')} that need${notRun.length === 1 ? 's' : ''} one ${notRun.length === 1 ? 'was' : 'were'} not run (the handshake cases were graded)`;
  return runFinding(`run|handshake-broken|${problem.id}`, 'handshake-broken', cause, notRun);
}

export interface DeathReport {
  /** The case whose connect was refused first. */
  refusedAt: string;
  suspects: string[];
  /** With --restart-cmd: the suspects that, run alone against the restarted target, left it dead. */
  killers?: string[];
  /** With --restart-cmd: why confirming stopped early. */
  restartError?: string;
}

export function deathFinding(d: DeathReport, results: readonly CaseResult[]): Finding | null {
  const notRun = results.filter((c) => c.reasonCode === 'target-died');
  const lost = `${plural(notRun.length, 'case')} not started ${notRun.length === 1 ? 'was' : 'were'} not run`;
  const list = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.join(', '));
  let cause: string;
  let named: string[];
  if (d.killers && d.killers.length > 0) {
    named = d.killers;
    const which = d.killers.length === 1 ? `case ${d.killers[0]}` : `cases ${d.killers.slice(0, -1).join(', ')} and ${d.killers.at(-1)}`;
    cause = `the target died during ${which}: run alone against the restarted target, it stopped accepting connections afterwards; ${lost}`;
  } else if (d.killers && d.restartError === undefined) {
    named = d.suspects;
    cause = `the target stopped accepting connections (first refused for ${d.refusedAt}), but none of the cases in flight (${list(d.suspects)}) killed it when re-run alone against the restarted target; ${lost}`;
  } else if (d.suspects.length === 1 && d.restartError === undefined) {
    named = d.suspects;
    cause = `the target died during case ${d.suspects[0]} (the only case in flight when it stopped accepting connections); ${lost}`;
  } else {
    named = d.suspects;
    const why = d.restartError !== undefined ? `could not confirm which: ${d.restartError}` : 'give --restart-cmd to confirm which';
    cause = `the target died during one of the cases in flight: ${list(d.suspects)} (suspects; ${why}); ${lost}`;
  }
  const cases = [...results.filter((c) => named.includes(c.id)), ...notRun];
  return runFinding('run|target-died', 'target-died', cause, cases);
}

const KIND_TEXT: Record<CloseKind, string> = { answer: 'after answering our close', failure: 'after failing the connection with a close frame' };

export function closeFindings(pattern: TcpClosePattern, results: readonly CaseResult[]): Finding[] {
  const out: Finding[] = [];
  for (const kind of ['answer', 'failure'] as const) {
    if (!pattern.established(kind)) continue;
    const k = pattern.kinds[kind];
    const unclean = results.filter((c) => c.reasonCode === 'unclean-close' && pattern.caseKind.get(c.id) === kind);
    const cause =
      `the target never closes TCP ${KIND_TEXT[kind]} (RFC 6455 §5.5.1: after sending and receiving a close frame an endpoint "MUST close the underlying TCP connection"): ` +
      `after ${plural(k.evidence.length, 'case')} waited their whole budget for it, ${plural(k.shortened.length, 'later case')} waited only ${pattern.shortWaitMs} ms`;
    const f = runFinding(`run|unclean-close|${kind}`, 'unclean-close', cause, unclean);
    if (f) out.push(f);
  }
  return out;
}
