// Negotiation rules Autobahn does not test (RFC 7692 §5, §7.1). An invalid offer must be declined: each case sends
// it first and a valid fallback offer after it, which the target must take instead (its response must fit the
// fallback: the fallback asks for a parameter the response must then carry, §7.1.1.1 / §7.1.2.1). A target that
// refuses the whole handshake with a 4xx also declined the offer; one that accepts permessage-deflate in neither
// case is unimplemented. And a response must not carry parameters the client did not offer (§7.1.2.2).
import { defineCase, echo, text, utf8, type ConformanceCase } from '../../define.js';
import { echoCompressed, needsDeflate } from './support.js';

const PROBE = 'wsprobe permessage-deflate probe: the fallback offer works';
/** Fallbacks: accepting them means the response carries server_no_context_takeover, or server_max_window_bits. */
const FALLBACK_NCT = 'permessage-deflate; server_no_context_takeover';
const FALLBACK_BITS = 'permessage-deflate; server_max_window_bits=10';

function declineCase(id: string, title: string, invalid: string, fallback: string, rfc: string): ConformanceCase {
  return defineCase({
    id: `deflate.negotiate.${id}`,
    title: `${title}: the offer is declined and the fallback offer taken`,
    rfc: ['7692 5', rfc],
    autobahn: [],
    handshake: { extensions: `${invalid}, ${fallback}` },
    expect: needsDeflate(echo([text(PROBE)]), { refusal: 'pass' }),
    async run(peer) {
      await echoCompressed(peer, 0x1, [utf8(PROBE)]);
    },
  });
}

export const cases: ConformanceCase[] = [
  declineCase('invalid-window-7', 'An offer with server_max_window_bits=7 (below 8)', 'permessage-deflate; server_max_window_bits=7', FALLBACK_NCT, '7692 7.1.2.1'),
  declineCase('invalid-window-16', 'An offer with server_max_window_bits=16 (above 15)', 'permessage-deflate; server_max_window_bits=16', FALLBACK_NCT, '7692 7.1.2.1'),
  declineCase('invalid-client-window-7', 'An offer with client_max_window_bits=7', 'permessage-deflate; client_max_window_bits=7', FALLBACK_NCT, '7692 7.1.2.2'),
  declineCase(
    'duplicate-parameter',
    'An offer with server_max_window_bits twice',
    'permessage-deflate; server_max_window_bits=10; server_max_window_bits=10',
    FALLBACK_NCT,
    '7692 7.1',
  ),
  declineCase('unknown-parameter', 'An offer with an unknown parameter', 'permessage-deflate; x-wsprobe-unknown', FALLBACK_NCT, '7692 7.1'),
  declineCase(
    'value-on-no-context-takeover',
    'An offer with a value on server_no_context_takeover',
    'permessage-deflate; server_no_context_takeover=1',
    FALLBACK_BITS,
    '7692 7.1.1.1',
  ),
  defineCase({
    id: 'deflate.negotiate.client-bits-not-offered',
    title: 'An offer without client_max_window_bits: the response must not carry it',
    rfc: ['7692 7.1.2.2', '7692 5'],
    autobahn: [],
    handshake: { extensions: 'permessage-deflate' },
    expect: needsDeflate(echo([text(PROBE)])),
    async run(peer) {
      await echoCompressed(peer, 0x1, [utf8(PROBE)]);
    },
  }),
];
