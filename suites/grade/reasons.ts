// The one table of reason codes: every verdict the grader gives, in conformance and fuzz runs alike, carries one of
// these. The type is derived from the table, so a code that is not here does not compile; docs/verdicts.md is
// checked against it (test/unit/suites/grade/reasons.test.ts).
import type { Verdict } from '../../reports/schema.js';

export interface ReasonInfo {
  /** The verdicts this code goes with. */
  verdicts: readonly Verdict[];
  /** When it is given, in one line. */
  text: string;
}

export const REASON_CODES = {
  ok: { verdicts: ['pass'], text: 'the target did what the RFC asks' },
  'allowed-fail': { verdicts: ['pass'], text: 'the target failed the connection at a point where the RFC allows it to (e.g. a non-minimal length, a close code registered after RFC 6455)' },
  informational: { verdicts: ['informational'], text: 'behaviour recorded, not graded' },
  'not-configured': { verdicts: ['informational'], text: 'not graded: the run lacks the option this case needs' },
  'invalid-frame': { verdicts: ['fail'], text: 'the target sent a frame or message that breaks RFC 6455 (or RFC 7692)' },
  'masked-frame': { verdicts: ['fail'], text: 'the target sent a masked frame (RFC 6455 §5.1)' },
  'unmasked-frame': { verdicts: ['fail'], text: 'a client under test sent an unmasked frame (RFC 6455 §5.1)' },
  'accepted-bad-handshake': { verdicts: ['fail'], text: 'a client under test took the connection as open after a response it must fail (RFC 6455 §4.1, RFC 7692 §7)' },
  'request-invalid': { verdicts: ['fail'], text: 'a client under test sent an opening handshake that breaks RFC 6455 §4.1' },
  'no-echo': { verdicts: ['fail'], text: 'an expected message or pong did not arrive' },
  'wrong-echo': { verdicts: ['fail'], text: 'a message or pong arrived with the wrong type or content' },
  'limit-reached': { verdicts: ['non-strict'], text: 'the target refused a legal message with 1008/1009: a resource limit of its own' },
  'close-before-echo': { verdicts: ['non-strict'], text: 'the target answered our close, sent right behind a message, without echoing that message first' },
  'unexpected-frame': { verdicts: ['fail'], text: 'the target sent something it should not have (e.g. echoed invalid data)' },
  'unexpected-close': { verdicts: ['fail'], text: 'the target closed a connection it should have kept open' },
  'no-close': { verdicts: ['fail'], text: 'the target did not answer our close frame with a close frame' },
  'wrong-code': { verdicts: ['fail'], text: 'a close answer without a code where the case requires one (allowNoCode: false)' },
  'other-code': { verdicts: ['non-strict'], text: 'the target failed the connection, or answered our close, with a valid close code other than the expected one' },
  'failed-without-close': { verdicts: ['non-strict'], text: 'the target failed the connection by closing TCP without a close frame, or with a close frame without a status code' },
  'refused-code': { verdicts: ['non-strict'], text: 'the target refused a close code of ours that RFC 6455 itself does not define (1012-1014, registered with IANA later)' },
  'late-pong': { verdicts: ['non-strict'], text: 'the target held back the pong for a ping inside a fragmented message until the message ended' },
  'unclean-close': { verdicts: ['fail'], text: 'the target did not close TCP after the closing handshake; the client had to drop it' },
  'not-failed': { verdicts: ['fail'], text: 'the target did not fail the connection' },
  'early-fail': { verdicts: ['non-strict'], text: 'the target failed before echoing the valid data sent ahead of the invalid data' },
  'late-fail': { verdicts: ['non-strict'], text: 'the target failed only at the end of the message, not at the first invalid byte' },
  timeout: { verdicts: ['fail'], text: 'the case deadline passed before the target answered' },
  'handshake-status': { verdicts: ['fail', 'non-strict'], text: 'the opening handshake got a status the case does not allow (non-strict where the case says so)' },
  'handshake-header': { verdicts: ['fail'], text: 'a required response header is missing or wrong, or a forbidden one is present' },
  'handshake-invalid': { verdicts: ['fail'], text: 'the 101 response fails RFC 6455 §4.1 checks' },
  'response-deviation': { verdicts: ['non-strict'], text: 'the 101 accepted the extension in a way the RFC does not describe, yet with a configuration the offer allows (RFC 7692 §7.1.2.1: an offered server_max_window_bits=15 left out)' },
  'harness-error': { verdicts: ['error'], text: 'wsprobe itself failed while running the case (a script threw, our connect failed mid-run)' },
  'not-negotiated': { verdicts: ['unimplemented'], text: 'the target did not negotiate the extension the case needs' },
  'not-offered': { verdicts: ['unimplemented'], text: 'a client under test did not offer the extension the case needs (RFC 6455 §9.1)' },
  metric: { verdicts: ['fail'], text: 'a measurement the case requires (e.g. the target still serving afterwards) was not met' },
  unreachable: { verdicts: ['fail'], text: 'the target stopped accepting connections in the middle of the run' },
  'handshake-broken': { verdicts: ['not-run'], text: 'not run: the target answers a correct opening handshake with an invalid 101, so no connection opens' },
  'needs-echo': { verdicts: ['not-run'], text: 'not run: the target does not echo, and the case can only be graded by an echo' },
  'target-died': { verdicts: ['not-run'], text: 'not run: the target stopped accepting connections before the case could start' },
  'client-not-run': { verdicts: ['not-run'], text: 'not run: the client under test never connected for this case before the run ended' },
} as const satisfies Record<string, ReasonInfo>;

export type ReasonCode = keyof typeof REASON_CODES;

export function isReasonCode(code: string): code is ReasonCode {
  return Object.hasOwn(REASON_CODES, code);
}
