// What a RawPeer (or, in server role, a WireServerPeer) recorded: the grader's only input besides the case's
// expectation. Times are milliseconds since the case started. Memory is bounded: payloads past the recording limits
// keep only their length and SHA-256.
import type { HttpHead } from '../../protocol/handshake/head-parser.js';
import type { Violation } from '../../protocol/violations.js';
import type { HandshakeOutcome } from './peer.js';

/**
 * The mark a script sets when it stops waiting for the target to fail: a close or TCP end after it does not count
 * as failing. Scripts of failure cases that end some other way should set it before closing with 1000.
 */
export const GIVE_UP_MARK = 'give-up';

/**
 * How TCP ended. 'client-drop': the harness (as client) destroyed the socket because the target did not close it in
 * time. 'server-close': the harness, as the server of a client under test, closed TCP itself: after the closing
 * handshake (RFC 6455 §7.1.1: the server closes first), on purpose (peer.drop()), or at the case deadline (`detail`
 * says which).
 */
export type TcpEndKind = 'fin' | 'reset' | 'error' | 'client-drop' | 'server-close';

export interface ReceivedPayload {
  length: number;
  /** SHA-256 of the whole payload, hex. */
  sha256: string;
  /** The payload, when within the recording limits. */
  bytes?: Uint8Array;
}

/** Things the target did, in arrival order. Data frames are reassembled into messages. */
export type ObservedEvent =
  | ({ kind: 'message'; t: number; opcode: number; frames: number } & ReceivedPayload)
  | { kind: 'ping'; t: number; payload: Uint8Array }
  | { kind: 'pong'; t: number; payload: Uint8Array }
  | { kind: 'close'; t: number; code: number | null; reason: string; length: number }
  /** A frame that broke RFC 6455 (masked, RSV bits, reserved opcode, bad close payload, frame after close, ...). */
  | { kind: 'violation'; t: number; violation: Violation; opcode?: number }
  /** A data frame was received but its message was not finished when TCP ended. */
  | { kind: 'partial-message'; t: number; opcode: number; length: number };

export interface CloseSent {
  t: number;
  code: number | null;
  /** true: the peer answered the target's close frame by itself (RFC 6455 §5.5.1). */
  auto: boolean;
  /** Data messages sent since the case last waited for answers: their echoes were still due when we closed. */
  unawaited?: number;
}

export interface TcpEnd {
  t: number;
  kind: TcpEndKind;
  detail?: string;
}

/** The opening handshake a client under test sent (server role), and the RFC 6455 §4.1 rule it broke, if any. */
export interface ObservedRequest {
  t: number;
  head: HttpHead;
  violation: { id: string; rfc: string; message: string } | null;
}

export interface Observation {
  /** Client role: the target's response to our opening handshake. Server role: null. */
  handshake: (HandshakeOutcome & { t: number }) | null;
  /** Server role: the client's opening handshake. */
  request?: ObservedRequest;
  /** Server role: when our response went out, and its status (null when the bytes sent were no status line). */
  responseSent?: { t: number; status: number | null };
  events: ObservedEvent[];
  /** Named points in time set by the case script (peer.mark). */
  marks: { name: string; t: number }[];
  /** Our first close frame. */
  closeSent: CloseSent | null;
  /** The target's first close frame (also in `events`). */
  closeReceived: { t: number; code: number | null; reason: string } | null;
  tcpEnd: TcpEnd | null;
  /** Data we tried to send after the target had closed (skipped, or failing with EPIPE/ECONNRESET). */
  writeErrors: { t: number; detail: string }[];
  bytesIn: number;
  bytesOut: number;
  /** Frames received in total (also those past the recording limit). */
  framesIn: number;
  /** Recording stopped keeping payloads or events at some point (limits reached). */
  truncated: boolean;
  /** The incoming stream could not be decoded further (e.g. a 64-bit length with the MSB set); bytes only counted. */
  undecodable?: Violation;
  metrics: Record<string, number>;
  /** The runner's deadline for the case passed before the script finished. */
  timedOut: boolean;
}

/** An observation with nothing seen yet (no handshake, no events). */
export function emptyObservation(): Observation {
  return {
    handshake: null,
    events: [],
    marks: [],
    closeSent: null,
    closeReceived: null,
    tcpEnd: null,
    writeErrors: [],
    bytesIn: 0,
    bytesOut: 0,
    framesIn: 0,
    truncated: false,
    metrics: {},
    timedOut: false,
  };
}
