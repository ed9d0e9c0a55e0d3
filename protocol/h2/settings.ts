// RFC 8441 §3: the one setting the bootstrap needs. A client may send an Extended CONNECT only after the server's
// SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 has arrived; a server that has not sent it treats :protocol as malformed
// (RFC 8441 §6, the server side in checkH2Request); once 1, the value never goes back to 0.
import { H2ErrorCode } from './close.js';
import { h2ClientRejection, h2ConnectionError, type H2ClientRejection, type H2ConnectionError } from './rejections.js';

/** The parameter's identifier, as registered by RFC 8441 §9. */
export const SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

/** The peer's settings as far as the bootstrap cares (Node's `remoteSettings` has this shape). */
export interface PeerSettings {
  enableConnectProtocol?: boolean | undefined;
}

/** Client side: may an Extended CONNECT be sent on a connection whose server sent these settings? */
export function checkExtendedConnectAllowed(remote: PeerSettings | undefined): { ok: true } | H2ClientRejection {
  // §3: "Upon receipt of SETTINGS_ENABLE_CONNECT_PROTOCOL with a value of 1, a client MAY use the Extended CONNECT".
  if (remote?.enableConnectProtocol === true) return { ok: true };
  return h2ClientRejection(
    'connect-protocol-not-enabled',
    remote === undefined
      ? 'no SETTINGS from the server yet: an Extended CONNECT must wait for SETTINGS_ENABLE_CONNECT_PROTOCOL = 1'
      : 'the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1',
  );
}

/**
 * Receiver side of one SETTINGS_ENABLE_CONNECT_PROTOCOL value, given the previous one (undefined: never sent).
 * §3: "The value of the parameter MUST be 0 or 1" and "A sender MUST NOT send a SETTINGS_ENABLE_CONNECT_PROTOCOL
 * parameter with the value of 0 after previously sending a value of 1." Neither names a code; RFC 7540 §6.5.2 treats
 * a bad value of its own boolean setting (ENABLE_PUSH) as a connection error of type PROTOCOL_ERROR, so do we.
 */
export function checkEnableConnectSetting(previous: number | undefined, next: number): H2ConnectionError | null {
  if (next !== 0 && next !== 1) return h2ConnectionError('setting-not-boolean', H2ErrorCode.ProtocolError, `SETTINGS_ENABLE_CONNECT_PROTOCOL = ${next}: it must be 0 or 1`);
  if (previous === 1 && next === 0) return h2ConnectionError('setting-withdrawn', H2ErrorCode.ProtocolError);
  return null;
}
