// RFC 7692 §5 and §7: negotiating permessage-deflate, server side (choose among offers, build the response)
// and client side (build an offer, check the response against it).
import {
  deflateParamError,
  deflateParamsToExtension,
  parseDeflateParams,
  PERMESSAGE_DEFLATE,
  type DeflateParamError,
  type DeflateParams,
} from './deflate-params.js';
import { serializeExtensions, type ParsedExtension } from './header.js';

/** What both sides use once negotiated: absent window bits mean 15 (§7.1.2.1, §7.1.2.2). */
export interface DeflateAgreement {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
  /**
   * Client side only: the response strays from how RFC 7692 says an offer is accepted, yet describes a
   * configuration the offer allows, so §7's "MUST _Fail the WebSocket Connection_" does not apply and the response
   * is taken (e.g. an offered server_max_window_bits=15 left out: absent means 15 too). Graded non-strict.
   */
  deviation?: DeflateDeviation;
}

export interface DeflateDeviation {
  id: 'window-15-omitted';
  rfc: string;
  message: string;
}

export interface DeflateServerConfig {
  /** The server never takes over context (the response always says server_no_context_takeover). */
  serverNoContextTakeover?: boolean;
  /** Ask the client not to take over context (§7.1.1.2: allowed even when not offered). */
  clientNoContextTakeover?: boolean;
  /** Largest window the server compresses with, 8..15. */
  serverMaxWindowBits?: number;
  /** Largest window the client may use, 8..15: sent only when the offer has client_max_window_bits (§7.1.2.2). */
  clientMaxWindowBits?: number;
  /** Extra policy: return false to decline a (valid) offer, e.g. to act as a server with limits. */
  accept?: (offer: DeflateParams) => boolean;
}

export interface DeflateServerAgreement {
  agreement: DeflateAgreement;
  /** The response element, and its Sec-WebSocket-Extensions value. */
  extension: ParsedExtension;
  response: string;
  /** Which permessage-deflate offer (0-based, among permessage-deflate offers only) was taken. */
  offerIndex: number;
}

export interface DeflateClientConfig {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  serverMaxWindowBits?: number;
  /** true (default): advertise support without a limit; a number: limit our own window; false: omit. */
  clientMaxWindowBits?: number | boolean;
}

function checkBits(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 8 && v <= 15)) {
    throw new RangeError(`RFC 7692 §7.1.2: ${name} must be an integer 8..15, got ${v}`);
  }
}

/**
 * RFC 7692 §7: "A server MUST decline an extension negotiation offer for this extension if any of the following
 * conditions are met": a parameter not defined for use in an offer, an invalid value, a repeated parameter, or
 * "The server doesn't support the offered configuration." The first permessage-deflate offer that survives is
 * accepted (the client lists them by preference); null when none does.
 */
export function negotiateDeflateServer(
  offers: readonly ParsedExtension[],
  config: DeflateServerConfig = {},
): DeflateServerAgreement | null {
  checkBits('serverMaxWindowBits', config.serverMaxWindowBits);
  checkBits('clientMaxWindowBits', config.clientMaxWindowBits);
  let index = -1;
  for (const ext of offers) {
    if (ext.name !== PERMESSAGE_DEFLATE) continue;
    index++;
    const parsed = parseDeflateParams(ext.params, 'offer');
    if (!parsed.ok) continue;
    const o = parsed.params;
    if (config.accept !== undefined && !config.accept(o)) continue;
    const serverLimit = config.serverMaxWindowBits ?? 15;
    const resp: DeflateParams = {
      // §7.1.1.1: the server accepts an offer with server_no_context_takeover by including it.
      serverNoContextTakeover: o.serverNoContextTakeover || config.serverNoContextTakeover === true,
      clientNoContextTakeover: o.clientNoContextTakeover || config.clientNoContextTakeover === true,
      // §7.1.2.1: "the same or smaller value as the offer"; without an offer the server may still limit itself.
      serverMaxWindowBits:
        o.serverMaxWindowBits !== null ? Math.min(o.serverMaxWindowBits, serverLimit) : (config.serverMaxWindowBits ?? null),
      // §7.1.2.2: only when the client offered client_max_window_bits, and no larger than its value.
      clientMaxWindowBits:
        o.clientMaxWindowBits === null
          ? null
          : o.clientMaxWindowBits === true
            ? (config.clientMaxWindowBits ?? null)
            : Math.min(o.clientMaxWindowBits, config.clientMaxWindowBits ?? 15),
    };
    const extension = deflateParamsToExtension(resp);
    return {
      agreement: {
        serverNoContextTakeover: resp.serverNoContextTakeover,
        clientNoContextTakeover: resp.clientNoContextTakeover,
        serverMaxWindowBits: (resp.serverMaxWindowBits as number | null) ?? 15,
        clientMaxWindowBits: (resp.clientMaxWindowBits as number | null) ?? 15,
      },
      extension,
      response: serializeExtensions([extension]),
      offerIndex: index,
    };
  }
  return null;
}

/** RFC 7692 §7.1: the client's offer, and its Sec-WebSocket-Extensions value. */
export function buildDeflateOffer(config: DeflateClientConfig = {}): { offer: DeflateParams; header: string } {
  checkBits('serverMaxWindowBits', config.serverMaxWindowBits);
  const cmwb = config.clientMaxWindowBits ?? true;
  if (typeof cmwb === 'number') checkBits('clientMaxWindowBits', cmwb);
  const offer: DeflateParams = {
    serverNoContextTakeover: config.serverNoContextTakeover === true,
    clientNoContextTakeover: config.clientNoContextTakeover === true,
    serverMaxWindowBits: config.serverMaxWindowBits ?? null,
    clientMaxWindowBits: cmwb === false ? null : cmwb,
  };
  return { offer, header: serializeExtensions([deflateParamsToExtension(offer)]) };
}

/**
 * RFC 7692 §7: "A client MUST _Fail the WebSocket Connection_ if the peer server accepted an extension negotiation
 * offer for this extension with an extension negotiation response meeting any of the following conditions": a
 * parameter not defined for use in a response, an invalid value, a repeated parameter, or "The client does not
 * support the configuration that the response represents" (here: one its offer did not allow). With several
 * offers, the response must fit one of them: the first that fits exactly gives the agreement, else the first that
 * fits with a deviation.
 */
export function acceptDeflateResponse(
  params: ParsedExtension['params'],
  offer: DeflateParams | readonly DeflateParams[],
): { ok: true; agreement: DeflateAgreement } | DeflateParamError {
  const parsed = parseDeflateParams(params, 'response');
  if (!parsed.ok) return parsed;
  const offers = Array.isArray(offer) ? (offer as readonly DeflateParams[]) : [offer as DeflateParams];
  let firstError: DeflateParamError | null = null;
  let deviating: { ok: true; agreement: DeflateAgreement } | null = null;
  for (const o of offers) {
    const r = matchResponse(parsed.params, o);
    if (r.ok && r.agreement.deviation === undefined) return r;
    if (r.ok) deviating ??= r;
    else firstError ??= r;
  }
  return deviating ?? firstError ?? deflateParamError('not-offered', 'permessage-deflate was not offered');
}

function matchResponse(r: DeflateParams, o: DeflateParams): { ok: true; agreement: DeflateAgreement } | DeflateParamError {
  // §7.1.1.1: the server accepts an offer with server_no_context_takeover only by including it.
  if (o.serverNoContextTakeover && !r.serverNoContextTakeover) {
    return deflateParamError('not-accepted', 'server_no_context_takeover was offered but not in the response');
  }
  // §7.1.2.1: "A server accepts an extension negotiation offer with this parameter by including the
  // "server_max_window_bits" extension parameter in the extension negotiation response to send back to the client
  // with the same or smaller value as the offer."
  let deviation: DeflateDeviation | undefined;
  if (o.serverMaxWindowBits !== null) {
    if (r.serverMaxWindowBits === null && o.serverMaxWindowBits < 15) {
      return deflateParamError('missing-parameter', `server_max_window_bits=${o.serverMaxWindowBits} was offered but not in the response (so up to 15 bits, more than the offer allows)`);
    }
    if (r.serverMaxWindowBits === null) {
      // Left out, the server may use up to 15 bits: just what an offer of 15 allows, so the client supports it.
      deviation = {
        id: 'window-15-omitted',
        rfc: '7692 7.1.2.1',
        message: 'server_max_window_bits=15 was offered but left out of the response (the same 15-bit window); a server accepts the parameter by including it',
      };
    } else if (r.serverMaxWindowBits > o.serverMaxWindowBits) {
      return deflateParamError('window-too-large', `server_max_window_bits=${r.serverMaxWindowBits} is larger than the offered ${o.serverMaxWindowBits}`);
    }
  }
  // §7.1.2.2: "If a received extension negotiation offer doesn't have the "client_max_window_bits" extension
  // parameter, the corresponding extension negotiation response to the offer MUST NOT include" it.
  let clientBits: number;
  if (o.clientMaxWindowBits === null) {
    if (r.clientMaxWindowBits !== null) {
      return deflateParamError('not-offered', `client_max_window_bits=${r.clientMaxWindowBits} in the response, but the offer did not allow it`);
    }
    clientBits = 15;
  } else if (o.clientMaxWindowBits === true) {
    clientBits = (r.clientMaxWindowBits as number | null) ?? 15;
  } else {
    const rv = r.clientMaxWindowBits as number | null;
    if (rv !== null && rv > o.clientMaxWindowBits) {
      return deflateParamError('window-too-large', `client_max_window_bits=${rv} is larger than the offered ${o.clientMaxWindowBits}`);
    }
    clientBits = rv ?? o.clientMaxWindowBits;
  }
  return {
    ok: true,
    agreement: {
      serverNoContextTakeover: r.serverNoContextTakeover,
      // The client's own request not to take over context binds it whatever the response says.
      clientNoContextTakeover: r.clientNoContextTakeover || o.clientNoContextTakeover,
      serverMaxWindowBits: r.serverMaxWindowBits ?? 15,
      clientMaxWindowBits: clientBits,
      ...(deviation ? { deviation } : {}),
    },
  };
}
