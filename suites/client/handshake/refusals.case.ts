// Responses to the opening handshake that the client must refuse (RFC 6455 §4.1: "The client MUST validate the
// server's response as follows", steps 1-6). Each case breaks one rule and leaves the rest correct, so a client
// that checks only some of the steps is caught on the one it skips. After the response the script sends the probe
// message: a client that echoes it took the connection as open; the client must instead close TCP (with or without
// a close frame) before the case deadline (`refuse`).
//
// A status other than 101 is not a "MUST _Fail_" of §4.1 but step 1, "the client handles the response per HTTP
// [RFC2616] procedures": the connection is not established (only a response "validated as provided for above" is,
// §4.1), and the response says `Connection: close`, so HTTP asks the client to close too (RFC 7230 §6.6).
import { createHash } from 'node:crypto';
import type { ClientCase, ResponseSpec, ServerPeer } from '../define.js';
import { awaitRefusal, CONFORM_RULE, correctAccept, refuse, responseCase, statusResponse } from '../helpers.js';

export const STEP_1 =
  'If the status code received from the server is not 101, the client handles the response per HTTP [RFC2616] procedures.';
export const STEP_2 =
  'If the response lacks an |Upgrade| header field or the |Upgrade| header field contains a value that is not an ASCII case-insensitive match for the value "websocket", the client MUST _Fail the WebSocket Connection_.';
export const STEP_3 =
  'If the response lacks a |Connection| header field or the |Connection| header field doesn\'t contain a token that is an ASCII case-insensitive match for the value "Upgrade", the client MUST _Fail the WebSocket Connection_.';
export const STEP_4 =
  'If the response lacks a |Sec-WebSocket-Accept| header field or the |Sec-WebSocket-Accept| contains a value other than the base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" but ignoring any leading and trailing whitespace, the client MUST _Fail the WebSocket Connection_.';
export const STEP_5 =
  "If the response includes a |Sec-WebSocket-Extensions| header field and this header field indicates the use of an extension that was not present in the client's handshake (the server has indicated an extension not requested by the client), the client MUST _Fail the WebSocket Connection_.";
export const STEP_6 =
  "If the response includes a |Sec-WebSocket-Protocol| header field and this header field indicates the use of a subprotocol that was not present in the client's handshake (the server has indicated a subprotocol not requested by the client), the client MUST _Fail the WebSocket Connection_.";

/** base64 of 20 zero bytes: the SHA-1 of no key gives it, so it is wrong for every client. */
const NEVER_ACCEPT = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** A refusal case: `response` is sent by the runner (a spec) or by the script (a function of the client's request). */
function refusal(
  id: string,
  title: string,
  rfc: string[],
  rule: string,
  response: ResponseSpec | ((peer: ServerPeer) => ResponseSpec),
): ClientCase {
  return responseCase({ id, title, rfc, expect: refuse(rfc[0] as string, rule) }, response, awaitRefusal);
}

/** Upper case to lower and back: a value that differs from the correct one only in case (base64 is case-sensitive). */
function swapCase(s: string): string {
  const swapped = s.replace(/[A-Za-z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));
  return swapped === s ? NEVER_ACCEPT : swapped;
}

const STATUSES: [status: number, title: string, opts: Parameters<typeof statusResponse>[1]][] = [
  [200, '200 OK with a body', { body: 'wsprobe: a plain HTTP page, not an upgrade\n' }],
  [302, '302 Found redirecting elsewhere (following it is optional, §4.1 step 1; this connection must not open)', {
    // Port 9 (discard) on loopback: a client that follows the redirect must not land on this server again, where
    // its next connection would be taken for the next case.
    headers: [['Location', 'ws://127.0.0.1:9/wsprobe-redirected']],
  }],
  [400, '400 Bad Request', {}],
  [401, '401 Unauthorized with a WWW-Authenticate challenge', { headers: [['WWW-Authenticate', 'Basic realm="wsprobe"']] }],
  [403, '403 Forbidden', {}],
  [404, '404 Not Found', {}],
  [426, '426 Upgrade Required with Sec-WebSocket-Version: 13', { headers: [['Sec-WebSocket-Version', '13']] }],
  [500, '500 Internal Server Error', {}],
  [503, '503 Service Unavailable with Retry-After', { headers: [['Retry-After', '1']] }],
];

export const cases: ClientCase[] = [
  ...STATUSES.map(([status, title, opts]) =>
    refusal(
      `handshake.status.${status}`,
      `A ${title}, with the upgrade headers of a 101: the connection does not open`,
      ['4.1'],
      STEP_1,
      statusResponse(status, opts),
    ),
  ),
  refusal('handshake.upgrade.missing', 'A 101 without an Upgrade header: the connection does not open', ['4.1'], STEP_2, { removeHeaders: ['Upgrade'] }),
  refusal('handshake.upgrade.not-websocket', 'A 101 with Upgrade: h2c: the connection does not open', ['4.1'], STEP_2, { replaceHeaders: [['Upgrade', 'h2c']] }),
  refusal('handshake.connection.missing', 'A 101 without a Connection header: the connection does not open', ['4.1'], STEP_3, { removeHeaders: ['Connection'] }),
  refusal('handshake.connection.no-upgrade-token', 'A 101 with Connection: keep-alive (no Upgrade token): the connection does not open', ['4.1'], STEP_3, {
    replaceHeaders: [['Connection', 'keep-alive']],
  }),
  refusal('handshake.accept.missing', 'A 101 without Sec-WebSocket-Accept: the connection does not open', ['4.1'], STEP_4, { accept: null }),
  refusal('handshake.accept.wrong', 'A 101 whose Sec-WebSocket-Accept is well-formed but wrong: the connection does not open', ['4.1'], STEP_4, { accept: NEVER_ACCEPT }),
  refusal(
    'handshake.accept.wrong-case',
    'A 101 whose Sec-WebSocket-Accept is the right value with its letter case swapped (base64 is case-sensitive): the connection does not open',
    ['4.1'],
    STEP_4,
    (peer) => ({ accept: swapCase(correctAccept(peer)) }),
  ),
  refusal(
    'handshake.accept.without-guid',
    'A 101 whose Sec-WebSocket-Accept hashes the key without the GUID: the connection does not open',
    ['4.1'],
    STEP_4,
    (peer) => ({ accept: createHash('sha1').update(peer.request.key ?? '').digest('base64') }),
  ),
  refusal(
    'handshake.accept.twice',
    'A 101 with the right Sec-WebSocket-Accept twice (one field "v, v", RFC 7230 §3.2.2): the connection does not open',
    ['4.1'],
    STEP_4,
    (peer) => ({ addHeaders: [['Sec-WebSocket-Accept', correctAccept(peer)]] }),
  ),
  refusal(
    'handshake.extension.not-offered',
    'A 101 accepting an extension the client did not offer (x-wsprobe-unoffered): the connection does not open',
    ['4.1', '9.1'],
    STEP_5,
    { extensions: 'x-wsprobe-unoffered' },
  ),
  refusal(
    'handshake.protocol.not-offered',
    'A 101 selecting a subprotocol the client did not offer (wsprobe-unoffered): the connection does not open',
    ['4.1'],
    STEP_6,
    { protocol: 'wsprobe-unoffered' },
  ),
];
