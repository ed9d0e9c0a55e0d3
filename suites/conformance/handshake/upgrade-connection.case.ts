// RFC 6455 §4.2.1 step 3: "An |Upgrade| header field containing the value "websocket", treated as an ASCII
// case-insensitive value." Step 4: "A |Connection| header field that includes the token "Upgrade", treated as an
// ASCII case-insensitive value." Header names are case-insensitive too (RFC 7230 §3.2: "Each header field consists
// of a case-insensitive field name").
//
// Strictness: Connection is a token list (RFC 7230 §6.1) and browsers send "keep-alive, Upgrade" (Firefox), so
// refusing it fails. Upgrade is also a list (RFC 7230 §6.7, Upgrade = 1#protocol) and §4.2.1 says "containing",
// so "websocket, foo" should be accepted; no RFC 6455 client sends a list there (§4.1 step 6 has it "include
// ... the value "websocket""), so refusing it is non-strict rather than a fail.
import { defineCase, type ConformanceCase } from '../../define.js';
import { acceptance, closeIfOpened, FIXED_ACCEPT, FIXED_KEY, probeEcho, refusal, requestHeaders } from './common.js';

const ACCEPT_IS_EXACT = [{ name: 'Sec-WebSocket-Accept', equals: FIXED_ACCEPT }];
const WS_HEADERS = ['Upgrade', 'Connection', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Host'];

function respelled(spell: (name: string) => string, values?: { upgrade: string; connection: string }) {
  return (url: URL): { key: string; removeHeaders: string[]; addHeaders: [string, string][] } => ({
    key: FIXED_KEY,
    removeHeaders: WS_HEADERS,
    addHeaders: [['Host', url.host] as [string, string], ...requestHeaders()].map(([n, v]): [string, string] => {
      if (values && n === 'Upgrade') return [spell(n), values.upgrade];
      if (values && n === 'Connection') return [spell(n), values.connection];
      return [spell(n), v];
    }),
  });
}

const caseInsensitive = (id: string, title: string, edit: ReturnType<typeof respelled>, why: string): ConformanceCase =>
  defineCase({
    id: `handshake.case.${id}`,
    title,
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: 'manual',
    expect: acceptance({ requireHeaders: ACCEPT_IS_EXACT }),
    async run(peer, ctx) {
      peer.note(why);
      await peer.handshake(edit(peer.url));
      await probeEcho(peer, ctx);
    },
  });

export const cases: ConformanceCase[] = [
  defineCase({
    id: 'handshake.upgrade.missing',
    title: 'Request without Upgrade is refused',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { removeHeaders: ['Upgrade'] },
    expect: refusal('no Upgrade header field'),
    run: closeIfOpened,
  }),
  defineCase({
    id: 'handshake.upgrade.not-websocket',
    title: 'Upgrade: h2c (not websocket) is refused',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { replaceHeaders: [['Upgrade', 'h2c']] },
    expect: refusal('Upgrade does not contain "websocket"'),
    run: closeIfOpened,
  }),
  defineCase({
    id: 'handshake.upgrade.token-list',
    title: 'Upgrade: "websocket, foo" (a list containing websocket) is accepted',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { replaceHeaders: [['Upgrade', 'websocket, foo']] },
    expect: acceptance({
      nonStrict: { status: 'reject', why: 'RFC 6455 §4.2.1 step 3 only asks that Upgrade contain "websocket"; RFC 7230 §6.7 makes it a list' },
    }),
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.connection.missing',
    title: 'Request without Connection is refused',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { removeHeaders: ['Connection'] },
    expect: refusal('no Connection header field'),
    run: closeIfOpened,
  }),
  defineCase({
    id: 'handshake.connection.not-upgrade',
    title: 'Connection: keep-alive (without Upgrade) is refused',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { replaceHeaders: [['Connection', 'keep-alive']] },
    expect: refusal('Connection does not include the token "Upgrade"'),
    run: closeIfOpened,
  }),
  defineCase({
    id: 'handshake.connection.token-list',
    title: 'Connection: "keep-alive, Upgrade" is accepted',
    rfc: ['4.2.1'],
    autobahn: [],
    handshake: { replaceHeaders: [['Connection', 'keep-alive, Upgrade']] },
    expect: acceptance(),
    run: probeEcho,
  }),
  caseInsensitive(
    'upper-names',
    'Header names in upper case (UPGRADE, SEC-WEBSOCKET-KEY, ...) are accepted',
    respelled((n) => n.toUpperCase()),
    'RFC 7230 §3.2: field names are case-insensitive',
  ),
  caseInsensitive(
    'lower-names',
    'Header names in lower case (upgrade, sec-websocket-key, ...) are accepted',
    respelled((n) => n.toLowerCase()),
    'RFC 7230 §3.2: field names are case-insensitive',
  ),
  caseInsensitive(
    'values',
    'Upgrade: WebSocket and Connection: upgrade are accepted',
    respelled((n) => n, { upgrade: 'WebSocket', connection: 'upgrade' }),
    'RFC 6455 §4.2.1 steps 3-4: the values are "treated as an ASCII case-insensitive value"',
  ),
  caseInsensitive(
    'upper-values',
    'UPGRADE: WEBSOCKET and CONNECTION: UPGRADE are accepted',
    respelled((n) => n.toUpperCase(), { upgrade: 'WEBSOCKET', connection: 'UPGRADE' }),
    'RFC 6455 §4.2.1 steps 3-4 and RFC 7230 §3.2: names and these values are case-insensitive',
  ),
];
