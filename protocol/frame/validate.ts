// The per-frame rules of RFC 6455 §5 (and RFC 7692 §6 for RSV1), separate from decoding so the raw peer can
// record illegal frames. Message-level rules (UTF-8 across fragments, message size) live in the Connection.
import { decodeClosePayload, isCloseViolation } from '../close.js';
import { isControlOpcode, isReservedOpcode, MAX_CONTROL_PAYLOAD, Opcode } from '../constants.js';
import { violation, type Violation } from '../violations.js';
import { rsvBits, type Frame } from './frame.js';

export interface ValidateContext {
  /** Who receives the frame. */
  role: 'client' | 'server';
  /** Bitmask of RSV bits negotiated by extensions (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
  allowedRsv: number;
  /** Whether a fragmented data message is open (its first frame had FIN clear). */
  messageOpen: boolean;
  /** Check that the length used its minimal encoding (needs DecodedFrame.lengthForm); default true. */
  checkMinimalLength?: boolean;
}

type ValidatedFrame = Pick<Frame, 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'opcode' | 'masked' | 'payload'> & {
  lengthForm?: 7 | 16 | 64;
};

/** The first rule `frame` breaks, or null. Close payloads are checked too (§5.5.1, §7.4). */
export function validateFrame(frame: ValidatedFrame, ctx: ValidateContext): Violation | null {
  const { opcode } = frame;
  // RFC 6455 §5.1: "a client MUST mask all frames that it sends to the server ... A server MUST close the connection
  // upon receiving a frame that is not masked" and "A server MUST NOT mask any frames that it sends to the client.
  // A client MUST close a connection if it detects a masked frame."
  if (ctx.role === 'server') {
    if (!frame.masked) return violation('unmasked-client-frame', 'a client frame must be masked');
  } else if (frame.masked) {
    return violation('masked-server-frame', 'a server frame must not be masked');
  }
  // RFC 6455 §5.2: "If a nonzero value is received and none of the negotiated extensions defines the meaning of
  // such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
  const rsv = rsvBits(frame);
  if ((rsv & ~ctx.allowedRsv) !== 0) {
    return violation('reserved-bits-set', `RSV bits ${rsv.toString(2).padStart(3, '0')} set with no extension negotiated for them`);
  }
  // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
  if (isReservedOpcode(opcode)) return violation('reserved-opcode', `reserved opcode 0x${opcode.toString(16)}`);
  if (ctx.checkMinimalLength !== false && frame.lengthForm !== undefined) {
    // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
    const n = frame.payload.length;
    const minimal = n < 126 ? 7 : n < 0x10000 ? 16 : 64;
    if (frame.lengthForm !== minimal) {
      return violation('length-not-minimal', `payload length ${n} written in the ${frame.lengthForm}-bit form`);
    }
  }
  if (isControlOpcode(opcode)) {
    // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
    if (frame.payload.length > MAX_CONTROL_PAYLOAD) {
      return violation('control-frame-too-long', `control frame payload ${frame.payload.length} > ${MAX_CONTROL_PAYLOAD}`);
    }
    if (!frame.fin) return violation('control-frame-fragmented', 'control frame with FIN clear');
    // RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames".
    if (frame.rsv1) return violation('rsv1-on-control', 'RSV1 set on a control frame');
    if (opcode === Opcode.Close) {
      const close = decodeClosePayload(frame.payload);
      if (isCloseViolation(close)) return close;
    }
    return null;
  }
  if (opcode === Opcode.Continuation) {
    // RFC 6455 §5.4: a fragmented message is "a single frame with the FIN bit clear and an opcode other than 0,
    // followed by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame
    // with the FIN bit set and an opcode of 0".
    if (!ctx.messageOpen) return violation('continuation-without-message', 'continuation frame with no message open');
    // RFC 7692 §6: "... and non-first fragments of a data message".
    if (frame.rsv1) return violation('rsv1-on-continuation', 'RSV1 set on a continuation frame');
    return null;
  }
  // RFC 6455 §5.4: "The fragments of one message MUST NOT be interleaved between the fragments of another message".
  if (ctx.messageOpen) return violation('data-frame-inside-message', `new ${opcode === Opcode.Text ? 'text' : 'binary'} frame while a fragmented message is open`);
  return null;
}
