// The one grader: an Observation (what the observer recorded, whoever drove the connection) and an Expectation in,
// a verdict with a stable reason code (reasons.ts) and a human reason citing the RFC out. Conformance cases and fuzz
// properties are both graded here, so a fuzz counterexample and a catalogue failure read alike. Pure: no I/O, no
// clock. docs/verdicts.md explains each rule; this is the only module that assigns verdicts.
import { closeCodeName } from '../../protocol/close.js';
import { opcodeName } from '../../protocol/constants.js';
import { headerValues } from '../../protocol/handshake/head-parser.js';
import type { Observation, ObservedEvent } from '../../peers/raw/observation.js';
import type { Verdict } from '../../reports/schema.js';
import { GIVE_UP_MARK, type Expectation, type HeaderRule } from '../define.js';
import { cite, citedMessage, describeExpectation, describeHeaderRule, describeObservation, describeSteps, formatNumbers, ms } from './describe.js';
import { answers, matchSteps } from './match.js';
import type { ReasonCode } from './reasons.js';

export { REASON_CODES, type ReasonCode } from './reasons.js';
export { describeExpectation, describeObservation, formatNumbers } from './describe.js';

export interface Grade {
  verdict: Verdict;
  reasonCode: ReasonCode;
  reason: string;
  expected: string;
  observed: string;
}

export interface GradeInput {
  expect: Expectation;
  observation: Observation;
  /** The case's RFC sections; the first is cited when a rule has no more specific section. */
  rfc: string[];
  /** The case's budget, for messages about waits. */
  timeoutMs?: number;
}

// ---- Grading ----

/** wsprobe could not run the case (a script threw, our side of a connect failed): never the target's fault. */
export function harnessError(reason: string, expected = '', observed = ''): Grade {
  return { verdict: 'error', reasonCode: 'harness-error', reason, expected, observed };
}

/** The target stopped accepting connections in the middle of a run: the case could not reach it. */
export function unreachable(reason: string, expected: string, observed: string): Grade {
  return { verdict: 'fail', reasonCode: 'unreachable', reason, expected, observed };
}

/** A fuzz suite whose every generated case was graded pass or non-strict. */
export function held(reason: string, expected: string, observed: string): Grade {
  return { verdict: 'pass', reasonCode: 'ok', reason, expected, observed };
}

function result(verdict: Verdict, reasonCode: ReasonCode, reason: string, input: GradeInput): Grade {
  return { verdict, reasonCode, reason, expected: describeExpectation(input.expect), observed: describeObservation(input.observation) };
}

/** Frames that break the RFC, in any case: a server's frames must themselves be valid. */
function invalidFrames(input: GradeInput): Grade | null {
  const v = input.observation.events.find((e) => e.kind === 'violation');
  if (!v || v.kind !== 'violation') return null;
  if (v.violation.id === 'masked-server-frame') {
    return result('fail', 'masked-frame', `${cite('5.1')}: "A server MUST NOT mask any frames that it sends to the client"; the target sent a masked ${opcodeName(v.opcode ?? 0)} frame`, input);
  }
  if (v.violation.id === 'frame-too-big') {
    return result('fail', 'unexpected-frame', `the target sent a frame larger than the raw peer records: ${v.violation.message}`, input);
  }
  return result('fail', 'invalid-frame', `the target sent an invalid frame: ${v.violation.message}`, input);
}

export function grade(input: GradeInput): Grade {
  const { expect: e, observation: obs } = input;
  if (e.kind === 'handshake') {
    const g = gradeHandshake(e, input);
    if (g.verdict === 'fail' || g.verdict === 'error' || !e.requireMetrics) return g;
    for (const rule of e.requireMetrics) {
      const value = obs.metrics[rule.name];
      if (value !== rule.equals) {
        return result('fail', 'metric', `${rule.why} (${rule.name} = ${value === undefined ? 'not recorded' : value}, expected ${rule.equals})`, input);
      }
    }
    return g;
  }
  if (e.kind === 'negotiated') return gradeNegotiated(e, input);
  if (e.kind === 'informational') return gradeInformational(e, input);
  const hs = obs.handshake;
  if (hs && !hs.ok) {
    if (hs.status !== undefined && hs.status !== 101) {
      return result('fail', 'handshake-status', `${cite('4.2.2')}: a correct opening handshake got status ${hs.status}${hs.head?.statusText ? ` ${hs.head.statusText}` : ''}, not 101`, input);
    }
    if (hs.failure === 'timeout') return result('fail', 'timeout', `${cite('4.2.2')}: no handshake response before the deadline`, input);
    if (hs.failure !== undefined) return result('fail', 'handshake-status', `${cite('4.2.2')}: no valid handshake response (${hs.failure}${hs.detail ? `: ${hs.detail}` : ''})`, input);
    return result('fail', 'handshake-invalid', hs.rejection ? citedMessage(hs.rejection.rfc, hs.rejection.message) : 'the 101 response is invalid', input);
  }
  switch (e.kind) {
    case 'behave':
      return gradeBehave(e, input);
    case 'fail':
      return gradeFail(e, input);
  }
}

function gradeInformational(e: Extract<Expectation, { kind: 'informational' }>, input: GradeInput): Grade {
  let note = e.describe;
  if (e.receive) {
    const m = matchSteps(e.receive, answers(beforeServerClose(input.observation)), false);
    note += m.ok ? ' (expected answers received)' : ` (${m.problem?.detail ?? 'answers differ'})`;
  }
  const bad = invalidFrames(input);
  if (bad) note += `; note: ${bad.reason}`;
  return result('informational', e.reasonCode ?? 'informational', note, input);
}

/** RFC 7692 §5 / RFC 6455 §9.1: a case that needs an extension is unimplemented when the target did not accept it. */
function gradeNegotiated(e: Extract<Expectation, { kind: 'negotiated' }>, input: GradeInput): Grade {
  const hs = input.observation.handshake;
  if (hs?.ok && !(hs.extensions ?? []).some((x) => x.name === e.extension)) {
    return result('unimplemented', 'not-negotiated', `${cite('9.1')}: the target did not accept the ${e.extension} offer, so this case does not apply`, input);
  }
  if (e.refusal === 'pass' && hs?.status !== undefined && hs.status >= 400 && hs.status < 500) {
    return result('pass', 'ok', `RFC 7692 §5: the target refused the handshake (status ${hs.status}) instead of accepting an offer it must decline`, input);
  }
  return { ...grade({ ...input, expect: e.then }), expected: describeExpectation(e) };
}

/** Events the target sent before its close frame (frames after it are violations, reported separately). */
function beforeServerClose(obs: Observation): ObservedEvent[] {
  const i = obs.events.findIndex((ev) => ev.kind === 'close');
  return i === -1 ? obs.events : obs.events.slice(0, i);
}

/** When the target failed or closed on its own: its close frame or TCP end, if before any close of ours. */
function targetInitiatedEnd(obs: Observation): { t: number; code: number | null | undefined; how: 'close' | 'tcp' } | null {
  const ourClose = obs.closeSent && !obs.closeSent.auto ? obs.closeSent.t : Infinity;
  if (obs.closeReceived && obs.closeReceived.t <= ourClose) return { t: obs.closeReceived.t, code: obs.closeReceived.code, how: 'close' };
  if (!obs.closeReceived && obs.tcpEnd && obs.tcpEnd.kind !== 'client-drop' && obs.tcpEnd.t <= ourClose) return { t: obs.tcpEnd.t, code: undefined, how: 'tcp' };
  return null;
}

function gradeBehave(e: Extract<Expectation, { kind: 'behave' }>, input: GradeInput): Grade {
  const obs = input.observation;
  const bad = invalidFrames(input);
  if (bad) return bad;
  const rfc = input.rfc[0] ?? '5';
  const got = answers(beforeServerClose(obs));
  const early = targetInitiatedEnd(obs);
  const m = matchSteps(e.receive, got, true);
  if (m.problem) return result('fail', m.problem.code, `${cite(rfc)}: ${m.problem.detail}`, input);
  // The target's own end, or its close crossing ours (sent at once), at a point where it may fail.
  const end = early ?? crossedEnd(e, obs);
  const allowed = end !== null ? allowedFailure(e, end) : null;
  if (allowed !== null) return gradeAllowedFailure(allowed, end!, input);
  let soft: Grade | null = null;
  if (!m.ok) {
    const missing = `${describeSteps(m.missing)} never arrived (received ${m.matched} of ${e.receive.length})`;
    if (early && early.how === 'close' && early.code != null && (e.limitCodes ?? []).includes(early.code)) {
      if (!obs.tcpEnd || obs.tcpEnd.kind === 'client-drop') {
        return result('fail', 'unclean-close', `${cite('5.5.1')}: the target refused with close ${early.code} but kept TCP open until we dropped it`, input);
      }
      return result('non-strict', 'limit-reached', `${cite('7.4.1')}: the target refused a legal message with close ${early.code} (${closeCodeName(early.code)}), a resource limit of its own; ${missing}`, input);
    }
    if (early) {
      const how = early.how === 'close' ? `sent close ${early.code ?? '(no code)'}` : `closed TCP (${obs.tcpEnd?.kind})`;
      return result('fail', 'unexpected-close', `${cite(rfc)}: the target ${how} at ${ms(early.t)} instead of answering; ${missing}`, input);
    }
    // Our close went out right behind the data, with no wait between: a target may answer the close at once and
    // discard echoes its application had not sent yet (Autobahn 7.1.6 records it, never fails it). A pong is no
    // such choice: §5.5.2 asks for it for every ping received before the close frame.
    const unawaited = obs.closeSent?.unawaited ?? 0;
    const echoesOnly = m.missing.every((st) => st.type !== 'pong');
    if (!e.open && obs.closeReceived && echoesOnly && m.missing.length <= unawaited) {
      soft = result('non-strict', 'close-before-echo', `${cite('5.5.1')}: the target answered our close, sent right behind it, without echoing ${describeSteps(m.missing)} first (allowed: the close was already on its way; a target should answer data it received before the close)`, input);
    } else {
      return result('fail', obs.timedOut ? 'timeout' : 'no-echo', `${cite(rfc)}: ${missing}${obs.timedOut ? ' before the case deadline' : ''}`, input);
    }
  }
  if (early) {
    const how = early.how === 'close' ? `sent close ${early.code ?? '(no code)'}` : `closed TCP (${obs.tcpEnd?.kind}) without a close frame`;
    return result('fail', 'unexpected-close', `${cite(e.open ? rfc : '7.1.2')}: the target ${how} at ${ms(early.t)}, ${e.open ? 'although everything it received was valid' : 'before our close'}`, input);
  }
  if (e.open) return result('pass', 'ok', `${cite(rfc)}: every answer so far as expected, connection open`, input);
  const closing = gradeClosingHandshake(e, input);
  return closing ?? soft ?? result('pass', 'ok', `${cite(rfc)}: as expected`, input);
}

/** Our close answered with an allowed code and TCP closed by the target (RFC 6455 §5.5.1, §7.1.1); null when so. */
function gradeClosingHandshake(e: Extract<Expectation, { kind: 'behave' }>, input: GradeInput): Grade | null {
  const obs = input.observation;
  const rule = e.close ?? { codes: [1000] };
  if (!obs.closeSent) return result('error', 'harness-error', 'the case script never started the closing handshake', input);
  if (!obs.closeReceived) {
    if (obs.tcpEnd && obs.tcpEnd.kind !== 'client-drop') {
      return result('fail', 'no-close', `${cite('5.5.1')}: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response"; TCP ${obs.tcpEnd.kind} came instead`, input);
    }
    return result('fail', 'no-close', `${cite('5.5.1')}: the target never answered our close frame`, input);
  }
  const code = obs.closeReceived.code;
  if (code === null ? rule.allowNoCode === false : !rule.codes.includes(code)) {
    return result('fail', 'wrong-code', `${cite('7.4.1')}: the target answered our close with ${code === null ? 'no code' : `${code} (${closeCodeName(code)})`}, expected ${rule.codes.join(' or ')}`, input);
  }
  if (obs.tcpEnd?.kind === 'client-drop' || !obs.tcpEnd) {
    return result('fail', 'unclean-close', `${cite('5.5.1')}: after sending and receiving a close frame an endpoint "MUST close the underlying TCP connection" (and §7.1.1: the server first); the target kept TCP open until we dropped it`, input);
  }
  return null;
}

type TargetEnd = { t: number; code: number | null | undefined; how: 'close' | 'tcp' };

/** After our close: a close frame that is no answer the rule allows, or TCP ended without a close frame. */
function crossedEnd(e: Extract<Expectation, { kind: 'behave' }>, obs: Observation): TargetEnd | null {
  const rule = e.close ?? { codes: [1000] };
  const c = obs.closeReceived;
  if (c) return (c.code === null ? rule.allowNoCode === false : !rule.codes.includes(c.code)) ? { t: c.t, code: c.code, how: 'close' } : null;
  if (obs.tcpEnd && obs.tcpEnd.kind !== 'client-drop') return { t: obs.tcpEnd.t, code: undefined, how: 'tcp' };
  return null;
}

/** The `mayFail` point whose codes the target's own close used (a TCP drop matches any: §7.1.7 "SHOULD"). */
function allowedFailure(e: Extract<Expectation, { kind: 'behave' }>, end: TargetEnd): { codes: number[]; why: string } | null {
  for (const f of e.mayFail ?? []) if (end.how === 'tcp' || (end.code != null && f.codes.includes(end.code))) return f;
  return null;
}

function gradeAllowedFailure(f: { codes: number[]; why: string }, end: TargetEnd, input: GradeInput): Grade {
  const obs = input.observation;
  if (end.how === 'close' && (!obs.tcpEnd || obs.tcpEnd.kind === 'client-drop')) {
    return result('fail', 'unclean-close', `${cite('5.5.1')}: the target failed the connection with close ${end.code} but kept TCP open until we dropped it`, input);
  }
  const how = end.how === 'close' ? `close ${end.code}` : `closing TCP (${obs.tcpEnd?.kind})`;
  return result('pass', 'allowed-fail', `the target failed the connection with ${how} where it may: ${f.why}`, input);
}

/**
 * When the target failed the connection: its close frame or TCP end (not our drop), before the script gave up
 * waiting (GIVE_UP_MARK, set by awaitFailure just before it closes with 1000). A close frame the target sends in
 * answer to an invalid close of ours is its failure too, so our own close frames do not end the window.
 */
function targetFailure(obs: Observation): { t: number; code: number | null | undefined; how: 'close' | 'tcp' } | null {
  const giveUp = obs.marks.find((mk) => mk.name === GIVE_UP_MARK)?.t ?? Infinity;
  if (obs.closeReceived) return obs.closeReceived.t < giveUp ? { t: obs.closeReceived.t, code: obs.closeReceived.code, how: 'close' } : null;
  if (obs.tcpEnd && obs.tcpEnd.kind !== 'client-drop' && obs.tcpEnd.t < giveUp) return { t: obs.tcpEnd.t, code: undefined, how: 'tcp' };
  return null;
}

function gradeFail(e: Extract<Expectation, { kind: 'fail' }>, input: GradeInput): Grade {
  const obs = input.observation;
  const bad = invalidFrames(input);
  if (bad) return bad;
  const rfc = input.rfc[0] ?? '5';
  const before = e.before ?? [];
  const failure = targetFailure(obs);
  // Only what arrived before the target failed (or before we gave up waiting) counts.
  const cutoff = failure?.t ?? obs.marks.find((mk) => mk.name === GIVE_UP_MARK)?.t ?? Infinity;
  const got = answers(beforeServerClose(obs)).filter((ev) => ev.t <= cutoff);
  const m = matchSteps(before, got, true);
  if (m.problem) {
    const code = m.problem.code === 'unexpected-frame' ? 'unexpected-frame' : 'wrong-echo';
    const detail = code === 'unexpected-frame' ? `${m.problem.detail}: the target processed the invalid data instead of failing the connection` : m.problem.detail;
    return result('fail', code, `${cite(rfc)}: ${detail}`, input);
  }
  if (!failure) {
    const what = obs.closeReceived
      ? `it only answered our close (${obs.closeReceived.code ?? 'no code'}) after we stopped waiting`
      : obs.tcpEnd?.kind === 'client-drop'
        ? 'it kept the connection open until we dropped it'
        : 'it kept the connection open';
    return result('fail', 'not-failed', `${cite(rfc)}: the target did not _Fail the WebSocket Connection_ (§7.1.7); ${what}`, input);
  }
  if (failure.how === 'close') {
    if (failure.code === null || failure.code === undefined || !e.codes.includes(failure.code)) {
      return result('fail', 'wrong-code', `${cite('7.4.1')}: the target failed the connection with ${failure.code == null ? 'no code' : `${failure.code} (${closeCodeName(failure.code)})`}, expected ${e.codes.join(' or ')}`, input);
    }
    if (!obs.tcpEnd || obs.tcpEnd.kind === 'client-drop') {
      return result('fail', 'unclean-close', `${cite('5.5.1')}: after the closing handshake the target "MUST close the underlying TCP connection" (§7.1.1: the server first); it kept TCP open until we dropped it`, input);
    }
  } else if (e.allowDrop === false) {
    return result('fail', 'no-close', `${cite('7.1.7')}: the target closed TCP without a close frame; this case expects close ${e.codes.join(' or ')}`, input);
  }
  if (!m.ok) {
    return result('non-strict', 'early-fail', `${cite(rfc)}: the target failed the connection before echoing the valid ${describeSteps(m.missing)} sent ahead of the invalid data (allowed, but not strict: it should process frames in order)`, input);
  }
  if (e.failBy) {
    const mark = obs.marks.find((mk) => mk.name === e.failBy);
    if (mark && failure.t > mark.t) {
      return result('non-strict', 'late-fail', `${cite(rfc)}: the target failed only after the rest of the message was sent (at ${ms(failure.t)}, the rest went out at ${ms(mark.t)}); §8.1 asks to fail as soon as the invalid data arrives`, input);
    }
  }
  const how = failure.how === 'close' ? `close ${failure.code}` : `closing TCP (${obs.tcpEnd?.kind})`;
  return result('pass', 'ok', `${cite(rfc)}: failed the connection with ${how} as expected`, input);
}

function headerOk(values: string[], r: HeaderRule): boolean {
  if (values.length === 0) return false;
  const joined = values.join(', ');
  if (r.equals !== undefined && joined !== r.equals) return false;
  if (r.hasToken !== undefined && !joined.split(',').some((t) => t.trim().toLowerCase() === r.hasToken!.toLowerCase())) return false;
  if (r.matches !== undefined && !r.matches.test(joined)) return false;
  return true;
}

function statusMatches(status: number, s: number[] | 'reject'): boolean {
  return s === 'reject' ? status !== 101 : s.includes(status);
}

function gradeHandshake(e: Extract<Expectation, { kind: 'handshake' }>, input: GradeInput): Grade {
  const obs = input.observation;
  const hs = obs.handshake;
  const rfc = input.rfc[0] ?? '4';
  if (!hs) return result('error', 'harness-error', 'no handshake was sent', input);
  if (hs.status === undefined) {
    if (hs.failure === 'closed' && e.allowDrop && e.status === 'reject') {
      return result('pass', 'ok', `${cite(rfc)}: the target refused the handshake by closing TCP`, input);
    }
    if (hs.failure === 'timeout') return result('fail', 'timeout', `${cite(rfc)}: no response to the handshake before the deadline`, input);
    return result('fail', 'handshake-status', `${cite(rfc)}: no valid response head (${hs.failure ?? 'none'}${hs.detail ? `: ${hs.detail}` : ''})`, input);
  }
  const status = hs.status;
  let verdict: Verdict = 'pass';
  let nonStrictWhy = '';
  if (!statusMatches(status, e.status)) {
    const alternative = [e.nonStrict ?? []].flat().find((n) => statusMatches(status, n.status));
    if (alternative) {
      verdict = 'non-strict';
      nonStrictWhy = alternative.why;
    } else {
      const want = e.status === 'reject' ? 'a refusal (not 101)' : formatNumbers(e.status);
      return result('fail', 'handshake-status', `${cite(rfc)}: status ${status}, expected ${want}`, input);
    }
  }
  if (status === 101 && !hs.ok) {
    return result('fail', 'handshake-invalid', hs.rejection ? citedMessage(hs.rejection.rfc, hs.rejection.message) : `${cite('4.1')}: invalid 101 response`, input);
  }
  const head = hs.head;
  // Header rules belong to the expected statuses; a non-strict alternative is judged by its status alone.
  if (head && verdict === 'pass') {
    for (const r of e.requireHeaders ?? []) {
      const values = headerValues(head, r.name);
      if (!headerOk(values, r)) {
        const got = values.length === 0 ? 'missing' : JSON.stringify(values.join(', '));
        return result('fail', 'handshake-header', `${cite(rfc)}: expected ${describeHeaderRule(r)}, got ${got}`, input);
      }
    }
    for (const name of e.forbidHeaders ?? []) {
      const values = headerValues(head, name);
      if (values.length > 0) return result('fail', 'handshake-header', `${cite(rfc)}: the response must not carry ${name} (got ${JSON.stringify(values.join(', '))})`, input);
    }
  }
  if (status === 101 && e.then) {
    const inner = grade({ ...input, expect: e.then });
    if (inner.verdict !== 'pass' || verdict === 'pass') return { ...inner, expected: describeExpectation(e) };
  } else if (status === 101) {
    const bad = invalidFrames(input);
    if (bad) return bad;
  }
  if (verdict === 'non-strict') return result('non-strict', 'handshake-status', `${cite(rfc)}: status ${status}: ${nonStrictWhy}`, input);
  return result('pass', 'ok', `${cite(rfc)}: status ${status} as expected`, input);
}
