import { describe, expect, it } from 'vitest';
import { parseRunResult, RunResultError, writeJson } from '../../reports/json.js';
import { jsonForScript } from '../../reports/escape.js';
import { conformanceFixture, loadFixture, NASTY } from './fixtures.js';
import fc from 'fast-check';

describe('writeJson / parseRunResult', () => {
  it('round-trips, hostile strings included', () => {
    const r = conformanceFixture();
    expect(parseRunResult(writeJson(r))).toEqual(r);
    const l = loadFixture();
    expect(parseRunResult(writeJson(l))).toEqual(l);
  });

  it('writes a stable key order (independent of insertion order) with a 2-space indent', () => {
    const r = conformanceFixture();
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as typeof r;
    expect(writeJson(shuffled)).toBe(writeJson(r));
    const text = writeJson(r);
    expect(text.startsWith('{\n  "schema": "wsprobe/result@1",\n  "kind": "conformance",\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('keeps lone surrogates as escapes, so the file is valid UTF-8 and reads back unchanged', () => {
    const text = writeJson(conformanceFixture());
    expect(text).toContain('\\ud800');
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  });

  it('names another schema version clearly', () => {
    const other = JSON.stringify({ ...conformanceFixture(), schema: 'wsprobe/result@2' });
    expect(() => parseRunResult(other)).toThrow(/unsupported schema "wsprobe\/result@2" \(this wsprobe reads "wsprobe\/result@1"\)/);
    expect(() => parseRunResult('{"results":[]}')).toThrow(/no "schema" field/);
    expect(() => parseRunResult('{"schema": "autobahn"}')).toThrow(/not a wsprobe result/);
    expect(() => parseRunResult('not json')).toThrow(/^not JSON/);
    expect(() => parseRunResult('[1]')).toThrow(RunResultError);
  });

  it('rejects an invalid document with the schema path of each problem', () => {
    const bad = { ...conformanceFixture(), durationMs: -1, kind: 'nope' };
    try {
      parseRunResult(JSON.stringify(bad));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RunResultError);
      expect((err as Error).message).toMatch(/^invalid wsprobe\/result@1 document: /);
      expect((err as RunResultError).problems.join('\n')).toMatch(/\/durationMs/);
      expect((err as RunResultError).problems.join('\n')).toMatch(/\/kind/);
    }
  });
});

describe('jsonForScript', () => {
  it('never lets </script>, <!-- or U+2028/2029 through, and parses back to the same value (property)', () => {
    expect(jsonForScript({ s: NASTY })).not.toMatch(/<\/script|<!--|\u2028|\u2029/i);
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (v, s) => {
        const value = { v, s: `${s}</script><!--\u2028` };
        const out = jsonForScript(value);
        expect(out).not.toMatch(/[<>\u2028\u2029]/);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
