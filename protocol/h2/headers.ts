// HTTP/2 header blocks as ordered (name, value) lists, and the rules every block obeys whoever sent it (RFC 7540
// §8.1.2). A list, not an object, so order (pseudo-header fields first) and repeated fields stay visible: a
// conformance check must see a block as it was sent, and a raw peer must be able to send one that breaks the rules.
import type { MalformedBlockId } from './rejections.js';

export type H2HeaderList = [name: string, value: string][];

/** RFC 7540 §8.1.2.3 and RFC 8441 §4 (:protocol). */
export const REQUEST_PSEUDO_HEADERS: readonly string[] = [':method', ':scheme', ':authority', ':path', ':protocol'];
/** RFC 7540 §8.1.2.4. */
export const RESPONSE_PSEUDO_HEADERS: readonly string[] = [':status'];

/**
 * RFC 7540 §8.1.2.2: "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific header
 * fields", naming Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding and Upgrade; TE only as "trailers".
 */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export function isConnectionSpecific(name: string, value: string): boolean {
  const n = name.toLowerCase();
  return CONNECTION_SPECIFIC.has(n) || (n === 'te' && value.trim().toLowerCase() !== 'trailers');
}

/** Node's rawHeaders (name, value, name, value, ...) as a list. */
export function headerListFromRaw(raw: readonly string[]): H2HeaderList {
  const out: H2HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/**
 * Node's header object as a list, when rawHeaders are not at hand: repeated fields come from arrays, and the
 * pseudo-header fields go first, where RFC 7540 §8.1.2.1 puts them (the object has lost the order on the wire).
 */
export function headerListFromObject(headers: Readonly<Record<string, unknown>>): H2HeaderList {
  const list: H2HeaderList = [];
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const v of value) list.push([name, String(v)]);
    else if (value !== undefined) list.push([name, String(value)]);
  }
  return list.sort((a, b) => Number(b[0].startsWith(':')) - Number(a[0].startsWith(':')));
}

/** Every value of `name` (a lowercase name), in order. */
export function h2Values(list: H2HeaderList, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of list) if (n === name) out.push(v);
  return out;
}

/** The one value of `name`, or undefined; repeated list-valued fields are joined with ", " (RFC 7230 §3.2.2). */
export function h2Value(list: H2HeaderList, name: string): string | undefined {
  const values = h2Values(list, name);
  return values.length === 0 ? undefined : values.join(', ');
}

export interface MalformedBlock {
  id: MalformedBlockId;
  detail: string;
}

/** Why a header block is malformed (RFC 7540 §8.1.2, §8.1.2.1, §8.1.2.2), or null. */
export function checkHeaderBlock(list: H2HeaderList, kind: 'request' | 'response'): MalformedBlock | null {
  const allowed = kind === 'request' ? REQUEST_PSEUDO_HEADERS : RESPONSE_PSEUDO_HEADERS;
  const seen = new Set<string>();
  let regularSeen = false;
  for (const [name, value] of list) {
    // §8.1.2: "A request or response containing uppercase header field names MUST be treated as malformed".
    if (name !== name.toLowerCase()) return { id: 'uppercase-header-name', detail: `header field name ${JSON.stringify(name)} has uppercase letters` };
    if (name.startsWith(':')) {
      // §8.1.2.1: only the defined pseudo-header fields, each once, all before the regular fields.
      if (!allowed.includes(name)) return { id: 'unknown-pseudo-header', detail: `${name} is not a ${kind} pseudo-header field` };
      if (seen.has(name)) return { id: 'duplicate-pseudo-header', detail: `${name} appears more than once` };
      if (regularSeen) return { id: 'pseudo-header-after-regular', detail: `${name} follows a regular header field` };
      seen.add(name);
    } else {
      regularSeen = true;
      if (isConnectionSpecific(name, value)) {
        return { id: 'connection-specific-header', detail: `connection-specific header field ${JSON.stringify(name)} (RFC 7540 §8.1.2.2)` };
      }
    }
  }
  return null;
}

/** A list as Node's http2 takes headers: repeated regular fields become arrays. */
export function headerListToObject(list: H2HeaderList): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of list) {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/**
 * Extra header fields a caller adds to a block it builds: lowercased (§8.1.2), and no pseudo-header or
 * connection-specific field, which would make the block malformed. A malformed block is the raw peer's business.
 */
export function extraHeaders(headers: readonly [string, string][] | undefined): H2HeaderList {
  const out: H2HeaderList = [];
  for (const [name, value] of headers ?? []) {
    const n = name.toLowerCase();
    if (n.length === 0 || n.startsWith(':') || /[\s\0:]/.test(n) || /[\r\n\0]/.test(value) || isConnectionSpecific(n, value)) {
      throw new TypeError(`invalid HTTP/2 header ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    }
    out.push([n, value]);
  }
  return out;
}
