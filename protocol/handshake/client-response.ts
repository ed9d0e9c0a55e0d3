// RFC 6455 §4.1: "The client MUST validate the server's response as follows" (steps 1-6).
import { computeAcceptKey } from './accept-key.js';
import { HeaderSyntaxError, parseExtensionHeader, readExtensionHeader, type ParsedExtension } from '../extensions/header.js';
import { headerValue, headerValues, type HttpHead } from './head-parser.js';
import { isToken, listHasToken } from './http-grammar.js';
import { clientRejection, type ClientRejection } from './rejections.js';

export interface ServerResponseContext {
  /** The Sec-WebSocket-Key the client sent. */
  key: string;
  /** Subprotocols the client offered. */
  protocols?: string[];
  /** The Sec-WebSocket-Extensions value the client sent. */
  extensionOffers?: string;
}

export interface ServerResponseAccepted {
  ok: true;
  protocol: string | null;
  /** As the server listed them; extension-specific checks (e.g. acceptDeflateResponse) come after. */
  extensions: ParsedExtension[];
}

export type ServerResponseCheck = ServerResponseAccepted | ClientRejection;

export function checkServerResponse(head: HttpHead, ctx: ServerResponseContext): ServerResponseCheck {
  if (head.status === undefined) return clientRejection('not-a-response');
  // Step 1: "If the status code received from the server is not 101, the client handles the response per HTTP".
  if (head.status !== 101) {
    return clientRejection('unexpected-status', `status ${head.status}${head.statusText ? ` ${head.statusText}` : ''} is not 101`);
  }
  const { major, minor } = head.version;
  if (major < 1 || (major === 1 && minor < 1)) {
    return clientRejection('http-version-too-low', `HTTP/${major}.${minor} 101: 101 needs HTTP/1.1 or higher`);
  }
  // Step 2: "If the response lacks an |Upgrade| header field or the |Upgrade| header field contains a value that
  // is not an ASCII case-insensitive match for the value "websocket", the client MUST _Fail_".
  const upgrade = headerValue(head, 'upgrade');
  if (upgrade === undefined) return clientRejection('missing-upgrade');
  if (upgrade.toLowerCase() !== 'websocket') {
    return clientRejection('upgrade-not-websocket', `Upgrade ${JSON.stringify(upgrade)} is not "websocket"`);
  }
  // Step 3: "doesn't contain a token that is an ASCII case-insensitive match for the value "Upgrade"".
  const connection = headerValue(head, 'connection');
  if (connection === undefined) return clientRejection('missing-connection');
  if (!listHasToken(connection, 'upgrade')) {
    return clientRejection('connection-not-upgrade', `Connection ${JSON.stringify(connection)} does not contain "Upgrade"`);
  }
  // Step 4: the accept value, "ignoring any leading and trailing whitespace" (the head parser trims it).
  const accepts = headerValues(head, 'sec-websocket-accept');
  if (accepts.length === 0) return clientRejection('missing-accept');
  const expected = computeAcceptKey(ctx.key);
  if (accepts.length > 1 || accepts[0] !== expected) {
    return clientRejection('wrong-accept', `Sec-WebSocket-Accept ${JSON.stringify(accepts.join(', '))}, expected ${JSON.stringify(expected)}`);
  }
  // Step 5: "this header field indicates the use of an extension that was not present in the client's
  // handshake ... the client MUST _Fail the WebSocket Connection_."
  const extValue = headerValue(head, 'sec-websocket-extensions');
  const extensions = readExtensionHeader(extValue);
  if (extensions instanceof HeaderSyntaxError) {
    return clientRejection('invalid-extensions-header', extensions.message.replace(/^RFC 6455 §9\.1: /, ''));
  }
  if (extValue !== undefined) {
    const offered = new Set<string>();
    if (ctx.extensionOffers !== undefined && ctx.extensionOffers.length > 0) {
      for (const name of offeredNames(ctx.extensionOffers)) offered.add(name);
    }
    const seen = new Set<string>();
    for (const ext of extensions) {
      if (!offered.has(ext.name)) {
        return clientRejection('extension-not-offered', `extension ${JSON.stringify(ext.name)} was not offered`);
      }
      if (seen.has(ext.name)) return clientRejection('duplicate-extension', `extension ${JSON.stringify(ext.name)} accepted twice`);
      seen.add(ext.name);
    }
  }
  // Step 6, and §4.3: Sec-WebSocket-Protocol-Server = token (exactly one).
  let protocol: string | null = null;
  const protocols = headerValues(head, 'sec-websocket-protocol');
  if (protocols.length > 0) {
    const value = protocols.join(', ');
    if (protocols.length > 1 || !isToken(value)) {
      return clientRejection('invalid-protocol', `Sec-WebSocket-Protocol ${JSON.stringify(value)} is not a single token`);
    }
    if (!(ctx.protocols ?? []).includes(value)) {
      return clientRejection('protocol-not-offered', `subprotocol ${JSON.stringify(value)} was not offered`);
    }
    protocol = value;
  }
  return { ok: true, protocol, extensions };
}

/** Names in the client's own offer; read leniently, since a harness may have offered a malformed header on purpose. */
function offeredNames(offers: string): string[] {
  try {
    return parseExtensionHeader(offers).map((o) => o.name);
  } catch {
    return offers.split(',').map((o) => (o.split(';')[0] ?? '').trim());
  }
}
