// The checked-in UTF-8 vectors: each `valid` flag agrees with an independent strict decoder, ids are unique, and
// together with the structural cases they cover every Autobahn 6.x case in the reference catalogue.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveExpectation } from '../../../../../suites/define.js';
import { cases } from '../../../../../suites/conformance/utf8/index.js';
import { UTF8_VECTORS } from '../../../../../suites/conformance/utf8/vectors.js';
import { REPO_ROOT } from '../../../../helpers/cli.js';

const strict = new TextDecoder('utf-8', { fatal: true });
function decodes(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe('UTF-8 vectors', () => {
  it('marks exactly the vectors a strict decoder accepts as valid', () => {
    const wrong = UTF8_VECTORS.filter((v) => decodes(Buffer.from(v.hex, 'hex')) !== v.valid).map((v) => v.id);
    expect(wrong).toEqual([]);
  });

  it('has unique ids and bytes', () => {
    expect(new Set(UTF8_VECTORS.map((v) => v.id)).size).toBe(UTF8_VECTORS.length);
    expect(new Set(UTF8_VECTORS.map((v) => v.hex)).size).toBe(UTF8_VECTORS.length);
  });

  it('agrees with the reference TSV wherever it shows the bytes in full', () => {
    const tsv = readFileSync(join(REPO_ROOT, 'docs', 'reference', 'autobahn-cases.tsv'), 'utf8');
    const byAutobahn = new Map(UTF8_VECTORS.flatMap((v) => v.autobahn.map((a) => [a, v] as const)));
    let checked = 0;
    for (const line of tsv.split('\n')) {
      const [id, , description] = line.split('\t');
      const m = /^(valid|INVALID) UTF-8 text message, 1 frame, (\d+) bytes: 0x([0-9a-f]+)(\.\.\.)?$/.exec(description ?? '');
      if (id === undefined || m === null) continue;
      const v = byAutobahn.get(id);
      expect(v, `Autobahn ${id} has no vector`).toBeDefined();
      expect(v!.valid).toBe(m[1] === 'valid');
      expect(v!.hex.length / 2).toBe(Number(m[2]));
      if (m[4] === undefined) expect(v!.hex).toBe(m[3]);
      else expect(v!.hex.startsWith(m[3]!)).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('every Autobahn 6.x case is covered by some utf8 case', () => {
    const tsv = readFileSync(join(REPO_ROOT, 'docs', 'reference', 'autobahn-cases.tsv'), 'utf8');
    const wanted = tsv.split('\n').map((l) => l.split('\t')[0] ?? '').filter((id) => id.startsWith('6.'));
    const covered = new Set(cases.flatMap((c) => c.autobahn));
    expect(wanted.filter((id) => !covered.has(id))).toEqual([]);
    expect(wanted.length).toBeGreaterThan(140);
  });

  it('valid vectors expect the echo, invalid ones a failure with 1007', () => {
    for (const c of cases) {
      const e = resolveExpectation(c, {});
      expect(['behave', 'fail']).toContain(e.kind);
      if (e.kind === 'fail') expect(e.codes).toEqual([1007]);
    }
  });
});
