// The client side of RFC 8441: the Extended CONNECT request (§4, §5) and the check of the server's response. It
// replaces RFC 6455 §4.1's GET and 101 checks; subprotocols and extensions are checked as §4.1 steps 5 and 6 say.
import { WEBSOCKET_VERSION } from '../constants.js';
import { HeaderSyntaxError, parseExtensionHeader, readExtensionHeader, type ParsedExtension } from '../extensions/header.js';
import { isToken } from '../handshake/http-grammar.js';
import { checkHeaderBlock, extraHeaders, h2Value, h2Values, type H2HeaderList } from './headers.js';
import { h2ClientRejection, type H2ClientRejection } from './rejections.js';

export interface H2RequestOptions {
  /** ws:, wss: (or http:, https:). */
  url: URL;
  origin?: string | undefined;
  protocols?: string[] | undefined;
  /** A Sec-WebSocket-Extensions value, e.g. from buildDeflateOffer. */
  extensions?: string | undefined;
  /** Sent after the WebSocket fields, in order (lowercased). */
  headers?: [string, string][] | undefined;
}

const SCHEMES: Record<string, 'http' | 'https'> = { 'ws:': 'http', 'http:': 'http', 'wss:': 'https', 'https:': 'https' };

export function buildH2Request(opts: H2RequestOptions): H2HeaderList {
  const { url } = opts;
  const scheme = SCHEMES[url.protocol];
  if (scheme === undefined) throw new TypeError(`RFC 6455 §3: not a WebSocket URL: ${url.href}`);
  // RFC 8441 §5: :scheme "https" for wss and "http" for ws; the rest of the target URI is the WebSocket URI's.
  // :authority is WHATWG's host (no userinfo, RFC 7540 §8.1.2.3; default port omitted, IPv6 in brackets).
  const list: H2HeaderList = [
    [':method', 'CONNECT'],
    [':protocol', 'websocket'],
    [':scheme', scheme],
    [':path', `${url.pathname || '/'}${url.search}`],
    [':authority', url.host],
    ['sec-websocket-version', WEBSOCKET_VERSION],
  ];
  if (opts.origin !== undefined) list.push(['origin', opts.origin]);
  if (opts.protocols !== undefined && opts.protocols.length > 0) list.push(['sec-websocket-protocol', opts.protocols.join(', ')]);
  if (opts.extensions !== undefined && opts.extensions.length > 0) list.push(['sec-websocket-extensions', opts.extensions]);
  if (url.username !== '' || url.password !== '') {
    const cred = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    list.push(['authorization', `Basic ${Buffer.from(cred).toString('base64')}`]);
  }
  list.push(...extraHeaders(opts.headers));
  return list;
}

export interface H2ResponseContext {
  /** Subprotocols the client offered. */
  protocols?: string[] | undefined;
  /** The Sec-WebSocket-Extensions value the client sent. */
  extensionOffers?: string | undefined;
}

export interface H2ResponseAccepted {
  ok: true;
  status: number;
  protocol: string | null;
  /** As the server listed them; extension-specific checks (e.g. acceptDeflateResponse) come after. */
  extensions: ParsedExtension[];
}

export type H2ResponseCheck = H2ResponseAccepted | H2ClientRejection;

export function checkH2Response(list: H2HeaderList, ctx: H2ResponseContext = {}): H2ResponseCheck {
  const malformed = checkHeaderBlock(list, 'response');
  if (malformed !== null) return h2ClientRejection(malformed.id, malformed.detail);
  const statusText = h2Values(list, ':status')[0];
  if (statusText === undefined) return h2ClientRejection('missing-status');
  const status = /^\d{3}$/.test(statusText) ? Number(statusText) : NaN;
  // RFC 7540 §8.1.1: "HTTP/2 removes support for the 101 (Switching Protocols) informational status code" - the
  // answer of a server that mixed the two bootstraps.
  if (status === 101) return h2ClientRejection('status-101');
  // RFC 8441 §5 answers with 200; RFC 7540 §8.3 lets any 2xx accept a CONNECT, so any 2xx does.
  if (!(status >= 200 && status <= 299)) return h2ClientRejection('unexpected-status', `status ${statusText} is not 2xx: the server did not accept`);
  // RFC 8441 §5: Sec-WebSocket-Accept is not processed over HTTP/2; a server that sends one answered a GET-style
  // handshake that never happened.
  if (h2Values(list, 'sec-websocket-accept').length > 0) return h2ClientRejection('accept-present', 'Sec-WebSocket-Accept in an HTTP/2 response (RFC 8441 replaces the key exchange with :protocol)');

  // RFC 6455 §4.1 step 5: every extension must have been offered, each once.
  const extValue = h2Value(list, 'sec-websocket-extensions');
  const extensions = readExtensionHeader(extValue);
  if (extensions instanceof HeaderSyntaxError) {
    return h2ClientRejection('invalid-extensions-header', extensions.message.replace(/^RFC 6455 §9\.1: /, ''));
  }
  if (extValue !== undefined) {
    const offered = new Set(offeredNames(ctx.extensionOffers));
    const seen = new Set<string>();
    for (const ext of extensions) {
      if (!offered.has(ext.name)) return h2ClientRejection('extension-not-offered', `extension ${JSON.stringify(ext.name)} was not offered`);
      if (seen.has(ext.name)) return h2ClientRejection('duplicate-extension', `extension ${JSON.stringify(ext.name)} accepted twice`);
      seen.add(ext.name);
    }
  }
  // RFC 6455 §4.1 step 6 and §4.3: Sec-WebSocket-Protocol-Server = token, one the client offered.
  let protocol: string | null = null;
  const protocols = h2Values(list, 'sec-websocket-protocol');
  if (protocols.length > 0) {
    const value = protocols.join(', ');
    if (protocols.length > 1 || !isToken(value)) return h2ClientRejection('invalid-protocol', `Sec-WebSocket-Protocol ${JSON.stringify(value)} is not a single token`);
    if (!(ctx.protocols ?? []).includes(value)) return h2ClientRejection('protocol-not-offered', `subprotocol ${JSON.stringify(value)} was not offered`);
    protocol = value;
  }
  return { ok: true, status, protocol, extensions };
}

/** Names in the client's own offer, read leniently: a harness may have offered a malformed header on purpose. */
function offeredNames(offers: string | undefined): string[] {
  if (offers === undefined || offers.length === 0) return [];
  try {
    return parseExtensionHeader(offers).map((o) => o.name);
  } catch {
    return offers.split(',').map((o) => (o.split(';')[0] ?? '').trim());
  }
}
