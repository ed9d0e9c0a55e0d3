// The assertion's message lists the grouped findings; a conforming result passes; failOn widens what fails.
import { describe, expect, it } from 'vitest';
import { assertConformance, ConformanceError, conformanceProblem } from '../../../api/assert.js';
import { wsprobeMatchers } from '../../../api/vitest.js';
import { summarize, SCHEMA_ID, type CaseResult, type RunResult, type Verdict } from '../../../reports/schema.js';

function kase(id: string, verdict: Verdict, reason: string, reasonCode = 'wrong-close-code'): CaseResult {
  return { id, title: id, rfc: '5.2', autobahn: [], verdict, reason, reasonCode, expected: '', observed: '', transcript: [], durationMs: 1 } as unknown as CaseResult;
}

function result(cases: CaseResult[]): RunResult {
  return {
    schema: SCHEMA_ID,
    kind: 'conformance',
    tool: { name: 'wsprobe', version: '0' },
    target: { url: 'ws://127.0.0.1:9/' },
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
    interrupted: false,
    summary: summarize(cases),
    cases,
  };
}

const failing = result([
  kase('framing.rsv-1', 'fail', 'RFC 6455 §5.2: the target closed with 1000, expected 1002'),
  kase('framing.rsv-2', 'fail', 'RFC 6455 §5.2: the target closed with 1000, expected 1002'),
  kase('framing.ok', 'pass', 'echoed'),
  kase('close.reason', 'non-strict', 'RFC 6455 §7.1.6: closed without a reason', 'close-no-reason'),
]);

describe('assertConformance', () => {
  it('throws a ConformanceError whose message lists each finding once with its cases', () => {
    let err: unknown;
    try {
      assertConformance(failing);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConformanceError);
    const e = err as ConformanceError;
    expect(e.message).toMatch(/^ws:\/\/127\.0\.0\.1:9\/ does not conform: 2 cases at or beyond 'fail' in 1 finding\n/);
    expect(e.message).toContain('2 cases fail for one reason: RFC 6455 §5.2: the target closed with 1000, expected 1002');
    expect(e.message).toContain('framing.rsv-1, framing.rsv-2');
    expect(e.message).not.toContain('close.reason');
    expect(e.findings).toHaveLength(1);
    expect(e.result).toBe(failing);
  });

  it("counts non-strict cases under failOn: 'non-strict', and passes a clean result", () => {
    expect(conformanceProblem(failing, { failOn: 'non-strict' })!.findings).toHaveLength(2);
    const clean = result([kase('framing.ok', 'pass', 'echoed'), kase('close.reason', 'non-strict', 'no reason', 'close-no-reason')]);
    expect(conformanceProblem(clean)).toBeNull();
    expect(assertConformance(clean)).toBe(clean);
    expect(conformanceProblem({ ...clean, interrupted: true })!.message).toMatch(/interrupted/);
  });

  it('limits the case ids listed per finding', () => {
    const many = result(Array.from({ length: 9 }, (_, i) => kase(`utf8.bad-${i}`, 'fail', 'RFC 6455 §8.1: invalid text echoed')));
    expect(conformanceProblem(many, { casesPerFinding: 3 })!.message).toContain('utf8.bad-0, utf8.bad-1, utf8.bad-2, +6 more');
  });

  it('backs the vitest matcher: expect(result).toConform()', () => {
    expect(wsprobeMatchers.toConform(failing).pass).toBe(false);
    expect(() => expect(failing).toConform()).toThrow(/2 cases fail for one reason/);
    expect(result([kase('framing.ok', 'pass', 'echoed')])).toConform();
    expect(failing).not.toConform();
    expect(wsprobeMatchers.toConform({ not: 'a result' }).pass).toBe(false);
  });
});
