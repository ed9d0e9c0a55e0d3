// One readable line per transcript entry, for the text and JUnit writers (the HTML report renders the same fields
// as table columns). Frames print like `> TEXT fin [5 bytes] 'hello'`.
import type { TranscriptEntry } from './schema.js';

/** RFC 6455 §11.8 opcode names; reports import nothing from protocol/, so the table lives here too. */
const OPCODE_NAMES: Record<number, string> = { 0: 'CONT', 1: 'TEXT', 2: 'BINARY', 8: 'CLOSE', 9: 'PING', 10: 'PONG' };

export function opcodeLabel(opcode: number): string {
  return OPCODE_NAMES[opcode] ?? `OP${opcode}`;
}

const DIR_MARK: Record<TranscriptEntry['dir'], string> = { out: '>', in: '<', local: '*' };

/** Flags as words: fin, rsv1, rsv2, rsv3, masked. */
export function flagWords(e: TranscriptEntry): string[] {
  const words: string[] = [];
  if (e.fin) words.push('fin');
  if (e.rsv !== undefined) {
    if (e.rsv & 4) words.push('rsv1');
    if (e.rsv & 2) words.push('rsv2');
    if (e.rsv & 1) words.push('rsv3');
  }
  if (e.masked) words.push('masked');
  return words;
}

/** Keeps a preview on one line: control characters become visible escapes. */
export function oneLine(text: string, max = 120): string {
  // Control characters (ESC could restyle a terminal) and lone surrogates (not encodable) become escapes.
  const visible = text.replace(/[\u0000-\u001F\u007F]|[\uD800-\uDFFF]/gu, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : c.length === 1 && c.charCodeAt(0) >= 0xd800
            ? `\\u${c.charCodeAt(0).toString(16)}`
            : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return visible.length > max ? `${visible.slice(0, max)}... (${visible.length - max} more chars)` : visible;
}

export function formatTranscriptEntry(e: TranscriptEntry): string {
  const parts = [`${e.t.toFixed(3).padStart(9)} ms`, DIR_MARK[e.dir]];
  if (e.kind === 'frame') {
    parts.push(e.opcode === undefined ? 'FRAME' : opcodeLabel(e.opcode));
    const flags = flagWords(e);
    if (flags.length > 0) parts.push(flags.join(','));
  } else {
    parts.push(e.kind);
  }
  if (e.length !== undefined) parts.push(`[${e.length} bytes]`);
  if (e.closeCode !== undefined) parts.push(`code=${e.closeCode}`);
  if (e.closeReason !== undefined && e.closeReason !== '') parts.push(`reason "${oneLine(e.closeReason, 60)}"`);
  if (e.preview !== undefined && e.preview !== '') {
    parts.push(e.previewEncoding === 'hex' ? `hex ${oneLine(e.preview)}` : `'${oneLine(e.preview)}'`);
  }
  if (e.text !== undefined && e.text !== '') parts.push(oneLine(e.text));
  return parts.join(' ');
}

/**
 * The last `limit` entries as lines, preceded by a count of the ones left out, and followed by the count the
 * runner already left out: nothing is dropped silently.
 */
export function formatTranscriptTail(entries: readonly TranscriptEntry[], limit: number, runnerOmitted = 0): string[] {
  const lines: string[] = [];
  const skipped = Math.max(0, entries.length - limit);
  if (skipped > 0) lines.push(`... ${skipped.toLocaleString('en-US')} earlier entries omitted`);
  for (const e of entries.slice(skipped)) lines.push(formatTranscriptEntry(e));
  if (runnerOmitted > 0) lines.push(`... ${runnerOmitted.toLocaleString('en-US')} entries omitted by the runner`);
  return lines;
}
