// RFC 6455 §4.2.2 step 5: the 101 carries "An |Upgrade| header field with value "websocket"", "A |Connection|
// header field with value "Upgrade"" and "A |Sec-WebSocket-Accept| header field" whose value is the base64 SHA-1
// of the key and the GUID. The runner's client checks (checkServerResponse, §4.1) enforce all three on every
// 101; these cases state them outright, once with the RFC's own example key and once with a seeded random key.
import { defineCase, type ConformanceCase } from '../../define.js';
import { acceptance, FIXED_ACCEPT, FIXED_KEY, probeEcho } from './common.js';

const RESPONSE_HEADERS = [
  { name: 'Upgrade', hasToken: 'websocket' },
  { name: 'Connection', hasToken: 'Upgrade' },
];

export const cases: ConformanceCase[] = [
  defineCase({
    id: 'handshake.accept.correct',
    title: 'Sec-WebSocket-Accept for the RFC example key is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    rfc: ['4.2.2'],
    autobahn: [],
    handshake: { key: FIXED_KEY },
    expect: acceptance({ requireHeaders: [{ name: 'Sec-WebSocket-Accept', equals: FIXED_ACCEPT }] }),
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.accept.computed',
    title: 'Sec-WebSocket-Accept matches a random key (computed by the client checks)',
    rfc: ['4.2.2', '4.1'],
    autobahn: [],
    expect: acceptance({ requireHeaders: [{ name: 'Sec-WebSocket-Accept', matches: /^[A-Za-z0-9+/]{27}=$/ }] }),
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.response.upgrade-connection',
    title: '101 response carries Upgrade: websocket and Connection: Upgrade',
    rfc: ['4.2.2'],
    autobahn: [],
    expect: acceptance({ requireHeaders: RESPONSE_HEADERS }),
    run: probeEcho,
  }),
];
