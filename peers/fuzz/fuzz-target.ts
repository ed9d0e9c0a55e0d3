// How fuzz properties reach a target: a small driver interface, so the network code (peers/fuzz/tcp-target.ts
// today, the raw peer later) can be switched without touching a property. Drivers never throw because the target
// misbehaved: they record, and every wait ends by a timeout.
import type { TranscriptEntry } from '../../reports/schema.js';
import type { Chunking } from './chunking.js';

/** A frame the target sent, decoded (payload unmasked), with its arrival time in ms since the case started. */
export interface ObservedFrame {
  t: number;
  fin: boolean;
  /** RSV bits as a 3-bit number (RSV1 = 4). */
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
}

/** How the TCP connection ended, seen from our side. */
export type TcpEnd =
  /** The target closed (FIN). */
  | 'fin'
  /** The target reset the connection, or a write failed because it was gone. */
  | 'reset'
  /** We closed it: after the target's close frame and our grace period, or at the end of a session. */
  | 'client'
  /** Nothing ended it before the deadline. */
  | 'timeout';

export interface StreamObservation {
  /** The opening handshake failed: the case could not run (the target's fault unless it is unreachable). */
  handshakeError?: string;
  /** Could not connect at all. */
  connectError?: string;
  received: ObservedFrame[];
  /** The target's bytes stopped making frames (RFC 6455 §5.2 structural error), with the decoder's message. */
  decodeError?: string;
  end: TcpEnd;
  /** Ms from the target's close frame to its TCP FIN/reset, when both were seen. */
  tcpEndAfterCloseMs?: number;
  /** Every byte we sent, handshake included, in order: replays compare these. */
  sent: Uint8Array;
  transcript: TranscriptEntry[];
  transcriptOmitted: number;
}

export interface StreamRequest {
  /** The frames, encoded, one entry per frame (the chunking may split or join them). */
  frames: Uint8Array[];
  chunking: Chunking;
  /** Seeds the Sec-WebSocket-Key, so a replay sends the same bytes. */
  keySeed: number;
  /**
   * Called when the target's close frame arrives: true to wait (up to the close timeout) for the target to close
   * TCP, as RFC 6455 §7.1.1 asks after a clean closing handshake; false to close at once.
   */
  awaitTcpEnd(closeCode: number | null): boolean;
}

/** The HTTP side of an opening handshake, for the handshake suite. */
export interface HandshakeObservation {
  connectError?: string;
  /** The response head, when one arrived and parsed. */
  status?: number;
  headers?: [string, string][];
  /** A head that did not parse, or none before TCP ended or the deadline. */
  failure?: 'timeout' | 'closed' | 'malformed';
  detail?: string;
  /** After a 101: what the target did with the frames we sent next. */
  stream?: StreamObservation;
  sent: Uint8Array;
  transcript: TranscriptEntry[];
}

export interface HandshakeRequest {
  head: Uint8Array;
  /** Frames sent in the same write as the head (pipelined), before the 101 arrives. */
  pipelined: Uint8Array[];
  /** Frames sent after a 101. */
  after: Uint8Array[];
  awaitTcpEnd(closeCode: number | null): boolean;
}

/** One open connection for a model-based run: send steps, wait for what the model predicts. */
export interface FuzzSession {
  readonly received: readonly ObservedFrame[];
  readonly decodeError: string | undefined;
  /** Set once TCP has ended. */
  readonly end: TcpEnd | null;
  send(frames: Uint8Array[]): Promise<void>;
  /** Resolves true as soon as `done()` holds (checked on every arrival and TCP end), false at the timeout. */
  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Ends the connection (a close frame if none was exchanged, then TCP) and returns the record. */
  finish(): Promise<StreamObservation>;
}

export interface FuzzTarget {
  readonly url: string;
  /** Per-case deadline for the target's answer, in ms. */
  readonly timeoutMs: number;
  runStream(req: StreamRequest): Promise<StreamObservation>;
  runHandshake(req: HandshakeRequest): Promise<HandshakeObservation>;
  openSession(keySeed: number): Promise<FuzzSession | { connectError: string }>;
}
