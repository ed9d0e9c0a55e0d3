// The HPACK Huffman code (RFC 7541 §5.2, Appendix B), for the raw HTTP/2 request path (h2-wire.ts): servers
// Huffman-encode most header values, so reading their response blocks needs it. The code is canonical (codes of
// one length are consecutive, assigned in symbol order, shorter lengths first), so the table is only each symbol's
// code length; the codes follow from them. Symbol 256 is EOS.

/** Code lengths in bits for symbols 0..256, as RFC 7541 Appendix B lists them. */
// prettier-ignore
const LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0-31
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // ' ' - '/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // '0' - '?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // '@' - 'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 'P' - '_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // '`' - 'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 'p' - 127
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
  30, // EOS
];

const EOS = 256;
const MAX_LENGTH = 30;

/** Symbols in canonical order (by code length, then symbol), how many codes each length has, and each symbol's code. */
const { sorted, counts, codes } = (() => {
  const order = LENGTHS.map((len, sym) => ({ len, sym })).sort((a, b) => a.len - b.len || a.sym - b.sym);
  const count = new Array<number>(MAX_LENGTH + 1).fill(0);
  for (const { len } of order) count[len]!++;
  const code = new Array<number>(LENGTHS.length).fill(0);
  let next = 0;
  let prevLen = order[0]!.len;
  for (const { len, sym } of order) {
    next *= 2 ** (len - prevLen);
    prevLen = len;
    code[sym] = next++;
  }
  return { sorted: order.map((o) => o.sym), counts: count, codes: code };
})();

export class HuffmanError extends Error {
  override readonly name = 'HuffmanError';
}

/** The code of a symbol and its length in bits (EOS is 256). */
export function huffmanCode(symbol: number): { code: number; bits: number } {
  return { code: codes[symbol]!, bits: LENGTHS[symbol]! };
}

/** RFC 7541 §5.2: the bytes' codes, most significant bit first, padded with the high bits of EOS (ones). */
export function huffmanEncode(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  for (const b of bytes) {
    const bits = LENGTHS[b]!;
    const code = codes[b]!;
    // Bit by bit: codes are up to 30 bits, beyond what a 32-bit accumulator shifts safely in one step.
    for (let i = bits - 1; i >= 0; i--) {
      acc = (acc << 1) | (Math.floor(code / 2 ** i) & 1);
      if (++n === 8) {
        out.push(acc);
        acc = 0;
        n = 0;
      }
    }
  }
  if (n > 0) out.push(((acc << (8 - n)) | (0xff >> n)) & 0xff);
  return Uint8Array.from(out);
}

/**
 * RFC 7541 §5.2: decodes a Huffman-coded string. Throws HuffmanError on EOS inside the string, on padding longer
 * than 7 bits, and on padding that is not the most significant bits of EOS (all ones), as the RFC requires.
 */
export function huffmanDecode(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let code = 0;
  let first = 0;
  let index = 0;
  let len = 0;
  let ones = true;
  for (const byte of bytes) {
    for (let i = 7; i >= 0; i--) {
      const bit = (byte >> i) & 1;
      code = code * 2 + bit;
      ones &&= bit === 1;
      len++;
      const count = counts[len] ?? 0;
      if (code - first < count) {
        const sym = sorted[index + code - first]!;
        if (sym === EOS) throw new HuffmanError('RFC 7541 §5.2: the EOS symbol inside a string literal');
        out.push(sym);
        code = 0;
        first = 0;
        index = 0;
        len = 0;
        ones = true;
        continue;
      }
      index += count;
      first = (first + count) * 2;
      if (len > MAX_LENGTH) throw new HuffmanError('RFC 7541 §5.2: not a valid Huffman code');
    }
  }
  if (len > 7) throw new HuffmanError('RFC 7541 §5.2: padding longer than 7 bits');
  if (!ones) throw new HuffmanError('RFC 7541 §5.2: padding that is not the most significant bits of EOS');
  return Uint8Array.from(out);
}
