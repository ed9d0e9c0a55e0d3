// HTTP/2 framing (RFC 7540 §4.1, §6) as far as the raw request path and the test servers' byte-level rewriting
// need it: the connection preface, the 9-byte frame header, SETTINGS parameters, and a reader that cuts a byte
// stream into frames. Sans-I/O: bytes in, frames out.

/** RFC 7540 §3.5. */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** RFC 7540 §6 (frame types) and §6.x (flags). */
export const FrameType = {
  Data: 0x0,
  Headers: 0x1,
  Priority: 0x2,
  RstStream: 0x3,
  Settings: 0x4,
  PushPromise: 0x5,
  Ping: 0x6,
  Goaway: 0x7,
  WindowUpdate: 0x8,
  Continuation: 0x9,
} as const;

export const Flag = { EndStream: 0x1, Ack: 0x1, EndHeaders: 0x4, Padded: 0x8, Priority: 0x20 } as const;

/** RFC 7540 §6.5.2, and RFC 8441 §3's SETTINGS_ENABLE_CONNECT_PROTOCOL (0x8). */
export const Setting = {
  HeaderTableSize: 0x1,
  EnablePush: 0x2,
  MaxConcurrentStreams: 0x3,
  InitialWindowSize: 0x4,
  MaxFrameSize: 0x5,
  MaxHeaderListSize: 0x6,
  EnableConnectProtocol: 0x8,
} as const;

/** RFC 7540 §4.2: the initial SETTINGS_MAX_FRAME_SIZE; the most a peer may receive until it says otherwise. */
export const DEFAULT_MAX_FRAME_SIZE = 16384;

export interface H2Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}

/** RFC 7540 §4.1: length (24 bits), type, flags, R + stream id (31 bits), payload. */
export function encodeH2Frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = (payload.length >>> 16) & 0xff;
  out[1] = (payload.length >>> 8) & 0xff;
  out[2] = payload.length & 0xff;
  out[3] = type;
  out[4] = flags;
  new DataView(out.buffer).setUint32(5, streamId & 0x7fffffff);
  out.set(payload, 9);
  return out;
}

/** RFC 7540 §6.5.1: six bytes per parameter. */
export function encodeSettings(params: readonly [id: number, value: number][]): Uint8Array {
  const out = new Uint8Array(params.length * 6);
  const view = new DataView(out.buffer);
  params.forEach(([id, value], i) => {
    view.setUint16(i * 6, id);
    view.setUint32(i * 6 + 2, value >>> 0);
  });
  return out;
}

/** The parameters of a SETTINGS payload in order (a repeated id appears twice: the last one wins, §6.5.3). */
export function decodeSettings(payload: Uint8Array): [id: number, value: number][] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
  const out: [number, number][] = [];
  for (let i = 0; i + 6 <= payload.length; i += 6) out.push([view.getUint16(i), view.getUint32(i + 2)]);
  return out;
}

/** RFC 7540 §6.4 / §6.8: the 32-bit error code of RST_STREAM, and GOAWAY's last stream id and code. */
export function readUint32(payload: Uint8Array, offset = 0): number {
  if (payload.length < offset + 4) return 0;
  return new DataView(payload.buffer, payload.byteOffset, payload.length).getUint32(offset);
}

/** A HEADERS payload without its padding and priority fields (RFC 7540 §6.2): the header block fragment. */
export function headerFragment(frame: H2Frame): Uint8Array {
  let p = frame.payload;
  let pad = 0;
  if (frame.flags & Flag.Padded) {
    pad = p[0] ?? 0;
    p = p.subarray(1);
  }
  if (frame.type === FrameType.Headers && frame.flags & Flag.Priority) p = p.subarray(5);
  return p.subarray(0, Math.max(0, p.length - pad));
}

/** Cuts a byte stream into frames; `error` is set (and reading stops) when a frame exceeds `maxFrameSize`. */
export class H2FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);
  error: string | null = null;

  constructor(private readonly maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {}

  push(chunk: Uint8Array): H2Frame[] {
    if (this.error !== null) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: H2Frame[] = [];
    while (this.buffer.length >= 9) {
      const b = this.buffer;
      const length = (b[0]! << 16) | (b[1]! << 8) | b[2]!;
      if (length > this.maxFrameSize) {
        this.error = `RFC 7540 §4.2: a ${length}-byte frame, above SETTINGS_MAX_FRAME_SIZE ${this.maxFrameSize}`;
        return frames;
      }
      if (b.length < 9 + length) break;
      const streamId = new DataView(b.buffer, b.byteOffset, 9).getUint32(5) & 0x7fffffff;
      frames.push({ type: b[3]!, flags: b[4]!, streamId, payload: b.slice(9, 9 + length) });
      this.buffer = b.subarray(9 + length);
    }
    return frames;
  }
}
