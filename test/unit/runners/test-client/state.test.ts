// The stop rules of a client run (state.ts) and case selection and numbering (selection.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../../../reports/schema.js';
import { caseAt, clientCaseTimeoutMs, listLines, selectClientCases } from '../../../../runners/test-client/selection.js';
import { RunState } from '../../../../runners/test-client/state.js';
import { defineClientCase, type ClientCase } from '../../../../suites/client/define.js';

const mk = (id: string, extra: Partial<ClientCase> = {}): ClientCase =>
  defineClientCase({ id, title: `title of ${id}`, rfc: ['5.1'], autobahn: [], expect: { kind: 'request' }, run: async () => undefined, ...extra });

const CASES = [mk('handshake.accept.ok', { autobahn: ['1.1.1'] }), mk('framing.text.small'), mk('close.basic.normal', { tags: ['heavy'] }), mk('utf8.invalid.one')];

const result = (id: string): CaseResult => ({ id, title: id, area: id.split('.')[0]!, rfc: [], autobahn: [], verdict: 'pass', reasonCode: 'ok', reason: '', expected: '', observed: '', durationMs: 1, transcript: [] });

function runAll(s: RunState, agent: string, ids = CASES.map((c) => c.id)): void {
  for (const id of ids) {
    s.begin(agent, id);
    s.record(agent, result(id));
  }
}

describe('RunState', () => {
  it('with no agent named, the run is complete once any agent ran every case', () => {
    const s = new RunState(CASES, []);
    expect(s.complete()).toBe(false);
    runAll(s, 'a', CASES.slice(0, 3).map((c) => c.id));
    runAll(s, 'b', CASES.slice(0, 2).map((c) => c.id));
    expect(s.complete()).toBe(false);
    runAll(s, 'a', [CASES[3]!.id]);
    expect(s.complete()).toBe(true);
    expect(s.agentNames()).toEqual(['a', 'b']);
    // It ran everything but has not said so: the run waits a moment for its /updateReports.
    expect(s.awaitingUpdate()).toEqual(['a']);
    s.markReported('a');
    expect(s.awaitingUpdate()).toEqual([]);
  });

  it('with agents named, every one of them must be done; /updateReports makes an agent done whatever it ran', () => {
    const s = new RunState(CASES, ['ws', 'chromium']);
    expect(s.agentNames()).toEqual(['ws', 'chromium']);
    runAll(s, 'ws');
    runAll(s, 'other');
    expect(s.complete()).toBe(false);
    s.markReported('chromium');
    expect(s.isDone('chromium')).toBe(true);
    expect(s.ranAll('chromium')).toBe(false);
    expect(s.complete()).toBe(true);
    expect(s.awaitingUpdate()).toEqual(['ws']);
  });

  it('next() hands out the first case neither run nor in flight, and nothing once all ran', () => {
    const s = new RunState(CASES, []);
    expect(s.next('a')?.id).toBe(CASES[0]!.id);
    s.begin('a', CASES[0]!.id);
    expect(s.next('a')?.id).toBe(CASES[1]!.id);
    s.record('a', result(CASES[0]!.id));
    expect(s.next('a')?.id).toBe(CASES[1]!.id);
    expect(s.next('b')?.id).toBe(CASES[0]!.id);
    runAll(s, 'a');
    expect(s.next('a')).toBeUndefined();
  });

  it('for any order of case runs by any agents, done and next agree', () => {
    const ids = CASES.map((c) => c.id);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom(...ids), fc.boolean()), { maxLength: 30 }), (events) => {
        const s = new RunState(CASES, ['a']);
        for (const [agent, id, finish] of events) {
          s.begin(agent, id);
          if (finish) s.record(agent, result(id));
        }
        for (const agent of ['a', 'b']) {
          const ran = new Set(events.filter(([a, , f]) => a === agent && f).map(([, id]) => id));
          expect(s.ranAll(agent)).toBe(ran.size === ids.length);
          const next = s.next(agent);
          if (next !== undefined) expect(ran.has(next.id)).toBe(false);
          expect(s.status().agents.find((x) => x.agent === agent)?.ran ?? 0).toBe(ran.size);
        }
        expect(s.complete()).toBe(s.ranAll('a'));
      }),
    );
  });

  it('keeps what the client reported per agent and case', () => {
    const s = new RunState(CASES, []);
    s.report('a', CASES[1]!.id, { code: 1000, wasClean: true });
    expect(s.reportOf('a', CASES[1]!.id)).toEqual({ code: 1000, wasClean: true });
    expect(s.reportOf('b', CASES[1]!.id)).toBeUndefined();
  });
});

describe('client case selection', () => {
  it('numbers cases by their 1-based position in the selected list', () => {
    const { cases } = selectClientCases(CASES, { exclude: ['framing.*'] });
    expect(cases.map((c) => c.id)).toEqual(['handshake.accept.ok', 'close.basic.normal', 'utf8.invalid.one']);
    expect(caseAt(cases, 2)?.id).toBe('close.basic.normal');
    expect(caseAt(cases, 0)).toBeUndefined();
    expect(caseAt(cases, 4)).toBeUndefined();
    expect(listLines(cases)[0]).toBe('1\thandshake.accept.ok\ttitle of handshake.accept.ok\tautobahn 1.1.1');
  });

  it('takes the patterns of wsprobe test: globs, tags, comma lists, and reports patterns that match nothing', () => {
    expect(selectClientCases(CASES, { include: ['tag:heavy'] }).cases.map((c) => c.id)).toEqual(['close.basic.normal']);
    expect(selectClientCases(CASES, { include: ['close.*,utf8.*'] }).cases).toHaveLength(2);
    expect(selectClientCases(CASES, { include: ['nope.*'], exclude: ['zzz'] }).unmatched).toEqual(['nope.*', 'zzz']);
  });

  it('selection keeps catalogue order, so numbers do not depend on pattern order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(['handshake.*', 'framing.*', 'close.*', 'utf8.*'], { minLength: 1 }), (patterns) => {
        const { cases } = selectClientCases(CASES, { include: patterns });
        const positions = cases.map((c) => CASES.indexOf(c));
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
      }),
    );
  });

  it('scales case budgets, never below 100 ms', () => {
    expect(clientCaseTimeoutMs(mk('a.b'))).toBe(10_000);
    expect(clientCaseTimeoutMs(mk('a.b', { timeoutMs: 4000 }), 3)).toBe(12_000);
    expect(clientCaseTimeoutMs(mk('a.b', { timeoutMs: 50 }))).toBe(100);
  });
});
