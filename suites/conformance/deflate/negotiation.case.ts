// Negotiation rules Autobahn does not test (RFC 7692 §7, §7.1). An invalid offer must be declined (§7: "A server
// MUST decline an extension negotiation offer for this extension if any of the following conditions are met"):
// each case sends it first and a valid fallback offer after it, which the target must take instead (its response
// must fit the fallback: the fallback asks for a parameter the response must then carry, §7.1.1.1 / §7.1.2.1). A
// target that refuses the whole handshake with a 4xx also declined the offer; one that accepts permessage-deflate
// in neither case is unimplemented. And a response must not carry parameters the client did not offer (§7.1.2.2),
// and an agreed server_max_window_bits must be kept (§7.1.2.1): our inflater uses that window.
import { Opcode } from '../../../protocol/constants.js';
import { defineCase, echo, text, utf8, type ConformanceCase } from '../../define.js';
import { echoCompressed, messageStep, needsDeflate, offer } from './support.js';

const PROBE = 'wsprobe permessage-deflate probe: the fallback offer works';
/** Fallbacks: accepting them means the response carries server_no_context_takeover, or server_max_window_bits. */
const FALLBACK_NCT = 'permessage-deflate; server_no_context_takeover';
const FALLBACK_BITS = 'permessage-deflate; server_max_window_bits=10';

/** 2000 bytes that do not compress, twice: the only match is 2000 bytes back, beyond a 9-bit window (512 bytes). */
const REPEATED = ((): Uint8Array => {
  let x = 0x7692;
  const unit = new Uint8Array(2000).map(() => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
  const out = new Uint8Array(4000);
  out.set(unit);
  out.set(unit, 2000);
  return out;
})();

function declineCase(id: string, title: string, invalid: string, fallback: string, rfc: string): ConformanceCase {
  return defineCase({
    id: `deflate.negotiate.${id}`,
    title: `${title}: the offer is declined and the fallback offer taken`,
    rfc: ['7692 7', rfc],
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
    '7692 7.1.2.1',
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
    rfc: ['7692 7.1.2.2', '7692 7'],
    autobahn: [],
    handshake: { extensions: 'permessage-deflate' },
    expect: needsDeflate(echo([text(PROBE)])),
    async run(peer) {
      await echoCompressed(peer, 0x1, [utf8(PROBE)]);
    },
  }),
  defineCase({
    id: 'deflate.negotiate.window-9-kept',
    title: 'server_max_window_bits=9 agreed: a message repeating 2000 bytes comes back compressed within a 512-byte window',
    rfc: ['7692 7.1.2.1', '7692 7.2.2'],
    autobahn: [],
    handshake: { extensions: offer({ serverMaxWindowBits: 9 }) },
    expect: needsDeflate(echo([messageStep(Opcode.Binary, REPEATED)])),
    async run(peer) {
      await echoCompressed(peer, Opcode.Binary, [REPEATED]);
    },
  }),
];
