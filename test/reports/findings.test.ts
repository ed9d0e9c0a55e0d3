// Findings: problem cases grouped by cause, run-level ones first, each case in one finding only; rendered first in
// the text summary and the HTML report and used as JUnit messages; not-run counted apart, skipped in JUnit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingsOf, findingTitle, reasonShape } from '../../reports/findings.js';
import { renderHtml } from '../../reports/html.js';
import { parseRunResult, writeJson } from '../../reports/json.js';
import { renderJunit } from '../../reports/junit.js';
import { mergeRuns } from '../../reports/merge.js';
import { renderText } from '../../reports/text.js';
import { validateRunResult } from '../../reports/validate.js';
import { caseResult, conformanceFixture, findingsFixture, withSummary } from './fixtures.js';

describe('findingsOf', () => {
  const r = findingsFixture();

  it('states the run-level finding first, then groups failures that differ only in numbers and quoted text', () => {
    const f = findingsOf(r);
    expect(f[0]).toMatchObject({ scope: 'run', reasonCode: 'target-died' });
    const window = f.find((x) => x.reasonCode === 'handshake-status')!;
    expect(window.cases).toEqual(['deflate.window.bits-8', 'deflate.window.bits-9', 'deflate.window.bits-10']);
    expect(findingTitle(window)).toBe('3 cases fail for one reason: RFC 6455 §4.2.2: a correct opening handshake got status 400 "...", not 101 (N bytes)');
    expect(findingTitle(f.find((x) => x.cases[0] === 'close.code.1000')!)).toMatch(/^1 case fails: .*with 1011, expected 1000$/);
  });

  it('puts every problem case in exactly one finding and no other case in any', () => {
    const listed = findingsOf(r).flatMap((x) => x.cases);
    expect(new Set(listed).size).toBe(listed.length);
    const problems = r.cases.filter((c) => c.verdict !== 'pass').map((c) => c.id);
    expect([...listed].sort()).toEqual([...problems].sort());
  });

  it('keeps numbers all cases of a group share, and sections as cited', () => {
    const same = ['a', 'b'].map((id) => caseResult({ id: `close.${id}`, verdict: 'fail', reason: 'RFC 6455 §5.5.1: answered 1002 after 3 ms' }));
    const other = caseResult({ id: 'close.c', verdict: 'fail', reason: 'RFC 6455 §5.5.1: answered 1002 after 7 ms' });
    const f = findingsOf(withSummary({ ...r, findings: undefined, cases: [...same, other] }));
    expect(f).toHaveLength(1);
    expect(f[0]!.cause).toBe('RFC 6455 §5.5.1: answered 1002 after N ms');
  });

  it('is idempotent: findings written into a result come back the same', () => {
    const once = { ...r, findings: findingsOf(r) };
    expect(findingsOf(once)).toEqual(once.findings);
    expect(validateRunResult(once, { strict: true })).toEqual([]);
  });

  it('groups any reasons whose varying parts differ, and never loses text between them', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z :,;()-]*$/), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (text, nums) => {
        const a = reasonShape(`${text} ${nums.join(' x ')} "q${nums[0]}"`);
        const b = reasonShape(`${text} ${nums.map((n) => n + 1).join(' x ')} "other"`);
        expect(a.parts).toEqual(b.parts);
        const rebuilt = a.parts.reduce((s, p, i) => s + p + (a.values[i] ?? ''), '');
        expect(rebuilt).toBe(`${text} ${nums.join(' x ')} "q${nums[0]}"`);
      }),
    );
  });

  it('a merged result keeps the inputs run-level findings, per target in a matrix', () => {
    const other = { ...conformanceFixture(), target: { url: 'ws://other:1/' } };
    const m = mergeRuns([r, other]);
    expect(validateRunResult(m, { strict: true })).toEqual([]);
    const run = findingsOf(m).filter((f) => f.scope === 'run');
    expect(run).toHaveLength(1);
    expect(run[0]!.target).toBe('127.0.0.1:9001');
    // Two shards of one target: a case one shard could not run but the other ran is graded, not not-run.
    const ran = withSummary({ ...r, findings: undefined, cases: r.cases.map((c) => (c.verdict === 'not-run' ? { ...c, verdict: 'pass' as const, reasonCode: 'ok' } : c)) });
    const union = mergeRuns([r, ran]);
    expect(union.summary['not-run']).toBe(0);
    expect(findingsOf(union)[0]!.cases).toEqual(['handshake.head.16k']);
  });
});

describe('writers', () => {
  const r = findingsFixture();

  it('text: findings come before the area table, not-run is counted apart', () => {
    const text = renderText(r, { color: false });
    expect(text.indexOf('Findings (3)')).toBeGreaterThan(-1);
    expect(text.indexOf('Findings (3)')).toBeLessThan(text.indexOf('area '));
    expect(text).toMatch(/not-run 3/);
    // A run without not-run cases reads as before: no not-run column.
    expect(renderText(conformanceFixture(), { color: false })).not.toMatch(/not-run/);
  });

  it('JUnit: not-run cases are skipped with their reason; grouped failures carry the group as their message', () => {
    const xml = renderJunit(r);
    expect(xml).toMatch(/<testcase[^>]*name="framing\.text\.empty [^"]*"[^>]*>\s*<skipped message="not-run: the target died during case handshake\.head\.16k/);
    expect(xml.match(/<skipped /g)).toHaveLength(3);
    expect(xml.match(/message="3 cases fail for one reason: RFC 6455 §4\.2\.2/g)).toHaveLength(3);
    expect(xml).toMatch(/<testsuites[^>]* skipped="3"/);
  });

  it('HTML: a findings section first, a not-run count and filter', () => {
    const html = renderHtml(r);
    expect(html.indexOf('<section id="findings">')).toBeLessThan(html.indexOf('<section id="cases">'));
    expect(html).toMatch(/<span class="count" data-verdict="not-run">3<\/span>/);
    expect(html).toMatch(/<input type="checkbox" name="verdict" value="not-run" checked>/);
  });

  it('results.json written before not-run existed still reads (its summary has no not-run count)', () => {
    const old = JSON.parse(writeJson(conformanceFixture())) as { summary: Record<string, number> };
    delete old.summary['not-run'];
    expect(parseRunResult(JSON.stringify(old)).summary['not-run']).toBe(0);
  });
});
