// RFC 7692 §7.1: the parameters of permessage-deflate, read from an offer or a response and checked strictly.
//   server_no_context_takeover, client_no_context_takeover: no value (§7.1.1.1, §7.1.1.2).
//   server_max_window_bits=8..15 (a value is required, §7.1.2.1).
//   client_max_window_bits: in an offer, with or without a value; in a response, a value is required (§7.1.2.2).
// What to do with a bad one is in §7: the server "MUST decline" such an offer, the client "MUST _Fail the WebSocket
// Connection_" on such a response. Each error cites the section of the rule it breaks: §7 for the lists' items
// (undefined parameter, invalid value, repeated name), the parameter's own section for the rest.
import type { ParsedExtension } from './header.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** Parameters as they appear in one offer (`true`: client_max_window_bits with no value) or one response. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | null;
  clientMaxWindowBits: number | true | null;
}

export const DEFLATE_PARAM_ERRORS = {
  'unknown-parameter': '7',
  'duplicate-parameter': '7',
  'unexpected-value': '7',
  'invalid-window-bits': '7',
  'missing-value': '7',
  'not-offered': '7.1.2.2',
  'not-accepted': '7.1.1.1',
  'window-too-large': '7.1.2.1',
  'missing-parameter': '7.1.2.1',
} as const;
export type DeflateParamErrorId = keyof typeof DEFLATE_PARAM_ERRORS;

export interface DeflateParamError {
  ok: false;
  id: DeflateParamErrorId;
  rfc: string;
  message: string;
}

export function deflateParamError(id: DeflateParamErrorId, detail: string): DeflateParamError {
  const rfc = `7692 ${DEFLATE_PARAM_ERRORS[id]}`;
  return { ok: false, id, rfc, message: `RFC 7692 §${DEFLATE_PARAM_ERRORS[id]}: ${detail}` };
}

const WINDOW_BITS_RE = /^(8|9|1[0-5])$/;

/**
 * Reads the parameters of one permessage-deflate element. RFC 7692 §7: "A server MUST decline an extension
 * negotiation offer for this extension if any of the following conditions are met: The negotiation offer contains
 * an extension parameter not defined for use in an offer. The negotiation offer contains an extension parameter
 * with an invalid value. The negotiation offer contains multiple extension parameters with the same name. ..."; §7
 * has the client fail the connection on a response with the same faults. `side` says which: only an offer may
 * carry client_max_window_bits without a value.
 */
export function parseDeflateParams(
  params: ParsedExtension['params'],
  side: 'offer' | 'response',
): { ok: true; params: DeflateParams } | DeflateParamError {
  const out: DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: null,
    clientMaxWindowBits: null,
  };
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) return deflateParamError('duplicate-parameter', `${name} appears twice`);
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        // §7.1.1.1, §7.1.1.2: the parameter has no value (§7: a value is an invalid one).
        if (value !== true) return deflateParamError('unexpected-value', `${name} takes no value, got ${JSON.stringify(value)}`);
        if (name === 'server_no_context_takeover') out.serverNoContextTakeover = true;
        else out.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
        // §7.1.2.1: "This parameter has a decimal integer value without leading zeroes between 8 to 15".
        if (value === true) return deflateParamError('missing-value', 'server_max_window_bits needs a value');
        if (!WINDOW_BITS_RE.test(value)) return deflateParamError('invalid-window-bits', `server_max_window_bits=${value} is not 8..15`);
        out.serverMaxWindowBits = Number(value);
        break;
      case 'client_max_window_bits':
        // §7.1.2.2: in an offer the value may be omitted; in a response the parameter carries a value, 8..15.
        if (value === true) {
          if (side === 'response') return deflateParamError('missing-value', 'client_max_window_bits in a response needs a value');
          out.clientMaxWindowBits = true;
          break;
        }
        if (!WINDOW_BITS_RE.test(value)) return deflateParamError('invalid-window-bits', `client_max_window_bits=${value} is not 8..15`);
        out.clientMaxWindowBits = Number(value);
        break;
      default:
        return deflateParamError('unknown-parameter', `unknown parameter ${JSON.stringify(name)}`);
    }
  }
  return { ok: true, params: out };
}

/** The parameters as header elements, in a fixed order. */
export function deflateParamsToExtension(p: DeflateParams): ParsedExtension {
  const params: ParsedExtension['params'] = [];
  if (p.serverNoContextTakeover) params.push(['server_no_context_takeover', true]);
  if (p.clientNoContextTakeover) params.push(['client_no_context_takeover', true]);
  if (p.serverMaxWindowBits !== null) params.push(['server_max_window_bits', String(p.serverMaxWindowBits)]);
  if (p.clientMaxWindowBits !== null) {
    params.push(['client_max_window_bits', p.clientMaxWindowBits === true ? true : String(p.clientMaxWindowBits)]);
  }
  return { name: PERMESSAGE_DEFLATE, params };
}
