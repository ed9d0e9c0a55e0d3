// RFC 6455 §4.2.2 /subprotocol/: "The value chosen MUST be derived from the client's handshake, specifically by
// selecting one of the values from the |Sec-WebSocket-Protocol| field ... if the server does not wish to agree to
// one of the suggested subprotocols, it MUST NOT send back a |Sec-WebSocket-Protocol| header field".
// /extensions/: "Extensions not listed by the client MUST NOT be listed."
// The server's own protocols are unknown to wsprobe, so the cases offer what it cannot know (or nothing) and check
// that nothing unoffered comes back; with --protocol the user names one it speaks, and it must be selected.
// Offering several: §4.3 "Sec-WebSocket-Protocol-Server = token" and §4.2.2 "a single value", so a 101 echoing the
// offered list ("a, b") fails §4.1's client checks (step 6 and its closing MUST: a response that "does not conform
// to the requirements for the server's handshake as defined ... in Section 4.2.2").
import { defineCase, informational, type CaseOptions, type ConformanceCase, type Expectation, type Peer } from '../../define.js';
import { acceptance, probeEcho } from './common.js';

/** Tokens no deployment speaks. */
const UNLIKELY_PROTOCOL = 'x-wsprobe-unlikely-7f3a9c';
const UNLIKELY_PROTOCOL_2 = 'x-wsprobe-unlikely-2b8e41';
/** Without --protocol: a name from RFC 6455's own examples (§1.9, §11.3.4), which the target may or may not speak. */
const EXAMPLE_PROTOCOL = 'chat';
const UNKNOWN_EXTENSION = 'x-wsprobe-unknown';

const MAY_REQUIRE_PROTOCOL = {
  status: 'reject' as const,
  why: 'the target refused a request offering no subprotocol it speaks: allowed, but it could have accepted with none (RFC 6455 §4.2.2 /subprotocol/: null is acceptable)',
};

/** The run's --protocol values (or "chat"), then one no target speaks, in order of preference (§4.2.1 step 8). */
function severalOffered(options: CaseOptions): string[] {
  const own = options.protocols ?? [];
  return [...(own.length > 0 ? own : [EXAMPLE_PROTOCOL]), UNLIKELY_PROTOCOL];
}

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
    id: 'handshake.subprotocol.several-unknown',
    title: `Offering ${UNLIKELY_PROTOCOL} and ${UNLIKELY_PROTOCOL_2}: the 101 selects one of them or none, never the list`,
    rfc: ['4.2.2', '4.1', '4.3'],
    autobahn: [],
    handshake: { protocols: [UNLIKELY_PROTOCOL, UNLIKELY_PROTOCOL_2] },
    // checkServerResponse fails a list, or a value outside the offer; none selected is the expected answer.
    expect: acceptance({ nonStrict: MAY_REQUIRE_PROTOCOL }),
    run: probeEcho,
  }),
  defineCase({
    id: 'handshake.subprotocol.several-offered',
    title: 'Offering the --protocol values (or "chat") and an unknown one: the 101 selects a single offered value',
    rfc: ['4.2.2', '4.1', '4.3'],
    autobahn: [],
    handshake: 'manual',
    expect: (options): Expectation => {
      // With --protocol the target speaks one of the offer, so it must select one (as user-selected); without, it may
      // know "chat" or nothing, and selecting none is as good as selecting one.
      if ((options.protocols ?? []).length === 0) return acceptance({ nonStrict: MAY_REQUIRE_PROTOCOL });
      return acceptance({ requireHeaders: [{ name: 'Sec-WebSocket-Protocol', matches: /^\S+$/ }] });
    },
    async run(peer: Peer, ctx) {
      await peer.handshake({ protocols: severalOffered(ctx.options) });
      await probeEcho(peer, ctx);
    },
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
