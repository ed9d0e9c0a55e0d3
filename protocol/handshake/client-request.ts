// RFC 6455 §4.1: the client's opening handshake.
import { WEBSOCKET_VERSION } from '../constants.js';
import { cryptoEntropy, type Entropy } from '../entropy.js';

export interface ClientRequestOptions {
  /** ws:, wss: (or http:, https:). */
  url: URL;
  /** A fixed Sec-WebSocket-Key (tests, corrupted handshakes); otherwise 16 bytes from `entropy`. */
  key?: string;
  entropy?: Entropy;
  origin?: string;
  protocols?: string[];
  /** A Sec-WebSocket-Extensions value, e.g. from buildDeflateOffer. */
  extensions?: string;
  /** Sent after the WebSocket headers, in order. */
  headers?: [string, string][];
}

/** RFC 6455 §4.1 step 7: "a randomly selected 16-byte value that has been base64-encoded". */
export function generateKey(entropy: Entropy = cryptoEntropy()): string {
  const nonce = new Uint8Array(16);
  entropy.fill(nonce);
  return Buffer.from(nonce).toString('base64');
}

const SCHEMES = new Set(['ws:', 'wss:', 'http:', 'https:']);

export function buildClientRequest(opts: ClientRequestOptions): { bytes: Uint8Array; key: string } {
  const { url } = opts;
  if (!SCHEMES.has(url.protocol)) throw new TypeError(`RFC 6455 §3: not a WebSocket URL: ${url.href}`);
  // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs".
  const resource = `${url.pathname || '/'}${url.search}`;
  const key = opts.key ?? generateKey(opts.entropy);
  // RFC 6455 §4.1 step 4: host, then ":" and the port when it is not the default. WHATWG URL already omits the
  // default port of ws:/wss:/http:/https: from `host` and keeps IPv6 literals in brackets.
  const lines: [string, string][] = [
    ['Host', url.host],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', WEBSOCKET_VERSION],
  ];
  if (opts.origin !== undefined) lines.push(['Origin', opts.origin]);
  if (opts.protocols !== undefined && opts.protocols.length > 0) {
    lines.push(['Sec-WebSocket-Protocol', opts.protocols.join(', ')]);
  }
  if (opts.extensions !== undefined && opts.extensions.length > 0) lines.push(['Sec-WebSocket-Extensions', opts.extensions]);
  if (url.username !== '' || url.password !== '') {
    const cred = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    lines.push(['Authorization', `Basic ${Buffer.from(cred).toString('base64')}`]);
  }
  for (const h of opts.headers ?? []) lines.push(h);
  let text = `GET ${resource} HTTP/1.1\r\n`;
  for (const [name, value] of lines) {
    // No header injection through options: a corrupted handshake is the raw peer's job, sent as raw bytes.
    if (/[\r\n\0:]/.test(name) || name.length === 0 || /[\r\n\0]/.test(value)) {
      throw new TypeError(`invalid header ${JSON.stringify(name)}: ${JSON.stringify(value)}`);
    }
    text += `${name}: ${value}\r\n`;
  }
  text += '\r\n';
  return { bytes: new Uint8Array(Buffer.from(text, 'latin1')), key };
}
