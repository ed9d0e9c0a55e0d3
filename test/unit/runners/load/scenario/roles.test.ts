import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../../../runners/load/scenario/model.js';
import { ScenarioError } from '../../../../../runners/load/scenario/parse.js';
import { assignRoles } from '../../../../../runners/load/scenario/roles.js';

const steps: Role['steps'] = [{ kind: 'close' }];
const counted = (name: string, count: number): Role => ({ name, count, steps });
const weighted = (name: string, weight: number): Role => ({ name, weight, steps });

/** Roles with at least one weight, and a run large enough for their counts. */
const arbCase = fc
  .array(fc.oneof(fc.nat(20).map((c) => ({ count: c })), fc.oneof(fc.integer({ min: 1, max: 10 }), fc.double({ min: 0.01, max: 100, noNaN: true })).map((w) => ({ weight: w }))), {
    minLength: 1,
    maxLength: 6,
  })
  .filter((rs) => rs.some((r) => 'weight' in r))
  .chain((rs) => {
    const roles = rs.map((r, i): Role => ({ name: `r${i}`, ...r, steps }));
    const fixed = roles.reduce((a, r) => a + (r.count ?? 0), 0);
    return fc.tuple(fc.constant(roles), fc.integer({ min: fixed, max: fixed + 2000 }));
  });

describe('assignRoles', () => {
  it('takes counts first, shares the rest by weight, and gives contiguous blocks in file order', () => {
    const a = assignRoles([weighted('sub', 3), counted('pub', 2), weighted('obs', 1)], 10);
    expect(a.counts).toEqual([6, 2, 2]);
    expect(Array.from({ length: 10 }, (_, i) => a.roleOf(i))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 2, 2]);
    expect([a.roleOf(-1), a.roleOf(10), a.roleOf(Number.NaN)]).toEqual([-1, -1, -1]);
  });

  it('gives equal remainders to the earlier role', () => {
    expect(assignRoles([weighted('a', 1), weighted('b', 1), weighted('c', 1)], 4).counts).toEqual([2, 1, 1]);
    expect(assignRoles([weighted('a', 1), weighted('b', 1), weighted('c', 1)], 5).counts).toEqual([2, 2, 1]);
    expect(assignRoles([weighted('a', 0.1), weighted('b', 0.2), weighted('c', 0.1), weighted('d', 0.2)], 3).counts).toEqual([1, 1, 0, 1]);
  });

  it('lets counts alone fill the run exactly', () => {
    expect(assignRoles([counted('a', 3), counted('b', 0), counted('c', 2)], 5).counts).toEqual([3, 0, 2]);
    expect(assignRoles([counted('a', 3), weighted('b', 5)], 3).counts).toEqual([3, 0]);
  });

  it('refuses counts above the run, and counts below it without a weight to take the rest', () => {
    expect(() => assignRoles([counted('a', 3), counted('b', 9)], 10, 'chat.yaml')).toThrow(
      new ScenarioError('scenario chat.yaml: the role counts sum to 12 but the run holds 10 connections (lower the counts or raise --connections)'),
    );
    expect(() => assignRoles([counted('a', 3), counted('b', 5)], 10)).toThrow(
      new ScenarioError('scenario: the role counts sum to 8 but the run holds 10 connections (give a role a weight to take the rest, or run 8)'),
    );
    expect(() => assignRoles([counted('a', 2)], 1)).toThrow(/the run holds 1 connection \(/);
  });

  it('gives every connection exactly one role, counts their exact count, weights within 1 of proportional', () => {
    fc.assert(
      fc.property(arbCase, ([roles, connections]) => {
        const { counts, roleOf } = assignRoles(roles, connections);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(connections);
        const seen = new Array<number>(roles.length).fill(0);
        let last = 0;
        let ordered = true;
        for (let i = 0; i < connections; i++) {
          const r = roleOf(i);
          ordered &&= r >= last; // contiguous blocks in file order
          last = r;
          seen[r]! += 1;
        }
        expect(ordered).toBe(true);
        expect(seen).toEqual(counts);
        expect(roleOf(connections)).toBe(-1);
        const rest = connections - roles.reduce((a, r) => a + (r.count ?? 0), 0);
        const total = roles.reduce((a, r) => a + (r.weight ?? 0), 0);
        roles.forEach((r, i) => {
          if (r.weight === undefined) expect(counts[i]).toBe(r.count);
          else expect(Math.abs(counts[i]! - (rest * r.weight) / total)).toBeLessThan(1 + 1e-9);
        });
      }),
      { numRuns: 500 },
    );
  });
});
