// How case scripts act on the other side of a connection and observe it. `WirePeer`: what both roles do (send any
// bytes or frames, close, wait, record); `Peer`: wsprobe as the client of a server under test, implemented by RawPeer
// (peers/raw/raw-peer.ts); its server-side twin is peers/wire-server/server-peer.ts. Cases see only these interfaces
// (re-exported by suites/define.ts). Sends never throw because the target misbehaved, and every wait ends by its
// timeout or the case deadline: a case script acts and observes, the grader decides.
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
 * Edits of an HTTP head wsprobe builds: the opening handshake it sends here, the response it answers with in
 * peers/wire-server/server-peer.ts (ResponseSpec). Edits apply to the correct head; `raw` replaces it.
 */
export interface HeadEdits {
  /** Exact bytes (string: latin1). No edits apply. */
  raw?: Uint8Array | string;
  /** HTTP version in the request or status line (default 'HTTP/1.1'). */
  httpVersion?: string;
  /** Header names to remove (case-insensitive), e.g. ['Upgrade']. */
  removeHeaders?: string[];
  /** Replace the value of every header of that name; add it when missing. */
  replaceHeaders?: [name: string, value: string][];
  /** Appended at the end, in order (duplicates allowed). */
  addHeaders?: [name: string, value: string][];
  /** Bytes right after the head, in the same write (e.g. frames pipelined with it). */
  trailing?: Uint8Array;
  /** How the head goes on the wire (slow senders: { chop: 'byte', pauseMs: 1000 }). */
  send?: SendOptions;
}

/**
 * The opening handshake to send. Default: a correct request made by protocol/handshake's buildClientRequest for
 * the target URL (plus the run's --header/--origin/--protocol), edited as HeadEdits says.
 */
export interface HandshakeSpec extends HeadEdits {
  /** Request method (default GET). */
  method?: string;
  /** Request target (default the URL's path and query). */
  path?: string;
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
  /** Wait for the response head at most this long (default: the case deadline). */
  timeoutMs?: number;
  /**
   * HTTP/2 only (RFC 8441). Over HTTP/2 the other edits apply to the Extended CONNECT's header block, and
   * removeHeaders / replaceHeaders / addHeaders may name pseudo-header fields (':protocol', ':scheme', ...); `raw`,
   * `httpVersion`, `method`, `key`, `trailing` and `send` are HTTP/1.1's and make a case not applicable.
   */
  h2?: {
    /** Send the Extended CONNECT even though the server has not sent SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (§3). */
    ignoreSettings?: boolean;
  };
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
  /**
   * Over HTTP/2: the response header block as received and whether it ended the stream. `head` then holds the
   * same fields for header rules, its start line `HTTP/2 <status>`.
   */
  h2?: { headers: [name: string, value: string][]; endStream: boolean };
}

/** What waits return: true when the awaited thing happened, false on timeout or when it can no longer happen. */
export type WaitResult = boolean;

/**
 * What a case script does on a connection, whichever side wsprobe plays: the raw peer is the client towards a server
 * under test (`Peer`), the wire server peer the server towards a client under test (`ServerPeer`,
 * peers/wire-server/server-peer.ts). A script written on this interface alone runs in both catalogues
 * (suites/define.ts, defineWireCase). The roles differ in two things only, named where they apply: who masks
 * (RFC 6455 §5.1: a client masks every frame, a server none) and who closes TCP first (§7.1.1: the server).
 */
export interface WirePeer {
  /**
   * The permessage-deflate stage once agreed (RFC 7692): sendMessage compresses, received compressed messages are
   * inflated. null (or absent) when not agreed; frames sent with sendFrame are never compressed.
   */
  readonly deflate?: DeflateStage | null;

  /** Sends raw bytes. */
  send(bytes: Uint8Array, opts?: SendOptions): Promise<void>;
  /**
   * Encodes and sends one frame. Masked as the role masks unless the spec says otherwise: with a seeded key as the
   * client, unmasked as the server (RFC 6455 §5.1).
   */
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
   * Our closing handshake (RFC 6455 §7.1.2): sends close (default 1000) unless one was sent, then waits for the
   * other side's close frame. Then, as the client, it waits for the server to close TCP (§7.1.1: the server closes
   * first) and drops TCP itself at the timeout, recorded as 'client-drop' (Autobahn: FAILED BY CLIENT); as the
   * server, it closes TCP itself, with or without the answer. The observation shows what came back.
   */
  close(code?: number, reason?: string | Uint8Array, opts?: { timeoutMs?: number }): Promise<void>;

  /** Waits until `count` messages (text/binary, reassembled) have arrived in total. */
  waitForMessages(count: number, timeoutMs?: number): Promise<WaitResult>;
  /** Waits until `count` pongs have arrived in total. */
  waitForPongs(count: number, timeoutMs?: number): Promise<WaitResult>;
  /** Waits until `count` frames (of any kind, valid or not) have arrived in total. */
  waitForFrames(count: number, timeoutMs?: number): Promise<WaitResult>;
  /** Waits for the other side's close frame or the end of TCP, whichever comes first. */
  waitForClose(timeoutMs?: number): Promise<WaitResult>;
  /** Waits for the end of TCP (FIN, reset, error). */
  waitForEnd(timeoutMs?: number): Promise<WaitResult>;
  /** Waits `ms`, or less if TCP ends (a pause that does not outlive the connection). */
  pause(ms: number): Promise<void>;

  /** True once the other side sent a close frame or TCP ended. */
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

/** wsprobe as the client of a server under test: a WirePeer that also opens the connection. */
export interface Peer extends WirePeer {
  /** The target URL. */
  readonly url: URL;
  /** Sends the opening handshake and waits for the response head. Done by the runner unless the case says 'manual'. */
  handshake(spec?: HandshakeSpec): Promise<HandshakeOutcome>;
  /** Present when the connection is an HTTP/2 stream (RFC 8441): what only HTTP/2 has. */
  readonly http2?: H2Control;
}

/** How an HTTP/2 stream ended on the wire, as the target sent it. */
export type H2StreamEnd =
  | { frame: 'END_STREAM' }
  | { frame: 'RST_STREAM'; code: number }
  /** The connection went away under the stream (GOAWAY, or TCP closed). */
  | { frame: 'connection'; detail: string };

/** The HTTP/2 side of a peer whose WebSocket is a stream (RFC 8441). */
export interface H2Control {
  /** h2: TLS with ALPN; h2c: cleartext by prior knowledge. */
  readonly transport: 'h2' | 'h2c';
  /** The server's SETTINGS_ENABLE_CONNECT_PROTOCOL as received (RFC 8441 §3): undefined when not sent. */
  readonly enableConnectProtocol: boolean | undefined;
  /** The stream's id, once the request went out on this connection. */
  readonly streamId: number | undefined;
  /** How the target ended the stream, once it did. */
  streamEnd(): H2StreamEnd | null;
  /** A GOAWAY the connection received (RFC 7540 §6.8), or null. */
  goaway(): { code: number; lastStreamId: number } | null;
  /** The connection under the stream still takes new streams: no GOAWAY, not closed. */
  readonly connectionOpen: boolean;
  /** Whether another peer's stream shares this one's HTTP/2 connection. */
  sameConnection(other: Peer): boolean;
  /** Resets the stream now with RST_STREAM(CANCEL), RFC 8441 §5's reset of a WebSocket (recorded as 'client-drop'). */
  reset(reason: string): void;
}
