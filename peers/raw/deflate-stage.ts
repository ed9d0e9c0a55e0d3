// permessage-deflate (RFC 7692) for the raw peer: checks the server's answer to our offer, then compresses what
// the peer sends with sendMessage and inflates the compressed messages it receives, so cases and the grader see
// plain messages. Frames the case builds by hand (sendFrame) pass untouched: that is how RSV1 goes where it must not.
import { concatBytes } from '../../protocol/bytes.js';
import { isControlOpcode } from '../../protocol/constants.js';
import {
  acceptDeflateResponse,
  createPerMessageDeflate,
  parseDeflateParams,
  PERMESSAGE_DEFLATE,
  type DeflateAgreement,
  type DeflateParams,
  type PerMessageDeflate,
} from '../../protocol/extensions/permessage-deflate.js';
import { parseExtensionHeader, type ParsedExtension } from '../../protocol/extensions/header.js';
import type { Frame } from '../../protocol/frame/frame.js';
import type { Violation } from '../../protocol/violations.js';

/**
 * What our side does within the agreement (Autobahn's "accept" half of 13.x). A client may always compress with
 * a smaller window (RFC 7692 §7.1.2.2) and may always drop its context (§7.1.1.2: the server must cope with both).
 */
export interface DeflateStageOptions {
  /** Compress every message on its own, whatever was agreed. */
  noContextTakeover?: boolean;
  /** Compress with at most this window (8..15; zlib uses 9 for 8). */
  maxWindowBits?: number;
  /** zlib level (default 6). */
  level?: number;
}

/** Bytes through the stage, for case metrics (compression ratios both ways). */
export interface DeflateStageStats {
  messagesOut: number;
  plainBytesOut: number;
  wireBytesOut: number;
  messagesIn: number;
  wireBytesIn: number;
  plainBytesIn: number;
}

export type DeflateNegotiation =
  /** The response accepted no permessage-deflate. */
  | { kind: 'none' }
  | { kind: 'accepted'; agreement: DeflateAgreement; stage: DeflateStage }
  /** The response accepted permessage-deflate in a way our offer did not allow: RFC 7692 §7 fails the connection. */
  | { kind: 'rejected'; id: string; rfc: string; message: string };

/** The permessage-deflate offers of a Sec-WebSocket-Extensions request value that are valid (RFC 7692 §7.1). */
export function validDeflateOffers(offerHeader: string | undefined): { valid: DeflateParams[]; invalid: number } {
  if (offerHeader === undefined || offerHeader.trim() === '') return { valid: [], invalid: 0 };
  let offers: ParsedExtension[];
  try {
    offers = parseExtensionHeader(offerHeader);
  } catch {
    return { valid: [], invalid: 1 };
  }
  const valid: DeflateParams[] = [];
  let invalid = 0;
  for (const o of offers) {
    if (o.name !== PERMESSAGE_DEFLATE) continue;
    const p = parseDeflateParams(o.params, 'offer');
    if (p.ok) valid.push(p.params);
    else invalid++;
  }
  return { valid, invalid };
}

/**
 * Reads the extensions a 101 response accepted (already checked by RFC 6455 §4.1 step 5) against our offer.
 * RFC 7692 §7: "A server MUST decline an extension negotiation offer for this extension if any of the following
 * conditions are met" (a parameter not defined for use in an offer, an invalid value, a repeated parameter), so
 * the response must fit one of the *valid* offers; and "A client MUST _Fail the WebSocket Connection_ if the peer
 * server accepted an extension negotiation offer for this extension with an extension negotiation response meeting
 * any of the following conditions", among them "The client does not support the configuration that the response
 * represents". A response that fits with a deviation (protocol/extensions: an offered window of 15 left out) is
 * accepted, the deviation kept in the agreement for the grader.
 */
export function negotiateDeflateStage(
  accepted: readonly ParsedExtension[],
  offerHeader: string | undefined,
  opts: DeflateStageOptions = {},
): DeflateNegotiation {
  const ext = accepted.find((e) => e.name === PERMESSAGE_DEFLATE);
  if (ext === undefined) return { kind: 'none' };
  const { valid, invalid } = validDeflateOffers(offerHeader);
  if (valid.length === 0) {
    return {
      kind: 'rejected',
      id: 'deflate-invalid-offer-accepted',
      rfc: '7692 7',
      message: `the server accepted permessage-deflate, but every offer was invalid and "A server MUST decline" such an offer (response: ${describe(ext)})`,
    };
  }
  const r = acceptDeflateResponse(ext.params, valid);
  if (!r.ok) {
    const note = invalid > 0 ? ` (it fits none of the valid offers; a server MUST decline the invalid one, RFC 7692 §7)` : '';
    // The grader cites `rfc` itself: the message goes without the "RFC 7692 §x:" prefix.
    const detail = r.message.replace(/^RFC 7692 §[\d.]+: /, '');
    return { kind: 'rejected', id: `deflate-${r.id}`, rfc: r.rfc, message: `${detail}; response: ${describe(ext)}${note}` };
  }
  return { kind: 'accepted', agreement: r.agreement, stage: new DeflateStage(r.agreement, opts) };
}

function describe(ext: ParsedExtension): string {
  return [ext.name, ...ext.params.map(([k, v]) => (v === true ? k : `${k}=${v}`))].join('; ');
}

const EMPTY = new Uint8Array(0);

export class DeflateStage {
  /** RFC 7692 §6: permessage-deflate gives meaning to RSV1. */
  readonly rsvMask = 4;
  readonly stats: DeflateStageStats = { messagesOut: 0, plainBytesOut: 0, wireBytesOut: 0, messagesIn: 0, wireBytesIn: 0, plainBytesIn: 0 };
  private readonly codec: PerMessageDeflate;
  /** Fragments of the compressed message being received (RSV1 was set on its first frame), or null. */
  private open: Uint8Array[] | null = null;

  constructor(
    /** As negotiated (what the server must keep to). */
    readonly agreement: DeflateAgreement,
    opts: DeflateStageOptions = {},
  ) {
    const ours: DeflateAgreement = {
      ...agreement,
      clientNoContextTakeover: agreement.clientNoContextTakeover || opts.noContextTakeover === true,
      clientMaxWindowBits: Math.min(agreement.clientMaxWindowBits, opts.maxWindowBits ?? 15),
    };
    this.codec = createPerMessageDeflate({ role: 'client', agreement: ours, ...(opts.level !== undefined ? { level: opts.level } : {}) });
  }

  /**
   * Compresses one data message (RFC 7692 §7.2.1: the sync flush's 0x00 0x00 0xff 0xff removed), updating our
   * sliding window. The caller sets RSV1 on the first frame only and may fragment the result anywhere.
   */
  compress(payload: Uint8Array, opcode = 0x1): Uint8Array {
    const out = this.codec.encode({ opcode, payload }).payload;
    this.stats.messagesOut++;
    this.stats.plainBytesOut += payload.length;
    this.stats.wireBytesOut += out.length;
    return out;
  }

  /**
   * One data frame of a received message, in order (`first`: it opens the message). Returns the payload to
   * record: the frame's own for an uncompressed message, null while a compressed message is still arriving, the
   * inflated message at its last frame, or a Violation when it does not inflate (RFC 7692 §7.2.2; 1007), also
   * when it reaches back further than the agreed server_max_window_bits allow (§7.1.2.1).
   */
  receive(frame: Pick<Frame, 'fin' | 'rsv1' | 'opcode' | 'payload'>, first: boolean): Uint8Array | Violation | null {
    if (isControlOpcode(frame.opcode)) return frame.payload;
    // RFC 7692 §6: the "Per-Message Compressed" bit is read on the first frame of a message only.
    if (first) this.open = frame.rsv1 ? [] : null;
    if (this.open === null) return frame.payload;
    this.open.push(frame.payload.slice());
    if (!frame.fin) return null;
    const parts = this.open;
    this.open = null;
    const whole = parts.length === 1 ? parts[0]! : concatBytes(parts);
    const out = this.codec.decode({ rsv1: true, opcode: frame.opcode, payload: whole });
    if (!(out instanceof Uint8Array)) return out;
    this.stats.messagesIn++;
    this.stats.wireBytesIn += whole.length;
    this.stats.plainBytesIn += out.length;
    return out.length === 0 ? EMPTY : out;
  }

  /** Case metrics: bytes both ways, plain and on the wire. */
  metrics(): Record<string, number> {
    const s = this.stats;
    return {
      deflateMessagesOut: s.messagesOut,
      deflatePlainBytesOut: s.plainBytesOut,
      deflateWireBytesOut: s.wireBytesOut,
      deflateMessagesIn: s.messagesIn,
      deflateWireBytesIn: s.wireBytesIn,
      deflatePlainBytesIn: s.plainBytesIn,
    };
  }
}

