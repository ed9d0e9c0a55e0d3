// The one grader: an Observation (what the raw peer recorded) and a case's Expectation in, a verdict with a stable
// reason code and a human reason citing RFC 6455 out. Pure: no I/O, no clock. docs/verdicts.md explains each rule.
import { createHash } from 'node:crypto';
import { closeCodeName } from '../../protocol/close.js';
import { opcodeName } from '../../protocol/constants.js';
import { headerValues } from '../../protocol/handshake/head-parser.js';
import type { Observation, ObservedEvent } from '../../peers/raw/observation.js';
import type { Verdict } from '../../reports/schema.js';
import { GIVE_UP_MARK, type CloseRule, type Expectation, type HeaderRule, type Step } from '../../suites/define.js';

export const REASON_CODES = {
  ok: 'the target did what the RFC asks',
  informational: 'behaviour recorded, not graded',
  'not-configured': 'not graded: the run lacks the option this case needs',
  'invalid-frame': 'the target sent a frame that breaks RFC 6455',
  'masked-frame': 'the target sent a masked frame (RFC 6455 §5.1)',
  'no-echo': 'an expected message or pong did not arrive',
  'wrong-echo': 'a message or pong arrived with the wrong type or content',
  'limit-reached': 'the target refused a legal message with 1008/1009: a resource limit of its own',
  'unexpected-frame': 'the target sent something it should not have (e.g. echoed invalid data)',
  'unexpected-close': 'the target closed a connection it should have kept open',
  'no-close': 'the target did not answer our close frame with a close frame',
  'wrong-code': 'the close code is not one the case allows',
  'unclean-close': 'the target did not close TCP after the closing handshake; the client had to drop it',
  'not-failed': 'the target did not fail the connection',
  'early-fail': 'the target failed before echoing the valid message sent ahead of the invalid data',
  'late-fail': 'the target failed only at the end of the message, not at the first invalid byte',
  timeout: 'the case deadline passed before the target answered',
  'handshake-status': 'the opening handshake got a status the case does not allow',
  'handshake-header': 'a required response header is missing or wrong, or a forbidden one is present',
  'handshake-invalid': 'the 101 response fails RFC 6455 §4.1 checks',
  'harness-error': 'wsprobe itself failed while running the case',
  'not-negotiated': 'unimplemented: the target did not negotiate the extension the case needs',
  metric: 'a measurement the case requires (e.g. the target still serving afterwards) was not met',
} as const;
export type ReasonCode = keyof typeof REASON_CODES;

export interface Grade {
  verdict: Verdict;
  reasonCode: ReasonCode | string;
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

/** Sections are RFC 6455's unless prefixed with the RFC number ('7692 7.2.2': permessage-deflate). */
const cite = (section: string): string => (/^7692 /.test(section) ? `RFC 7692 §${section.slice(5)}` : `RFC 6455 §${section}`);

/** A message that may already cite its section (protocol/ rejections do) is not cited twice. */
const citedMessage = (section: string, message: string): string => (/^RFC \d+ §/.test(message) ? message : `${cite(section)}: ${message}`);

// ---- Descriptions ----

function stepPayload(s: Step): { length: number; sha256: string; bytes?: Uint8Array } {
  if ('sha256' in s) return { length: s.length, sha256: s.sha256 };
  const bytes = typeof s.payload === 'string' ? new Uint8Array(Buffer.from(s.payload, 'utf8')) : s.payload;
  return { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export function describeStep(s: Step): string {
  return `${s.type} ${stepPayload(s).length} B`;
}

function describeSteps(steps: Step[]): string {
  if (steps.length === 0) return 'nothing';
  const parts: string[] = [];
  let i = 0;
  while (i < steps.length) {
    const d = describeStep(steps[i]!);
    let n = 1;
    while (i + n < steps.length && describeStep(steps[i + n]!) === d) n++;
    parts.push(n > 1 ? `${n}x ${d}` : d);
    i += n;
  }
  return parts.join(', ');
}

function describeCloseRule(rule: CloseRule): string {
  const codes = rule.codes.join(' or ');
  return `answer our close with ${codes}${rule.allowNoCode === false ? '' : ' (or no code)'} and close TCP`;
}

export function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'behave':
      return `receive ${describeSteps(e.receive)}; then ${describeCloseRule(e.close ?? { codes: [1000] })}`;
    case 'fail': {
      const before = e.before && e.before.length > 0 ? `receive ${describeSteps(e.before)}, then ` : 'echo nothing; ';
      const how = `fail the connection with close ${e.codes.join(' or ')}${e.allowDrop === false ? '' : ' or by closing TCP'}`;
      return `${before}${how}${e.failBy ? ' before the rest of the message is sent (fail-fast)' : ''}`;
    }
    case 'informational':
      return `informational: ${e.describe}`;
    case 'handshake': {
      const st = e.status === 'reject' ? 'reject the handshake (any status but 101)' : `status ${formatNumbers(e.status)}`;
      const req = (e.requireHeaders ?? []).map(describeHeaderRule);
      const forb = (e.forbidHeaders ?? []).map((h) => `no ${h}`);
      const hdr = [...req, ...forb];
      return `${st}${e.allowDrop ? ' (or close TCP)' : ''}${hdr.length > 0 ? `, ${hdr.join(', ')}` : ''}${e.then ? `; then ${describeExpectation(e.then)}` : ''}`;
    }
    case 'negotiated':
      return `with ${e.extension} negotiated${e.refusal === 'pass' ? ' (or the handshake refused)' : ''}: ${describeExpectation(e.then)}`;
  }
}

function describeHeaderRule(r: HeaderRule): string {
  if (r.equals !== undefined) return `${r.name}: ${r.equals}`;
  if (r.hasToken !== undefined) return `${r.name} containing ${r.hasToken}`;
  if (r.matches !== undefined) return `${r.name} matching ${String(r.matches)}`;
  return `a ${r.name} header`;
}

function describeEvent(e: ObservedEvent): string {
  switch (e.kind) {
    case 'message':
      return `${opcodeName(e.opcode).toLowerCase()} ${e.length} B${e.frames > 1 ? ` (${e.frames} frames)` : ''}`;
    case 'ping':
      return `ping ${e.payload.length} B`;
    case 'pong':
      return `pong ${e.payload.length} B`;
    case 'close':
      return `close ${e.code ?? '(no code)'}${e.reason ? ` "${e.reason.slice(0, 40)}"` : ''}`;
    case 'violation':
      return `invalid frame (${e.violation.id})`;
    case 'partial-message':
      return `unfinished ${opcodeName(e.opcode).toLowerCase()} message ${e.length} B`;
  }
}

export function describeObservation(obs: Observation): string {
  const parts: string[] = [];
  const hs = obs.handshake;
  if (hs && !hs.ok) {
    parts.push(hs.status !== undefined ? `handshake status ${hs.status}` : `handshake ${hs.failure ?? 'failed'}${hs.detail ? ` (${hs.detail})` : ''}`);
  }
  const shown = obs.events.filter((e) => e.kind !== 'ping');
  const items: string[] = [];
  let i = 0;
  while (i < shown.length && items.length < 12) {
    const d = describeEvent(shown[i]!);
    let n = 1;
    while (i + n < shown.length && describeEvent(shown[i + n]!) === d) n++;
    items.push(n > 1 ? `${n}x ${d}` : d);
    i += n;
  }
  if (i < shown.length) items.push(`… ${shown.length - i} more`);
  parts.push(items.length > 0 ? `received ${items.join(', ')}` : 'received nothing');
  if (obs.closeSent) parts.push(`we ${obs.closeSent.auto ? 'answered with' : 'sent'} close ${obs.closeSent.code ?? '(no code)'} at ${ms(obs.closeSent.t)}`);
  if (obs.tcpEnd) {
    parts.push(obs.tcpEnd.kind === 'client-drop' ? `we dropped TCP at ${ms(obs.tcpEnd.t)} (${obs.tcpEnd.detail ?? 'target kept it open'})` : `TCP ${obs.tcpEnd.kind} from the target at ${ms(obs.tcpEnd.t)}`);
  }
  if (obs.undecodable) parts.push('stream undecodable after a frame header');
  if (obs.timedOut) parts.push('case deadline reached');
  return parts.join('; ');
}

const ms = (t: number): string => `${Math.round(t)} ms`;

// ---- Matching ----

interface Match {
  ok: boolean;
  /** Steps received correctly. */
  matched: number;
  /** Steps not received (yet). */
  missing: Step[];
  problem?: { code: 'no-echo' | 'wrong-echo' | 'unexpected-frame'; detail: string };
}

/** The message and pong events (server pings are ignored: RFC 6455 §5.5.2 lets an endpoint ping at any time). */
function answers(events: ObservedEvent[]): ObservedEvent[] {
  return events.filter((e) => e.kind === 'message' || e.kind === 'pong');
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function matchStep(step: Step, e: ObservedEvent): string | null {
  const want = stepPayload(step);
  if (step.type === 'pong') {
    if (e.kind !== 'pong') return `expected pong ${want.length} B, got ${describeEvent(e)}`;
    const got = createHash('sha256').update(e.payload).digest('hex');
    if (got !== want.sha256 || e.payload.length !== want.length) {
      return `pong payload differs from the ping's (${e.payload.length} B vs ${want.length} B${want.bytes ? `, first difference at byte ${firstDiff(e.payload, want.bytes)}` : ''})`;
    }
    return null;
  }
  const opcode = step.type === 'text' ? 0x1 : 0x2;
  if (e.kind !== 'message' || e.opcode !== opcode) return `expected ${step.type} ${want.length} B, got ${describeEvent(e)}`;
  if (e.length !== want.length) return `${step.type} message of ${e.length} B, expected ${want.length} B`;
  if (e.sha256 !== want.sha256) {
    const where = e.bytes && want.bytes ? `, first difference at byte ${firstDiff(e.bytes, want.bytes)}` : '';
    return `${step.type} message of the right length (${e.length} B) but different content${where}`;
  }
  return null;
}

function matchStream(steps: Step[], got: ObservedEvent[]): Match {
  let i = 0;
  for (; i < steps.length && i < got.length; i++) {
    const problem = matchStep(steps[i]!, got[i]!);
    if (problem) return { ok: false, matched: i, missing: steps.slice(i), problem: { code: 'wrong-echo', detail: problem } };
  }
  if (got.length > steps.length) {
    const after = steps.length > 0 ? ` after ${describeSteps(steps)}` : '';
    return { ok: false, matched: i, missing: [], problem: { code: 'unexpected-frame', detail: `unexpected ${describeEvent(got[steps.length]!)}${after}` } };
  }
  return { ok: i === steps.length, matched: i, missing: steps.slice(i) };
}

/**
 * Messages must arrive in order, and pongs in order (RFC 6455 §5.4: messages are delivered in order; §5.5.3: each
 * pong answers its ping), but how pongs interleave with messages is the target's choice: §5.5.2 asks for a pong
 * only "as soon as is practical", so a pong may overtake the echo of an earlier message or follow it.
 */
function matchSteps(steps: Step[], got: ObservedEvent[], allowFewer: boolean): Match {
  const isPong = (s: Step): boolean => s.type === 'pong';
  const msgs = matchStream(steps.filter((s) => !isPong(s)), got.filter((e) => e.kind === 'message'));
  const pongs = matchStream(steps.filter(isPong), got.filter((e) => e.kind === 'pong'));
  const matched = msgs.matched + pongs.matched;
  const missing = steps.filter((s) => (isPong(s) ? pongs.missing : msgs.missing).includes(s));
  const problem = msgs.problem ?? pongs.problem;
  if (problem) return { ok: false, matched, missing, problem };
  if (missing.length > 0 && !allowFewer) {
    return { ok: false, matched, missing, problem: { code: 'no-echo', detail: `${describeSteps(missing)} never arrived (received ${matched} of ${steps.length})` } };
  }
  return { ok: missing.length === 0, matched, missing };
}

// ---- Grading ----

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
  return result('informational', (e.reasonCode as ReasonCode | undefined) ?? 'informational', note, input);
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
    return result('fail', obs.timedOut ? 'timeout' : 'no-echo', `${cite(rfc)}: ${missing}${obs.timedOut ? ' before the case deadline' : ''}`, input);
  }
  if (early) {
    const how = early.how === 'close' ? `sent close ${early.code ?? '(no code)'}` : `closed TCP (${obs.tcpEnd?.kind}) without a close frame`;
    return result('fail', 'unexpected-close', `${cite('7.1.2')}: the target ${how} at ${ms(early.t)}, before our close`, input);
  }
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
  return result('pass', 'ok', `${cite(rfc)}: as expected`, input);
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

/** 400, 401, ..., 499 -> "400-499": lists of statuses read as ranges. */
export function formatNumbers(list: readonly number[]): string {
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(' or '));
    i = j + 1;
  }
  return parts.join(' or ');
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
