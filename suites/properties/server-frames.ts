// Reads what the target sent as a client must (RFC 6455 §5-§8): messages reassembled, pongs, the close frame, and
// every rule the target broke while sending them.
import { isControlOpcode, isReservedOpcode, MAX_CONTROL_PAYLOAD, Opcode } from '../../protocol/constants.js';
import { isValidWireCloseCode } from '../../protocol/close.js';
import { isValidUtf8 } from '../../protocol/utf8.js';
import { concatBytes } from './fuzz-frame.js';
import type { ObservedFrame } from '../../peers/fuzz/fuzz-target.js';
import type { ExpectedMessage } from './model/predict-stream.js';

export interface ServerFrames {
  messages: ExpectedMessage[];
  pongs: Uint8Array[];
  /** The target's close frame: code null for an empty body. */
  close: { code: number | null; reason: string; t: number } | null;
  /** Rules the target broke, each citing its section. The first one decides. */
  violations: string[];
}

export function readServerFrames(frames: readonly ObservedFrame[]): ServerFrames {
  const out: ServerFrames = { messages: [], pongs: [], close: null, violations: [] };
  let open: { opcode: 1 | 2; parts: Uint8Array[] } | null = null;
  const bad = (msg: string): void => void out.violations.push(msg);
  for (const f of frames) {
    const name = `frame at ${f.t.toFixed(1)} ms`;
    if (out.close !== null) {
      // §5.5.1: "after sending a Close frame, the endpoint MUST NOT send any more data frames".
      if (!isControlOpcode(f.opcode)) bad(`RFC 6455 §5.5.1: data frame (opcode ${f.opcode}) sent after the close frame`);
      continue;
    }
    // §5.1: "A server MUST NOT mask any frames that it sends to the client."
    if (f.masked) bad(`RFC 6455 §5.1: the server masked a frame (${name})`);
    if (f.rsv !== 0) bad(`RFC 6455 §5.2: RSV bits ${f.rsv} set with no extension negotiated (${name})`);
    if (isReservedOpcode(f.opcode)) {
      bad(`RFC 6455 §5.2: reserved opcode ${f.opcode} (${name})`);
      continue;
    }
    if (isControlOpcode(f.opcode)) {
      if (!f.fin) bad(`RFC 6455 §5.5: fragmented control frame (${name})`);
      if (f.payload.length > MAX_CONTROL_PAYLOAD) bad(`RFC 6455 §5.5: control frame of ${f.payload.length} bytes (${name})`);
      if (f.opcode === Opcode.Pong) out.pongs.push(f.payload);
      if (f.opcode === Opcode.Close) {
        const body = f.payload;
        if (body.length === 1) bad('RFC 6455 §5.5.1: close frame with a 1-byte body');
        const code = body.length >= 2 ? (body[0]! << 8) | body[1]! : null;
        if (code !== null && !isValidWireCloseCode(code)) bad(`RFC 6455 §7.4.1: close code ${code} is not allowed on the wire`);
        const reason = body.subarray(2);
        if (!isValidUtf8(reason)) bad('RFC 6455 §5.5.1: close reason is not UTF-8');
        out.close = { code, reason: Buffer.from(reason).toString('utf8'), t: f.t };
      }
      continue;
    }
    if (f.opcode === Opcode.Continuation) {
      if (open === null) {
        bad(`RFC 6455 §5.4: continuation frame with no message open (${name})`);
        continue;
      }
    } else {
      if (open !== null) bad(`RFC 6455 §5.4: new data frame inside a fragmented message (${name})`);
      open = { opcode: f.opcode as 1 | 2, parts: [] };
    }
    open.parts.push(f.payload);
    if (f.fin) {
      const payload = concatBytes(open.parts);
      if (open.opcode === Opcode.Text && !isValidUtf8(payload)) bad('RFC 6455 §8.1: the server sent a text message that is not UTF-8');
      out.messages.push({ opcode: open.opcode, payload });
      open = null;
    }
  }
  return out;
}
