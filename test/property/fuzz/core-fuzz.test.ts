// In-process fuzzing of our own protocol core at high run counts, each property bounded in time: the frame
// decoder, the UTF-8 validator, the HTTP head parser (random header bytes) and the extension header grammar.
// Oracles are independent of the code under test: the fuzz record codec (suites/properties/fuzz-frame.ts), Node's
// TextDecoder, and round trips through the grammar's own ABNF.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../../../protocol/frame/decoder.js';
import { HeaderSyntaxError, parseExtensionHeader, serializeExtensions, type ParsedExtension } from '../../../protocol/extensions/header.js';
import { HttpHeadParser, type HeadParseResult } from '../../../protocol/handshake/head-parser.js';
import { firstInvalidUtf8Index, isValidUtf8, Utf8Validator } from '../../../protocol/utf8.js';
import { decodeFuzzFrames } from '../../../suites/properties/fuzz-frame.js';
import { anyTextArb } from '../../../suites/properties/utf8.arb.js';
import { wireBytesArb } from '../../../suites/properties/wire.arb.js';

/** Each property stops after this long even if its run count is not reached. */
const TIME_LIMIT_MS = 3000;
const RUNS = 20_000;
const params = { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false };

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(prev, p));
    prev = p;
  }
  return out;
}

function decodeAll(chunks: Uint8Array[]): { frames: { fin: boolean; opcode: number; rsv: number; masked: boolean; payload: number[] }[]; error: string | null } {
  const d = new FrameDecoder();
  const frames: { fin: boolean; opcode: number; rsv: number; masked: boolean; payload: number[] }[] = [];
  let error: string | null = null;
  for (const c of chunks) {
    d.push(c);
    for (let r = d.next(); r !== null; r = d.next()) {
      if (r.type === 'error') {
        error = r.violation.id;
        break;
      }
      const f = r.frame;
      frames.push({ fin: f.fin, opcode: f.opcode, rsv: (f.rsv1 ? 4 : 0) | (f.rsv2 ? 2 : 0) | (f.rsv3 ? 1 : 0), masked: f.masked, payload: [...f.payload] });
    }
    if (error !== null) break;
  }
  return { frames, error };
}

describe('frame decoder (fuzzed)', () => {
  it('decodes any generated frame stream, split anywhere, to the records it was made from', () => {
    fc.assert(
      fc.property(wireBytesArb({ maxFrames: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const want = decodeFuzzFrames(bytes)!.map((f) => ({
          fin: f.fin,
          opcode: f.opcode,
          rsv: (f.rsv1 ? 4 : 0) | (f.rsv2 ? 2 : 0) | (f.rsv3 ? 1 : 0),
          masked: f.mask !== null,
          payload: [...f.payload],
        }));
        const got = decodeAll(splitAt(bytes, cuts));
        expect(got.error).toBeNull();
        expect(got.frames).toEqual(want);
      }),
      params,
    );
  });

  it('never throws on arbitrary bytes, and gives the same result for every split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const whole = decodeAll([bytes.slice()]);
        const split = decodeAll(splitAt(bytes, cuts));
        expect(split).toEqual(whole);
      }),
      params,
    );
  });
});

describe('UTF-8 validator (fuzzed)', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  const oracleValid = (b: Uint8Array): boolean => {
    try {
      fatal.decode(b);
      return true;
    } catch {
      return false;
    }
  };

  it('agrees with TextDecoder on arbitrary bytes and on near-valid text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), anyTextArb), (bytes) => {
        expect(isValidUtf8(bytes)).toBe(oracleValid(bytes));
      }),
      params,
    );
  });

  it('streams: the same verdict for any split, failing at the first byte no valid text can start with', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), anyTextArb), fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const v = new Utf8Validator();
        let failedAt = -1;
        let offset = 0;
        for (const chunk of splitAt(bytes, cuts)) {
          const r = v.push(chunk);
          if (r !== -1 && failedAt === -1) failedAt = offset + r;
          offset += chunk.length;
          if (failedAt !== -1) break;
        }
        const valid = failedAt === -1 && v.end();
        expect(valid).toBe(oracleValid(bytes));
        const first = firstInvalidUtf8Index(bytes);
        if (failedAt !== -1) {
          expect(failedAt).toBe(first);
          // Everything before the index is a valid prefix; including the byte makes it invalid for good.
          const streaming = new TextDecoder('utf-8', { fatal: true });
          expect(() => streaming.decode(bytes.subarray(0, failedAt), { stream: true })).not.toThrow();
          expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, failedAt + 1), { stream: true })).toThrow();
        }
      }),
      params,
    );
  });
});

describe('HTTP head parser (fuzzed with random header bytes)', () => {
  const headerLineArb = fc.oneof(
    fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), fc.string({ unit: 'binary-ascii', maxLength: 20 })).map(([n, v]) => `${n}: ${v}`),
    fc.string({ unit: 'binary-ascii', maxLength: 30 }),
  );
  const headArb = fc
    .tuple(fc.constantFrom('GET / HTTP/1.1', 'HTTP/1.1 101 Switching Protocols', 'GET /x?y HTTP/1.0'), fc.array(headerLineArb, { maxLength: 8 }))
    .map(([start, lines]) => new Uint8Array(Buffer.from(`${start}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`, 'latin1')));

  function parseAll(chunks: Uint8Array[]): HeadParseResult {
    const p = new HttpHeadParser({ maxHeadBytes: 4096, maxHeaders: 20 });
    let r: HeadParseResult = { state: 'partial' };
    const rest: number[] = [];
    for (const c of chunks) {
      r = p.push(c);
      if (r.state === 'done') rest.push(...r.rest);
      if (r.state === 'error') break;
    }
    return r.state === 'done' ? { ...r, rest: Uint8Array.from(rest) } : r;
  }

  it('never throws, gives the same result for any split, and yields only token names and clean values', () => {
    fc.assert(
      fc.property(fc.oneof(headArb, fc.uint8Array({ maxLength: 200 })), fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const whole = parseAll([bytes]);
        const split = parseAll(splitAt(bytes, cuts));
        expect(split).toEqual(whole);
        if (whole.state === 'done') {
          for (const [name, value] of whole.head.headers) {
            expect(name).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
            expect(value).not.toMatch(/[\r\n\0]|^[ \t]|[ \t]$/);
          }
        }
      }),
      params,
    );
  });
});

describe('extension header grammar (fuzzed)', () => {
  const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,10}$/);
  const extArb: fc.Arbitrary<ParsedExtension> = fc.record({
    name: token,
    params: fc.array(fc.tuple(token, fc.oneof(fc.constant(true as const), token)), { maxLength: 3 }),
  });

  it('parse(serialize(x)) is x for any list of extensions', () => {
    fc.assert(
      fc.property(fc.array(extArb, { minLength: 1, maxLength: 4 }), (exts) => {
        expect(parseExtensionHeader(serializeExtensions(exts))).toEqual(exts);
      }),
      params,
    );
  });

  it('any string either parses to token names and values or throws a HeaderSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.array(fc.constantFrom('a', 'b=1', ';', ',', ' ', '"x"', '"', '\\', '=', '\t'), { maxLength: 12 }).map((p) => p.join(''))), (value) => {
        try {
          for (const e of parseExtensionHeader(value)) {
            expect(e.name).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
            for (const [k, v] of e.params) {
              expect(k).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
              if (v !== true) expect(v).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
            }
          }
        } catch (err) {
          expect(err).toBeInstanceOf(HeaderSyntaxError);
        }
      }),
      params,
    );
  });
});
