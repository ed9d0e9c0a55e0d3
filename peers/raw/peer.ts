// The `Peer` interface: how conformance cases act on a target and observe it. RawPeer (peers/raw/raw-peer.ts) is the
// implementation; cases see only this interface (re-exported by suites/define.ts). Sends never throw because the
// target misbehaved, and every wait ends by its timeout or the case deadline: a case script acts and observes, the
// grader decides.
import type { HttpHead } from '../../protocol/handshake/head-parser.js';
import type { Observation } from './observation.js';
import type { DeflateAgreement } from '../../protocol/extensions/permessage-deflate.js';
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import type { DeflateStage, DeflateStageOptions } from './deflate-stage.js';

/**
 * How bytes go onto the wire. 'whole': one write. 'frame': one write per frame (sendFrames) and a flush between
 * frames. 'byte': one byte per write. A number N: writes of N bytes over the whole byte stream. `pauseMs` waits
 * between writes (slow senders); the wait ends early when the target closes. A function: the writes it returns
 * for the encoded frames (the fuzzers' chunkings).
 */
export type Chop = 'whole' | 'frame' | 'byte' | number | ((parts: Uint8Array[]) => Uint8Array[]);

export interface SendOptions {
  chop?: Chop;
  /** Pause between writes (chunks or frames), in ms. */
  pauseMs?: number;
  /** Pause only between the first writes (a slow start that never makes a case last seconds). */
  maxPauses?: number;
}

/** A frame to send. Anything illegal is allowed: this is how cases break the rules on purpose. */
export interface FrameSpec {
  opcode: number;
  /** Strings are sent as UTF-8. Default: empty. */
  payload?: Uint8Array | string;
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /**
   * Masking key. Default 'random': 4 bytes from the peer's seeded Entropy (RFC 6455 §5.3). null: unmasked (illegal
   * from a client). A Uint8Array: this key (all zeros is still a masked frame).
   */
  mask?: Uint8Array | null | 'random';
  /** The header announces this length instead of the payload's (illegal frames, hostile lengths). */
  lengthOverride?: number | bigint;
  /** Force the 7-bit, 16-bit or 64-bit length form (non-minimal encodings). */
  lengthForm?: 7 | 16 | 64;
}

/**
 * The opening handshake to send. Default: a correct request made by protocol/handshake's buildClientRequest for
 * the target URL (plus the run's --header/--origin/--protocol). Edits apply to that request; `raw` replaces it.
 */
export interface HandshakeSpec {
  /** Exact bytes (string: latin1). No edits apply. */
  raw?: Uint8Array | string;
  /** Request method (default GET). */
  method?: string;
  /** Request target (default the URL's path and query). */
  path?: string;
  /** HTTP version in the request line (default 'HTTP/1.1'). */
  httpVersion?: string;
  /** A fixed Sec-WebSocket-Key value. */
  key?: string;
  /** Sec-WebSocket-Version value (default '13'). */
  version?: string;
  origin?: string;
  protocols?: string[];
  /** A Sec-WebSocket-Extensions offer. */
  extensions?: string;
  /** Our own compressor within a permessage-deflate agreement (no context takeover, a smaller window). */
  deflate?: DeflateStageOptions;
  /** Header names to remove (case-insensitive), e.g. ['Upgrade']. */
  removeHeaders?: string[];
  /** Replace the value of every header of that name; add it when missing. */
  replaceHeaders?: [name: string, value: string][];
  /** Appended at the end, in order (duplicates allowed). */
  addHeaders?: [name: string, value: string][];
  /** Bytes appended right after the head (e.g. frames pipelined with the request). */
  trailing?: Uint8Array;
  /** How the head goes on the wire (slow senders: { chop: 'byte', pauseMs: 1000 }). */
  send?: SendOptions;
  /** Wait for the response head at most this long (default: the case deadline). */
  timeoutMs?: number;
}

/** What the target answered to the opening handshake. */
export interface HandshakeOutcome {
  /** 101 and the response passed RFC 6455 §4.1's client checks (checkServerResponse). */
  ok: boolean;
  /** HTTP status, when a response head arrived. */
  status?: number;
  head?: HttpHead;
  /** The key sent (for Sec-WebSocket-Accept checks), when the request had one. */
  key?: string;
  /** Why the response failed §4.1's checks (id and message), when it did. */
  rejection?: { id: string; rfc: string; message: string };
  /** No response head: 'timeout', 'closed' (TCP ended first), 'malformed' (unparsable head), 'error'. */
  failure?: 'timeout' | 'closed' | 'malformed' | 'error';
  detail?: string;
  /** Milliseconds from sending the request to the response head. */
  ms?: number;
  /** Extensions the 101 response accepted (RFC 6455 §9.1), when it passed the checks. */
  extensions?: ParsedExtension[];
  /** The permessage-deflate agreement, when the response accepted our offer validly (RFC 7692 §7.1). */
  deflate?: DeflateAgreement;
}

/** What waits return: true when the awaited thing happened, false on timeout or when it can no longer happen. */
export type WaitResult = boolean;

export interface Peer {
  /** The target URL. */
  readonly url: URL;
  /**
   * The permessage-deflate stage once negotiated (RFC 7692): sendMessage compresses, received compressed messages
   * are inflated. null when not negotiated; frames sent with sendFrame are never compressed.
   */
  readonly deflate?: DeflateStage | null;
  /** Sends the opening handshake and waits for the response head. Done by the runner unless the case says 'manual'. */
  handshake(spec?: HandshakeSpec): Promise<HandshakeOutcome>;

  /** Sends raw bytes. */
  send(bytes: Uint8Array, opts?: SendOptions): Promise<void>;
  /** Encodes and sends one frame (masked with a seeded key unless the spec says otherwise). */
  sendFrame(spec: FrameSpec, opts?: SendOptions): Promise<void>;
  /** Encodes frames and sends them as one byte stream, chopped per `opts.chop` (default 'whole'). */
  sendFrames(specs: FrameSpec[], opts?: SendOptions): Promise<void>;
  /** Convenience: one text or binary message, optionally split into frames of `fragmentSize` bytes. */
  sendMessage(opcode: 0x1 | 0x2, payload: Uint8Array | string, opts?: SendOptions & { fragmentSize?: number }): Promise<void>;
  sendPing(payload?: Uint8Array | string, opts?: SendOptions): Promise<void>;
  sendPong(payload?: Uint8Array | string, opts?: SendOptions): Promise<void>;
  /** Sends a close frame (no code when `code` is undefined; `reason` as given, even invalid bytes). Does not wait. */
  sendClose(code?: number, reason?: string | Uint8Array, opts?: SendOptions): Promise<void>;

  /**
   * Starts the closing handshake as a client (RFC 6455 §7.1.2): sends close (default 1000) unless one was sent,
   * then waits for the target's close frame and for the target to close TCP (§7.1.1: the server closes first). If
   * TCP is still open at the timeout the peer drops it, recorded as 'client-drop' (Autobahn: FAILED BY CLIENT).
   */
  close(code?: number, reason?: string | Uint8Array, opts?: { timeoutMs?: number }): Promise<void>;

  /** Waits until `count` messages (text/binary, reassembled) have arrived in total. */
  waitForMessages(count: number, timeoutMs?: number): Promise<WaitResult>;
  /** Waits until `count` pongs have arrived in total. */
  waitForPongs(count: number, timeoutMs?: number): Promise<WaitResult>;
  /** Waits until `count` frames (of any kind, valid or not) have arrived in total. */
  waitForFrames(count: number, timeoutMs?: number): Promise<WaitResult>;
  /** Waits for the target's close frame or the end of TCP, whichever comes first. */
  waitForClose(timeoutMs?: number): Promise<WaitResult>;
  /** Waits for the end of TCP (FIN, reset, error). */
  waitForEnd(timeoutMs?: number): Promise<WaitResult>;
  /** Waits `ms`, or less if TCP ends (a pause that does not outlive the connection). */
  pause(ms: number): Promise<void>;

  /** True once the target sent a close frame or TCP ended. */
  readonly closed: boolean;
  /** True once TCP ended. */
  readonly ended: boolean;
  /** Milliseconds left before the case deadline. */
  remainingMs(): number;

  /** Records a named point in time the grader can refer to (e.g. 'message-end' for fail-fast checks). */
  mark(name: string): void;
  /** Records a case-specific measurement (reported in CaseResult.metrics). */
  metric(name: string, value: number): void;
  /** Adds a free-text note to the transcript. */
  note(text: string): void;

  /** A live view of everything recorded so far. */
  observation(): Observation;
}
