import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderSyntaxError, parseExtensionHeader, serializeExtensions, type ParsedExtension } from '../../../../protocol/extensions/header.js';

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 10 });
const extension: fc.Arbitrary<ParsedExtension> = fc.record({
  name: token,
  params: fc.array(fc.tuple(token, fc.oneof(fc.constant(true as const), token)), { maxLength: 4 }),
});
const extensionList = fc.array(extension, { minLength: 1, maxLength: 4 });

describe('extension header grammar properties', () => {
  it('parse(serialize(list)) is the identity for any valid list', () => {
    fc.assert(
      fc.property(extensionList, (list) => {
        expect(parseExtensionHeader(serializeExtensions(list))).toEqual(list);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts any spelling with OWS, quoted values and empty elements, with the same meaning', () => {
    const ows = fc.constantFrom('', ' ', '\t', '  ');
    fc.assert(
      fc.property(extensionList, fc.array(ows, { minLength: 64, maxLength: 64 }), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), (list, ws, quote) => {
        let k = 0;
        const w = (): string => ws[k++ % ws.length] as string;
        const q = (v: string): string => (quote[k++ % quote.length] ? `"${v.replace(/[\\"]/g, '\\$&')}"` : v);
        const text = list
          .map((e) => `${w()}${e.name}${e.params.map(([n, v]) => `${w()};${w()}${n}${v === true ? '' : `${w()}=${w()}${q(v)}`}`).join('')}${w()}`)
          .join(quote[0] ? ',,' : ',');
        expect(parseExtensionHeader(text)).toEqual(list);
      }),
      { numRuns: 500 },
    );
  });

  it('throws nothing but HeaderSyntaxError on random strings, with a position inside the string', () => {
    const alphabet = fc.constantFrom(...'ab=;,"\\ \t\u00e9\u0001x1'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: alphabet, maxLength: 30 })), (s) => {
        try {
          const r = parseExtensionHeader(s);
          expect(r.length).toBeGreaterThan(0);
          // anything accepted re-serialises to something with the same meaning
          expect(parseExtensionHeader(serializeExtensions(r))).toEqual(r);
        } catch (e) {
          expect(e).toBeInstanceOf(HeaderSyntaxError);
          const pos = (e as HeaderSyntaxError).position;
          expect(pos).toBeGreaterThanOrEqual(0);
          expect(pos).toBeLessThanOrEqual(s.length);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
