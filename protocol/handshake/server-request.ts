// RFC 6455 §4.2.1 (reading the client's opening handshake) and §4.2.2 step 4 (what the server establishes).
import { WEBSOCKET_VERSION } from '../constants.js';
import { HeaderSyntaxError, readExtensionHeader, type ParsedExtension } from '../extensions/header.js';
import { computeAcceptKey } from './accept-key.js';
import { headerValue, headerValues, type HttpHead } from './head-parser.js';
import { isToken, listHasToken, splitList } from './http-grammar.js';
import { serverRejection, type ServerRejection } from './rejections.js';

export interface ServerRequestPolicy {
  /** Only this resource path is served (query ignored); others get 404. */
  path?: string;
  /** Subprotocols the server speaks, in its order of preference. */
  protocols?: string[];
  /**
   * Allowed origins (compared ASCII case-insensitively, §4.2.2: "converted to lowercase"), or a predicate. With
   * a list, a request without Origin passes: only browsers send it (§4.2.1 step 7), so its absence proves nothing
   * a non-browser client could not fake. A predicate decides for itself.
   */
  origins?: string[] | ((origin: string | undefined) => boolean);
}

export interface ClientRequestAccepted {
  ok: true;
  key: string;
  accept: string;
  protocol: string | null;
  extensionOffers: ParsedExtension[];
  origin?: string;
}

export type ClientRequestCheck = ClientRequestAccepted | ServerRejection;

/** 16 bytes in base64 (RFC 4648 §4) are 22 characters and "==". Non-zero pad bits are tolerated (§3.5 MAY). */
const KEY_RE = /^[A-Za-z0-9+/]{22}==$/;

export function checkClientRequest(head: HttpHead, policy: ServerRequestPolicy = {}): ClientRequestCheck {
  if (head.method === undefined || head.target === undefined) return serverRejection('not-a-request');
  // §4.2.1 step 1: "An HTTP/1.1 or higher GET request". 405 rather than 400: RFC 7231 §6.5.5 names the case
  // (the method is known but not supported by the resource), and it must list the allowed method.
  if (head.method !== 'GET') {
    return serverRejection('method-not-get', `method ${head.method} is not GET`, [['Allow', 'GET']]);
  }
  const { major, minor } = head.version;
  if (major < 1 || (major === 1 && minor < 1)) {
    return serverRejection('http-version-too-low', `HTTP/${major}.${minor}: HTTP/1.1 or higher is required`);
  }
  const path = resourcePath(head.target);
  if (path === null) return serverRejection('bad-request-target', `Request-URI ${JSON.stringify(head.target)} is not a resource name`);
  if (policy.path !== undefined && path !== policy.path) {
    return serverRejection('path-not-found', `no service at ${JSON.stringify(path)}`);
  }

  // §4.2.1 step 2; RFC 7230 §5.4: "A server MUST respond with a 400 ... to any HTTP/1.1 request message that
  // lacks a Host header field and to any request message that contains more than one Host header field".
  const hosts = headerValues(head, 'host');
  if (hosts.length === 0) return serverRejection('missing-host');
  if (hosts.length > 1) return serverRejection('duplicate-host');

  // §4.2.1 step 3: "An |Upgrade| header field containing the value "websocket", treated as an ASCII
  // case-insensitive value."
  const upgrade = headerValue(head, 'upgrade');
  if (upgrade === undefined) return serverRejection('missing-upgrade');
  if (!listHasToken(upgrade, 'websocket')) {
    return serverRejection('upgrade-not-websocket', `Upgrade ${JSON.stringify(upgrade)} does not contain "websocket"`);
  }
  // §4.2.1 step 4: "A |Connection| header field that includes the token "Upgrade"" (e.g. "keep-alive, Upgrade").
  const connection = headerValue(head, 'connection');
  if (connection === undefined) return serverRejection('missing-connection');
  if (!listHasToken(connection, 'upgrade')) {
    return serverRejection('connection-not-upgrade', `Connection ${JSON.stringify(connection)} does not contain "Upgrade"`);
  }

  // §4.2.1 step 5: "a base64-encoded ... value that, when decoded, is 16 bytes in length". One key only: two keys
  // leave the accept value ambiguous.
  const keys = headerValues(head, 'sec-websocket-key');
  if (keys.length === 0) return serverRejection('missing-key');
  if (keys.length > 1) return serverRejection('duplicate-key');
  const key = keys[0] as string;
  if (!KEY_RE.test(key)) return serverRejection('invalid-key', `Sec-WebSocket-Key ${JSON.stringify(key)} is not the base64 of 16 bytes`);

  // §4.2.2 /version/: "If this version does not match a version understood by the server, the server MUST abort
  // ... and instead send an appropriate HTTP error code (such as 426 Upgrade Required) and a
  // |Sec-WebSocket-Version| header field indicating the version(s) the server is capable of understanding."
  // RFC 7231 §6.5.15: a 426 "MUST send an Upgrade header field".
  const versionHeaders: [string, string][] = [['Sec-WebSocket-Version', WEBSOCKET_VERSION], ['Upgrade', 'websocket']];
  const versions = headerValues(head, 'sec-websocket-version');
  if (versions.length === 0) return serverRejection('missing-version', undefined, versionHeaders);
  if (versions.length > 1) return serverRejection('duplicate-version', undefined, [['Sec-WebSocket-Version', WEBSOCKET_VERSION]]);
  if (versions[0] !== WEBSOCKET_VERSION) {
    return serverRejection('unsupported-version', `Sec-WebSocket-Version ${JSON.stringify(versions[0])} is not 13`, versionHeaders);
  }

  const options = checkRequestOptions((name) => headerValue(head, name), policy);
  if (!options.ok) return serverRejection(options.id, options.detail);
  const { origin, protocol, extensionOffers } = options;

  const body = requestBody(head);
  if (body !== null) return serverRejection('request-has-body', body);

  const result: ClientRequestAccepted = { ok: true, key, accept: computeAcceptKey(key), protocol, extensionOffers };
  if (origin !== undefined) result.origin = origin;
  return result;
}

/**
 * Why the request has (or may have) a message body, or null when it has none. RFC 7230 §3.3: "The presence of a
 * message body in a request is signaled by a Content-Length or Transfer-Encoding header field." The handshake is a
 * GET (§4.2.1) and RFC 7231 §4.3.1 says "A payload within a GET request message has no defined semantics; sending a
 * payload body on a GET request might cause some existing implementations to reject the request." Refusing it with
 * 400 is the one answer that cannot go wrong: the body's bytes lie between the head and the first frame, so a
 * server that switched protocols would have to skip exactly that many bytes, and one that read them as frames would
 * fail (or worse, act on smuggled frames). A malformed Content-Length is a 400 anyway (RFC 7230 §3.3.3: "the
 * server MUST respond with a 400 (Bad Request) status code and then close the connection"). Content-Length: 0
 * declares no body and is accepted.
 */
function requestBody(head: HttpHead): string | null {
  if (headerValues(head, 'transfer-encoding').length > 0) return 'a GET handshake with Transfer-Encoding (a message body)';
  const lengths = headerValues(head, 'content-length');
  if (lengths.length === 0) return null;
  const values = new Set(lengths.flatMap((v) => splitList(v)));
  if (values.size !== 1 || !/^\d+$/.test([...values][0]!)) return `Content-Length ${JSON.stringify(lengths.join(', '))} is not a valid length`;
  const n = Number([...values][0]);
  return n === 0 ? null : `a GET handshake with a ${n}-byte body (Content-Length); RFC 7231 §4.3.1 gives it no meaning`;
}

/** The path of an origin-form or absolute-form Request-URI (§4.2.1 step 1), or null when it is neither. */
function resourcePath(target: string): string | null {
  if (target.startsWith('/')) {
    const q = target.indexOf('?');
    return q < 0 ? target : target.slice(0, q);
  }
  if (/^(https?|wss?):\/\//i.test(target)) {
    try {
      return new URL(target).pathname;
    } catch {
      return null;
    }
  }
  return null;
}

/** What checkRequestOptions found: the Origin sent, the subprotocol chosen and the extensions offered. */
export type RequestOptionsCheck =
  | { ok: true; origin: string | undefined; protocol: string | null; extensionOffers: ParsedExtension[] }
  | { ok: false; id: 'origin-forbidden' | 'invalid-protocol-header' | 'invalid-extensions-header'; detail: string };

/**
 * The parts of the opening handshake RFC 8441 §5 keeps as RFC 6455 has them, over HTTP/1.1 and HTTP/2 alike: the
 * Origin policy, the subprotocol offer and the extension offers. `value(name)` reads a header (lowercase name).
 */
export function checkRequestOptions(value: (name: string) => string | undefined, policy: ServerRequestPolicy): RequestOptionsCheck {
  // §4.2.2 /origin/: "If the server does not wish to accept this connection, it MUST return an appropriate HTTP
  // error code (e.g., 403 Forbidden)".
  const origin = value('origin');
  if (policy.origins !== undefined) {
    const allowed =
      typeof policy.origins === 'function'
        ? policy.origins(origin)
        : origin === undefined || policy.origins.some((o) => o.toLowerCase() === origin.toLowerCase());
    if (!allowed) return { ok: false, id: 'origin-forbidden', detail: `origin ${JSON.stringify(origin ?? null)} not allowed` };
  }

  // §4.3: Sec-WebSocket-Protocol-Client = 1#token. §4.2.2 /subprotocol/: one of the client's values, or null.
  let protocol: string | null = null;
  const protocolValue = value('sec-websocket-protocol');
  if (protocolValue !== undefined) {
    const offered = splitList(protocolValue);
    if (offered.length === 0 || !offered.every(isToken)) {
      return { ok: false, id: 'invalid-protocol-header', detail: `Sec-WebSocket-Protocol ${JSON.stringify(protocolValue)} is not 1#token` };
    }
    protocol = (policy.protocols ?? []).find((p) => offered.includes(p)) ?? null;
  }

  // §4.2.1 step 9 / §9.1; a value that does not parse violates the ABNF, so §4.2.1's 400 applies.
  const extensionOffers = readExtensionHeader(value('sec-websocket-extensions'));
  if (extensionOffers instanceof HeaderSyntaxError) {
    return { ok: false, id: 'invalid-extensions-header', detail: extensionOffers.message.replace(/^RFC 6455 §9\.1: /, '') };
  }
  return { ok: true, origin, protocol, extensionOffers };
}
