// Case types of the client catalogue (`wsprobe test-client`): wsprobe is the server, the client under test connects
// once per case, and the case's script answers its opening handshake and acts on the connection through a
// `ServerPeer` (peers/wire-server/server-peer.ts). As with server cases (suites/define.ts) the script asserts
// nothing: the same grader (suites/grade/) turns the Observation and the expectation into a verdict with the same
// vocabulary, in client role (the target is the client: its frames must be masked, the server closes TCP first).
//
// What a client under test does is fixed by convention, as in Autobahn|Testsuite's client mode: it echoes every
// text and binary message it receives (same opcode, same payload), answers pings (its library does), answers our
// close frame, and otherwise sends nothing. Drivers (runners/test-client/drivers/) make each client behave so.
import { checkCaseShape, type BehaveExpectation, type CaseInfo, type FailExpectation, type InformationalExpectation, type Step } from '../define.js';
import type { ReceivedRequest, ResponseSpec, ServerPeer } from '../../peers/wire-server/server-peer.js';

export type { ServerPeer, ResponseSpec, ReceivedRequest } from '../../peers/wire-server/server-peer.js';
export { text, binary, pong, digestStep, patternPayload, utf8, sha256Hex, GIVE_UP_MARK } from '../define.js';
export type { Step, CloseRule } from '../define.js';

export type ClientExpectation =
  /**
   * The client behaves: it sends exactly `receive` in order (echoes and pongs; nothing else but pings), then
   * answers the close our script starts (peer.close) with a close frame whose code `close` allows (default 1000 or
   * no code; RFC 6455 §5.5.1), and does not end TCP before that.
   */
  | BehaveExpectation
  /**
   * The client fails the WebSocket connection (RFC 6455 §7.1.7): a close frame with one of `codes` or, when
   * `allowDrop` (default true), closing TCP; echoing anything beyond `before` is a fail. As for servers, another
   * valid code or a drop without a close frame is non-strict.
   */
  | FailExpectation
  /** Recorded and described, never graded. */
  | InformationalExpectation
  /**
   * Our response to the opening handshake breaks a rule of RFC 6455 §4.1 (or RFC 7692 §7 for extensions) whose
   * consequence is "the client MUST _Fail the WebSocket Connection_": the client must not treat the connection as
   * open (it must not echo the probe message the script sends after the response) and must close TCP, with or
   * without a close frame, before the case deadline. `rfc` and `rule` name and quote the broken rule for reasons.
   */
  | { kind: 'refuse'; rfc: string; rule: string }
  /**
   * The client's opening handshake itself is graded against RFC 6455 §4.1 (ReceivedRequest.violation): pass when
   * valid, fail citing the rule it broke.
   */
  | { kind: 'request' }
  /** Needs the client to offer `extension` (e.g. 'permessage-deflate'): unimplemented when it did not, else `then`. */
  | { kind: 'offered'; extension: string; then: ClientExpectation };

export interface ClientCaseContext {
  /** This case's budget in ms. */
  timeoutMs: number;
  /** The seed of this case's Entropy. */
  seed: number;
}

/**
 * Ids start with the area (handshake, framing, control, fragmentation, utf8, close, deflate, limits); RFC sections
 * are RFC 6455's ('5.5.1') or RFC 7692's written '7692 7.1' (CaseInfo, suites/define.ts).
 */
export interface ClientCase extends CaseInfo {
  /** The response the runner sends before `run` (default: a correct 101); 'manual': the script responds. */
  response?: ResponseSpec | 'manual';
  expect: ClientExpectation | ((request: ReceivedRequest) => ClientExpectation);
  /** Acts and observes. Must not throw on client misbehaviour; a throw is a harness error. */
  run(peer: ServerPeer, ctx: ClientCaseContext): Promise<void>;
}

/** Generous: a browser or a slow client library must not fail on a timer. */
export const DEFAULT_CLIENT_CASE_TIMEOUT_MS = 10_000;

/** Checks and returns a client case definition (same id rules as server cases). */
export function defineClientCase(c: ClientCase): ClientCase {
  checkCaseShape(c, 'client case');
  return c;
}

export function resolveClientExpectation(c: ClientCase, request: ReceivedRequest): ClientExpectation {
  return typeof c.expect === 'function' ? c.expect(request) : c.expect;
}

/** The probe a `refuse` case sends after its bad response: a client that echoes it took the connection as open. */
export const REFUSE_PROBE = 'wsprobe: are you open?';

export type { Step as ClientStep };
