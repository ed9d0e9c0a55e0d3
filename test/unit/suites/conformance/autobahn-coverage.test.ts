// Every Autobahn|Testsuite server case id in docs/reference/autobahn-cases.tsv is covered by at least one case of
// the catalogue, and every id a case claims exists there: users moving from Autobahn can compare case by case.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../../suites/conformance/index.js';
import { REPO_ROOT } from '../../../helpers/cli.js';

const ids = readFileSync(join(REPO_ROOT, 'docs', 'reference', 'autobahn-cases.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t')[0] ?? '')
  .filter((id) => id !== '');

describe('Autobahn coverage', () => {
  it('the reference table holds the 517 server cases', () => {
    expect(ids.length).toBe(517);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every Autobahn id is covered by some catalogue case', () => {
    const covered = new Set(CATALOGUE.flatMap((c) => c.autobahn));
    expect(ids.filter((id) => !covered.has(id))).toEqual([]);
  });

  it('every Autobahn id a case claims exists in the table', () => {
    const known = new Set(ids);
    const unknown = CATALOGUE.flatMap((c) => c.autobahn.filter((a) => !known.has(a)).map((a) => `${c.id}: ${a}`));
    expect(unknown).toEqual([]);
  });
});
