// A decoded (or to-be-encoded) frame. `payload` is always the unmasked application data.

export interface Frame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** The 4-byte masking key, when masked. */
  maskKey?: Uint8Array;
  payload: Uint8Array;
}

/** RSV bits as a 3-bit number (RSV1 = 4, RSV2 = 2, RSV3 = 1), as in transcripts. */
export function rsvBits(frame: Pick<Frame, 'rsv1' | 'rsv2' | 'rsv3'>): number {
  return (frame.rsv1 ? 4 : 0) | (frame.rsv2 ? 2 : 0) | (frame.rsv3 ? 1 : 0);
}

/** The wire form of the payload length: 7-bit, 16-bit (126) or 64-bit (127). RFC 6455 §5.2 asks for the minimal one. */
export type LengthForm = 7 | 16 | 64;

/** A received frame: a Frame plus how its length was written on the wire (decoders set it; encoders ignore it). */
export interface DecodedFrame extends Frame {
  lengthForm: LengthForm;
}

/** What a decoder knows once a frame's header is in: everything but the payload bytes. */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  maskKey?: Uint8Array;
  payloadLength: number;
  lengthForm: LengthForm;
}
