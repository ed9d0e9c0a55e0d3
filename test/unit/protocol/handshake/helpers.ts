import { HttpHeadParser, type HttpHead } from '../../../../protocol/handshake/head-parser.js';

/** Parses a complete head; throws when it is not one (test helper). */
export function headOf(bytes: Uint8Array | string): HttpHead {
  const b = typeof bytes === 'string' ? new Uint8Array(Buffer.from(bytes, 'latin1')) : bytes;
  const r = new HttpHeadParser().push(b);
  if (r.state !== 'done') throw new Error(`not a complete head: ${JSON.stringify(r)}`);
  return r.head;
}

export const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** A valid client request with header lines replaced (value null removes the line) or added. */
export function request(overrides: Record<string, string | null | string[]> = {}, startLine = 'GET /chat HTTP/1.1'): HttpHead {
  const base: Record<string, string | null | string[]> = {
    Host: 'server.example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': RFC_KEY,
    'Sec-WebSocket-Version': '13',
    ...overrides,
  };
  let text = `${startLine}\r\n`;
  for (const [k, v] of Object.entries(base)) {
    if (v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) text += `${k}: ${one}\r\n`;
  }
  return headOf(`${text}\r\n`);
}

/** A valid 101 for RFC_KEY with header lines replaced or added. */
export function response(overrides: Record<string, string | null | string[]> = {}, startLine = 'HTTP/1.1 101 Switching Protocols'): HttpHead {
  const base: Record<string, string | null | string[]> = {
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Accept': RFC_ACCEPT,
    ...overrides,
  };
  let text = `${startLine}\r\n`;
  for (const [k, v] of Object.entries(base)) {
    if (v === null) continue;
    for (const one of Array.isArray(v) ? v : [v]) text += `${k}: ${one}\r\n`;
  }
  return headOf(`${text}\r\n`);
}
