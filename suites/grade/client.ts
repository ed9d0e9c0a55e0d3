// Grading of client cases (`wsprobe test-client`): the target is a WebSocket client and wsprobe its server. The
// verdicts, reason codes and rules are the server cases' own (grade.ts): `behave`, `fail` and `informational` go
// through the same grader, with the observation read in client role first; `refuse`, `request` and `offered` are
// the client's own expectations (suites/client/define.ts). Pure: no I/O, no clock. docs/verdicts.md, "Client
// cases", explains each rule.
import { HeaderSyntaxError, readExtensionHeader, type ParsedExtension } from '../../protocol/extensions/header.js';
import { headerValue } from '../../protocol/handshake/head-parser.js';
import type { Observation, ObservedEvent, TcpEnd } from '../../peers/raw/observation.js';
import type { Verdict } from '../../reports/schema.js';
import { REFUSE_PROBE, type ClientExpectation } from '../client/define.js';
import { cite, citedMessage, describeEvent, describeExpectation, describeObservation, ms } from './describe.js';
import { grade, harnessError, type Grade } from './grade.js';
import type { ReasonCode } from './reasons.js';

export interface ClientGradeInput {
  expect: ClientExpectation;
  observation: Observation;
  /** The case's RFC sections; the first is cited when a rule has no more specific section. */
  rfc: string[];
  /** The case's budget, for messages about waits. */
  timeoutMs?: number;
}

export function gradeClient(input: ClientGradeInput): Grade {
  const { expect: e, observation: obs } = input;
  if (!obs.request) return harnessError('no opening handshake from the client was recorded', describeClientExpectation(e), describeClientObservation(obs));
  switch (e.kind) {
    case 'request':
      return gradeRequest(input);
    case 'offered':
      return gradeOffered(e, input);
    case 'refuse':
      return gradeRefuse(e, input);
    default: {
      if (!obs.responseSent) return harnessError('the case never sent its response to the opening handshake', describeClientExpectation(e), describeClientObservation(obs));
      const g = grade({ expect: e, observation: inServerTerms(obs), rfc: input.rfc, ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}) });
      return { ...g, expected: describeClientExpectation(e), observed: describeClientObservation(obs) };
    }
  }
}

/**
 * The observation as the server-case grader reads it. There, the target is the server and closes TCP first
 * (RFC 6455 §7.1.1), so a TCP end by the harness ('client-drop') means the target never did. Here we are the server:
 * our TCP close after the client's close frame is the clean end of the closing handshake, read as the target's
 * orderly end ('fin'); any other close of ours (no close frame from the client in time, a drop, the deadline)
 * means the client never ended the connection, read as 'client-drop'. A client that closes TCP itself right after
 * its close frame is fine either way (§7.1.1 only says the server SHOULD close first).
 */
export function inServerTerms(obs: Observation): Observation {
  const end = obs.tcpEnd;
  if (end === null || end.kind !== 'server-close') return obs;
  const afterClose = obs.closeReceived !== null && obs.closeReceived.t <= end.t;
  const tcpEnd: TcpEnd = afterClose ? { t: end.t, kind: 'fin', detail: 'the server closed TCP after the closing handshake (RFC 6455 §7.1.1)' } : { ...end, kind: 'client-drop' };
  return { ...obs, tcpEnd };
}

function clientGrade(verdict: Verdict, reasonCode: ReasonCode, reason: string, input: ClientGradeInput): Grade {
  return { verdict, reasonCode, reason, expected: describeClientExpectation(input.expect), observed: describeClientObservation(input.observation) };
}

/** RFC 6455 §4.1 (the client's handshake requirements; checkClientRequest cites the §4.2.1 list a server reads). */
function gradeRequest(input: ClientGradeInput): Grade {
  const v = input.observation.request!.violation;
  if (v) return clientGrade('fail', 'request-invalid', `${citedMessage(v.rfc, v.message)} (the client's opening handshake, ${cite('4.1')})`, input);
  return clientGrade('pass', 'ok', `${cite('4.1')}: the client's opening handshake is a valid WebSocket request`, input);
}

/** The extensions a request offers; null when its Sec-WebSocket-Extensions does not parse (RFC 6455 §9.1). */
export function offeredExtensions(obs: Observation): ParsedExtension[] | null {
  const offers = readExtensionHeader(obs.request ? headerValue(obs.request.head, 'sec-websocket-extensions') : undefined);
  return offers instanceof HeaderSyntaxError ? null : offers;
}

function gradeOffered(e: Extract<ClientExpectation, { kind: 'offered' }>, input: ClientGradeInput): Grade {
  const offers = offeredExtensions(input.observation);
  if (offers === null || !offers.some((x) => x.name === e.extension)) {
    const why = offers === null ? 'its Sec-WebSocket-Extensions header does not parse, so it offered no' : 'the client did not offer';
    return clientGrade('unimplemented', 'not-offered', `${cite('9.1')}: ${why} ${e.extension}, so this case does not apply`, input);
  }
  return { ...gradeClient({ ...input, expect: e.then }), expected: describeClientExpectation(e) };
}

/** Any frame but close shows the client took the connection as open (a message, the start of one, a ping or pong). */
const OPEN_EVIDENCE = new Set<ObservedEvent['kind']>(['message', 'partial-message', 'ping', 'pong']);

/** Whether the event is the echo of the probe a refuse case sends after its response. */
function isProbeEcho(ev: ObservedEvent): boolean {
  return ev.kind === 'message' && ev.bytes !== undefined && Buffer.from(ev.bytes).toString('utf8') === REFUSE_PROBE;
}

/**
 * Our response broke a rule whose consequence is "the client MUST _Fail the WebSocket Connection_" (RFC 6455 §4.1,
 * RFC 7692 §7). The connection never opened, so the client must send nothing on it and close TCP; a close frame
 * first is harmless (§7.1.7 asks for one only once the connection is established).
 */
function gradeRefuse(e: Extract<ClientExpectation, { kind: 'refuse' }>, input: ClientGradeInput): Grade {
  const obs = input.observation;
  if (!obs.responseSent) return harnessError('the case never sent its response to the opening handshake', describeClientExpectation(e), describeClientObservation(obs));
  const rule = `${cite(e.rfc)}: "${e.rule}"`;
  const open = obs.events.find((ev) => OPEN_EVIDENCE.has(ev.kind));
  if (open) {
    const what = isProbeEcho(open) ? 'echoed our probe message' : `sent ${describeEvent(open)}`;
    return clientGrade('fail', 'accepted-bad-handshake', `${rule}; the client took the connection as open: it ${what} at ${ms(open.t)}`, input);
  }
  // After a 101 the client's bytes are frames and must be valid; after another status they may be HTTP (§4.1: the
  // client "handles the response per HTTP procedures", e.g. authenticates again), which decodes as no frame at all.
  const bad = obs.responseSent.status === 101 ? obs.events.find((ev) => ev.kind === 'violation') : undefined;
  if (bad && bad.kind === 'violation') {
    const unmasked = bad.violation.id === 'unmasked-client-frame';
    return clientGrade('fail', unmasked ? 'unmasked-frame' : 'invalid-frame', `the client failed the connection, but with an invalid frame: ${bad.violation.message}`, input);
  }
  const end = obs.tcpEnd;
  const clientClosedTcp = end !== null && end.kind !== 'server-close' && end.kind !== 'client-drop';
  const close = obs.closeReceived;
  if (clientClosedTcp || close) {
    const frame = close ? `with a close frame (${close.code ?? 'no code'}) at ${ms(close.t)}` : 'without a close frame';
    const tcp = clientClosedTcp ? `, TCP ${end!.kind} from the client at ${ms(end!.t)}` : ', then we closed TCP';
    return clientGrade('pass', 'ok', `${rule}; the client failed the connection ${frame}${tcp}`, input);
  }
  const until = end ? `until we closed TCP at ${ms(end.t)}` : 'to the end of the case';
  const budget = input.timeoutMs !== undefined ? ` (case budget ${input.timeoutMs} ms)` : '';
  return clientGrade('fail', 'timeout', `${rule}; the client never failed the connection: it stayed connected without a word ${until}${budget}`, input);
}

// ---- Descriptions ----

export function describeClientExpectation(e: ClientExpectation): string {
  switch (e.kind) {
    case 'refuse':
      return `fail the connection on our response (${cite(e.rfc)}: "${e.rule}"): send nothing (not the probe's echo), close TCP before the deadline`;
    case 'request':
      return `a valid opening handshake (${cite('4.1')})`;
    case 'offered':
      return `with ${e.extension} offered: ${describeClientExpectation(e.then)}`;
    case 'behave':
      // We are the server: the client answers our close; closing TCP is ours (RFC 6455 §7.1.1).
      return describeExpectation(e).replace(' and close TCP', ' (we close TCP first, RFC 6455 §7.1.1)');
    default:
      return describeExpectation(e);
  }
}

export function describeClientObservation(obs: Observation): string {
  const parts: string[] = [];
  const v = obs.request?.violation;
  if (v) parts.push(`request invalid (${v.id})`);
  if (obs.responseSent) parts.push(`we responded ${obs.responseSent.status ?? '(no status line)'}`);
  parts.push(describeObservation({ ...obs, tcpEnd: null, undecodable: undefined, timedOut: false }));
  const end = obs.tcpEnd;
  if (end) parts.push(end.kind === 'server-close' ? `we closed TCP at ${ms(end.t)}${end.detail ? ` (${end.detail})` : ''}` : `TCP ${end.kind} from the client at ${ms(end.t)}`);
  if (obs.undecodable) parts.push('stream undecodable after a frame header');
  if (obs.timedOut) parts.push('case deadline reached');
  return parts.join('; ');
}
