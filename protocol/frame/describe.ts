// Frames as one readable line for transcripts and test failures: `TEXT 'hello' [5 bytes]`,
// `BINARY 00 01 02 [3 bytes]`, `CLOSE 1000 (normal) 'bye' [5 bytes]`, `TEXT 'Hel' [3 bytes, fin=0]`.
// Long payloads are elided in the middle; the byte count is always exact.
import { Buffer } from 'node:buffer';
import { closeCodeName } from '../close.js';
import { Opcode, opcodeName } from '../constants.js';
import { isValidUtf8 } from '../utf8.js';
import type { Frame } from './frame.js';

export interface DescribeOptions {
  /** Most characters of text shown before eliding (default 60). */
  maxText?: number;
  /** Most payload bytes shown as hex before eliding (default 24). */
  maxHex?: number;
}

function quoteText(text: string, max: number): string {
  const chars = Array.from(text);
  const shown = chars.length > max ? `${chars.slice(0, max - 12).join('')}…${chars.slice(-10).join('')}` : text;
  const escaped = shown.replace(/[\u0000-\u001f\u007f\\']/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : c === '\\' ? '\\\\' : c === "'" ? "\\'" : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return `'${escaped}'`;
}

/** Bytes as spaced hex, elided in the middle past `max` bytes. */
export function describeBytes(bytes: Uint8Array, max = 24): string {
  const hex = (u: Uint8Array): string => Array.from(u, (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (bytes.length <= max) return hex(bytes);
  const tail = Math.max(4, Math.floor(max / 3));
  return `${hex(bytes.subarray(0, max - tail))} … ${hex(bytes.subarray(bytes.length - tail))}`;
}

/** Text when it is UTF-8 (quoted, escaped, elided), else hex. */
function describePayload(payload: Uint8Array, asText: boolean, opts: DescribeOptions): string {
  if (payload.length === 0) return '';
  if (asText && isValidUtf8(payload)) {
    return quoteText(Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8'), opts.maxText ?? 60);
  }
  return describeBytes(payload, opts.maxHex ?? 24);
}

export function describeFrame(
  frame: Pick<Frame, 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'opcode' | 'payload'> & { masked?: boolean },
  opts: DescribeOptions = {},
): string {
  const { payload, opcode } = frame;
  let body: string;
  if (opcode === Opcode.Close && payload.length >= 2) {
    const code = (payload[0]! << 8) | payload[1]!;
    const reason = describePayload(payload.subarray(2), true, opts);
    body = `${code} (${closeCodeName(code)})${reason ? ` ${reason}` : ''}`;
  } else {
    // Text, continuations, pings and pongs usually carry text; show them as text when they decode.
    body = describePayload(payload, opcode !== Opcode.Binary, opts);
  }
  const notes = [`${payload.length} ${payload.length === 1 ? 'byte' : 'bytes'}`];
  if (!frame.fin) notes.push('fin=0');
  if (frame.rsv1) notes.push('rsv1');
  if (frame.rsv2) notes.push('rsv2');
  if (frame.rsv3) notes.push('rsv3');
  if (frame.masked) notes.push('masked');
  return `${opcodeName(opcode)}${body ? ` ${body}` : ''} [${notes.join(', ')}]`;
}
