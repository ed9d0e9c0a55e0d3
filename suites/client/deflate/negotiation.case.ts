// permessage-deflate responses (RFC 7692 §7). The client must refuse a response that accepts its offer wrongly:
// "A client MUST _Fail the WebSocket Connection_ if the peer server accepted an extension negotiation offer for
// this extension with an extension negotiation response meeting any of the following conditions": a parameter not
// defined for a response, an invalid value, a repeated parameter, a configuration it does not support (here:
// client_max_window_bits it did not offer, §7.1.2.2). And it must accept the valid responses that go beyond its
// offer: server_no_context_takeover (§7.1.1.1), client_no_context_takeover (§7.1.1.2) and server_max_window_bits
// (§7.1.2.1) "even if" the offer did not have them. Each needs the client to offer permessage-deflate (else
// unimplemented); the refusals send the header as given, the acceptances our usual agreement with the header
// replaced, and one short message whose back-references reach only 16 bytes, so any window decodes it.
import { Opcode } from '../../../protocol/constants.js';
import { parseExtensionHeader } from '../../../protocol/extensions/header.js';
import { acceptDeflateResponse, parseDeflateParams, PERMESSAGE_DEFLATE } from '../../../protocol/extensions/permessage-deflate.js';
import { defineClientCase, text, type ClientCase, type ReceivedRequest } from '../define.js';
import { awaitRefusal, closeNormally, echo, echoThenClose, informational, offeredDeflate, refuse } from '../helpers.js';

const FAIL_IF =
  'A client MUST _Fail the WebSocket Connection_ if the peer server accepted an extension negotiation offer for this extension with an extension negotiation response meeting any of the following conditions:';
export const NOT_DEFINED = `${FAIL_IF} The negotiation response contains an extension parameter not defined for use in a response.`;
export const INVALID_VALUE = `${FAIL_IF} The negotiation response contains an extension parameter with an invalid value.`;
export const SAME_NAME = `${FAIL_IF} The negotiation response contains multiple extension parameters with the same name.`;
export const UNSUPPORTED = `${FAIL_IF} The client does not support the configuration that the response represents.`;
const RSV1_CONFLICT =
  'A server MUST NOT accept a PMCE extension negotiation offer together with another extension if the PMCE will conflict with the extension on their use of the RSV1 bit. A client that received a response accepting a PMCE extension negotiation offer together with such an extension MUST _Fail the WebSocket Connection_.';

function refusal(id: string, title: string, rfc: string[], rule: string, header: string): ClientCase {
  return defineClientCase({
    id: `deflate.response.${id}`,
    title,
    rfc,
    autobahn: [],
    response: { extensions: header },
    expect: offeredDeflate(refuse(rfc[0] as string, rule)),
    run: awaitRefusal,
  });
}

/** Whether any valid permessage-deflate offer of the client has client_max_window_bits (then a response may too). */
export function offersClientWindow(request: ReceivedRequest): boolean {
  return request.extensionOffers.some((o) => {
    if (o.name !== PERMESSAGE_DEFLATE) return false;
    const p = parseDeflateParams(o.params, 'offer');
    return p.ok && p.params.clientMaxWindowBits !== null;
  });
}

const SHORT = 'Hello, deflate! Hello, deflate! Hello, deflate! Hello, deflate!';

/**
 * Whether `header` (one permessage-deflate element) is a valid response to one of the client's valid offers (RFC
 * 7692 §7): a client that offered, say, server_no_context_takeover everywhere makes a response without it invalid,
 * and the case is then not the one it means to be. True when the client offered no permessage-deflate (the grader
 * then reports the case unimplemented).
 */
export function fitsOffers(request: ReceivedRequest, header: string): boolean {
  const offers = request.extensionOffers.filter((o) => o.name === PERMESSAGE_DEFLATE);
  if (offers.length === 0) return true;
  const valid = offers.flatMap((o) => {
    const p = parseDeflateParams(o.params, 'offer');
    return p.ok ? [p.params] : [];
  });
  const response = parseExtensionHeader(header)[0];
  return response !== undefined && valid.length > 0 && acceptDeflateResponse(response.params, valid).ok;
}

function acceptance(id: string, title: string, rfc: string[], header: string): ClientCase {
  const applies = (request: ReceivedRequest): boolean => fitsOffers(request, header);
  return defineClientCase({
    id: `deflate.response.${id}`,
    title,
    rfc,
    autobahn: [],
    response: { deflate: true, extensions: header },
    expect: (request) =>
      applies(request)
        ? offeredDeflate(echo([text(SHORT)]))
        : informational(`not graded: the client's own offer makes ${JSON.stringify(header)} an invalid response (RFC 7692 §7); the case needs an offer without the parameters it adds`, {
            reasonCode: 'not-configured',
          }),
    async run(peer) {
      if (!peer.deflate || !applies(peer.request)) {
        peer.note(peer.deflate ? "the client's own offer makes this response invalid: nothing to test" : 'permessage-deflate not agreed: nothing to test');
        return closeNormally(peer);
      }
      await peer.sendMessage(Opcode.Text, SHORT);
      await echoThenClose(peer, 1);
    },
  });
}

export const cases: ClientCase[] = [
  refusal('server-window-7', 'A response with server_max_window_bits=7 (below 8) is refused', ['7692 7', '7692 7.1.2.1'], INVALID_VALUE, 'permessage-deflate; server_max_window_bits=7'),
  refusal('server-window-16', 'A response with server_max_window_bits=16 (above 15) is refused', ['7692 7', '7692 7.1.2.1'], INVALID_VALUE, 'permessage-deflate; server_max_window_bits=16'),
  refusal(
    'server-window-leading-zero',
    'A response with server_max_window_bits=09 (a leading zero; the value is "without leading zeroes") is refused',
    ['7692 7', '7692 7.1.2.1'],
    INVALID_VALUE,
    'permessage-deflate; server_max_window_bits=09',
  ),
  refusal('server-window-no-value', 'A response with server_max_window_bits and no value is refused', ['7692 7', '7692 7.1.2.1'], INVALID_VALUE, 'permessage-deflate; server_max_window_bits'),
  refusal(
    'client-window-no-value',
    'A response with client_max_window_bits and no value (a value is required in a response) is refused',
    ['7692 7', '7692 7.1.2.2'],
    INVALID_VALUE,
    'permessage-deflate; client_max_window_bits',
  ),
  refusal('client-window-16', 'A response with client_max_window_bits=16 (above 15) is refused', ['7692 7', '7692 7.1.2.2'], INVALID_VALUE, 'permessage-deflate; client_max_window_bits=16'),
  refusal(
    'no-context-takeover-value',
    'A response with server_no_context_takeover=1 (the parameter takes no value) is refused',
    ['7692 7', '7692 7.1.1.1'],
    INVALID_VALUE,
    'permessage-deflate; server_no_context_takeover=1',
  ),
  refusal('unknown-parameter', 'A response with an unknown parameter (x_wsprobe=1) is refused', ['7692 7'], NOT_DEFINED, 'permessage-deflate; x_wsprobe=1'),
  refusal(
    'duplicate-parameter',
    'A response with server_no_context_takeover twice is refused',
    ['7692 7'],
    SAME_NAME,
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
  ),
  refusal('twice', 'A response accepting permessage-deflate twice (two users of RSV1) is refused', ['7692 5', '9.1'], RSV1_CONFLICT, 'permessage-deflate, permessage-deflate'),
  defineClientCase({
    id: 'deflate.response.client-window-not-offered',
    title: 'A response with client_max_window_bits=10 when the client offered no client_max_window_bits is refused',
    rfc: ['7692 7.1.2.2', '7692 7'],
    autobahn: [],
    response: { extensions: 'permessage-deflate; client_max_window_bits=10' },
    expect: (request) =>
      offersClientWindow(request)
        ? informational(
            'not graded: the client offered client_max_window_bits, so a response with it is valid (RFC 7692 §7.1.2.2); the case needs a client whose offer lacks it',
            { reasonCode: 'not-configured' },
          )
        : offeredDeflate(
            refuse(
              '7692 7.1.2.2',
              `If a received extension negotiation offer doesn't have the "client_max_window_bits" extension parameter, the corresponding extension negotiation response to the offer MUST NOT include the "client_max_window_bits" extension parameter. (§7: ${UNSUPPORTED})`,
            ),
          ),
    async run(peer) {
      if (offersClientWindow(peer.request)) return closeNormally(peer);
      await awaitRefusal(peer);
    },
  }),
  acceptance(
    'server-no-context-takeover-unoffered',
    'A response with server_no_context_takeover the client did not offer (a server MAY include it) is accepted',
    ['7692 7.1.1.1'],
    'permessage-deflate; server_no_context_takeover',
  ),
  acceptance(
    'client-no-context-takeover-unoffered',
    'A response with client_no_context_takeover the client did not offer (a server MAY include it) is accepted',
    ['7692 7.1.1.2'],
    'permessage-deflate; client_no_context_takeover',
  ),
  acceptance(
    'server-window-unoffered',
    'A response with server_max_window_bits=10 the client did not offer (a server MAY include it) is accepted',
    ['7692 7.1.2.1'],
    'permessage-deflate; server_max_window_bits=10',
  ),
];
