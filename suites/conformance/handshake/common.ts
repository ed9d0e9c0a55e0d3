// Shared pieces of the opening-handshake cases (RFC 6455 §4): what a refusal must look like, what an acceptance
// must carry, and the usual scripts.
import { Opcode } from '../../../protocol/constants.js';
import { closeNormally, echo, text, type CaseContext, type Expectation, type HeaderRule, type NonStrictStatus, type Peer } from '../../define.js';

/**
 * RFC 6455 §4.2.1: on a request that does not match the description, the server "MUST stop processing the
 * client's handshake and return an HTTP response with an appropriate error code (such as 400 Bad Request)".
 * Appropriate here means a client error: every 4xx passes (400, 403, 404, 405 for a method, 426 for a version,
 * 431 for a big head). Any other refusal (3xx, 5xx) still protects the client but blames the wrong party:
 * non-strict. A 101 is a fail; so is closing TCP without any response (the MUST asks for a response).
 */
export const CLIENT_ERROR_STATUSES: number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

export function refusal(why: string, extra: { requireHeaders?: HeaderRule[]; alsoNonStrict?: NonStrictStatus[] } = {}): Expectation {
  const { alsoNonStrict = [], ...rest } = extra;
  return {
    kind: 'handshake',
    status: CLIENT_ERROR_STATUSES,
    allowDrop: false,
    nonStrict: [...alsoNonStrict, { status: 'reject', why: `refused, but not with a 4xx client error (RFC 6455 §4.2.1): ${why}` }],
    ...rest,
  };
}

/** The message every accepting case sends and expects back, proving the connection really is open. */
export const PROBE_MESSAGE = 'wsprobe handshake probe';

/**
 * Acceptance: a 101 that passes RFC 6455 §4.1's client checks (Upgrade, Connection, Sec-WebSocket-Accept,
 * subprotocol and extensions from the offer), then the probe message echoed and a clean close.
 */
export function acceptance(
  extra: { requireHeaders?: HeaderRule[]; forbidHeaders?: string[]; nonStrict?: { status: number[] | 'reject'; why: string } } = {},
): Expectation {
  return { kind: 'handshake', status: [101], allowDrop: false, ...extra, then: echo([text(PROBE_MESSAGE)]) };
}

/** Script of an accepting case: send the probe, wait for its echo, close. Does nothing when the handshake failed. */
export async function probeEcho(peer: Peer, ctx?: CaseContext): Promise<void> {
  if (!isOpen(peer)) return;
  // A target that does not echo is graded on its handshake and closing handshake alone: nothing to wait for.
  if (ctx?.options.echo !== false) {
    await peer.sendMessage(Opcode.Text, PROBE_MESSAGE);
    await peer.waitForMessages(1);
  }
  await closeNormally(peer);
}

/** Script of a refusal case: nothing to do unless the target wrongly opened the connection; then close it. */
export async function closeIfOpened(peer: Peer): Promise<void> {
  if (isOpen(peer)) await closeNormally(peer);
}

export function isOpen(peer: Peer): boolean {
  const h = peer.observation().handshake;
  return h !== null && h.status === 101 && !peer.ended;
}

/**
 * The RFC's own example (RFC 6455 §1.3 and §4.2.2 step 5.4): key "dGhlIHNhbXBsZSBub25jZQ==" gives
 * "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=". Written out, not computed, so the case does not share code with a target built
 * on protocol/handshake.
 */
export const FIXED_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const FIXED_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** The request's WebSocket headers, to respell: name, value. */
export function requestHeaders(key = FIXED_KEY): [string, string][] {
  return [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
}


