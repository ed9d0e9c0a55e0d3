// A FrameSpec (anything, legal or not) to wire bytes: the checked encoder where the frame is legal, the unchecked
// one for illegal lengths and control frames, with a mask key from the peer's seeded Entropy unless the spec pins it.
import { isControlOpcode, MAX_CONTROL_PAYLOAD } from '../../protocol/constants.js';
import type { Entropy } from '../../protocol/entropy.js';
import { encodeFrame, encodeFrameUnchecked } from '../../protocol/frame/encode.js';
import { rsvBits } from '../../protocol/frame/frame.js';
import type { SentFrame } from './observer.js';
import type { FrameSpec } from './peer.js';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

export function toBytes(p: Uint8Array | string | undefined): Uint8Array {
  if (p === undefined) return EMPTY;
  return typeof p === 'string' ? encoder.encode(p) : p;
}

export function encodeFrameSpec(spec: FrameSpec, entropy: Entropy): { parts: Uint8Array[]; sent: SentFrame } {
  const payload = toBytes(spec.payload);
  let mask: Uint8Array | null;
  if (spec.mask === undefined || spec.mask === 'random') {
    mask = new Uint8Array(4);
    entropy.fill(mask);
  } else mask = spec.mask;
  const fin = spec.fin ?? true;
  const flags = { rsv1: !!spec.rsv1, rsv2: !!spec.rsv2, rsv3: !!spec.rsv3 };
  const sent: SentFrame = { opcode: spec.opcode, payload, fin, rsv: rsvBits(flags), masked: mask !== null };
  if (spec.lengthOverride !== undefined) sent.lengthOverride = spec.lengthOverride;
  const illegal =
    spec.lengthOverride !== undefined ||
    spec.lengthForm !== undefined ||
    (isControlOpcode(spec.opcode) && (payload.length > MAX_CONTROL_PAYLOAD || !fin));
  if (illegal) {
    const u: Parameters<typeof encodeFrameUnchecked>[0] = { opcode: spec.opcode, payload, mask, fin };
    if (spec.rsv1) u.rsv1 = true;
    if (spec.rsv2) u.rsv2 = true;
    if (spec.rsv3) u.rsv3 = true;
    if (spec.lengthOverride !== undefined) u.lengthOverride = spec.lengthOverride;
    if (spec.lengthForm !== undefined) u.lengthForm = spec.lengthForm;
    return { parts: [encodeFrameUnchecked(u)], sent };
  }
  const [header, body] = encodeFrame({ opcode: spec.opcode, payload, mask, fin, ...flags });
  return { parts: body.length === 0 ? [header] : [header, body], sent };
}
