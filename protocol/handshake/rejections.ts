// Every reason a handshake can be refused, in one table: a stable id, the RFC section, and (server side) the
// HTTP status. The server's checks and the client's checks each draw their ids from here.

/** Reasons a server refuses a client's opening handshake (RFC 6455 §4.2.1, §4.2.2). */
export const SERVER_REJECTIONS = {
  'not-a-request': { rfc: '4.2.1', status: 400, text: 'the head is not a request' },
  'method-not-get': { rfc: '4.2.1', status: 405, text: 'the method is not GET' },
  'http-version-too-low': { rfc: '4.2.1', status: 400, text: 'HTTP/1.1 or higher is required' },
  'bad-request-target': { rfc: '4.2.1', status: 400, text: 'the Request-URI is not a resource name' },
  'path-not-found': { rfc: '4.2.2', status: 404, text: 'no service at this resource name' },
  'missing-host': { rfc: '4.2.1', status: 400, text: 'no Host header field' },
  'duplicate-host': { rfc: '4.2.1', status: 400, text: 'more than one Host header field' },
  'missing-upgrade': { rfc: '4.2.1', status: 400, text: 'no Upgrade header field' },
  'upgrade-not-websocket': { rfc: '4.2.1', status: 400, text: 'Upgrade does not contain "websocket"' },
  'missing-connection': { rfc: '4.2.1', status: 400, text: 'no Connection header field' },
  'connection-not-upgrade': { rfc: '4.2.1', status: 400, text: 'Connection does not contain "Upgrade"' },
  'missing-key': { rfc: '4.2.1', status: 400, text: 'no Sec-WebSocket-Key header field' },
  'duplicate-key': { rfc: '4.2.1', status: 400, text: 'more than one Sec-WebSocket-Key header field' },
  'invalid-key': { rfc: '4.2.1', status: 400, text: 'Sec-WebSocket-Key is not the base64 of 16 bytes' },
  'missing-version': { rfc: '4.2.2', status: 426, text: 'no Sec-WebSocket-Version header field' },
  'duplicate-version': { rfc: '4.2.1', status: 400, text: 'more than one Sec-WebSocket-Version header field' },
  'unsupported-version': { rfc: '4.2.2', status: 426, text: 'Sec-WebSocket-Version is not 13' },
  'origin-forbidden': { rfc: '4.2.2', status: 403, text: 'origin not allowed' },
  'invalid-protocol-header': { rfc: '4.2.1', status: 400, text: 'Sec-WebSocket-Protocol is not 1#token' },
  'invalid-extensions-header': { rfc: '9.1', status: 400, text: 'Sec-WebSocket-Extensions does not parse' },
  'request-has-body': { rfc: '4.2.1', status: 400, text: 'the handshake request has a message body' },
} as const;
export type ServerRejectionId = keyof typeof SERVER_REJECTIONS;

/** Reasons a client fails the connection on the server's response (RFC 6455 §4.1, client steps 1-6). */
export const CLIENT_REJECTIONS = {
  'not-a-response': { rfc: '4.1', text: 'the head is not a response' },
  'http-version-too-low': { rfc: '4.1', text: 'a 101 response needs HTTP/1.1 or higher' },
  'unexpected-status': { rfc: '4.1', text: 'status is not 101' },
  'missing-upgrade': { rfc: '4.1', text: 'no Upgrade header field' },
  'upgrade-not-websocket': { rfc: '4.1', text: 'Upgrade is not "websocket"' },
  'missing-connection': { rfc: '4.1', text: 'no Connection header field' },
  'connection-not-upgrade': { rfc: '4.1', text: 'Connection does not contain "Upgrade"' },
  'missing-accept': { rfc: '4.1', text: 'no Sec-WebSocket-Accept header field' },
  'wrong-accept': { rfc: '4.1', text: 'Sec-WebSocket-Accept does not match the key' },
  'invalid-protocol': { rfc: '4.1', text: 'Sec-WebSocket-Protocol is not a single token' },
  'protocol-not-offered': { rfc: '4.1', text: 'subprotocol not offered by the client' },
  'invalid-extensions-header': { rfc: '9.1', text: 'Sec-WebSocket-Extensions does not parse' },
  'extension-not-offered': { rfc: '4.1', text: 'extension not offered by the client' },
  'duplicate-extension': { rfc: '9.1', text: 'the same extension accepted twice' },
} as const;
export type ClientRejectionId = keyof typeof CLIENT_REJECTIONS;

export interface ServerRejection {
  ok: false;
  status: number;
  id: ServerRejectionId;
  rfc: string;
  message: string;
  /** Headers the rejection response must carry (Allow for 405, Sec-WebSocket-Version for 426). */
  headers: [string, string][];
}

export interface ClientRejection {
  ok: false;
  id: ClientRejectionId;
  rfc: string;
  message: string;
}

export function serverRejection(
  id: ServerRejectionId,
  detail?: string,
  headers: [string, string][] = [],
): ServerRejection {
  const r = SERVER_REJECTIONS[id];
  return { ok: false, status: r.status, id, rfc: r.rfc, message: `RFC 6455 §${r.rfc}: ${detail ?? r.text}`, headers };
}

export function clientRejection(id: ClientRejectionId, detail?: string): ClientRejection {
  const r = CLIENT_REJECTIONS[id];
  return { ok: false, id, rfc: r.rfc, message: `RFC 6455 §${r.rfc}: ${detail ?? r.text}` };
}
