// HPACK for the raw HTTP/2 request path: RFC 7541 Appendix C's examples decode to the RFC's header lists (with and
// without Huffman, the dynamic table carried from request to request), the Huffman code round-trips every byte
// string, our literal blocks round-trip any list, and the decoder refuses what §5.2 and §6.3 call errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { huffmanCode, huffmanDecode, huffmanEncode, HuffmanError } from '../../../../peers/raw/huffman.js';
import { encodeHeaderBlock, encodeInteger, HpackDecoder, HpackError } from '../../../../peers/raw/hpack.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('Huffman (RFC 7541 §5.2, Appendix B)', () => {
  it('encodes and decodes the strings of Appendix C.4 and C.6', () => {
    const examples: [string, string][] = [
      ['www.example.com', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff'],
      ['no-cache', 'a8eb 1064 9cbf'],
      ['custom-key', '25a8 49e9 5ba9 7d7f'],
      ['custom-value', '25a8 49e9 5bb8 e8b4 bf'],
      ['302', '6402'],
      ['private', 'aec3 771a 4b'],
      ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff'],
      ['https://www.example.com', '9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3'],
    ];
    for (const [text, code] of examples) {
      expect(Buffer.from(huffmanEncode(Buffer.from(text))).toString('hex')).toBe(Buffer.from(hex(code)).toString('hex'));
      expect(Buffer.from(huffmanDecode(hex(code))).toString()).toBe(text);
    }
  });

  it('has the codes of Appendix B at both ends of the table', () => {
    expect(huffmanCode(48)).toEqual({ code: 0x0, bits: 5 }); // '0'
    expect(huffmanCode(0)).toEqual({ code: 0x1ff8, bits: 13 });
    expect(huffmanCode(255)).toEqual({ code: 0x3ffffee, bits: 26 });
    expect(huffmanCode(256)).toEqual({ code: 0x3fffffff, bits: 30 }); // EOS
  });

  it('round-trips every byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect([...huffmanDecode(huffmanEncode(bytes))]).toEqual([...bytes]);
      }),
    );
  });

  it('refuses padding longer than 7 bits, padding that is not EOS, and EOS itself', () => {
    expect(() => huffmanDecode(hex('ff'))).toThrow(HuffmanError); // 8 bits of padding
    expect(() => huffmanDecode(hex('00'))).toThrow(HuffmanError); // '0' (5 bits) then 000: not EOS's ones
    expect(() => huffmanDecode(hex('ffff ffff'))).toThrow(HuffmanError); // EOS (30 ones) in the string
  });
});

describe('HPACK blocks (RFC 7541 §6)', () => {
  it('decodes the requests of Appendix C.3 (no Huffman) and C.4 (Huffman), the dynamic table carried between them', () => {
    for (const blocks of [
      ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865', '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'],
      ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf', '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'],
    ]) {
      const d = new HpackDecoder();
      expect(d.decode(hex(blocks[0]!))).toEqual([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']]);
      expect(d.decode(hex(blocks[1]!))).toEqual([[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']]);
      expect(d.decode(hex(blocks[2]!))).toEqual([[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']]);
    }
  });

  it('sends any list, malformed or not, as literals that decode to the same list and leave no state', () => {
    const name = fc.string({ minLength: 0, maxLength: 20 }).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
    const list = fc.array(fc.tuple(name, fc.string({ maxLength: 200 }).map((s) => Buffer.from(s, 'utf8').toString('latin1'))), { maxLength: 12 });
    fc.assert(
      fc.property(list, (l) => {
        const d = new HpackDecoder(0);
        expect(d.decode(encodeHeaderBlock(l))).toEqual(l);
        // Nothing was indexed: a second block decodes alone.
        expect(d.decode(encodeHeaderBlock(l))).toEqual(l);
      }),
    );
  });

  it('encodes integers with any prefix as §5.1 says (C.1: 10, 1337 and 42)', () => {
    expect(encodeInteger(10, 5)).toEqual([10]);
    expect(encodeInteger(1337, 5)).toEqual([31, 154, 10]);
    expect(encodeInteger(42, 8)).toEqual([42]);
  });

  it('refuses an index beyond the tables, a table size above ours, and a size update after a field', () => {
    expect(() => new HpackDecoder().decode(hex('ff00'))).toThrow(HpackError); // index 127 + 0: empty dynamic table
    expect(() => new HpackDecoder(100).decode(hex('3f e1 1f'))).toThrow(/above the 100/); // size 4096
    expect(() => new HpackDecoder().decode(hex('82 20'))).toThrow(/after a header field/);
    expect(() => new HpackDecoder().decode(hex('00 05 61'))).toThrow(/longer than the block/);
  });
});
