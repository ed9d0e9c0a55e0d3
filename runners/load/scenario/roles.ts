// Which role each connection of a run plays: counts are taken first, the rest is shared by weight (largest
// remainder), and roles get contiguous blocks of connection indices in file order, so during a ramp the roles open
// in file order (publishers listed after subscribers start after them).
import { ScenarioError } from './errors.js';
import type { Role } from './model.js';

export interface RoleAssignment {
  /** Connections per role, in file order; they sum to the run's connections. */
  counts: number[];
  /** The role index of global connection `index`; -1 outside [0, connections). */
  roleOf(index: number): number;
}

/**
 * Shares `connections` among `roles`. Throws a ScenarioError when the counts alone exceed the run, or when no role
 * has a weight to take what the counts leave. `file`, when given, names the scenario in the message.
 */
export function assignRoles(roles: readonly Role[], connections: number, file?: string): RoleAssignment {
  const prefix = file === undefined ? 'scenario' : `scenario ${file}`;
  const counts = roles.map((r) => (r.weight === undefined ? (r.count ?? 0) : 0));
  const counted = counts.reduce((a, b) => a + b, 0);
  const run = `the run holds ${connections} connection${connections === 1 ? '' : 's'}`;
  if (counted > connections) {
    throw new ScenarioError(`${prefix}: the role counts sum to ${counted} but ${run} (lower the counts or raise --connections)`);
  }
  const weighted = roles.flatMap((r, i) => (r.weight === undefined ? [] : [i]));
  const rest = connections - counted;
  if (weighted.length === 0) {
    if (rest > 0) {
      throw new ScenarioError(`${prefix}: the role counts sum to ${counted} but ${run} (give a role a weight to take the rest, or run ${counted})`);
    }
  } else if (rest > 0) {
    shareByWeight(roles, weighted, rest, counts);
  }
  const ends: number[] = [];
  let end = 0;
  for (const c of counts) ends.push((end += c));
  return {
    counts,
    roleOf(index: number): number {
      if (!(index >= 0) || index >= end) return -1;
      for (let r = 0; r < ends.length; r++) if (index < ends[r]!) return r;
      return -1;
    },
  };
}

/**
 * Largest-remainder (Hamilton) apportionment of `rest` over the weighted roles, written into `counts`: each gets
 * the floor of its quota, then the largest fractional parts get one more, ties to the earlier role. Every share is
 * within 1 of its exact quota.
 */
function shareByWeight(roles: readonly Role[], weighted: readonly number[], rest: number, counts: number[]): void {
  const total = weighted.reduce((a, i) => a + roles[i]!.weight!, 0);
  const fractions: { role: number; fraction: number }[] = [];
  let given = 0;
  for (const i of weighted) {
    const quota = (rest * roles[i]!.weight!) / total;
    const whole = Math.min(Math.floor(quota), rest - given);
    counts[i] = whole;
    given += whole;
    fractions.push({ role: i, fraction: quota - whole });
  }
  // Equal fractions (within rounding: weights 0.1 and 0.2 are not exact in binary) go to the earlier role.
  fractions.sort((a, b) => (Math.abs(a.fraction - b.fraction) < 1e-9 ? a.role - b.role : b.fraction - a.fraction));
  for (let k = 0; given < rest; k = (k + 1) % fractions.length, given++) {
    const r = fractions[k]!.role;
    counts[r] = counts[r]! + 1;
  }
}
