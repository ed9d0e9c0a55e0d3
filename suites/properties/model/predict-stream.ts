// The oracle: what RFC 6455 requires of a server that receives this client byte stream. Deliberately simpler than
// protocol/connection (a walk over whole frame records, no byte parsing): it predicts the echoes, the pings that
// need pongs, and every point where the server must or may fail the connection, with the close codes the RFC allows
// there. It encodes the RFC's freedom, not one server's choices: UTF-8 may be checked fail-fast or at message end
// (§8.1 says only "MUST _Fail_"), a failing server may drop TCP instead of sending a close frame (§7.1.7: "SHOULD
// send a Close frame"), and a non-minimal length may be accepted or refused (§5.2 binds the sender).
import { isControlOpcode, isReservedOpcode, MAX_CONTROL_PAYLOAD, Opcode } from '../../../protocol/constants.js';
import { firstInvalidUtf8Index, Utf8Validator } from '../../../protocol/utf8.js';
import { concatBytes, minimalLengthForm, type FuzzFrame } from '../fuzz-frame.js';

export interface ExpectedMessage {
  opcode: typeof Opcode.Text | typeof Opcode.Binary;
  payload: Uint8Array;
}

/** A point in the stream where the server may (or, for the last one of a failing stream, must) fail. */
export interface FailurePoint {
  /** Index of the frame that causes it. */
  frame: number;
  /** Close codes the RFC allows here; a TCP drop without a close frame is always allowed (§7.1.7). */
  codes: number[];
  /** Echoes the server must have sent before failing here. */
  echoes: number;
  /** Pings processed before this point (their pongs may or may not have been sent). */
  pings: number;
  /** The rule, citing its section. */
  rule: string;
  definite: boolean;
}

export interface StreamPrediction {
  /** Every echo a server that does not fail must send, in order. */
  echoes: ExpectedMessage[];
  /** Payloads of the pings processed before our close (each needs a pong, or a later one: §5.5.3). */
  pings: Uint8Array[];
  /** Possible failure points in stream order; when `mustFail`, the last one is definite. */
  failures: FailurePoint[];
  mustFail: boolean;
  /** Our valid close frame, when the stream reached one without failing: the server must answer it. */
  close: { frame: number; code: number | null } | null;
  /** A text message that can no longer be valid UTF-8 is open (a fail-fast server has failed already). */
  doomed: boolean;
  /** A fragmented message is open. */
  messageOpen: boolean;
}

/** Codes a server may answer our close with: the echo RFC 6455 §5.5.1 calls typical, 1000, or no code. */
export function allowedCloseReplies(sent: number | null): (number | null)[] {
  return sent === null ? [null, 1000] : [sent, 1000, null];
}

const PROTOCOL_ERROR = [1002];

/** RFC 6455 §7.4.1 defines 1000-1003 and 1007-1011; 1012-1014 were registered later (IANA, §11.7). */
function closeCodeClass(code: number): 'valid' | 'registered-later' | 'invalid' {
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999)) return 'valid';
  if (code >= 1012 && code <= 1014) return 'registered-later';
  return 'invalid';
}

/** What the handshake negotiated, when it changes what the frames mean. */
export interface PredictOptions {
  /**
   * permessage-deflate is negotiated (RFC 7692): RSV1 on the first frame of a data message marks it compressed;
   * payloads are the messages' plain bytes (the target inflates, and the observer inflates its echoes).
   * `undecodable(i)`: the compressed message that starts at frame i does not inflate (§7.2.2).
   */
  deflate?: { undecodable?(frame: number): boolean };
}

export function predictStream(frames: readonly FuzzFrame[], opts: PredictOptions = {}): StreamPrediction {
  const deflate = opts.deflate;
  const p: StreamPrediction = { echoes: [], pings: [], failures: [], mustFail: false, close: null, doomed: false, messageOpen: false };
  let open: { opcode: 1 | 2; parts: Uint8Array[]; utf8: Utf8Validator | null; undecodable: boolean } | null = null;

  // A frame that breaks two rules may be failed for either (the order of checks is the receiver's): a text frame
  // starting a message whose bytes are not UTF-8 may earn 1007 as well as its other fault's code.
  let current: FuzzFrame | undefined;
  const fail = (frame: number, codes: number[], rule: string, definite: boolean): void => {
    // A doomed text message lets a lazy validator fail later, with 1007, at any frame up to this one.
    const also1007 = definite && (p.doomed || (current !== undefined && startsInvalidText(current, open !== null)));
    const all = also1007 && !codes.includes(1007) ? [...codes, 1007] : codes;
    p.failures.push({ frame, codes: all, echoes: p.echoes.length, pings: p.pings.length, rule, definite });
    if (definite) p.mustFail = true;
  };

  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    current = f;
    if (f.lengthOverride !== undefined) {
      // §5.2: "the most significant bit MUST be 0"; 1009 fits too: no server can take 2^63 bytes.
      fail(i, [1002, 1009], 'RFC 6455 §5.2: 64-bit payload length with the most significant bit set', true);
      break;
    }
    if (f.mask === null) {
      fail(i, PROTOCOL_ERROR, 'RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is not masked"', true);
      break;
    }
    if (f.rsv2 || f.rsv3 || (f.rsv1 && deflate === undefined)) {
      fail(i, PROTOCOL_ERROR, 'RFC 6455 §5.2: RSV bits set with no extension negotiated: "MUST _Fail the WebSocket Connection_"', true);
      break;
    }
    if (isReservedOpcode(f.opcode)) {
      fail(i, PROTOCOL_ERROR, `RFC 6455 §5.2: reserved opcode 0x${f.opcode.toString(16)}: "MUST _Fail the WebSocket Connection_"`, true);
      break;
    }
    const misplaced = f.rsv1 ? misplacedRsv1(f.opcode) : null;
    if (misplaced !== null) {
      fail(i, PROTOCOL_ERROR, misplaced, true);
      break;
    }
    if (f.lengthForm !== undefined && f.lengthForm !== minimalLengthForm(f.payload.length)) {
      fail(i, PROTOCOL_ERROR, 'RFC 6455 §5.2: non-minimal length encoding (a server may refuse it)', false);
    }
    if (isControlOpcode(f.opcode)) {
      if (!f.fin) {
        fail(i, PROTOCOL_ERROR, 'RFC 6455 §5.5: "Control frames themselves MUST NOT be fragmented"', true);
        break;
      }
      if (f.payload.length > MAX_CONTROL_PAYLOAD) {
        fail(i, PROTOCOL_ERROR, `RFC 6455 §5.5: control frame payload ${f.payload.length} > 125`, true);
        break;
      }
      if (f.opcode === Opcode.Ping) p.pings.push(f.payload);
      if (f.opcode === Opcode.Close) {
        const body = f.payload;
        if (body.length === 1) {
          fail(i, PROTOCOL_ERROR, 'RFC 6455 §5.5.1: a close body is empty or starts with a 2-byte code (1 byte received)', true);
          break;
        }
        const code = body.length >= 2 ? (body[0]! << 8) | body[1]! : null;
        if (code !== null) {
          const cls = closeCodeClass(code);
          if (cls === 'invalid') {
            // A reason that is not UTF-8 as well: either fault's code answers it.
            const codes = firstInvalidUtf8Index(body.subarray(2)) !== -1 ? [1002, 1007] : PROTOCOL_ERROR;
            fail(i, codes, `RFC 6455 §7.4.1: close code ${code} is not allowed on the wire`, true);
            break;
          }
          if (cls === 'registered-later') fail(i, PROTOCOL_ERROR, `RFC 6455 §7.4.2: close code ${code} is not defined by RFC 6455 itself`, false);
          if (firstInvalidUtf8Index(body.subarray(2)) !== -1) {
            fail(i, [1007, 1002], 'RFC 6455 §5.5.1: the close reason "MUST" be UTF-8', true);
            break;
          }
        }
        if (p.doomed) fail(i, [1007], 'RFC 6455 §8.1: the open text message is not valid UTF-8 (a lazy validator never sees its end)', false);
        // §5.5.1: after a close the server answers and discards the rest: nothing later counts.
        p.close = { frame: i, code };
        break;
      }
      continue;
    }
    // Data frames, RFC 6455 §5.4.
    if (f.opcode === Opcode.Continuation) {
      if (open === null) {
        fail(i, PROTOCOL_ERROR, 'RFC 6455 §5.4: continuation frame with no message open', true);
        break;
      }
    } else {
      if (open !== null) {
        fail(i, PROTOCOL_ERROR, 'RFC 6455 §5.4: a new data frame while a fragmented message is open', true);
        break;
      }
      const undecodable = f.rsv1 && deflate?.undecodable?.(i) === true;
      open = { opcode: f.opcode as 1 | 2, parts: [], utf8: f.opcode === Opcode.Text ? new Utf8Validator() : null, undecodable };
    }
    open.parts.push(f.payload);
    if (open.utf8 !== null && !p.doomed && open.utf8.push(f.payload) !== -1) p.doomed = true;
    if (f.fin) {
      if (open.undecodable) {
        // A ruling: a corrupt compressed payload failed with 1002 or 1007 passes (RFC 7692 §7.2.2 names no code).
        fail(i, [1007, 1002], 'RFC 7692 §7.2.2: the compressed message does not inflate: "MUST _Fail the WebSocket Connection_"', true);
        break;
      }
      if (open.utf8 !== null && (p.doomed || !open.utf8.end())) {
        fail(i, [1007], 'RFC 6455 §8.1: a text message that is not valid UTF-8: "MUST _Fail the WebSocket Connection_" (1007, §7.4.1)', true);
        break;
      }
      p.echoes.push({ opcode: open.opcode, payload: concatBytes(open.parts) });
      open = null;
    }
  }
  p.messageOpen = open !== null;
  return p;
}

/**
 * With permessage-deflate, RSV1 means "compressed" on the first frame of a data message only (RFC 7692 §6.1): the
 * rule it breaks elsewhere, or null. Reserved opcodes fail for their own sake (§5.2).
 */
function misplacedRsv1(opcode: number): string | null {
  const rule = '"An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and non-first fragments of a data message"';
  if (opcode === Opcode.Continuation) return `RFC 7692 §6.1: RSV1 on a continuation frame: ${rule}`;
  if (isControlOpcode(opcode)) return `RFC 7692 §6.1: RSV1 on a control frame: ${rule}`;
  return null;
}

/** A text frame that starts a message with bytes that can never be valid UTF-8 (or, with FIN, are not). */
function startsInvalidText(f: FuzzFrame, messageOpen: boolean): boolean {
  if (f.opcode !== Opcode.Text || messageOpen || f.lengthOverride !== undefined) return false;
  const v = new Utf8Validator();
  return v.push(f.payload) !== -1 || (f.fin && !v.end());
}
