// HPACK (RFC 7541) as far as the raw HTTP/2 request path needs it. Encoding: every field as a literal without
// indexing with a literal name and no Huffman (§6.2.2), so any block, however malformed (uppercase names, missing
// or repeated pseudo-header fields, connection-specific fields), goes out exactly as listed and leaves no state in
// the server's decoder. Decoding: the whole of §6 (indexed fields, literals with and without indexing, never
// indexed, dynamic table size updates, Huffman strings), since a server's response uses what its encoder likes.
import type { H2HeaderList } from '../../protocol/h2/headers.js';
import { huffmanDecode, HuffmanError } from './huffman.js';

/** RFC 7541 Appendix A. */
// prettier-ignore
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

export class HpackError extends Error {
  override readonly name = 'HpackError';
}

/** RFC 7541 §5.1: an integer with an N-bit prefix; `flags` fills the bits above the prefix. */
export function encodeInteger(value: number, prefixBits: number, flags = 0): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [flags | value];
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** RFC 7541 §5.2: a string literal, raw (H = 0). */
function encodeString(s: string): number[] {
  const bytes = Buffer.from(s, 'latin1');
  return [...encodeInteger(bytes.length, 7), ...bytes];
}

/**
 * The block as literals without indexing, new names (RFC 7541 §6.2.2: the 0000 pattern with index 0), in order.
 * Names and values go out as latin1 bytes, exactly as given: the point is to send what a strict encoder would not.
 */
export function encodeHeaderBlock(list: H2HeaderList): Uint8Array {
  const out: number[] = [];
  for (const [name, value] of list) out.push(0x00, ...encodeString(name), ...encodeString(value));
  return Uint8Array.from(out);
}

/** RFC 7541 §4.1: an entry's size is its name and value lengths plus 32. */
const entrySize = (name: string, value: string): number => Buffer.byteLength(name, 'latin1') + Buffer.byteLength(value, 'latin1') + 32;

/** One connection's decoding context: the dynamic table (RFC 7541 §2.3.2) and its size limit. */
export class HpackDecoder {
  private readonly table: [string, string][] = [];
  private size = 0;
  private maxSize: number;

  /** `settingsMax`: the SETTINGS_HEADER_TABLE_SIZE we announced (RFC 7541 §4.2: the decoder's upper bound). */
  constructor(private readonly settingsMax = 4096) {
    this.maxSize = settingsMax;
  }

  /** Decodes one complete header block (HEADERS plus CONTINUATION fragments). Throws HpackError. */
  decode(block: Uint8Array): H2HeaderList {
    const list: H2HeaderList = [];
    let pos = 0;
    const integer = (prefixBits: number): number => {
      if (pos >= block.length) throw new HpackError('RFC 7541 §5.1: truncated integer');
      const max = (1 << prefixBits) - 1;
      let value = block[pos++]! & max;
      if (value < max) return value;
      let shift = 0;
      for (;;) {
        if (pos >= block.length) throw new HpackError('RFC 7541 §5.1: truncated integer');
        const b = block[pos++]!;
        value += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) return value;
        if (shift > 28) throw new HpackError('RFC 7541 §5.1: integer too large');
      }
    };
    const string = (): string => {
      if (pos >= block.length) throw new HpackError('RFC 7541 §5.2: truncated string');
      const huffman = (block[pos]! & 0x80) !== 0;
      const length = integer(7);
      if (pos + length > block.length) throw new HpackError('RFC 7541 §5.2: string longer than the block');
      const raw = block.subarray(pos, pos + length);
      pos += length;
      try {
        return Buffer.from(huffman ? huffmanDecode(raw) : raw).toString('latin1');
      } catch (err) {
        if (err instanceof HuffmanError) throw new HpackError(err.message);
        throw err;
      }
    };
    let fieldSeen = false;
    while (pos < block.length) {
      const b = block[pos]!;
      if (b & 0x80) {
        // §6.1: indexed header field.
        const [name, value] = this.entry(integer(7));
        list.push([name, value]);
      } else if ((b & 0xc0) === 0x40) {
        // §6.2.1: literal with incremental indexing.
        const index = integer(6);
        const name = index === 0 ? string() : this.entry(index)[0];
        const value = string();
        list.push([name, value]);
        this.add(name, value);
      } else if ((b & 0xe0) === 0x20) {
        // §6.3: dynamic table size update, only at the start of a block (§4.2).
        if (fieldSeen) throw new HpackError('RFC 7541 §4.2: a dynamic table size update after a header field');
        const size = integer(5);
        if (size > this.settingsMax) throw new HpackError(`RFC 7541 §6.3: table size ${size} above the ${this.settingsMax} we allowed`);
        this.maxSize = size;
        this.evict();
        continue;
      } else {
        // §6.2.2 (0000) and §6.2.3 (0001, never indexed): literal, not added to the table.
        const index = integer(4);
        const name = index === 0 ? string() : this.entry(index)[0];
        list.push([name, string()]);
      }
      fieldSeen = true;
    }
    return list;
  }

  private entry(index: number): readonly [string, string] {
    if (index === 0) throw new HpackError('RFC 7541 §6.1: index 0');
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1]!;
    const e = this.table[index - STATIC_TABLE.length - 1];
    if (e === undefined) throw new HpackError(`RFC 7541 §2.3.3: index ${index} is beyond the tables`);
    return e;
  }

  private add(name: string, value: string): void {
    const size = entrySize(name, value);
    // §4.4: an entry larger than the table empties it and is not added.
    this.table.unshift([name, value]);
    this.size += size;
    this.evict();
  }

  private evict(): void {
    while (this.size > this.maxSize && this.table.length > 0) {
      const [name, value] = this.table.pop()!;
      this.size -= entrySize(name, value);
    }
  }
}
