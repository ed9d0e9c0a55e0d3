// Every reason an RFC 8441 bootstrap (a WebSocket on an HTTP/2 stream) can be refused, in tables like
// protocol/handshake/rejections.ts: a stable id, the RFC section, and (server side) the HTTP status. `rfc` is a
// bare section for RFC 6455 ('4.2.2') or 'NNNN section' for another RFC ('8441 5', '7540 8.1.2.2').
//
// Status choices where no RFC names one (docs/http2.md explains them):
// - a wrong version is 400, not §4.2.2's 426: RFC 7231 §6.5.15 says a 426 "MUST send an Upgrade header field", and
//   RFC 7540 §8.1.2.2 forbids Upgrade in HTTP/2, so the 426 that RFC 6455 suggests cannot be sent well-formed;
// - CONNECT without :protocol is 400, as a GET without Upgrade is over HTTP/1.1 (the §4.2.1 equivalent);
// - a :protocol other than "websocket" is 501, as RFC 9220 §3 says a server SHOULD answer an Extended CONNECT for
//   an unsupported protocol (it states the rule for HTTP/3, with the same Extended CONNECT semantics);
// - a method other than CONNECT is 405 with `allow: CONNECT`, as a non-GET is 405 over HTTP/1.1.
// Malformed blocks (RFC 7540 §8.1.2.6: "MUST be treated as a stream error of type PROTOCOL_ERROR") are marked:
// a server MAY answer them before resetting the stream, so 400 or RST_STREAM(PROTOCOL_ERROR) both conform.

/** Reasons a server refuses an Extended CONNECT request. */
export const H2_SERVER_REJECTIONS = {
  'uppercase-header-name': { rfc: '7540 8.1.2', status: 400, malformed: true, text: 'a header field name has uppercase letters' },
  'unknown-pseudo-header': { rfc: '7540 8.1.2.1', status: 400, malformed: true, text: 'a pseudo-header field not defined for requests' },
  'duplicate-pseudo-header': { rfc: '7540 8.1.2.1', status: 400, malformed: true, text: 'a pseudo-header field appears twice' },
  'pseudo-header-after-regular': { rfc: '7540 8.1.2.1', status: 400, malformed: true, text: 'a pseudo-header field after a regular one' },
  'connection-specific-header': { rfc: '8441 5', status: 400, malformed: true, text: 'a connection-specific header field (Connection, Upgrade, ...)' },
  'protocol-without-setting': { rfc: '8441 3', status: 400, malformed: true, text: ':protocol before SETTINGS_ENABLE_CONNECT_PROTOCOL was sent' },
  'missing-method': { rfc: '7540 8.1.2.3', status: 400, malformed: true, text: 'no :method' },
  'method-not-connect': { rfc: '8441 4', status: 405, malformed: false, text: 'the method is not CONNECT' },
  'missing-protocol': { rfc: '8441 5', status: 400, malformed: false, text: 'CONNECT without :protocol' },
  'protocol-not-websocket': { rfc: '8441 5', status: 501, malformed: false, text: ':protocol is not "websocket"' },
  'missing-scheme': { rfc: '8441 4', status: 400, malformed: true, text: 'an Extended CONNECT without :scheme' },
  'bad-scheme': { rfc: '8441 5', status: 400, malformed: false, text: ':scheme is neither "http" nor "https"' },
  'missing-path': { rfc: '8441 4', status: 400, malformed: true, text: 'an Extended CONNECT without :path (or with an empty one)' },
  'bad-path': { rfc: '7540 8.1.2.3', status: 400, malformed: false, text: ':path is not an absolute path' },
  'path-not-found': { rfc: '4.2.2', status: 404, malformed: false, text: 'no service at this resource name' },
  'missing-authority': { rfc: '8441 5', status: 400, malformed: false, text: 'no :authority (it carries what Host did)' },
  'key-not-used': { rfc: '8441 5', status: 400, malformed: false, text: 'Sec-WebSocket-Key is not used over HTTP/2' },
  'missing-version': { rfc: '4.2.2', status: 400, malformed: false, text: 'no Sec-WebSocket-Version header field' },
  'duplicate-version': { rfc: '4.2.1', status: 400, malformed: false, text: 'more than one Sec-WebSocket-Version header field' },
  'unsupported-version': { rfc: '4.2.2', status: 400, malformed: false, text: 'Sec-WebSocket-Version is not 13' },
  'origin-forbidden': { rfc: '4.2.2', status: 403, malformed: false, text: 'origin not allowed' },
  'invalid-protocol-header': { rfc: '4.2.1', status: 400, malformed: false, text: 'Sec-WebSocket-Protocol is not 1#token' },
  'invalid-extensions-header': { rfc: '9.1', status: 400, malformed: false, text: 'Sec-WebSocket-Extensions does not parse' },
} as const;
export type H2ServerRejectionId = keyof typeof H2_SERVER_REJECTIONS;

/** Reasons a client fails the WebSocket on the server's response (or on the connection's settings). */
export const H2_CLIENT_REJECTIONS = {
  'uppercase-header-name': { rfc: '7540 8.1.2', malformed: true, text: 'a header field name has uppercase letters' },
  'unknown-pseudo-header': { rfc: '7540 8.1.2.1', malformed: true, text: 'a pseudo-header field not defined for responses' },
  'duplicate-pseudo-header': { rfc: '7540 8.1.2.1', malformed: true, text: 'a pseudo-header field appears twice' },
  'pseudo-header-after-regular': { rfc: '7540 8.1.2.1', malformed: true, text: 'a pseudo-header field after a regular one' },
  'connection-specific-header': { rfc: '7540 8.1.2.2', malformed: true, text: 'a connection-specific header field (Connection, Upgrade, ...)' },
  'connect-protocol-not-enabled': { rfc: '8441 3', malformed: false, text: 'the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1' },
  'missing-status': { rfc: '7540 8.1.2.4', malformed: true, text: 'no :status' },
  'status-101': { rfc: '7540 8.1.1', malformed: false, text: 'a 101 (Switching Protocols) response, which HTTP/2 does not have' },
  'unexpected-status': { rfc: '8441 5', malformed: false, text: 'status is not 2xx: the server did not accept' },
  'accept-present': { rfc: '8441 5', malformed: false, text: 'Sec-WebSocket-Accept is not used over HTTP/2' },
  'reset-before-response': { rfc: '8441 5', malformed: false, text: 'the stream was reset before a response' },
  'invalid-protocol': { rfc: '4.1', malformed: false, text: 'Sec-WebSocket-Protocol is not a single token' },
  'protocol-not-offered': { rfc: '4.1', malformed: false, text: 'subprotocol not offered by the client' },
  'invalid-extensions-header': { rfc: '9.1', malformed: false, text: 'Sec-WebSocket-Extensions does not parse' },
  'extension-not-offered': { rfc: '4.1', malformed: false, text: 'extension not offered by the client' },
  'duplicate-extension': { rfc: '9.1', malformed: false, text: 'the same extension accepted twice' },
} as const;
export type H2ClientRejectionId = keyof typeof H2_CLIENT_REJECTIONS;

/** Connection errors of the bootstrap's one setting (RFC 7540 §5.4.1: GOAWAY with the code). */
export const H2_CONNECTION_ERRORS = {
  'setting-not-boolean': { rfc: '8441 3', text: 'SETTINGS_ENABLE_CONNECT_PROTOCOL must be 0 or 1' },
  'setting-withdrawn': { rfc: '8441 3', text: 'SETTINGS_ENABLE_CONNECT_PROTOCOL went from 1 back to 0' },
} as const;
export type H2ConnectionErrorId = keyof typeof H2_CONNECTION_ERRORS;

/** The ids shared by both tables: a header block that breaks RFC 7540 §8.1.2 whichever side sent it. */
export type MalformedBlockId =
  | 'uppercase-header-name'
  | 'unknown-pseudo-header'
  | 'duplicate-pseudo-header'
  | 'pseudo-header-after-regular'
  | 'connection-specific-header';

export interface H2ServerRejection {
  ok: false;
  status: number;
  id: H2ServerRejectionId;
  rfc: string;
  /** True when RFC 7540 §8.1.2.6 calls the request malformed: RST_STREAM(PROTOCOL_ERROR) is also a right answer. */
  malformed: boolean;
  message: string;
  /** Response header fields the refusal carries (allow for 405, sec-websocket-version for a version refusal). */
  headers: [string, string][];
}

export interface H2ClientRejection {
  ok: false;
  id: H2ClientRejectionId;
  rfc: string;
  malformed: boolean;
  message: string;
}

export interface H2ConnectionError {
  id: H2ConnectionErrorId;
  rfc: string;
  /** The HTTP/2 error code for GOAWAY (PROTOCOL_ERROR: RFC 8441 §3 names none, RFC 7540 §5.4.1's default). */
  errorCode: number;
  message: string;
}

/** '8441 5' -> 'RFC 8441 §5'; a bare section is RFC 6455's. */
export function h2Citation(rfc: string): string {
  const m = /^(\d{4}) (.+)$/.exec(rfc);
  return m === null ? `RFC 6455 §${rfc}` : `RFC ${m[1]} §${m[2]}`;
}

export function h2ServerRejection(id: H2ServerRejectionId, detail?: string, headers: [string, string][] = []): H2ServerRejection {
  const r = H2_SERVER_REJECTIONS[id];
  return { ok: false, status: r.status, id, rfc: r.rfc, malformed: r.malformed, message: `${h2Citation(r.rfc)}: ${detail ?? r.text}`, headers };
}

export function h2ClientRejection(id: H2ClientRejectionId, detail?: string): H2ClientRejection {
  const r = H2_CLIENT_REJECTIONS[id];
  return { ok: false, id, rfc: r.rfc, malformed: r.malformed, message: `${h2Citation(r.rfc)}: ${detail ?? r.text}` };
}

export function h2ConnectionError(id: H2ConnectionErrorId, errorCode: number, detail?: string): H2ConnectionError {
  const r = H2_CONNECTION_ERRORS[id];
  return { id, rfc: r.rfc, errorCode, message: `${h2Citation(r.rfc)}: ${detail ?? r.text}` };
}
