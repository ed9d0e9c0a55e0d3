import { describe, expect, it } from 'vitest';
import { HeaderSyntaxError, parseExtensionHeader, serializeExtensions } from '../../../../protocol/extensions/header.js';

describe('parseExtensionHeader', () => {
  it('parses names, flag params, token and quoted values, several extensions', () => {
    expect(parseExtensionHeader('permessage-deflate; client_max_window_bits; server_max_window_bits="10", x-foo ;a=b')).toEqual([
      { name: 'permessage-deflate', params: [['client_max_window_bits', true], ['server_max_window_bits', '10']] },
      { name: 'x-foo', params: [['a', 'b']] },
    ]);
  });

  it('allows OWS around separators and skips empty list elements (RFC 7230 §7)', () => {
    expect(parseExtensionHeader(' , a \t;\tb = 1 ,, c ,')).toEqual([
      { name: 'a', params: [['b', '1']] },
      { name: 'c', params: [] },
    ]);
  });

  it('unescapes quoted-pairs, then requires a token', () => {
    expect(parseExtensionHeader('a; b="x\\y"')).toEqual([{ name: 'a', params: [['b', 'xy']] }]);
  });

  it('keeps repeated parameters in order (extension-specific checks reject them)', () => {
    expect(parseExtensionHeader('a; b; b=2')[0]?.params).toEqual([['b', true], ['b', '2']]);
  });

  it.each([
    ['', 0, /empty extension list/],
    [' , ', 3, /empty extension list/],
    ['a;', 2, /parameter name/],
    ['a; =1', 3, /parameter name/],
    ['a; b=', 5, /parameter value/],
    ['a; b="1 2"', 5, /not a token/],
    ['a; b=""', 5, /not a token/],
    ['a; b="1', 5, /unterminated/],
    ['a b', 2, /unexpected character/],
    ['a; b=1 2', 7, /unexpected character/],
    ['a; b=c=d', 6, /unexpected character/],
    ['"a"', 0, /extension name/],
    ['a, ;b', 3, /extension name/],
    ['a; b="x\\', 8, /quoted-pair/],
    ['a; b=\u00e9', 5, /parameter value/],
  ])('rejects %j at position %i', (value, position, re) => {
    let err: unknown;
    try {
      parseExtensionHeader(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HeaderSyntaxError);
    const h = err as HeaderSyntaxError;
    expect(h.position).toBe(position);
    expect(h.header).toBe(value);
    expect(h.message).toMatch(re);
    expect(h.message).toMatch(/^RFC 6455 §9\.1: /);
  });
});

describe('serializeExtensions', () => {
  it('writes the canonical form', () => {
    expect(
      serializeExtensions([
        { name: 'permessage-deflate', params: [['client_no_context_takeover', true], ['server_max_window_bits', '10']] },
        { name: 'x', params: [] },
      ]),
    ).toBe('permessage-deflate; client_no_context_takeover; server_max_window_bits=10, x');
  });
  it('refuses what the grammar cannot carry', () => {
    expect(() => serializeExtensions([])).toThrow(TypeError);
    expect(() => serializeExtensions([{ name: 'a b', params: [] }])).toThrow(TypeError);
    expect(() => serializeExtensions([{ name: 'a', params: [['b', 'x y']] }])).toThrow(TypeError);
    expect(() => serializeExtensions([{ name: 'a', params: [['b;', true]] }])).toThrow(TypeError);
  });
});
