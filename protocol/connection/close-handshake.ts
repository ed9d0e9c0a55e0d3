// The payloads of the close handshake (RFC 6455 §5.5.1, §7.1.5, §7.4): the reason sent when failing, what a
// received Close says, the Close that answers it, and the code the connection ends with.
import { decodeClosePayload, encodeClosePayload, isCloseViolation } from '../close.js';
import { CloseCode, MAX_CONTROL_PAYLOAD } from '../constants.js';
import type { Violation } from '../violations.js';
import { decodeText } from './events.js';

/** The reply to the peer's Close (its payload), or the failure close for a violation under strict. */
export type HeldClose = { kind: 'reply'; payload: Uint8Array } | { kind: 'fail'; code: number; reason: string };

const utf8Encoder = new TextEncoder();

/** A close reason of at most 123 bytes (RFC 6455 §5.5: control payload <= 125, 2 of them the code). */
export function closeReason(text: string): Uint8Array {
  const bytes = utf8Encoder.encode(text);
  if (bytes.length <= MAX_CONTROL_PAYLOAD - 2) return bytes;
  let end = MAX_CONTROL_PAYLOAD - 2;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // do not cut a character in half
  return bytes.subarray(0, end);
}

/** The code and reason of a received Close; of an invalid one (reported elsewhere), what arrived anyway. */
export function readClose(payload: Uint8Array): { code: number | null; reason: string } {
  const parsed = decodeClosePayload(payload);
  if (!isCloseViolation(parsed)) return { code: parsed.code, reason: parsed.reason };
  if (payload.length >= 2) return { code: (payload[0]! << 8) | payload[1]!, reason: decodeText(payload.subarray(2)) };
  return { code: null, reason: '' };
}

/**
 * The Close answering the peer's. RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously
 * send a Close frame, the endpoint MUST send a Close frame in response. (When sending a Close frame in response,
 * the endpoint typically echos the status code it received.)" A Close with no code is answered with an empty Close:
 * there is no code to echo, and 1005 "MUST NOT be set as a status code in a Close control frame" (§7.4.1). Under
 * observe, a Close found invalid (`v`) is answered with the code that invalidity calls for.
 */
export function closeReply(code: number | null, v: Violation | null): Uint8Array {
  return v !== null ? encodeClosePayload(v.closeCode) : encodeClosePayload(code ?? undefined);
}

/** RFC 6455 §7.1.5: the close code is the received one, 1005 for a Close without one, 1006 when none arrived. */
export function closedCode(closeReceived: boolean, receivedCode: number | null): number {
  return closeReceived ? (receivedCode ?? CloseCode.NoStatus) : CloseCode.Abnormal;
}
