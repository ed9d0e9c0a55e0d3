// Correct 101 responses that are unusual but valid: the client must accept them (RFC 6455 §4.1 checks names
// case-insensitively, "all header field names in both HTTP requests and HTTP responses are case-insensitive";
// Upgrade "an ASCII case-insensitive match"; Connection "contain a token"; the Accept value "ignoring any leading
// and trailing whitespace"; other header fields and the reason phrase carry no rule). Each sends the probe message
// and expects its echo, which shows the connection opened, then closes normally. Also the client's own opening
// handshake, graded against §4.1's rules for the request.
import { Opcode } from '../../../protocol/constants.js';
import { encodeFrameBytes } from '../../../protocol/frame/encode.js';
import { defineClientCase, text, utf8, type ClientCase, type ResponseSpec, type ServerPeer } from '../define.js';
import { closeNormally, correctAccept, echo, echoThenClose, informational, responseCase } from '../helpers.js';

/** The message every accepting case sends and expects back. */
export const ACCEPT_PROBE = 'wsprobe: handshake accepted';
const PIPELINED = 'wsprobe: a frame in the same write as the 101';

function acceptance(id: string, title: string, rfc: string[], response: ResponseSpec | ((peer: ServerPeer) => ResponseSpec)): ClientCase {
  return responseCase({ id, title, rfc, expect: echo([text(ACCEPT_PROBE)]) }, response, async (peer) => {
    await peer.sendMessage(Opcode.Text, ACCEPT_PROBE);
    await echoThenClose(peer, 1);
  });
}

export const cases: ClientCase[] = [
  defineClientCase({
    id: 'handshake.request',
    title: "The client's opening handshake follows RFC 6455 §4.1 (GET, HTTP/1.1, Host, Upgrade, Connection, a 16-byte key, version 13)",
    rfc: ['4.1'],
    autobahn: [],
    expect: { kind: 'request' },
    run: (peer) => closeNormally(peer),
  }),
  // Written as an added header: the builder trims the values of the headers it edits.
  acceptance('handshake.accept.whitespace', 'A 101 whose Sec-WebSocket-Accept has spaces and a tab around it is accepted', ['4.1'], (peer) => ({
    removeHeaders: ['Sec-WebSocket-Accept'],
    addHeaders: [['Sec-WebSocket-Accept', ` \t${correctAccept(peer)} \t`]],
  })),
  acceptance('handshake.header-names.odd-case', 'A 101 with header names in odd letter case (uPGRADE, cOnNeCtIoN, SEC-WEBSOCKET-ACCEPT) is accepted', ['4.1'], (peer) => ({
    removeHeaders: ['Upgrade', 'Connection', 'Sec-WebSocket-Accept'],
    addHeaders: [
      ['uPGRADE', 'websocket'],
      ['cOnNeCtIoN', 'Upgrade'],
      ['SEC-WEBSOCKET-ACCEPT', correctAccept(peer)],
    ],
  })),
  acceptance('handshake.upgrade.mixed-case', 'A 101 with Upgrade: WebSocket (the value matched case-insensitively) is accepted', ['4.1'], {
    replaceHeaders: [['Upgrade', 'WebSocket']],
  }),
  acceptance('handshake.connection.token-list', 'A 101 with Connection: keep-alive, Upgrade (a token list holding Upgrade) is accepted', ['4.1'], {
    replaceHeaders: [['Connection', 'keep-alive, Upgrade']],
  }),
  acceptance('handshake.connection.lower-case', 'A 101 with Connection: upgrade (lower case) is accepted', ['4.1'], {
    replaceHeaders: [['Connection', 'upgrade']],
  }),
  acceptance('handshake.extra-headers', 'A 101 with extra headers (Server, Date, Set-Cookie, Cache-Control, an unknown X- header) is accepted', ['4.1', '4.2.2'], {
    addHeaders: [
      ['Server', 'wsprobe-test-client'],
      ['Date', 'Thu, 01 Jan 2026 00:00:00 GMT'],
      ['Set-Cookie', 'wsprobe=1; Path=/; HttpOnly'],
      ['Cache-Control', 'no-store'],
      ['X-Wsprobe-Unknown', 'ignore me'],
    ],
  }),
  acceptance('handshake.reason-phrase', 'A 101 with the reason phrase "Web Socket Protocol Handshake" (any phrase is allowed) is accepted', ['4.1', '4.2.2'], {
    reason: 'Web Socket Protocol Handshake',
  }),
  acceptance('handshake.head.byte-chops', 'A 101 written one byte per write is accepted', ['4.1'], { send: { chop: 'byte' } }),
  defineClientCase({
    id: 'handshake.frame-with-101',
    title: 'A text frame in the same write as the 101 (the server may send as soon as it has responded) is echoed',
    rfc: ['4.2.2', '4.1'],
    autobahn: [],
    response: { trailing: encodeFrameBytes({ opcode: Opcode.Text, payload: utf8(PIPELINED), mask: null }) },
    expect: echo([text(PIPELINED)]),
    run: (peer) => echoThenClose(peer, 1),
  }),
  // The server breaks a rule here (RFC 2616 §10.1: "servers MUST NOT send a 1xx response to an HTTP/1.0 client"),
  // but RFC 6455 §4.1 gives the client only the status code to check, not the version: accepting it or not is the
  // client's choice, recorded.
  responseCase(
    {
      id: 'handshake.status.101-http-1-0',
      title: 'A 101 on an HTTP/1.0 status line: whether the client opens the connection is recorded',
      rfc: ['4.1', '4.2.2'],
      expect: informational(
        'whether the client takes a 101 on an HTTP/1.0 status line (the server breaks RFC 2616 §10.1 and §4.2.2 step 5.1\'s "Status-Line with a 101 response code as per RFC 2616"; RFC 6455 §4.1 has the client check the status code, not the HTTP version, so either answer is allowed)',
        { receive: [text(ACCEPT_PROBE)] },
      ),
    },
    { httpVersion: 'HTTP/1.0' },
    async (peer) => {
      await peer.sendMessage(Opcode.Text, ACCEPT_PROBE);
      await peer.waitForMessages(1, Math.min(2000, peer.remainingMs()));
      if (peer.ended) return;
      await closeNormally(peer);
    },
  ),
  defineClientCase({
    id: 'handshake.interim-100',
    title: 'An interim 100 Continue before the 101: whether the client skips it and opens the connection is recorded',
    rfc: ['4.1'],
    autobahn: [],
    response: 'manual',
    expect: informational(
      'whether the client reads past an interim 100 Continue to the 101 (RFC 6455 §4.1 step 1 hands a status other than 101 to HTTP, and RFC 7231 §6.2: "A client MUST be able to parse one or more 1xx responses received prior to a final response, even if the client does not expect one")',
      { receive: [text(ACCEPT_PROBE)] },
    ),
    async run(peer) {
      const accept = correctAccept(peer);
      await peer.respond({
        raw: `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      });
      await peer.sendMessage(Opcode.Text, ACCEPT_PROBE);
      await peer.waitForMessages(1, Math.min(2000, peer.remainingMs()));
      if (peer.ended) return;
      await closeNormally(peer);
    },
  }),
];
