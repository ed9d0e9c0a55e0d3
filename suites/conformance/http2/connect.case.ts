// The Extended CONNECT request (RFC 8441 §4, §5) with one thing wrong: a server must not open a WebSocket on it.
// Refusing means any answer but 200, or resetting the stream: RFC 7540 §8.1.2.6 makes a malformed request (a
// missing pseudo-header field) a stream error of type PROTOCOL_ERROR and lets the server answer it first. The
// version keeps RFC 6455's rule (RFC 8441 §5: the header fields are "used ... as defined in [RFC6455]"): a 4xx
// listing 13. A Sec-WebSocket-Key the client sends anyway is not processed (RFC 8441 §5): the target may ignore it
// (200, no Sec-WebSocket-Accept) or refuse the request (a 4xx), but never answer it with Sec-WebSocket-Accept.
import { closeNormally, echo, text, type ConformanceCase, type HandshakeSpec } from '../../define.js';
import { defineH2Case } from './rules.js';
import { CLIENT_ERRORS, dropIfOpened, echoTexts, OPENED, opened, PROBE, REFUSED } from './support.js';

const PROTOCOL_RULE =
  'RFC 8441 §5: "The :protocol pseudo-header field MUST be included in the CONNECT request, and it MUST have a value of "websocket" to initiate a WebSocket connection on an HTTP/2 stream"';
const PSEUDO_RULE =
  'RFC 8441 §4: on a request with :protocol "the :scheme and :path pseudo-header fields of the target URI ... MUST also be included"; RFC 7540 §8.1.2.6: a malformed request "MUST be treated as a stream error ... of type PROTOCOL_ERROR"';

function refusedCase(id: string, title: string, rfc: string[], handshake: HandshakeSpec, rule: string): ConformanceCase {
  return defineH2Case({ id: `http2.connect.${id}`, title, rfc, autobahn: [], handshake, expect: REFUSED, rule, run: dropIfOpened });
}

export const cases: ConformanceCase[] = [
  refusedCase(
    'missing-protocol',
    'A CONNECT without :protocol (an RFC 7540 §8.3 tunnel request) does not open a WebSocket',
    ['8441 5', '8441 4', '7540 8.3'],
    { removeHeaders: [':protocol', ':scheme', ':path'] },
    PROTOCOL_RULE,
  ),
  refusedCase('wrong-protocol', 'An Extended CONNECT with :protocol "x-wsprobe-not-websocket" does not open a WebSocket', ['8441 5', '8441 4'], { replaceHeaders: [[':protocol', 'x-wsprobe-not-websocket']] }, PROTOCOL_RULE),
  refusedCase('missing-scheme', 'An Extended CONNECT without :scheme is refused (malformed)', ['8441 4', '7540 8.1.2.6'], { removeHeaders: [':scheme'] }, PSEUDO_RULE),
  refusedCase('missing-path', 'An Extended CONNECT without :path is refused (malformed)', ['8441 4', '7540 8.1.2.6'], { removeHeaders: [':path'] }, PSEUDO_RULE),
  refusedCase(
    'missing-authority',
    'An Extended CONNECT without :authority is refused',
    ['8441 5', '4.2.1'],
    { removeHeaders: [':authority'] },
    'RFC 8441 §5: the Host information "is conveyed as part of the :authority pseudo-header field, which is required on every HTTP/2 transaction"; RFC 6455 §4.2.1: a server whose client "did not send a handshake that matches the description" (a Host among it) "MUST stop processing the client\'s handshake"',
  ),
  defineH2Case({
    id: 'http2.connect.version-8',
    title: 'Sec-WebSocket-Version 8 over HTTP/2 is refused with a 4xx listing Sec-WebSocket-Version: 13',
    rfc: ['4.2.2', '8441 5', '4.4'],
    autobahn: [],
    handshake: { version: '8' },
    rule: 'RFC 6455 §4.2.2 (RFC 8441 §5: "as defined in [RFC6455]"): a server that does not understand the version "MUST abort the WebSocket handshake ... and instead send an appropriate HTTP error code ... and a |Sec-WebSocket-Version| header field indicating the version(s) the server is capable of understanding"',
    expect: {
      kind: 'handshake',
      status: CLIENT_ERRORS,
      allowDrop: false,
      requireHeaders: [{ name: 'sec-websocket-version', hasToken: '13' }],
      nonStrict: { status: 'reject', why: 'refused, but not with a 4xx client error (RFC 6455 §4.2.2: "an appropriate HTTP error code")' },
    },
    run: dropIfOpened,
  }),
  defineH2Case({
    id: 'http2.connect.key-sent',
    title: 'An Extended CONNECT that carries Sec-WebSocket-Key: accepted without Sec-WebSocket-Accept, or refused',
    rfc: ['8441 5'],
    autobahn: [],
    handshake: { addHeaders: [['sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ==']] },
    rule: 'RFC 8441 §5: implementations "do not do the processing of the Sec-WebSocket-Key and Sec-WebSocket-Accept header fields of [RFC6455] as that functionality has been superseded by the :protocol pseudo-header field"',
    expect: {
      kind: 'handshake',
      status: [...OPENED, ...CLIENT_ERRORS],
      allowDrop: false,
      forbidHeaders: ['sec-websocket-accept'],
      nonStrict: { status: 'reject', why: 'refused, but not with a 4xx client error' },
      then: echo([text(PROBE)]),
    },
    async run(peer) {
      if (!opened(peer.observation().handshake, peer)) return;
      await echoTexts(peer, [PROBE]);
      await closeNormally(peer);
    },
  }),
];
