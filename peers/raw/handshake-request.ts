// The opening handshake a raw peer sends: a correct request built by protocol/handshake (RFC 6455 §4.1), edited as
// a case asks (method, path, version, headers removed, replaced or added), or raw bytes as given. Pure: the request
// bytes and what the response must be checked against.
import type { Entropy } from '../../protocol/entropy.js';
import { buildClientRequest } from '../../protocol/handshake/client-request.js';
import type { HandshakeSpec } from './peer.js';
import type { PendingHandshake } from './observer.js';

export interface RequestDefaults {
  origin?: string;
  protocols?: string[];
  headers?: [string, string][];
}

export interface BuiltRequest {
  bytes: Uint8Array;
  pending: PendingHandshake;
}

export function buildHandshakeRequest(spec: HandshakeSpec, url: URL, entropy: Entropy, defaults: RequestDefaults): BuiltRequest {
  const deflate = spec.deflate !== undefined ? { deflate: spec.deflate } : {};
  if (spec.raw !== undefined) {
    const bytes = typeof spec.raw === 'string' ? new Uint8Array(Buffer.from(spec.raw, 'latin1')) : spec.raw;
    const text = Buffer.from(bytes).toString('latin1');
    const values = (name: string): string[] =>
      [...text.matchAll(new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*?)[ \\t]*(?=\\r\\n)`, 'gi'))].map((m) => m[1]!);
    const key = values('sec-websocket-key')[0];
    // The offers in the raw head are what the response is checked against (RFC 6455 §4.1: a subprotocol or
    // extension the client did not offer fails the connection).
    const ctx: PendingHandshake['ctx'] = { key: key ?? '' };
    const protocols = values('sec-websocket-protocol').flatMap((v) => v.split(',')).map((p) => p.trim()).filter((p) => p !== '');
    if (protocols.length > 0) ctx.protocols = protocols;
    const extensions = values('sec-websocket-extensions');
    if (extensions.length > 0) ctx.extensionOffers = extensions.join(', ');
    return { bytes, pending: { key, ctx, ...deflate } };
  }
  const protocols = spec.protocols ?? defaults.protocols;
  const origin = spec.origin ?? defaults.origin;
  const built = buildClientRequest({
    url,
    entropy,
    ...(spec.key !== undefined ? { key: spec.key } : {}),
    ...(origin !== undefined ? { origin } : {}),
    ...(protocols !== undefined ? { protocols } : {}),
    ...(spec.extensions !== undefined ? { extensions: spec.extensions } : {}),
    ...(defaults.headers !== undefined ? { headers: defaults.headers } : {}),
  });
  const ctx: PendingHandshake['ctx'] = { key: built.key };
  if (protocols !== undefined) ctx.protocols = protocols;
  if (spec.extensions !== undefined) ctx.extensionOffers = spec.extensions;
  const edited =
    spec.method !== undefined ||
    spec.path !== undefined ||
    spec.httpVersion !== undefined ||
    spec.version !== undefined ||
    (spec.removeHeaders?.length ?? 0) > 0 ||
    (spec.replaceHeaders?.length ?? 0) > 0 ||
    (spec.addHeaders?.length ?? 0) > 0;
  if (!edited) return { bytes: built.bytes, pending: { key: built.key, ctx, ...deflate } };
  const { bytes, key } = editRequest(built.bytes, spec);
  return { bytes, pending: { key, ctx: { ...ctx, key: key ?? '' }, ...deflate } };
}

/** Applies a spec's edits to a built request head; the key is whatever Sec-WebSocket-Key the result carries. */
function editRequest(built: Uint8Array, spec: HandshakeSpec): { bytes: Uint8Array; key: string | undefined } {
  const text = Buffer.from(built).toString('latin1');
  const lines = text.slice(0, -4).split('\r\n');
  const [method, target, version] = lines[0]!.split(' ');
  lines[0] = `${spec.method ?? method} ${spec.path ?? target} ${spec.httpVersion ?? version}`;
  let headers: [string, string][] = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()];
  });
  const replace: [string, string][] = [...(spec.replaceHeaders ?? [])];
  if (spec.version !== undefined) replace.push(['Sec-WebSocket-Version', spec.version]);
  const remove = new Set((spec.removeHeaders ?? []).map((h) => h.toLowerCase()));
  headers = headers.filter(([n]) => !remove.has(n.toLowerCase()));
  for (const [name, value] of replace) {
    const lower = name.toLowerCase();
    if (headers.some(([n]) => n.toLowerCase() === lower)) headers = headers.map(([n, v]) => (n.toLowerCase() === lower ? [n, value] : [n, v]));
    else headers.push([name, value]);
  }
  headers.push(...(spec.addHeaders ?? []));
  const out = `${lines[0]}\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}${headers.length > 0 ? '\r\n' : ''}\r\n`;
  const key = headers.find(([n]) => n.toLowerCase() === 'sec-websocket-key')?.[1];
  return { bytes: new Uint8Array(Buffer.from(out, 'latin1')), key };
}
