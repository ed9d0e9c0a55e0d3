// RFC 6455 §4.2.2 step 5: the server's 101, and the plain HTTP refusals of §4.2.1/§4.2.2.
import { serializeExtensions, type ParsedExtension } from '../extensions/header.js';

export interface ServerResponseOptions {
  accept: string;
  protocol?: string | null;
  /** A Sec-WebSocket-Extensions value, or parsed extensions to serialise. Empty means no header. */
  extensions?: string | ParsedExtension[];
  headers?: [string, string][];
}

export function buildServerResponse(opts: ServerResponseOptions): Uint8Array {
  const lines: [string, string][] = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', opts.accept],
  ];
  // §4.2.2 /subprotocol/: with no agreement the server "MUST NOT send back a |Sec-WebSocket-Protocol| header".
  if (opts.protocol !== undefined && opts.protocol !== null) lines.push(['Sec-WebSocket-Protocol', opts.protocol]);
  const ext = opts.extensions;
  if (ext !== undefined && ext.length > 0) {
    lines.push(['Sec-WebSocket-Extensions', typeof ext === 'string' ? ext : serializeExtensions(ext)]);
  }
  lines.push(...(opts.headers ?? []));
  return encodeHead('HTTP/1.1 101 Switching Protocols', lines);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * A refusal: status line, a text body with its Content-Length, and Connection: close (the handshake is over).
 * When the extra headers carry Upgrade (a 426), RFC 7230 §6.7 wants "upgrade" in Connection too.
 */
export function buildRejection(status: number, message: string, headers: [string, string][] = []): Uint8Array {
  const body = Buffer.from(message + '\n', 'utf8');
  const hasUpgrade = headers.some(([n]) => n.toLowerCase() === 'upgrade');
  const lines: [string, string][] = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ['Connection', hasUpgrade ? 'Upgrade, close' : 'close'],
    ...headers,
  ];
  const head = encodeHead(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`, lines);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

function encodeHead(startLine: string, headers: [string, string][]): Uint8Array {
  let text = `${startLine}\r\n`;
  for (const [name, value] of headers) {
    if (/[\r\n\0:]/.test(name) || name.length === 0 || /[\r\n\0]/.test(value)) {
      throw new TypeError(`invalid header ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    }
    text += `${name}: ${value}\r\n`;
  }
  return new Uint8Array(Buffer.from(`${text}\r\n`, 'latin1'));
}
