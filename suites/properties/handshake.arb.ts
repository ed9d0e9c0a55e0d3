// Opening handshakes (RFC 6455 §4.1, §4.2.1): a correct request in any header order, name case, value case, with
// optional whitespace, token lists, extra headers, a query string, subprotocol and unknown-extension offers, a
// head larger than 8 KiB, sometimes a frame sent before the 101 (which breaks §4.1's "MUST wait", so what follows
// is only recorded: handshake.prop.ts); or the same with exactly one fault the server must refuse.
import fc from 'fast-check';
import { validUtf8Arb } from './utf8.arb.js';
import { maskArb } from './mask.arb.js';

/** Faults after which RFC 6455 §4.2.1 says the server "MUST stop processing the client's handshake". */
export const HANDSHAKE_FAULTS = [
  'no-upgrade',
  'upgrade-not-websocket',
  'no-connection',
  'connection-not-upgrade',
  'no-key',
  'key-15-bytes',
  'key-17-bytes',
  'key-not-base64',
  'key-empty',
  'two-keys',
  'no-version',
  'version-unsupported',
  'version-malformed',
  'method-not-get',
  'http-1.0',
  'no-host',
] as const;
export type HandshakeFault = (typeof HANDSHAKE_FAULTS)[number];

export interface HandshakeCase {
  fault: HandshakeFault | null;
  nameCase: 'canonical' | 'lower' | 'upper' | 'mixed';
  upgradeValue: string;
  connectionValue: string;
  /** Spaces and tabs around header values (RFC 7230 §3.2: OWS). */
  ows: boolean;
  key: Uint8Array;
  query: string | null;
  origin: boolean;
  protocols: string[];
  /** Offer an extension no server can know: accepting it breaks RFC 6455 §9.1. */
  unknownExtension: boolean;
  extraHeaders: [string, string][];
  /** Bytes of an X-Wsprobe-Pad header: heads past 8 KiB are legal (RFC 7230 sets no limit; servers choose theirs). */
  padBytes: number;
  /** Sort keys for the header order. */
  order: number[];
  /** Send the first message in the same write as the head (the client then breaks RFC 6455 §4.1). */
  pipelined: boolean;
  message: Uint8Array;
  mask: Uint8Array;
  closeMask: Uint8Array;
  /** The value used by the fault, where one is needed (method, version). */
  faultValue: string;
}

const tokenArb = fc.stringMatching(/^[a-z][a-z0-9.-]{0,7}$/);

export function handshakeCaseArb(opts: { skipFaults?: readonly HandshakeFault[] } = {}): fc.Arbitrary<HandshakeCase> {
  const faults = HANDSHAKE_FAULTS.filter((f) => !(opts.skipFaults ?? []).includes(f));
  return fc.record({
    fault: fc.oneof({ withCrossShrink: true }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...faults) }),
    nameCase: fc.constantFrom('canonical', 'lower', 'upper', 'mixed'),
    upgradeValue: fc.constantFrom('websocket', 'WebSocket', 'WEBSOCKET'),
    connectionValue: fc.constantFrom('Upgrade', 'upgrade', 'keep-alive, Upgrade', 'Upgrade, keep-alive', 'UPGRADE'),
    ows: fc.boolean(),
    key: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    query: fc.option(fc.stringMatching(/^[a-z0-9=&]{1,12}$/), { nil: null, freq: 2 }),
    origin: fc.boolean(),
    protocols: fc.uniqueArray(fc.constantFrom('chat', 'superchat', 'v1.wsprobe', 'mqtt'), { maxLength: 3 }),
    unknownExtension: fc.boolean(),
    extraHeaders: fc.array(fc.tuple(tokenArb.map((t) => `X-Fuzz-${t}`), tokenArb), { maxLength: 3 }),
    padBytes: fc.oneof({ withCrossShrink: true }, { weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 8300, max: 12000 }) }),
    order: fc.array(fc.nat({ max: 100 }), { minLength: 16, maxLength: 16 }),
    pipelined: fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    message: validUtf8Arb,
    mask: maskArb,
    closeMask: maskArb,
    faultValue: fc.constantFrom('0', '1', '2'),
  });
}

/** Versions (RFC 6455 §4.3: 0-255) no server speaks, and values that are no version at all. */
const VERSIONS_NOBODY_SPEAKS = ['14', '99', '255'];
const NOT_VERSIONS = ['abc', 'websocket-13', 'v13'];
const OTHER_METHODS = ['POST', 'PUT', 'HEAD'];

/** The request head, ready to send, and what the response checks need. */
export function buildHandshakeHead(c: HandshakeCase, url: URL): { head: Uint8Array; key: string; protocols: string[]; extensions: string | undefined; lines: string[] } {
  const pick = (list: string[]): string => list[Number(c.faultValue) % list.length]!;
  let key = Buffer.from(c.key).toString('base64');
  const headers: [string, string][] = [
    ['Host', url.host],
    ['Upgrade', c.upgradeValue],
    ['Connection', c.connectionValue],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (c.origin) headers.push(['Origin', `http://${url.hostname}`]);
  if (c.protocols.length > 0) headers.push(['Sec-WebSocket-Protocol', c.protocols.join(', ')]);
  const extensions = c.unknownExtension ? 'x-wsprobe-unknown; level=2' : undefined;
  if (extensions !== undefined) headers.push(['Sec-WebSocket-Extensions', extensions]);
  headers.push(...c.extraHeaders);
  if (c.padBytes > 0) headers.push(['X-Wsprobe-Pad', 'p'.repeat(c.padBytes)]);

  const set = (name: string, value: string | null): void => {
    const i = headers.findIndex(([n]) => n === name);
    if (value === null) headers.splice(i, 1);
    else headers[i] = [name, value];
  };
  let method = 'GET';
  let version = 'HTTP/1.1';
  switch (c.fault) {
    case 'no-upgrade': set('Upgrade', null); break;
    case 'upgrade-not-websocket': set('Upgrade', 'h2c'); break;
    case 'no-connection': set('Connection', null); break;
    case 'connection-not-upgrade': set('Connection', 'keep-alive'); break;
    case 'no-key': set('Sec-WebSocket-Key', null); break;
    case 'key-15-bytes': set('Sec-WebSocket-Key', (key = Buffer.from(c.key.subarray(0, 15)).toString('base64'))); break;
    case 'key-17-bytes': set('Sec-WebSocket-Key', (key = Buffer.from([...c.key, 0x2a]).toString('base64'))); break;
    case 'key-not-base64': set('Sec-WebSocket-Key', (key = `${key.slice(0, 20)}!*==`)); break;
    case 'key-empty': set('Sec-WebSocket-Key', (key = '')); break;
    case 'two-keys': headers.push(['Sec-WebSocket-Key', Buffer.from(c.key.map((b) => b ^ 0xff)).toString('base64')]); break;
    case 'no-version': set('Sec-WebSocket-Version', null); break;
    case 'version-unsupported': set('Sec-WebSocket-Version', pick(VERSIONS_NOBODY_SPEAKS)); break;
    case 'version-malformed': set('Sec-WebSocket-Version', pick(NOT_VERSIONS)); break;
    case 'method-not-get': method = pick(OTHER_METHODS); break;
    case 'http-1.0': version = 'HTTP/1.0'; break;
    case 'no-host': set('Host', null); break;
    case null: break;
  }
  const ordered = headers
    .map((h, i) => ({ h, k: c.order[i % c.order.length]! * 64 + i }))
    .sort((a, b) => a.k - b.k)
    .map(({ h: [n, v] }): [string, string] => [caseName(n, c.nameCase), c.ows ? ` \t${v}  ` : v]);
  const target = `${url.pathname || '/'}${c.query !== null ? `?${c.query}` : url.search}`;
  const lines = [`${method} ${target} ${version}`, ...ordered.map(([n, v]) => `${n}:${v}`)];
  const head = new Uint8Array(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
  return { head, key, protocols: c.protocols, extensions, lines };
}

function caseName(name: string, style: HandshakeCase['nameCase']): string {
  if (style === 'lower') return name.toLowerCase();
  if (style === 'upper') return name.toUpperCase();
  if (style === 'mixed') return [...name].map((ch, i) => (i % 2 === 0 ? ch.toLowerCase() : ch.toUpperCase())).join('');
  return name;
}
