// Readable previews of payloads for transcripts: text when the bytes are printable UTF-8, else hex; long payloads
// elided, the exact length always kept beside the preview.
import { isValidUtf8 } from '../../protocol/utf8.js';

export const PREVIEW_BYTES = 48;

const decoder = new TextDecoder('utf-8');

export function previewPayload(payload: Uint8Array, limit = PREVIEW_BYTES): { preview: string; previewEncoding: 'text' | 'hex' } {
  const head = payload.subarray(0, limit);
  const elided = payload.length > limit;
  if (payload.length > 0 && isPrintableText(head, elided)) {
    let text = decoder.decode(head);
    if (elided) text = `${text.replace(/\uFFFD$/, '')}…`;
    return { preview: text, previewEncoding: 'text' };
  }
  let hex = Buffer.from(head).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  if (elided) hex += ' …';
  return { preview: hex, previewEncoding: 'hex' };
}

function isPrintableText(bytes: Uint8Array, elided: boolean): boolean {
  // An elided preview may cut a sequence in two: drop up to 3 trailing bytes before judging.
  let end = bytes.length;
  if (elided) {
    let k = end;
    while (k > 0 && end - k < 3 && (bytes[k - 1]! & 0xc0) === 0x80) k--;
    if (k > 0 && bytes[k - 1]! >= 0xc0) end = k - 1;
  }
  const part = bytes.subarray(0, end);
  if (!isValidUtf8(part)) return false;
  for (const b of part) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  return true;
}

/** First line(s) of an HTTP head, elided. */
export function previewHead(text: string, limit = 600): string {
  const t = text.replace(/\r\n\r\n[\s\S]*$/, '').replace(/\r\n/g, '\n');
  return t.length > limit ? `${t.slice(0, limit)}…` : t;
}
