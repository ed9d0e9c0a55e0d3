// RFC 6455 §4.2.2 /subprotocol/: "The value chosen MUST be derived from the client's handshake, specifically by
// selecting one of the values from the |Sec-WebSocket-Protocol| field ... if the server does not wish to agree to
// one of the suggested subprotocols, it MUST NOT send back a |Sec-WebSocket-Protocol| header field".
// /extensions/: "Extensions not listed by the client MUST NOT be listed."
// The server's own protocols are unknown to wsprobe, so the cases offer what it cannot know (or nothing) and check
// that nothing unoffered comes back; with --protocol the user names one it speaks, and it must be selected.
import { defineCase, informational, type ConformanceCase, type Expectation } from '../../define.js';
import { acceptance, probeEcho } from './common.js';

/** A token no deployment speaks. */
const UNLIKELY_PROTOCOL = 'x-wsprobe-unlikely-7f3a9c';
const UNKNOWN_EXTENSION = 'x-wsprobe-unknown';

const MAY_REQUIRE_PROTOCOL = {
  status: 'reject' as const,
  why: 'the target refused a request offering no subprotocol it speaks: allowed, but it could have accepted with none (RFC 6455 §4.2.2 /subprotocol/: null is acceptable)',
};

export const cases: ConformanceCase[] = [
  defineCase({
    id: 'handshake.subprotocol.none-offered',
    title: 'No Sec-WebSocket-Protocol offered: none in the 101',
    rfc: ['4.2.2'],
    autobahn: [],
    handshake: { removeHeaders: ['Sec-WebSocket-Protocol'] },
    expect: acceptance({ forbidHeaders: ['Sec-WebSocket-Protocol'], nonStrict: MAY_REQUIRE_PROTOCOL }),
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.subprotocol.unoffered-not-selected',
    title: `Offering only ${UNLIKELY_PROTOCOL}: the 101 selects nothing that was not offered`,
    rfc: ['4.2.2', '4.1'],
    autobahn: [],
    handshake: { protocols: [UNLIKELY_PROTOCOL] },
    // checkServerResponse fails a protocol outside the offer; echoing back the unknown one is derived from the
    // offer (allowed by the letter of §4.2.2) and is left to the transcript.
    expect: acceptance({ nonStrict: MAY_REQUIRE_PROTOCOL }),
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.subprotocol.user-selected',
    title: 'The subprotocol given with --protocol is selected',
    rfc: ['4.2.2'],
    autobahn: [],
    expect: (options): Expectation => {
      const protocols = options.protocols ?? [];
      if (protocols.length === 0) {
        return informational('no --protocol given: which subprotocols the target speaks is unknown, so selection is not checked');
      }
      // The peer offers the run's --protocol values; the answer must be one of them (checkServerResponse).
      return acceptance({ requireHeaders: [{ name: 'Sec-WebSocket-Protocol', matches: /^\S+$/ }] });
    },
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.extensions.none-offered',
    title: 'No Sec-WebSocket-Extensions offered: none in the 101',
    rfc: ['4.2.2', '9.1'],
    autobahn: [],
    handshake: { removeHeaders: ['Sec-WebSocket-Extensions'] },
    expect: acceptance({ forbidHeaders: ['Sec-WebSocket-Extensions'] }),
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.extensions.unknown-not-accepted',
    title: `Offering only ${UNKNOWN_EXTENSION}: no extension in the 101`,
    rfc: ['4.2.2', '9.1'],
    autobahn: [],
    handshake: { extensions: UNKNOWN_EXTENSION },
    expect: acceptance({ forbidHeaders: ['Sec-WebSocket-Extensions'] }),
    run: probeEcho,
  }),
];
