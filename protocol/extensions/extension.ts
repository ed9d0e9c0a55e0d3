// The hook through which Connection runs negotiated extensions over whole messages (RFC 6455 §9).
import type { Violation } from '../violations.js';

/**
 * A message-level transform, synchronous so the frame decoder and Connection stay synchronous. `decode` runs on a
 * received message (its fragments joined, RSV1 as set on its first frame); `encode` on a message about to be
 * sent, and says whether to set RSV1 on its first frame (RFC 7692 §6: never on continuation or control frames).
 */
export interface MessageExtension {
  name: string;
  /** RSV bits this extension gives meaning to: 4 for RSV1, 2 for RSV2, 1 for RSV3. */
  rsvMask: number;
  decode(msg: { rsv1: boolean; opcode: number; payload: Uint8Array }): Uint8Array | Violation;
  encode(msg: { opcode: number; payload: Uint8Array }): { payload: Uint8Array; rsv1: boolean };
}
