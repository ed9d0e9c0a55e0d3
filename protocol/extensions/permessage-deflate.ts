// RFC 7692: permessage-deflate as a synchronous MessageExtension.
//
// node:zlib's streaming objects are asynchronous, and Connection is synchronous, so each message is deflated or
// inflated by a one-shot *Sync call. Context takeover (RFC 7692 §7.2.1: the LZ77 sliding window carries over
// from message to message) is rebuilt by passing the last 2^windowBits bytes of uncompressed history as the
// `dictionary`: a raw deflate dictionary is exactly the preset sliding window, so back-references into earlier
// messages compress and decode as with one long-lived stream. Without takeover the history stays empty.
//
// Window bits 8: zlib cannot deflate raw with a 256-byte window (deflateInit2 rejects it; Node silently uses 9,
// and so does ws, which accepts 8 in negotiation). That is safe: zlib never emits a distance above
// windowSize - 262 (MAX_DIST), 250 bytes for a 512-byte window, which a 256-byte-window inflater accepts; the
// tests check it. python-websockets instead declines a negotiation that would make its compressor use 8 bits;
// `DeflateServerConfig.accept` can reproduce that.
//
// Inflating uses the negotiated bits, so a peer that agreed to a window of 2^N bytes and reaches further back fails
// with 1007 (RFC 7692 §7.1.2.1: with server_max_window_bits a client "limits the LZ77 sliding window size that the
// server will use to compress messages"; §7.1.2.2 the same for the client's window). zlib
// (built without INFLATE_STRICT) checks a distance against its window only when the distance reaches before the
// output of the current inflate() call; Node makes one call per output chunk, so below 15 bits the output comes
// in chunks of 64 bytes (Z_MIN_CHUNK): a distance is then accepted only within 2^N + 64 bytes. Never a false
// alarm, and 15 bits is DEFLATE's own limit, so 15 keeps the fast default. Raw inflate takes windowBits 8 (only
// deflateInit2 refuses 8); should a Node refuse it, 9 is used for an agreed 8 (probed once below).
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { isControlOpcode } from '../constants.js';
import { violation, type Violation } from '../violations.js';
import type { DeflateAgreement } from './deflate-negotiation.js';
import type { MessageExtension } from './extension.js';

export {
  acceptDeflateResponse,
  buildDeflateOffer,
  negotiateDeflateServer,
  type DeflateAgreement,
  type DeflateClientConfig,
  type DeflateDeviation,
  type DeflateServerAgreement,
  type DeflateServerConfig,
} from './deflate-negotiation.js';
export { parseDeflateParams, PERMESSAGE_DEFLATE, type DeflateParamError, type DeflateParams } from './deflate-params.js';

/** RFC 7692 §7.2.1: the empty stored block a sync flush ends with; removed when sending, restored when receiving. */
const TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);

/** The smallest windowBits this Node's raw inflate takes: 8 (zlib's inflateInit2 allows it), else 9. */
const MIN_INFLATE_BITS = ((): number => {
  try {
    inflateRawSync(new Uint8Array([0x03, 0x00]), { windowBits: 8 });
    return 8;
  } catch {
    return 9;
  }
})();

export interface PerMessageDeflateOptions {
  /** Which end we are: a server compresses with server_* parameters and inflates with client_* ones. */
  role: 'client' | 'server';
  agreement: DeflateAgreement;
  /** Largest inflated message; beyond it decode stops early and returns 1009 'inflated-too-big'. */
  maxMessageSize?: number;
  /** zlib level 0-9 (default 6) and memLevel 1-9 (default 8). */
  level?: number;
  memLevel?: number;
  /** Messages shorter than this are sent uncompressed (RSV1 clear). Default 0: compress everything. */
  threshold?: number;
}

export class PerMessageDeflate implements MessageExtension {
  readonly name = 'permessage-deflate';
  /** RFC 7692 §6: "This document allocates the RSV1 bit of the WebSocket header for PMCEs". */
  readonly rsvMask = 4;
  private readonly sendBits: number;
  private readonly recvBits: number;
  private readonly sendTakeover: boolean;
  private readonly recvTakeover: boolean;
  private sendHistory: Uint8Array = new Uint8Array(0);
  private recvHistory: Uint8Array = new Uint8Array(0);

  constructor(private readonly opts: PerMessageDeflateOptions) {
    const a = opts.agreement;
    const server = opts.role === 'server';
    this.sendBits = server ? a.serverMaxWindowBits : a.clientMaxWindowBits;
    this.recvBits = Math.max(MIN_INFLATE_BITS, server ? a.clientMaxWindowBits : a.serverMaxWindowBits);
    this.sendTakeover = !(server ? a.serverNoContextTakeover : a.clientNoContextTakeover);
    this.recvTakeover = !(server ? a.clientNoContextTakeover : a.serverNoContextTakeover);
  }

  /**
   * RFC 7692 §7.2.1: compress, then remove the trailing 0x00 0x00 0xff 0xff of the sync flush. The caller sets
   * RSV1 on the first frame only and may split the payload into any fragments.
   */
  encode(msg: { opcode: number; payload: Uint8Array }): { payload: Uint8Array; rsv1: boolean } {
    if (isControlOpcode(msg.opcode) || msg.payload.length < (this.opts.threshold ?? 0)) {
      return { payload: msg.payload, rsv1: false };
    }
    const windowBits = Math.max(9, this.sendBits);
    const out = deflateRawSync(msg.payload, {
      windowBits,
      level: this.opts.level ?? 6,
      memLevel: this.opts.memLevel ?? 8,
      finishFlush: constants.Z_SYNC_FLUSH,
      ...(this.sendHistory.length > 0 ? { dictionary: this.sendHistory } : {}),
    });
    if (this.sendTakeover) this.sendHistory = slide(this.sendHistory, msg.payload, 1 << windowBits);
    // A sync flush always ends with the empty stored block (§7.2.1 step 2 is then a no-op).
    const payload = endsWithTail(out) ? out.subarray(0, out.length - 4) : out;
    return { payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.length), rsv1: true };
  }

  /**
   * RFC 7692 §7.2.2: append 0x00 0x00 0xff 0xff and inflate. A message without RSV1 passes unchanged (the
   * sender chose not to compress it) and does not enter the sliding window.
   */
  decode(msg: { rsv1: boolean; opcode: number; payload: Uint8Array }): Uint8Array | Violation {
    if (!msg.rsv1 || isControlOpcode(msg.opcode)) return msg.payload;
    const input = new Uint8Array(msg.payload.length + 4);
    input.set(msg.payload);
    input.set(TAIL, msg.payload.length);
    const limit = this.opts.maxMessageSize;
    let out: Buffer;
    try {
      out = inflateRawSync(input, {
        windowBits: this.recvBits,
        // Below 15 bits, small output chunks make zlib check every distance against the window (see the top).
        ...(this.recvBits < 15 ? { chunkSize: constants.Z_MIN_CHUNK } : {}),
        finishFlush: constants.Z_SYNC_FLUSH,
        // RFC 6455 §10.4: limits are the implementation's; checked while inflating, so a bomb stops early.
        ...(limit !== undefined ? { maxOutputLength: Math.max(1, limit) } : {}),
        ...(this.recvHistory.length > 0 ? { dictionary: this.recvHistory } : {}),
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE') {
        return violation('inflated-too-big', `inflated message larger than ${limit} bytes`);
      }
      // zlib says "too far back" for a distance beyond the window: the agreed one, when it is below 15 bits.
      const beyond = this.recvBits < 15 && /too far back/.test(err.message) ? `: a distance beyond the agreed ${this.recvBits}-bit window (${1 << this.recvBits} bytes) or before the first message` : '';
      return violation('inflate-error', `compressed payload does not inflate: ${err.message}${beyond}`);
    }
    if (limit !== undefined && out.length > limit) {
      return violation('inflated-too-big', `inflated message of ${out.length} bytes > ${limit}`);
    }
    if (this.recvTakeover) this.recvHistory = slide(this.recvHistory, out, 1 << this.recvBits);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  }
}

export function createPerMessageDeflate(opts: PerMessageDeflateOptions): PerMessageDeflate {
  return new PerMessageDeflate(opts);
}

function endsWithTail(b: Uint8Array): boolean {
  const n = b.length;
  return n >= 4 && b[n - 4] === 0 && b[n - 3] === 0 && b[n - 2] === 0xff && b[n - 1] === 0xff;
}

/** The last `size` bytes of history + data, copied (never aliasing the caller's buffer). */
function slide(history: Uint8Array, data: Uint8Array, size: number): Uint8Array {
  if (data.length >= size) return data.slice(data.length - size);
  const keep = Math.min(history.length, size - data.length);
  const out = new Uint8Array(keep + data.length);
  out.set(history.subarray(history.length - keep));
  out.set(data, keep);
  return out;
}
