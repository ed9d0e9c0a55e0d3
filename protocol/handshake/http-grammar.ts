// RFC 7230 §3.2.6 tokens and §7 comma-separated lists, shared by the handshake checks and the extension grammar.

/** RFC 7230 §3.2.6: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

export function isTokenChar(code: number): boolean {
  return code < 128 && TCHAR[code] === 1;
}

/** RFC 7230 §3.2.6: token = 1*tchar. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/**
 * RFC 7230 §7: a recipient accepts empty list elements (`a, , b`), so they are dropped. Elements are trimmed of
 * OWS. Used for Upgrade, Connection and Sec-WebSocket-Protocol, whose elements are plain tokens.
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.replace(/^[ \t]+|[ \t]+$/g, '');
    if (t.length > 0) out.push(t);
  }
  return out;
}

/** True when some element of the comma-separated `value` equals `token`, ASCII case-insensitively. */
export function listHasToken(value: string, token: string): boolean {
  const want = token.toLowerCase();
  return splitList(value).some((t) => t.toLowerCase() === want);
}
