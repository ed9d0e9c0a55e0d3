import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, jsonSyntaxMessage, parseCsv, parseDataFile } from '../../../../../runners/load/scenario/data.js';

/** RFC 4180 writing: quote a field when it holds a comma, quote, CR or LF (or always, when asked). */
function csv(rows: string[][], opts: { eol: string; quoteAll: boolean; trailing: boolean }): string {
  const field = (f: string): string => (opts.quoteAll || /[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  return rows.map((r) => r.map(field).join(',')).join(opts.eol) + (opts.trailing ? opts.eol : '');
}

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('no error');
};

describe('CSV data files', () => {
  it('reads RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes; values stay strings', () => {
    const text = 'user,note,n\r\nalice,"a, b",1\r\n"bob","say ""hi""","2\n3"\r\n';
    expect(parseCsv(text)).toEqual([
      { user: 'alice', note: 'a, b', n: '1' },
      { user: 'bob', note: 'say "hi"', n: '2\n3' },
    ]);
  });

  it('accepts LF line ends, no trailing line break, a BOM and empty fields', () => {
    expect(parseCsv('\uFEFFa,b\n1,\n,2')).toEqual([
      { a: '1', b: '' },
      { a: '', b: '2' },
    ]);
  });

  it('reads back whatever a RFC 4180 writer wrote', () => {
    fc.assert(
      fc.property(
        // Rows of 1 to 4 fields each (the first row's width is the header's).
        fc.integer({ min: 1, max: 4 }).chain((cols) =>
          fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 5 }),
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        (rows, eol, quoteAll, trailing) => {
          const header = rows[0]!.map((_, i) => `c${i}`);
          // An unquoted empty last record is indistinguishable from a trailing line break: quote it then.
          const text = csv([header, ...rows], { eol, quoteAll: quoteAll || rows.some((r) => r.length === 1 && r[0] === ''), trailing });
          expect(parseCsv(text)).toEqual(rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a column named __proto__ a column', () => {
    const [row] = parseCsv('__proto__,a\nx,y\n');
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.hasOwn(row!, '__proto__')).toBe(true);
  });

  it.each([
    ['', 'empty file: a header row is required'],
    ['a,b\n', 'no rows after the header row'],
    ['a,b\n1,2\n3\n', 'line 3: 1 field but the header row has 2'],
    ['a,,b\n1,2,3\n', 'line 1: column 2 of the header row has no name'],
    ['a,a\n1,2\n', 'line 1: column "a" appears twice in the header row'],
    ['a\n"open\nstill open\n', 'line 2: a quoted field is not closed'],
    ['a,b\n"x"y,1\n', 'line 2: "y" after a closing quote (quote the whole field)'],
    ['a\nsay "hi"\n', 'line 2: a quote inside an unquoted field (quote the field and double the quote)'],
    ['a\n"1\n2",x\n', 'line 2: 2 fields but the header row has 1'],
  ])('rejects %j: %s', (text, message) => {
    expect(errorOf(() => parseCsv(text))).toBe(message);
  });
});

describe('JSON data files', () => {
  it('reads an array of flat objects, keeping value types', () => {
    expect(parseDataFile('[{"a":1,"b":"x","c":true,"d":null}]', 'rows.json')).toEqual([{ a: 1, b: 'x', c: true, d: null }]);
    expect(parseDataFile('a\n1\n', 'rows.csv')).toEqual([{ a: '1' }]);
  });

  it.each([
    ['{"a":1}', 'expected a JSON array of objects, got an object'],
    ['[]', 'no rows (an empty array)'],
    ['[1]', '[0]: expected an object, got 1'],
    ['[{"a":{"b":1}}]', '[0].a: expected a string, number, boolean or null (rows are flat), got an object'],
  ])('rejects %s', (text, message) => {
    expect(errorOf(() => parseDataFile(text, 'rows.json'))).toBe(message);
  });

  it('places JSON syntax errors by line and column when Node gives an offset', () => {
    expect(jsonSyntaxMessage('[\n  1,\n  x]', new SyntaxError('Unexpected token x in JSON at position 9'))).toBe('line 3, column 3: invalid JSON: Unexpected token x');
    expect(jsonSyntaxMessage('[1', new SyntaxError('Unexpected end of JSON input'))).toBe('line 1, column 3: invalid JSON: Unexpected end of JSON input');
    const real = errorOf(() => parseDataFile('[{"a":1,}]', 'rows.json'));
    expect(real).toMatch(/^(line 1, column \d+: )?invalid JSON: \S/);
  });
});
