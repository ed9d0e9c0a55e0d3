// The `ServerPeer` interface: how client cases (suites/client/) act as the server a WebSocket client under test
// connects to, and observe that client. It is the server-side twin of peers/raw/peer.ts's `Peer`: both extend
// `WirePeer` (sending, closing, waits, records), and this one adds answering the client's opening handshake with any
// response (correct or corrupted) and dropping TCP on purpose. What the client sends is recorded through the same
// Observer (in server role: client frames must be masked), so the one grader (suites/grade/) judges clients with the
// same verdicts and reasons. Sends never throw because the client misbehaved; every wait ends by its timeout or the
// case deadline.
import type { HttpHead } from '../../protocol/handshake/head-parser.js';
import type { ParsedExtension } from '../../protocol/extensions/header.js';
import type { DeflateStage } from '../raw/deflate-stage.js';
import type { HeadEdits, WirePeer } from '../raw/peer.js';

/**
 * The response to the client's opening handshake. Default: a correct 101 built by protocol/handshake's
 * buildServerResponse for the request (RFC 6455 §4.2.2), with no subprotocol and no extension, edited as HeadEdits
 * (peers/raw/peer.ts) says.
 */
export interface ResponseSpec extends HeadEdits {
  /** Status code (default 101) and reason phrase (default the standard one). */
  status?: number;
  reason?: string;
  /** A Sec-WebSocket-Accept value instead of the correct one; null: leave the header out. */
  accept?: string | null;
  /** A Sec-WebSocket-Protocol header with this value (whether or not the client offered it). */
  protocol?: string;
  /** A Sec-WebSocket-Extensions header with this value (whether or not the client offered it). */
  extensions?: string;
  /**
   * Accept the client's permessage-deflate offer (RFC 7692 §7.1): answer with a valid response to its first
   * acceptable offer and compress what sendMessage sends. Ignored (no extension) when the client offered none.
   */
  deflate?: boolean;
  /** A body after the head (with a Content-Length header added unless one is given). */
  body?: string;
}

/** The client's opening handshake as received, and RFC 6455 §4.1's rules for it (checked by checkClientRequest). */
export interface ReceivedRequest {
  head: HttpHead;
  /** The request target (path and query), e.g. '/runCase?case=3&agent=x'. */
  target: string;
  /** null when the request is a valid WebSocket opening handshake; else the rule it broke. */
  violation: { id: string; rfc: string; message: string } | null;
  /** Sec-WebSocket-Key, when present. */
  key?: string;
  /** Subprotocols offered (Sec-WebSocket-Protocol, in order). */
  protocols: string[];
  /** Extensions offered (Sec-WebSocket-Extensions, parsed; empty when absent or unparsable). */
  extensionOffers: ParsedExtension[];
  origin?: string;
}

/** wsprobe as the server a client under test connects to: a WirePeer that also answers the opening handshake. */
export interface ServerPeer extends WirePeer {
  readonly request: ReceivedRequest;
  /** The permessage-deflate stage once the response accepted the client's offer (ResponseSpec.deflate). */
  readonly deflate: DeflateStage | null;
  /** Sends the response head (once). Done by the runner with the case's `response` unless the case says 'manual'. */
  respond(spec?: ResponseSpec): Promise<void>;
  /** Ends TCP without a close frame: 'fin' (end) or 'reset' (RST). Recorded as the harness's own end. */
  drop(how?: 'fin' | 'reset'): void;
}
