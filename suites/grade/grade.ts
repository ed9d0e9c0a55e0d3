// The one grader: an Observation (what the observer recorded, whoever drove the connection) and an Expectation in,
// a verdict with a stable reason code (reasons.ts) and a human reason citing the RFC out. Conformance cases and fuzz
// properties are both graded here, so a fuzz counterexample and a catalogue failure read alike. Pure: no I/O, no
// clock. docs/verdicts.md explains each rule; this is the only module that assigns verdicts.
import { closeCodeName } from '../../protocol/close.js';
import { opcodeName } from '../../protocol/constants.js';
import { headerValues } from '../../protocol/handshake/head-parser.js';
import type { Observation, ObservedEvent } from '../../peers/raw/observation.js';
import type { Verdict } from '../../reports/schema.js';
import { GIVE_UP_MARK, type Expectation, type HeaderRule, type Step } from '../define.js';
import { cite, citedMessage, describeExpectation, describeHeaderRule, describeObservation, describeSteps, formatNumbers, ms } from './describe.js';
import { answers, isAnswerTo, matchSteps } from './match.js';
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
  /**
   * Whether the target echoes (default true). false: an application server; the messages it sends are still
   * validated (invalidFrames) but never matched as answers nor `unexpected-frame` (they are the application's own);
   * pongs still are. A case whose expectation needs an echo is not run at all (needsEcho, decided by the runner).
   */
  echo?: boolean;
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

/** The case could not run (no connection opens, the target died before its turn): not graded, never a pass. */
export function notRun(reasonCode: 'handshake-broken' | 'target-died' | 'needs-echo' | 'client-not-run', reason: string, expected = ''): Grade {
  return { verdict: 'not-run', reasonCode, reason, expected, observed: '' };
}

/** A fuzz suite whose every generated case was graded pass or non-strict. */
export function held(reason: string, expected: string, observed: string): Grade {
  return { verdict: 'pass', reasonCode: 'ok', reason, expected, observed };
}

function result(verdict: Verdict, reasonCode: ReasonCode, reason: string, input: GradeInput): Grade {
  return { verdict, reasonCode, reason, expected: describeExpectation(input.expect), observed: describeObservation(input.observation) };
}

/** Frames that break the RFC, in any case: a server's (or, in client cases, a client's) frames must be valid. */
function invalidFrames(input: GradeInput): Grade | null {
  const v = input.observation.events.find((e) => e.kind === 'violation');
  if (!v || v.kind !== 'violation') return null;
  if (v.violation.id === 'masked-server-frame') {
    return result('fail', 'masked-frame', `${cite('5.1')}: "A server MUST NOT mask any frames that it sends to the client"; the target sent a masked ${opcodeName(v.opcode ?? 0)} frame`, input);
  }
  if (v.violation.id === 'unmasked-client-frame') {
    return result('fail', 'unmasked-frame', `${cite('5.1')}: "a client MUST mask all frames that it sends to the server"; the client sent an unmasked ${opcodeName(v.opcode ?? 0)} frame`, input);
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
    const m = matchSteps(expectedReplies(input, e.receive), replies(input, beforeServerClose(input.observation)), false);
    note += m.ok ? ' (expected answers received)' : ` (${m.problem?.detail ?? 'answers differ'})`;
  }
  const bad = invalidFrames(input);
  if (bad) note += `; note: ${bad.reason}`;
  return result('informational', e.reasonCode ?? 'informational', note, input);
}

/** RFC 7692 §7 / RFC 6455 §9.1: a case that needs an extension is unimplemented when the target did not accept it. */
function gradeNegotiated(e: Extract<Expectation, { kind: 'negotiated' }>, input: GradeInput): Grade {
  const hs = input.observation.handshake;
  if (hs?.ok && !(hs.extensions ?? []).some((x) => x.name === e.extension)) {
    return result('unimplemented', 'not-negotiated', `${cite('9.1')}: the target did not accept the ${e.extension} offer, so this case does not apply`, input);
  }
  if (e.refusal === 'pass' && hs?.status !== undefined && hs.status >= 400 && hs.status < 500) {
    return result('pass', 'ok', `RFC 7692 §7: the target refused the handshake (status ${hs.status}) instead of accepting an offer it must decline`, input);
  }
  const inner = { ...grade({ ...input, expect: e.then }), expected: describeExpectation(e) };
  // An agreement the response reached in a way the RFC allows but does not describe (an offered window of 15
  // left out of the response: the same window) passes the rest of the case, non-strict at most.
  const dev = hs?.deflate?.deviation;
  if (inner.verdict === 'pass' && dev !== undefined) return result('non-strict', 'response-deviation', citedMessage(dev.rfc, dev.message), input);
  return inner;
}

/** The events graded as answers: messages and pongs, or only pongs when the target does not echo. */
function replies(input: GradeInput, events: ObservedEvent[]): ObservedEvent[] {
  const got = answers(events);
  return input.echo === false ? got.filter((ev) => ev.kind === 'pong') : got;
}

/** The steps graded: all, or only pongs when the target does not echo (the runner does not run cases that need more). */
function expectedReplies(input: GradeInput, steps: Step[]): Step[] {
  return input.echo === false ? steps.filter((st) => st.type === 'pong') : steps;
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
  const got = replies(input, beforeServerClose(obs));
  const early = targetInitiatedEnd(obs);
  const m = matchSteps(e.receive, got, true);
  if (m.problem) return result('fail', m.problem.code, `${cite(rfc)}: ${m.problem.detail}`, input);
  // The target's own end, or its close crossing ours (sent at once), at a point where it may fail.
  const end = early ?? crossedEnd(e, obs);
  const allowed = end !== null ? allowedFailure(e, end, early !== null) : null;
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
  return closing ?? soft ?? latePong(e, input) ?? result('pass', 'ok', `${cite(rfc)}: as expected`, input);
}

/**
 * RFC 6455 §5.5.2: a pong "as soon as is practical" (a SHOULD), and §5.4 lets control frames interleave with the
 * fragments of a message: a pong held back until the message's last fragment arrived, when a pause made the
 * delay visible (`pongsBy`), is non-strict.
 */
function latePong(e: Extract<Expectation, { kind: 'behave' }>, input: GradeInput): Grade | null {
  const rule = e.pongsBy;
  const obs = input.observation;
  const mark = rule ? obs.marks.find((mk) => mk.name === rule.mark) : undefined;
  const due = rule ? e.receive.filter((st) => st.type === 'pong')[rule.pings - 1] : undefined;
  if (!mark || !due) return null;
  const pong = answers(obs.events).find((ev) => ev.kind === 'pong' && isAnswerTo(due, ev));
  if (pong && pong.t <= mark.t) return null;
  const when = pong ? `at ${ms(pong.t)}` : 'never before the close';
  return result('non-strict', 'late-pong', `${cite('5.5.2')}: the pong for the ping sent inside the fragmented message came ${when}, only after the rest of the message went out (at ${ms(mark.t)}, after a pause): a pong is due "as soon as is practical", and §5.4 lets control frames "be injected in the middle of a fragmented message"`, input);
}

/** Our close answered with an allowed code and TCP closed by the target (RFC 6455 §5.5.1, §7.1.1); null when so. */
function gradeClosingHandshake(e: Extract<Expectation, { kind: 'behave' }>, input: GradeInput): Grade | null {
  const obs = input.observation;
  const rule = e.close ?? { codes: [1000] };
  if (!obs.closeSent) return result('error', 'harness-error', 'the case script never started the closing handshake', input);
  const tcpClosed = obs.tcpEnd !== null && obs.tcpEnd.kind !== 'client-drop';
  const ours = `our close ${obs.closeSent.code ?? '(no code)'}`;
  if (!obs.closeReceived) {
    if (tcpClosed && rule.refusal) {
      return result('non-strict', 'refused-code', `${cite('7.4.2')}: the target refused ${ours} by closing TCP (${obs.tcpEnd!.kind}) without a close frame: ${rule.refusal.why}`, input);
    }
    if (tcpClosed) {
      return result('fail', 'no-close', `${cite('5.5.1')}: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response"; TCP ${obs.tcpEnd!.kind} came instead`, input);
    }
    return result('fail', 'no-close', `${cite('5.5.1')}: the target never answered our close frame`, input);
  }
  const code = obs.closeReceived.code;
  if (code === null && rule.allowNoCode === false) {
    return result('fail', 'wrong-code', `${cite('7.4.1')}: the target answered our close with no code; this case requires ${rule.codes.join(' or ')}`, input);
  }
  if (!tcpClosed) {
    return result('fail', 'unclean-close', `${cite('5.5.1')}: after sending and receiving a close frame an endpoint "MUST close the underlying TCP connection" (and §7.1.1: the server first); the target kept TCP open until we dropped it`, input);
  }
  if (code === null || rule.codes.includes(code)) return null;
  if (rule.refusal?.codes.includes(code)) {
    return result('non-strict', 'refused-code', `${cite('7.4.2')}: the target refused ${ours} with ${describeCode(code)}: ${rule.refusal.why}`, input);
  }
  return result('non-strict', 'other-code', `${cite('5.5.1')}: the target answered ${ours} with ${describeCode(code)}, expected ${rule.codes.join(' or ')}: allowed (no MUST names the code: "When sending a Close frame in response, the endpoint typically echos the status code it received"), but it misreports why the connection ended`, input);
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

/**
 * The `mayFail` point whose codes the target's close used; else, for a TCP drop, a close without a code, or (before
 * our close) another valid code, the first point: the target failed where it may, the code being its own choice
 * (RFC 6455 §7.1.7: it "SHOULD send a Close frame with an appropriate status code").
 */
function allowedFailure(e: Extract<Expectation, { kind: 'behave' }>, end: TargetEnd, early: boolean): { codes: number[]; why: string } | null {
  const points = e.mayFail ?? [];
  const exact = points.find((f) => end.code != null && f.codes.includes(end.code));
  if (exact) return exact;
  return end.how === 'tcp' || end.code == null || early ? (points[0] ?? null) : null;
}

function gradeAllowedFailure(f: { codes: number[]; why: string }, end: TargetEnd, input: GradeInput): Grade {
  const obs = input.observation;
  if (end.how === 'close' && (!obs.tcpEnd || obs.tcpEnd.kind === 'client-drop')) {
    return result('fail', 'unclean-close', `${cite('5.5.1')}: the target failed the connection with close ${end.code ?? '(no code)'} but kept TCP open until we dropped it`, input);
  }
  if (end.how === 'close' && end.code != null && f.codes.includes(end.code)) {
    return result('pass', 'allowed-fail', `the target failed the connection with close ${end.code} where it may: ${f.why}`, input);
  }
  return failedWithOtherCode(f.codes, end, `where it may (${f.why})`, input);
}

/**
 * A failure whose close code is not the expected one (RFC 6455 §7.1.7: the endpoint "SHOULD send a Close frame
 * with an appropriate status code"; §7.4.1 only defines what each code means, so no MUST names it): a TCP drop or
 * a close without a code is failed-without-close, another valid code other-code, both non-strict. Codes no endpoint
 * may send (1005, 1006, 1015, out of range) never get here: the observer records them as invalid frames.
 */
function failedWithOtherCode(codes: number[], end: TargetEnd, where: string, input: GradeInput): Grade {
  const expected = `expected close ${codes.join(' or ')}`;
  if (end.how === 'tcp' || end.code == null) {
    const how = end.how === 'tcp' ? `by closing TCP (${input.observation.tcpEnd?.kind}) without a close frame` : 'with a close frame without a status code';
    return result('non-strict', 'failed-without-close', `${cite('7.1.7')}: the target failed the connection ${where ? `${where} ` : ''}${how}, ${expected}: allowed, but the endpoint "SHOULD send a Close frame with an appropriate status code"`, input);
  }
  return result('non-strict', 'other-code', `${cite('7.1.7')}: the target failed the connection ${where ? `${where} ` : ''}with ${describeCode(end.code)}, ${expected}: allowed (no MUST names the code; it "SHOULD send a Close frame with an appropriate status code", §7.4.1), but it misreports the reason`, input);
}

const describeCode = (code: number): string => `${code} (${closeCodeName(code)})`;

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
  const before = expectedReplies(input, e.before ?? []);
  const failure = targetFailure(obs);
  // Only what arrived before the target failed (or before we gave up waiting) counts.
  const cutoff = failure?.t ?? obs.marks.find((mk) => mk.name === GIVE_UP_MARK)?.t ?? Infinity;
  const got = replies(input, beforeServerClose(obs)).filter((ev) => ev.t <= cutoff);
  const m = matchSteps(before, got, true);
  if (m.problem) {
    const code = m.problem.code === 'unexpected-frame' ? 'unexpected-frame' : 'wrong-echo';
    const detail = code === 'unexpected-frame' ? `${m.problem.detail}: the target processed the invalid data instead of failing the connection` : m.problem.detail;
    return result('fail', code, `${cite(rfc)}: ${detail}`, input);
  }
  if (!failure) {
    const ours = obs.closeSent && !obs.closeSent.auto ? obs.closeSent : null;
    if (ours && !obs.closeReceived) {
      // Never failed, and then never answered our close either: name the broken MUST the wire shows.
      const tcp = obs.tcpEnd && obs.tcpEnd.kind !== 'client-drop' ? `TCP ${obs.tcpEnd.kind} came instead` : obs.tcpEnd ? 'it kept TCP open until we dropped it' : 'it kept the connection open';
      return result('fail', 'no-close', `${cite(rfc)}: the target did not _Fail the WebSocket Connection_ (§7.1.7) on the invalid data, and when we closed (${ours.code ?? 'no code'}, at ${ms(ours.t)}) it never answered: §5.5.1 "the endpoint MUST send a Close frame in response"; ${tcp}`, input);
    }
    const what = obs.closeReceived
      ? `it only answered our close (${obs.closeReceived.code ?? 'no code'}) after we stopped waiting`
      : obs.tcpEnd?.kind === 'client-drop'
        ? 'it kept the connection open until we dropped it'
        : 'it kept the connection open';
    return result('fail', 'not-failed', `${cite(rfc)}: the target did not _Fail the WebSocket Connection_ (§7.1.7); ${what}`, input);
  }
  const code = failure.how === 'close' ? failure.code : undefined;
  if (failure.how === 'close') {
    if (!obs.tcpEnd || obs.tcpEnd.kind === 'client-drop') {
      return result('fail', 'unclean-close', `${cite('5.5.1')}: after the closing handshake the target "MUST close the underlying TCP connection" (§7.1.1: the server first); it kept TCP open until we dropped it`, input);
    }
    if (code != null && !e.codes.includes(code) && e.accepted?.codes.includes(code)) {
      return result('informational', 'informational', `${cite(rfc)}: the target answered our close as a valid one, with ${describeCode(code)}: ${e.accepted.why}`, input);
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
  if (code == null || !e.codes.includes(code)) return failedWithOtherCode(e.codes, failure, '', input);
  return result('pass', 'ok', `${cite(rfc)}: failed the connection with close ${code} as expected`, input);
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
