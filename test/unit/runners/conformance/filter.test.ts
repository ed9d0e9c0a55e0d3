// Case selection: anchored globs over ids, tags, comma lists, unmatched patterns reported.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseMatches, filterCases, globToRegExp, splitPatterns } from '../../../../runners/conformance/filter.js';
import { defineCase, echo, type ConformanceCase } from '../../../../suites/define.js';

const mk = (id: string, tags: ConformanceCase['tags'] = []): ConformanceCase =>
  defineCase({ id, title: id, rfc: ['5'], autobahn: [], tags, expect: echo([]), run: async () => undefined });

const ALL = [
  mk('close.code.1000'),
  mk('close.invalid-code.999'),
  mk('framing.text.len-125'),
  mk('handshake.utf8.header'),
  mk('utf8.fail-fast.frames'),
  mk('limits.text.size-16m', ['huge']),
];
const ids = (cs: readonly ConformanceCase[]): string[] => cs.map((c) => c.id);

describe('filterCases', () => {
  it('anchors patterns: close.* matches every close case and nothing else', () => {
    expect(ids(filterCases(ALL, { include: ['close.*'] }).cases)).toEqual(['close.code.1000', 'close.invalid-code.999']);
    expect(ids(filterCases(ALL, { include: ['code.*'] }).cases)).toEqual([]);
  });

  it('* spans dots; ? is one character', () => {
    expect(ids(filterCases(ALL, { include: ['*.utf8.*'] }).cases)).toEqual(['handshake.utf8.header']);
    expect(ids(filterCases(ALL, { include: ['close.code.100?'] }).cases)).toEqual(['close.code.1000']);
  });

  it('exclude applies after include; comma lists split', () => {
    expect(ids(filterCases(ALL, { include: ['close.*,framing.*'], exclude: ['*.999'] }).cases)).toEqual(['close.code.1000', 'framing.text.len-125']);
  });

  it('tag: patterns and --quick drop the huge cases', () => {
    expect(ids(filterCases(ALL, { exclude: ['tag:huge'] }).cases)).not.toContain('limits.text.size-16m');
    expect(ids(filterCases(ALL, { quick: true }).cases)).not.toContain('limits.text.size-16m');
    expect(ids(filterCases(ALL, {}).cases)).toContain('limits.text.size-16m');
  });

  it('reports patterns that match nothing (a usage error for the CLI)', () => {
    expect(filterCases(ALL, { include: ['nope.*', 'close.*'], exclude: ['tag:missing'] }).unmatched).toEqual(['nope.*', 'tag:missing']);
  });

  it('regex metacharacters in patterns are literal', () => {
    expect(globToRegExp('a.b(c)+').test('a.b(c)+')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(splitPatterns([' a , ,b'])).toEqual(['a', 'b']);
  });

  it('property: an id always matches itself as a pattern, and * matches every id', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$/), (id) => {
        const c = mk(id);
        return caseMatches(c, id) && caseMatches(c, '*') && !caseMatches(c, `${id}x`);
      }),
    );
  });
});
