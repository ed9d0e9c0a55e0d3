// RFC 6455 §9.1 / §4.3: the Sec-WebSocket-Extensions grammar.
//   extension-list = 1#extension
//   extension = extension-token *( ";" extension-param )
//   extension-param = token [ "=" (token | quoted-string) ]
//     ; When using the quoted-string syntax variant, the value after quoted-string unescaping MUST conform to
//     ; the 'token' ABNF.
// Whitespace (OWS) is allowed around the separators (RFC 2616's implied *LWS, which §4.3 invokes), and empty list
// elements are skipped as RFC 7230 §7 asks of recipients ("a recipient MUST accept ... empty list elements").
import { isToken, isTokenChar } from '../handshake/http-grammar.js';

export interface ParsedExtension {
  name: string;
  /** `true` for a parameter without a value; values are unquoted. Order and duplicates kept as sent. */
  params: [name: string, value: string | true][];
}

export class HeaderSyntaxError extends Error {
  override readonly name = 'HeaderSyntaxError';
  constructor(
    message: string,
    /** Offset in `header` where parsing failed. */
    readonly position: number,
    readonly header: string,
  ) {
    super(`RFC 6455 §9.1: ${message} at position ${position} in ${JSON.stringify(header)}`);
  }
}

const SP = 0x20;
const HTAB = 0x09;

/**
 * A Sec-WebSocket-Extensions value, absent or not: [] when absent, the HeaderSyntaxError (returned, not thrown)
 * when it breaks RFC 6455 §9.1's grammar, else the extensions it lists.
 */
export function readExtensionHeader(value: string | undefined): ParsedExtension[] | HeaderSyntaxError {
  if (value === undefined) return [];
  try {
    return parseExtensionHeader(value);
  } catch (e) {
    if (e instanceof HeaderSyntaxError) return e;
    throw e;
  }
}

/** Parses a Sec-WebSocket-Extensions value (several header lines joined with ', ' are one value). */
export function parseExtensionHeader(value: string): ParsedExtension[] {
  let i = 0;
  const n = value.length;
  const fail = (msg: string): never => {
    throw new HeaderSyntaxError(msg, i, value);
  };
  const skipOws = (): void => {
    while (i < n && (value.charCodeAt(i) === SP || value.charCodeAt(i) === HTAB)) i++;
  };
  const token = (what: string): string => {
    const start = i;
    while (i < n && isTokenChar(value.charCodeAt(i))) i++;
    if (i === start) fail(`expected ${what}`);
    return value.slice(start, i);
  };
  const quoted = (): string => {
    const start = i;
    i++; // opening DQUOTE
    let out = '';
    for (;;) {
      if (i >= n) {
        i = start;
        fail('unterminated quoted-string');
      }
      const c = value.charCodeAt(i);
      if (c === 0x22) {
        i++;
        break;
      }
      if (c === 0x5c) {
        // RFC 7230 §3.2.6: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
        i++;
        if (i >= n) fail('unterminated quoted-pair');
        const e = value.charCodeAt(i);
        if (!(e === HTAB || (e >= 0x20 && e !== 0x7f && e <= 0xff))) fail('invalid character in quoted-pair');
        out += value[i];
        i++;
        continue;
      }
      if (!(c === HTAB || (c >= 0x20 && c !== 0x7f && c <= 0xff))) fail('invalid character in quoted-string');
      out += value[i];
      i++;
    }
    if (!isToken(out)) {
      i = start;
      fail('quoted parameter value is not a token after unescaping');
    }
    return out;
  };

  const list: ParsedExtension[] = [];
  for (;;) {
    skipOws();
    if (i < n && value.charCodeAt(i) === 0x2c) {
      i++; // empty list element
      continue;
    }
    if (i >= n) break;
    const ext: ParsedExtension = { name: token('an extension name'), params: [] };
    skipOws();
    while (i < n && value.charCodeAt(i) === 0x3b) {
      i++;
      skipOws();
      const pname = token('a parameter name');
      skipOws();
      let pvalue: string | true = true;
      if (i < n && value.charCodeAt(i) === 0x3d) {
        i++;
        skipOws();
        pvalue = i < n && value.charCodeAt(i) === 0x22 ? quoted() : token('a parameter value');
        skipOws();
      }
      ext.params.push([pname, pvalue]);
    }
    list.push(ext);
    if (i >= n) break;
    if (value.charCodeAt(i) !== 0x2c) fail(`unexpected character ${JSON.stringify(value[i])}`);
    i++;
  }
  if (list.length === 0) fail('empty extension list (1#extension needs one)');
  return list;
}

/** The canonical form: `name; a; b=1, other`. Throws a TypeError for names or values that are not tokens. */
export function serializeExtensions(exts: readonly ParsedExtension[]): string {
  if (exts.length === 0) throw new TypeError('RFC 6455 §9.1: an extension list has at least one extension');
  return exts
    .map((ext) => {
      if (!isToken(ext.name)) throw new TypeError(`extension name is not a token: ${JSON.stringify(ext.name)}`);
      let s = ext.name;
      for (const [k, v] of ext.params) {
        if (!isToken(k)) throw new TypeError(`parameter name is not a token: ${JSON.stringify(k)}`);
        if (v === true) s += `; ${k}`;
        else if (isToken(v)) s += `; ${k}=${v}`;
        else throw new TypeError(`RFC 6455 §9.1: parameter value is not a token: ${JSON.stringify(v)}`);
      }
      return s;
    })
    .join(', ');
}
