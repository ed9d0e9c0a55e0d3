// How a WebSocket's transport ends map onto an HTTP/2 stream. RFC 8441 §5: "the stream closure is also analogous
// to the TCP connection closure of [RFC6455]. Orderly TCP-level closures are represented as END_STREAM flags
// ([RFC7540], Section 6.1). RST exceptions are represented with the RST_STREAM frame ([RFC7540], Section 6.4) with
// the CANCEL error code ([RFC7540], Section 7)." The closing handshake itself is unchanged (close frames inside
// DATA), so RFC 6455 §7.1.1's order holds: after it the server ends its side first, the client when it sees that.

/** RFC 7540 §7: error codes of RST_STREAM and GOAWAY. */
export const H2ErrorCode = {
  NoError: 0x0,
  ProtocolError: 0x1,
  InternalError: 0x2,
  FlowControlError: 0x3,
  SettingsTimeout: 0x4,
  StreamClosed: 0x5,
  FrameSizeError: 0x6,
  RefusedStream: 0x7,
  Cancel: 0x8,
  CompressionError: 0x9,
  ConnectError: 0xa,
  EnhanceYourCalm: 0xb,
  InadequateSecurity: 0xc,
  Http11Required: 0xd,
} as const;

const NAMES: Record<number, string> = {
  0x0: 'NO_ERROR',
  0x1: 'PROTOCOL_ERROR',
  0x2: 'INTERNAL_ERROR',
  0x3: 'FLOW_CONTROL_ERROR',
  0x4: 'SETTINGS_TIMEOUT',
  0x5: 'STREAM_CLOSED',
  0x6: 'FRAME_SIZE_ERROR',
  0x7: 'REFUSED_STREAM',
  0x8: 'CANCEL',
  0x9: 'COMPRESSION_ERROR',
  0xa: 'CONNECT_ERROR',
  0xb: 'ENHANCE_YOUR_CALM',
  0xc: 'INADEQUATE_SECURITY',
  0xd: 'HTTP_1_1_REQUIRED',
};

/** RFC 7540 §7: "Unknown or unsupported error codes MUST NOT trigger any special behavior", so they get a hex name. */
export function h2ErrorName(code: number): string {
  return NAMES[code] ?? `0x${code.toString(16)}`;
}

/** A transport end as RFC 6455 knows it: FIN (orderly) or a reset. */
export type TransportEnd = 'fin' | 'reset';

/** What ends a stream on the wire. */
export type StreamEnd = { frame: 'END_STREAM' } | { frame: 'RST_STREAM'; code: number };

/** What to send where RFC 6455 would close TCP (FIN) or drop it (RST). */
export function streamEndFor(end: TransportEnd): StreamEnd {
  return end === 'fin' ? { frame: 'END_STREAM' } : { frame: 'RST_STREAM', code: H2ErrorCode.Cancel };
}

export interface ReceivedStreamEnd {
  /** The peer's END_STREAM arrived. */
  endStream: boolean;
  /** The RST_STREAM code, or null when no RST_STREAM arrived. */
  rstCode: number | null;
}

/**
 * How a stream's end reads as TCP. Any RST_STREAM is a reset, but one: RFC 7540 §8.1 lets a peer that has
 * finished its side "request that the client abort transmission ... without error by sending a RST_STREAM with an
 * error code of NO_ERROR", so NO_ERROR after the peer's END_STREAM is still an orderly end.
 */
export function transportEndOf(received: ReceivedStreamEnd): TransportEnd {
  // Neither frame: the connection under the stream went away, which is no orderly end.
  if (received.rstCode === null) return received.endStream ? 'fin' : 'reset';
  if (received.rstCode === H2ErrorCode.NoError && received.endStream) return 'fin';
  return 'reset';
}
