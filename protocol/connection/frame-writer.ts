// The send side of a Connection: frames encoded (and masked, for a client) into the queue of writes, and data
// messages run through the negotiated extensions and split into fragments on request.
import { Opcode } from '../constants.js';
import type { Entropy } from '../entropy.js';
import type { MessageExtension } from '../extensions/extension.js';
import { encodeHeader, maskedPayload } from '../frame/encode.js';
import { SlotQueue } from './slot-queue.js';

/** RSV1 as rsvBits() packs it (RSV1 = 4, RSV2 = 2, RSV3 = 1). */
const RSV1 = 4;

export class FrameWriter {
  /** Header and payload chunks, in wire order, waiting for the transport. */
  readonly writes = new SlotQueue<Uint8Array>();

  constructor(
    /** RFC 6455 §5.3: a client masks every frame it sends. */
    private readonly masked: boolean,
    private readonly entropy: Entropy,
    private readonly extensions: readonly MessageExtension[],
  ) {}

  /** Queues one frame; `rsv` is the three RSV bits as rsvBits() packs them. */
  frame(opcode: number, payload: Uint8Array, fin: boolean, rsv: number): void {
    let mask: Uint8Array | null = null;
    if (this.masked) {
      // RFC 6455 §5.3: "The masking key is a 32-bit value chosen at random by the client ... MUST pick a fresh
      // masking key for each frame".
      mask = new Uint8Array(4);
      this.entropy.fill(mask);
    }
    const b0 = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
    this.writes.push(encodeHeader(b0, payload.length, mask));
    if (payload.length > 0) this.writes.push(maskedPayload(payload, mask));
  }

  /** Queues a data message: through the extensions, then whole or split into frames of the given payload sizes. */
  message(opcode: number, data: Uint8Array, sizes: readonly number[] | undefined): void {
    let payload = data;
    let rsv1 = false;
    for (const ext of this.extensions) {
      const out = ext.encode({ opcode, payload });
      payload = out.payload;
      rsv1 ||= out.rsv1;
    }
    const rsv = rsv1 ? RSV1 : 0;
    if (sizes === undefined || sizes.length === 0) {
      this.frame(opcode, payload, true, rsv);
      return;
    }
    // RFC 6455 §5.4: first frame with the opcode, the rest continuations, FIN on the last; RFC 7692 §6: RSV1 on the
    // first frame only.
    let at = 0;
    let first = true;
    for (let i = 0; i < sizes.length; i++) {
      const size = Math.max(0, Math.min(sizes[i]!, payload.length - at));
      const last = i === sizes.length - 1 && at + size === payload.length;
      this.frame(first ? opcode : Opcode.Continuation, payload.subarray(at, at + size), last, first ? rsv : 0);
      first = false;
      at += size;
      if (last) return;
    }
    this.frame(Opcode.Continuation, payload.subarray(at), true, 0);
  }
}
