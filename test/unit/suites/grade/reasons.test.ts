// docs/verdicts.md and the reason-code table (suites/grade/reasons.ts) list the same codes with the same verdicts,
// so the documentation cannot drift from what the grader gives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../../../suites/grade/reasons.js';
import { REPO_ROOT } from '../../../helpers/cli.js';

function documentedCodes(): Map<string, string[]> {
  const md = readFileSync(join(REPO_ROOT, 'docs', 'verdicts.md'), 'utf8');
  const section = md.slice(md.indexOf('## Reason codes'), md.indexOf('## The rules'));
  const out = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z-]+)` \| ([a-z, -]+) \|/.exec(line);
    if (m) out.set(m[1]!, m[2]!.split(',').map((v) => v.trim()));
  }
  return out;
}

describe('reason codes', () => {
  it('docs/verdicts.md documents every code of the table, with its verdicts, and no other', () => {
    const docs = documentedCodes();
    expect(docs.size).toBeGreaterThan(20);
    expect([...docs.keys()].sort()).toEqual(Object.keys(REASON_CODES).sort());
    for (const [code, info] of Object.entries(REASON_CODES)) expect(docs.get(code), code).toEqual([...info.verdicts]);
  });
});
