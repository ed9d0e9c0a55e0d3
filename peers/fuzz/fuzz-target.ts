// How fuzz properties reach a target: a small driver interface over the raw peer, so every fuzz case is observed by
// the same Observer as a catalogue case (peers/raw/observer.ts) and graded by the same grader. Drivers never throw
// because the target misbehaved: they record, and every wait ends by a timeout. A failure of our own side (the
// connect refused mid-run, the target unreachable) is reported as `harnessError`, never as the target's fault.
import type { TranscriptEntry } from '../../reports/schema.js';
import type { DeflateStage, DeflateStageOptions } from '../raw/deflate-stage.js';
import type { Observation } from '../raw/observation.js';
import type { Chunking } from './chunking.js';
import type { FuzzFrame } from './fuzz-frame.js';

/** What one fuzz case recorded. */
export interface FuzzRecord {
  /** Set when the case could not run through no fault of the target (no TCP connection): not a counterexample. */
  harnessError?: string;
  observation: Observation;
  /** Every byte we sent, handshake included, in order: replays compare these. */
  sent: Uint8Array;
  transcript: TranscriptEntry[];
  transcriptOmitted: number;
}

export interface StreamRequest {
  frames: FuzzFrame[];
  chunking: Chunking;
  /** Seeds the Sec-WebSocket-Key, so a replay sends the same bytes. */
  keySeed: number;
  /**
   * The oracle says the target must fail the connection: wait for its failure (then give up and close, marking
   * the give-up point) rather than for the answer to our close.
   */
  mustFail: boolean;
  /** An extension offer in the opening handshake (the deflate suite). */
  offer?: ExtensionOffer;
}

/**
 * A Sec-WebSocket-Extensions offer for a stream case. Compressed payloads depend on what the target agreed to
 * (window sizes and context takeover, RFC 7692 §7.1), so such a case builds its frames only after the handshake,
 * with the raw peer's deflate stage (our compressor within the agreement).
 */
export interface ExtensionOffer {
  /** The Sec-WebSocket-Extensions request value. */
  extensions: string;
  /** Our compressor's own choices within a permessage-deflate agreement (no context takeover, a smaller window). */
  deflate?: DeflateStageOptions;
  /**
   * The frames to send instead of the request's, made once permessage-deflate is negotiated. When the target
   * declined the offer the case does not apply: only our close is sent (the grader says `not-negotiated`).
   */
  compress?(stage: DeflateStage): FuzzFrame[];
}

/** An opening handshake of our making, for the handshake suite. */
export interface HandshakeRequest {
  head: Uint8Array;
  /** Frames sent in the same write as the head (pipelined), before the 101 arrives. */
  pipelined: FuzzFrame[];
  /** Frames sent after a 101. */
  after: FuzzFrame[];
}

/** One open connection for a model-based run: send steps, wait for what the model predicts. */
export interface FuzzSession {
  observation(): Observation;
  send(frames: FuzzFrame[]): Promise<void>;
  /** Resolves true as soon as `done()` holds (checked on every arrival and TCP end), false at the timeout. */
  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean>;
  /** The target's close or TCP end arrived. */
  readonly closed: boolean;
  /**
   * Ends the connection as a client does (RFC 6455 §7.1.2): our close if none was sent (after marking `giveUp` when
   * the target failed to fail), then the target's close and TCP end, dropping TCP at the timeout.
   */
  close(giveUp?: boolean): Promise<void>;
  /** Releases the socket and returns the record. */
  finish(): Promise<FuzzRecord>;
}

export interface FuzzTarget {
  readonly url: string;
  /** Per-case deadline for the target's answer, in ms. */
  readonly timeoutMs: number;
  /** Set when each case is a stream of a shared HTTP/2 connection (RFC 8441): h2 (ALPN) or h2c (prior knowledge). */
  readonly transport?: 'h2' | 'h2c';
  runStream(req: StreamRequest): Promise<FuzzRecord>;
  runHandshake(req: HandshakeRequest): Promise<FuzzRecord>;
  openSession(keySeed: number): Promise<FuzzSession | FuzzRecord>;
  /** Releases what the target holds open across cases (a shared connection). */
  close?(): Promise<void>;
}
