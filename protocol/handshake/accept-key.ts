import { createHash } from 'node:crypto';
import { WEBSOCKET_GUID } from '../constants.js';

/**
 * RFC 6455 §4.2.2 step 5.4: Sec-WebSocket-Accept is the base64 of the SHA-1 of the key (as sent, not decoded)
 * concatenated with the GUID.
 */
export function computeAcceptKey(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID, 'latin1').digest('base64');
}
