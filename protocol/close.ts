// Close frame payloads (RFC 6455 §5.5.1) and the status code rules (§7.4.1, §7.4.2).
import { CloseCode } from './constants.js';
import { firstInvalidUtf8Index } from './utf8.js';
import { violation, type Violation } from './violations.js';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
// ignoreBOM: keep a leading U+FEFF, it is part of the reason.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * @see RFC 6455 §7.4.1 (defined codes), §7.4.2 (ranges). Valid on the wire: 1000-1003, 1007-1014 (1012-1014 are
 * IANA-registered since), 3000-4999. Not: below 1000, 1004 (reserved), 1005/1006/1015 ("MUST NOT be set as a status
 * code in a Close control frame by an endpoint"), 1016-2999 (reserved for this protocol's future), 5000 and up.
 */
export function isValidWireCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999))
  );
}

const CLOSE_CODE_NAMES: Record<number, string> = {
  [CloseCode.Normal]: 'normal',
  [CloseCode.GoingAway]: 'going away',
  [CloseCode.ProtocolError]: 'protocol error',
  [CloseCode.UnsupportedData]: 'unsupported data',
  [CloseCode.Reserved]: 'reserved',
  [CloseCode.NoStatus]: 'no status',
  [CloseCode.Abnormal]: 'abnormal closure',
  [CloseCode.InvalidPayload]: 'invalid payload data',
  [CloseCode.PolicyViolation]: 'policy violation',
  [CloseCode.MessageTooBig]: 'message too big',
  [CloseCode.MandatoryExtension]: 'mandatory extension',
  [CloseCode.InternalError]: 'internal error',
  [CloseCode.ServiceRestart]: 'service restart',
  [CloseCode.TryAgainLater]: 'try again later',
  [CloseCode.BadGateway]: 'bad gateway',
  [CloseCode.TlsHandshake]: 'TLS handshake',
};

export function closeCodeName(code: number): string {
  const known = CLOSE_CODE_NAMES[code];
  if (known !== undefined) return known;
  if (code >= 3000 && code <= 3999) return 'registered';
  if (code >= 4000 && code <= 4999) return 'private use';
  return 'invalid';
}

/**
 * RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in
 * network byte order) representing a status code", followed by an optional UTF-8 reason. No code: empty payload
 * (a reason cannot be sent without a code). Does not check the code, so harness peers can send invalid ones.
 */
export function encodeClosePayload(code?: number, reason?: string | Uint8Array): Uint8Array {
  if (code === undefined) {
    if (reason !== undefined && reason.length > 0) throw new TypeError('a close reason needs a close code');
    return EMPTY;
  }
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) throw new RangeError(`close code ${code} is not 16-bit`);
  const reasonBytes = reason === undefined ? EMPTY : typeof reason === 'string' ? encoder.encode(reason) : reason;
  const out = new Uint8Array(2 + reasonBytes.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(reasonBytes, 2);
  return out;
}

/**
 * Reads a received close payload: `{ code: null }` for an empty body, else the code and reason, or the violation
 * that makes it invalid (1-byte body, a code not allowed on the wire, a reason that is not UTF-8).
 */
export function decodeClosePayload(payload: Uint8Array): { code: number | null; reason: string } | Violation {
  if (payload.length === 0) return { code: null, reason: '' };
  if (payload.length === 1) {
    return violation('close-payload-one-byte', 'close payload of 1 byte (a status code takes 2)');
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidWireCloseCode(code)) {
    return violation('invalid-close-code', `close code ${code} is not allowed on the wire`);
  }
  const reasonBytes = payload.subarray(2);
  const bad = firstInvalidUtf8Index(reasonBytes);
  if (bad !== -1) {
    return violation('close-reason-not-utf8', `close reason is not UTF-8 (byte ${bad} of the reason)`);
  }
  return { code, reason: decoder.decode(reasonBytes) };
}

/** Narrows a decodeClosePayload result. */
export function isCloseViolation(r: { code: number | null; reason: string } | Violation): r is Violation {
  return 'id' in r;
}
