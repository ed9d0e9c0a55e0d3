// The Extended CONNECT a raw peer sends over HTTP/2 (RFC 8441 §4, §5): a correct header block built by protocol/h2
// for the target URL (plus the run's --origin, --protocol, --header), edited as a case's HandshakeSpec says, and
// what the response must be checked against. A spec field only HTTP/1.1 has (raw bytes, a request line, a key,
// bytes pipelined after the head, a chopped head) makes the case not applicable over HTTP/2. Pure.
import { buildH2Request } from '../../protocol/h2/client-request.js';
import { checkHeaderBlock, type H2HeaderList } from '../../protocol/h2/headers.js';
import type { RequestDefaults } from './handshake-request.js';
import type { HandshakeSpec } from './peer.js';
import type { PendingHandshake } from './response-check.js';

export interface BuiltH2Request {
  block: H2HeaderList;
  pending: PendingHandshake;
  /**
   * Why node:http2 cannot send this block as it is (it fills in :scheme, :path and :authority of an Extended
   * CONNECT, and refuses malformed blocks): the raw peer then sends it on a connection of its own (h2-wire.ts).
   */
  needsWire: string | null;
}

/** The spec fields that only mean something in an HTTP/1.1 request head, and why. */
export function h2NotApplicable(spec: HandshakeSpec): string | null {
  if (spec.raw !== undefined) return 'raw request bytes are an HTTP/1.1 head';
  if (spec.httpVersion !== undefined) return 'the HTTP version is part of an HTTP/1.1 request line';
  if (spec.method !== undefined) return 'the request method is an HTTP/1.1 request line (over HTTP/2 the method is CONNECT, RFC 8441 §4)';
  if (spec.key !== undefined) return 'Sec-WebSocket-Key is not used over HTTP/2 (RFC 8441 §5)';
  if (spec.trailing !== undefined && spec.trailing.length > 0) return 'bytes pipelined after an HTTP/1.1 head';
  if (spec.send !== undefined) return 'the chopping of an HTTP/1.1 head on the wire';
  return null;
}

/** Header names in edits are matched case-insensitively and sent lowercase (RFC 7540 §8.1.2), as given otherwise. */
const lower = (name: string): string => name.toLowerCase();

export function buildH2HandshakeRequest(spec: HandshakeSpec, url: URL, defaults: RequestDefaults): BuiltH2Request {
  const protocols = spec.protocols ?? defaults.protocols;
  const origin = spec.origin ?? defaults.origin;
  const target = spec.path !== undefined ? new URL(spec.path, url) : url;
  let block = buildH2Request({ url: target, origin, protocols, extensions: spec.extensions, headers: defaults.headers });
  // The path as given, even one new URL() would normalise (a case may send an odd one on purpose).
  if (spec.path !== undefined) block = block.map(([n, v]) => (n === ':path' ? [n, spec.path!] : [n, v]));
  const replace: [string, string][] = [...(spec.replaceHeaders ?? [])];
  if (spec.version !== undefined) replace.push(['sec-websocket-version', spec.version]);
  const remove = new Set((spec.removeHeaders ?? []).map(lower));
  block = block.filter(([n]) => !remove.has(n));
  for (const [name, value] of replace) {
    const n = lower(name);
    if (block.some(([m]) => m === n)) block = block.map(([m, v]) => (m === n ? [m, value] : [m, v]));
    else if (n.startsWith(':')) block.splice(block.filter(([m]) => m.startsWith(':')).length, 0, [n, value]);
    else block.push([n, value]);
  }
  for (const [name, value] of spec.addHeaders ?? []) block.push([lower(name), value]);

  const ctx: PendingHandshake['ctx'] = { key: '' };
  if (protocols !== undefined) ctx.protocols = protocols;
  if (spec.extensions !== undefined) ctx.extensionOffers = spec.extensions;
  const pending: PendingHandshake = { key: undefined, ctx, ...(spec.deflate !== undefined ? { deflate: spec.deflate } : {}) };
  return { block, pending, needsWire: wireReason(block) };
}

/** What node:http2 would change or refuse in the block, or null when it sends it as it is. */
export function wireReason(block: H2HeaderList): string | null {
  const malformed = checkHeaderBlock(block, 'request');
  if (malformed !== null) return malformed.detail;
  const has = (name: string): boolean => block.some(([n]) => n === name);
  const method = block.find(([n]) => n === ':method')?.[1];
  if (method === undefined) return 'no :method';
  if (has(':protocol')) {
    for (const name of [':scheme', ':path', ':authority']) if (!has(name)) return `an Extended CONNECT without ${name}`;
    if (block.some(([n, v]) => n === ':path' && v === '')) return 'an empty :path';
  }
  if (method === 'CONNECT' && !has(':protocol') && (has(':scheme') || has(':path') || !has(':authority'))) {
    return 'a CONNECT without :protocol that is not RFC 7540 §8.3 form (only :authority)';
  }
  return null;
}

/** The block as the transcript shows it: one `name: value` line per field, in order. */
export function blockText(block: H2HeaderList): string {
  return block.map(([n, v]) => `${n}: ${v}`).join('\r\n');
}
