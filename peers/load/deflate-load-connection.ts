// A load connection that offers permessage-deflate (RFC 7692). Used for the whole pool with `--deflate` only, so
// connections of a run without it keep LoadConnection's shape and carry no deflate state at all. The extension's
// state (its sliding windows, up to 2^windowBits bytes each way with context takeover) exists only once the server
// has accepted the offer, and is dropped when the connection ends.
import { concatBytes } from '../../protocol/bytes.js';
import { Opcode } from '../../protocol/constants.js';
import { acceptDeflateResponse } from '../../protocol/extensions/deflate-negotiation.js';
import { PERMESSAGE_DEFLATE } from '../../protocol/extensions/deflate-params.js';
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import { PerMessageDeflate } from '../../protocol/extensions/permessage-deflate.js';
import type { DecodedFrame } from '../../protocol/frame/frame.js';
import { LoadConnection, type LoadHost } from './load-connection.js';

/** A host that also counts negotiations and application (uncompressed) bytes. */
export interface DeflateLoadHost extends LoadHost {
  /** Message payload bytes each way before compression / after inflation. */
  appBytesIn: number;
  appBytesOut: number;
  deflateNegotiated: number;
}

/** Largest inflated message; as the frame decoder's payload limit. */
const MAX_MESSAGE = 64 * 1024 * 1024;

export class DeflateLoadConnection extends LoadConnection {
  private ext: PerMessageDeflate | null = null;
  /** Fragments of a compressed message in progress (RSV1 on its first frame), copied; null between messages. */
  private parts: Uint8Array[] | null = null;
  private partsOpcode = 0;

  constructor(
    private readonly dhost: DeflateLoadHost,
    index: number,
    slot: number,
  ) {
    super(dhost, index, slot);
  }

  protected override acceptExtensions(accepted: ParsedExtension[]): string | null {
    const offer = this.dhost.target.deflate;
    const pmd = accepted.find((e) => e.name === PERMESSAGE_DEFLATE);
    if (offer === null || pmd === undefined || accepted.length > 1) return super.acceptExtensions(accepted);
    // RFC 7692 §7: "A client MUST _Fail the WebSocket Connection_" on a response it cannot accept.
    const r = acceptDeflateResponse(pmd.params, offer.offer);
    if (!r.ok) return r.message;
    this.ext = new PerMessageDeflate({ role: 'client', agreement: r.agreement, maxMessageSize: MAX_MESSAGE });
    this.dhost.deflateNegotiated += 1;
    return null;
  }

  override sendMessage(intendedUs: number): void {
    const t = this.dhost.templates;
    const ext = this.ext;
    if (ext === null) {
      this.dhost.appBytesOut += t.payloadBytes;
      super.sendMessage(intendedUs);
      return;
    }
    const payload = t.stampedPayload(this.seqSent, intendedUs);
    this.dhost.appBytesOut += payload.length;
    const c = ext.encode({ opcode: t.opcode, payload });
    this.write(t.frame(t.opcode, c.payload, c.rsv1));
    this.seqSent = (this.seqSent + 1) >>> 0;
  }

  /** A data message, compressed when the target accepted permessage-deflate (RFC 7692 §7.2.1). */
  protected override sendData(opcode: number, payload: Uint8Array): void {
    this.dhost.appBytesOut += payload.length;
    const ext = this.ext;
    if (ext === null) return super.sendData(opcode, payload);
    const c = ext.encode({ opcode, payload });
    this.write(this.dhost.templates.frame(opcode, c.payload, c.rsv1));
  }

  protected override dataFrame(r: DecodedFrame, owned: boolean): void {
    const ext = this.ext;
    if (this.parts !== null) {
      if (r.opcode !== Opcode.Continuation) return this.abort('protocol', 'RFC 6455 §5.4: a new message began before the fragmented one ended');
      // RFC 7692 §6: RSV1 is set on the first frame of a compressed message only.
      if (r.rsv1) return this.abort('protocol', 'RFC 7692 §6: RSV1 set on a continuation frame');
      this.parts.push(owned ? r.payload : r.payload.slice());
      if (!r.fin) return;
      const parts = this.parts;
      this.parts = null;
      return this.inflated(ext!, this.partsOpcode, concatBytes(parts));
    }
    if (!r.rsv1) {
      this.dhost.appBytesIn += r.payload.length;
      return super.dataFrame(r, owned);
    }
    // RFC 6455 §5.2: RSV1 "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values".
    if (ext === null) return this.abort('protocol', 'RFC 6455 §5.2: RSV1 set, but no extension was negotiated');
    if (r.opcode === Opcode.Continuation) return this.abort('protocol', 'RFC 7692 §6: RSV1 set on a continuation frame');
    if (r.fin) return this.inflated(ext, r.opcode, r.payload);
    this.parts = [owned ? r.payload : r.payload.slice()];
    this.partsOpcode = r.opcode;
  }

  /** RFC 7692 §7.2.2: inflates a whole compressed message and hands it on. */
  private inflated(ext: PerMessageDeflate, opcode: number, payload: Uint8Array): void {
    const out = ext.decode({ rsv1: true, opcode, payload });
    if (!(out instanceof Uint8Array)) return this.abort('protocol', out.message);
    this.dhost.appBytesIn += out.length;
    this.dhost.onMessage(this, out, opcode === Opcode.Text);
  }

  protected override detach(): void {
    super.detach();
    this.ext = null;
    this.parts = null;
  }
}
