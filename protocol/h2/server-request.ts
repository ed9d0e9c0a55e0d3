// The server side of RFC 8441: reading a client's Extended CONNECT (§4, §5) and building the 200 that accepts it
// or the refusal. It replaces RFC 6455 §4.2.1's GET checks; Origin, Sec-WebSocket-Version, -Protocol and
// -Extensions are read "as defined in [RFC6455]" (RFC 8441 §5), so those parts follow protocol/handshake.
import { WEBSOCKET_VERSION } from '../constants.js';
import { serializeExtensions, type ParsedExtension } from '../extensions/header.js';
import { checkRequestOptions } from '../handshake/server-request.js';
import { checkHeaderBlock, extraHeaders, h2Value, h2Values, type H2HeaderList } from './headers.js';
import { h2ServerRejection, type H2ServerRejection } from './rejections.js';

export interface H2RequestPolicy {
  /** Only this resource path is served (query ignored); others get 404. */
  path?: string | undefined;
  /** Subprotocols the server speaks, in its order of preference. */
  protocols?: string[] | undefined;
  /** Allowed origins (ASCII case-insensitive), or a predicate; as in protocol/handshake/server-request.ts. */
  origins?: string[] | ((origin: string | undefined) => boolean) | undefined;
  /**
   * Whether this connection's server sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (default true). RFC 8441 §6:
   * without it, ":protocol" is a pseudo-header field the peer never agreed to, so the request is malformed.
   */
  connectProtocolEnabled?: boolean;
}

export interface H2RequestAccepted {
  ok: true;
  /** :path without the query. */
  path: string;
  /** :path as sent. */
  target: string;
  authority: string;
  scheme: 'http' | 'https';
  protocol: string | null;
  extensionOffers: ParsedExtension[];
  origin?: string;
}

export type H2RequestCheck = H2RequestAccepted | H2ServerRejection;

const VERSION_HEADERS: [string, string][] = [['sec-websocket-version', WEBSOCKET_VERSION]];

export function checkH2Request(list: H2HeaderList, policy: H2RequestPolicy = {}): H2RequestCheck {
  const malformed = checkHeaderBlock(list, 'request');
  if (malformed !== null) return h2ServerRejection(malformed.id, malformed.detail);
  const pseudo = (name: string): string | undefined => h2Values(list, name)[0];

  const method = pseudo(':method');
  if (method === undefined) return h2ServerRejection('missing-method');
  const protocol = pseudo(':protocol');
  if (protocol !== undefined && policy.connectProtocolEnabled === false) return h2ServerRejection('protocol-without-setting');
  // RFC 8441 §4 gives :protocol to CONNECT only; any other method is refused the way RFC 6455's server refuses a
  // non-GET (RFC 7231 §6.5.5: 405 lists the allowed method).
  if (method !== 'CONNECT') return h2ServerRejection('method-not-connect', `method ${method} is not CONNECT`, [['allow', 'CONNECT']]);
  // §5: "The :protocol pseudo-header field MUST be included in the CONNECT request, and it MUST have a value of
  // "websocket"". Compared ASCII case-insensitively, as RFC 6455 §4.2.1 step 3 compares the Upgrade token.
  if (protocol === undefined) return h2ServerRejection('missing-protocol', 'CONNECT without :protocol asks for a tunnel (RFC 7540 §8.3), not a WebSocket');
  if (protocol.toLowerCase() !== 'websocket') return h2ServerRejection('protocol-not-websocket', `:protocol ${JSON.stringify(protocol)} is not "websocket"`);

  // §4: "On requests that contain the :protocol pseudo-header field, the :scheme and :path pseudo-header fields of
  // the target URI ... MUST also be included."
  const scheme = pseudo(':scheme');
  if (scheme === undefined) return h2ServerRejection('missing-scheme');
  // §5: "https" for wss and "http" for ws.
  if (scheme !== 'http' && scheme !== 'https') return h2ServerRejection('bad-scheme', `:scheme ${JSON.stringify(scheme)} is neither "http" nor "https"`);
  const target = pseudo(':path');
  // RFC 7540 §8.1.2.3: ":path ... MUST NOT be empty for "http" or "https" URIs".
  if (target === undefined || target === '') return h2ServerRejection('missing-path');
  if (!target.startsWith('/') || /[\x00-\x20\x7f]/.test(target)) return h2ServerRejection('bad-path', `:path ${JSON.stringify(target)} is not an absolute path`);
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (policy.path !== undefined && path !== policy.path) return h2ServerRejection('path-not-found', `no service at ${JSON.stringify(path)}`);
  // §5: "The Host information is conveyed as part of the :authority pseudo-header field, which is required on every
  // HTTP/2 transaction." The §4.2.1 step 2 equivalent.
  const authority = pseudo(':authority');
  if (authority === undefined || authority === '') return h2ServerRejection('missing-authority');

  // §5: "Implementations using this extended CONNECT ... do not do the processing of the Sec-WebSocket-Key and
  // Sec-WebSocket-Accept header fields". A client that sends a key mixed the two bootstraps; strict, like the rest.
  if (h2Values(list, 'sec-websocket-key').length > 0) return h2ServerRejection('key-not-used', 'Sec-WebSocket-Key is not used over HTTP/2 (the :protocol pseudo-header field replaces it)');

  // RFC 6455 §4.2.2 /version/, with 400 where it suggests 426 (see rejections.ts): the version header tells the
  // client which version to use.
  const versions = h2Values(list, 'sec-websocket-version');
  if (versions.length === 0) return h2ServerRejection('missing-version', undefined, VERSION_HEADERS);
  if (versions.length > 1) return h2ServerRejection('duplicate-version', undefined, VERSION_HEADERS);
  if (versions[0] !== WEBSOCKET_VERSION) {
    return h2ServerRejection('unsupported-version', `Sec-WebSocket-Version ${JSON.stringify(versions[0])} is not 13`, VERSION_HEADERS);
  }

  // RFC 8441 §5: Origin, subprotocols and extensions as RFC 6455 has them (§4.2.2, §4.3, §9.1).
  const options = checkRequestOptions((name) => h2Value(list, name), policy);
  if (!options.ok) return h2ServerRejection(options.id, options.detail);
  const { origin, extensionOffers } = options;

  const accepted: H2RequestAccepted = { ok: true, path, target, authority, scheme, protocol: options.protocol, extensionOffers };
  if (origin !== undefined) accepted.origin = origin;
  return accepted;
}

export interface H2ResponseOptions {
  protocol?: string | null;
  /** A Sec-WebSocket-Extensions value, or parsed extensions to serialise. Empty means no header. */
  extensions?: string | ParsedExtension[];
  headers?: [string, string][];
}

/** The response that accepts: 200 (RFC 8441 §5), no Sec-WebSocket-Accept, the agreed subprotocol and extensions. */
export function buildH2Response(opts: H2ResponseOptions = {}): H2HeaderList {
  const list: H2HeaderList = [[':status', '200']];
  // RFC 6455 §4.2.2 /subprotocol/: with no agreement the server "MUST NOT send back a |Sec-WebSocket-Protocol|".
  if (opts.protocol !== undefined && opts.protocol !== null) list.push(['sec-websocket-protocol', opts.protocol]);
  const ext = opts.extensions;
  if (ext !== undefined && ext.length > 0) list.push(['sec-websocket-extensions', typeof ext === 'string' ? ext : serializeExtensions(ext)]);
  list.push(...extraHeaders(opts.headers));
  return list;
}

/** A refusal: the status, the rejection's own header fields, and the one-line reason as a text body. */
export function buildH2Rejection(rejection: H2ServerRejection): { headers: H2HeaderList; body: string } {
  const headers: H2HeaderList = [[':status', String(rejection.status)], ['content-type', 'text/plain; charset=utf-8'], ...extraHeaders(rejection.headers)];
  return { headers, body: `${rejection.message}\n` };
}
