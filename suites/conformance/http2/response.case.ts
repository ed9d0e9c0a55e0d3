// RFC 8441 §5: the server accepts with 200, not HTTP/1.1's 101 (RFC 7540 §8.1.1: "HTTP/2 removes support for the
// 101 (Switching Protocols) informational status code"), and without Sec-WebSocket-Accept (the key exchange is
// superseded by :protocol). node:http2 resets a stream whose response is a 101 before the application sees it, so
// a 101 shows as that reset; a 200 with Sec-WebSocket-Accept fails the client's check (protocol/h2).
import { closeNormally, echo, text, type ConformanceCase } from '../../define.js';
import { defineH2Case } from './rules.js';
import { echoTexts, OPENED, PROBE } from './support.js';

const OTHER_2XX = Array.from({ length: 99 }, (_, i) => 201 + i);

export const cases: ConformanceCase[] = [
  defineH2Case({
    id: 'http2.response.status-200',
    title: 'A correct Extended CONNECT is answered 200 (not 101), without Sec-WebSocket-Accept, and the stream echoes',
    rfc: ['8441 5', '7540 8.1.1'],
    autobahn: [],
    rule: 'RFC 8441 §5: "any status code other than 200 indicates that the WebSocket handshake has not completed", and Sec-WebSocket-Accept is not processed over HTTP/2; RFC 7540 §8.1.1: "HTTP/2 removes support for the 101 (Switching Protocols) informational status code"',
    expect: {
      kind: 'handshake',
      status: OPENED,
      allowDrop: false,
      forbidHeaders: ['sec-websocket-accept'],
      nonStrict: {
        status: OTHER_2XX,
        why: 'a 2xx other than 200: RFC 7540 §8.3 reads any 2xx to a CONNECT as success, but RFC 8441 §5 says "any status code other than 200 indicates that the WebSocket handshake has not completed"',
      },
      then: echo([text(PROBE)]),
    },
    async run(peer) {
      await echoTexts(peer, [PROBE]);
      await closeNormally(peer);
    },
  }),
];
