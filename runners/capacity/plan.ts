// The capacity search's decisions, as pure functions of the steps run so far: the next step (doubling on held
// connections, then bisection from fresh starts, then confirmation repeats of the knee), the answer, and the flags
// a planner must read (a non-monotonic curve, a runner-limited search, an unconfirmed knee).
import type { CapacitySection, CapacityStep } from '../../reports/schema.js';
import type { StepPlan } from './step.js';

export interface PlanOptions {
  start: number;
  maxConnections: number;
  /** Stop bisecting when the bracket is narrower than this fraction of the lower bound. */
  resolution: number;
  /** Repeats of the last held and first breached counts once the bracket is found. */
  confirm: number;
}

/** The next count of the doubling and bisection, or null when the bracket is found (or nothing more can be learnt). */
export function nextStep(lastOk: number | null, firstBad: number | null, opts: Pick<PlanOptions, 'start' | 'maxConnections' | 'resolution'>): number | null {
  if (firstBad === null) {
    if (lastOk === null) return Math.min(opts.start, opts.maxConnections);
    if (lastOk >= opts.maxConnections) return null;
    return Math.min(opts.maxConnections, lastOk * 2);
  }
  const lo = lastOk ?? 0;
  const gap = firstBad - lo;
  if (gap <= 1 || gap <= Math.max(1, Math.floor(lo * opts.resolution))) return null;
  return Math.floor((lo + firstBad) / 2);
}

/** The bracket of the search's own steps (repeat 0): the largest count that held and the smallest above it that did not. */
export function bracket(steps: readonly CapacityStep[]): { lastOk: number | null; firstBad: number | null; runnerLimited: boolean } {
  const main = steps.filter((s) => (s.repeat ?? 0) === 0);
  let lastOk: number | null = null;
  for (const s of main) if (s.ok && (lastOk === null || s.connections > lastOk)) lastOk = s.connections;
  let firstBad: number | null = null;
  for (const s of main) if (!s.ok && (lastOk === null || s.connections > lastOk) && (firstBad === null || s.connections < firstBad)) firstBad = s.connections;
  return { lastOk, firstBad, runnerLimited: main.some((s) => s.outcome === 'runner-limited') };
}

export function planNext(steps: readonly CapacityStep[], opts: PlanOptions): StepPlan | null {
  const { lastOk, firstBad, runnerLimited } = bracket(steps);
  const n = runnerLimited ? null : nextStep(lastOk, firstBad, opts);
  if (n !== null) {
    const prev = steps[steps.length - 1];
    // Grow on the connections the previous step held; after a breach (bisection below it), start fresh.
    const grown = prev !== undefined && prev.ok && prev.connections < n;
    return { connections: n, start: grown ? 'grown' : 'fresh', repeat: 0 };
  }
  const runs = (c: number): number => steps.filter((s) => s.connections === c).length;
  const sides: number[] = [];
  if (lastOk !== null) sides.push(lastOk);
  const bad = firstBad !== null ? steps.find((s) => s.connections === firstBad && (s.repeat ?? 0) === 0) : undefined;
  if (bad !== undefined && bad.outcome !== 'runner-limited') sides.push(bad.connections);
  // Alternate the two sides so that both see the same conditions over time.
  for (let r = 1; r <= opts.confirm; r++) {
    for (const c of sides) if (runs(c) <= r) return { connections: c, start: 'fresh', repeat: r };
  }
  return null;
}

/** The largest count every run of which held the SLO. */
export function answer(steps: readonly CapacityStep[]): number | null {
  const counts = [...new Set(steps.map((s) => s.connections))].sort((a, b) => b - a);
  for (const c of counts) if (steps.filter((s) => s.connections === c).every((s) => s.ok)) return c;
  return null;
}

function valuesOf(steps: readonly CapacityStep[], c: number | null, metric: string): [number, number] | undefined {
  if (c === null) return undefined;
  const v = steps
    .filter((s) => s.connections === c)
    .map((s) => s.thresholds.find((t) => t.metric === metric)?.value)
    .filter((x): x is number => typeof x === 'number');
  return v.length > 0 ? [Math.min(...v), Math.max(...v)] : undefined;
}

export function kneeOf(steps: readonly CapacityStep[], confirm: number, latencyMetric: string | undefined): NonNullable<CapacitySection['knee']> {
  const { lastOk, firstBad } = bracket(steps);
  const at = (c: number | null) => (c === null ? [] : steps.filter((s) => s.connections === c));
  const heldAll = at(lastOk).every((s) => s.ok);
  const badAll = at(firstBad).every((s) => s.outcome === 'breached');
  const repeated = confirm > 0 && at(lastOk).length > 1 && (firstBad === null || at(firstBad).length > 1);
  const knee: NonNullable<CapacitySection['knee']> = { lastHeld: lastOk, firstBreached: firstBad, confirmed: repeated && heldAll && badAll };
  if (latencyMetric !== undefined) {
    const held = valuesOf(steps, lastOk, latencyMetric);
    const breached = valuesOf(steps, firstBad, latencyMetric);
    if (held || breached) knee.spread = { metric: latencyMetric, ...(held ? { held } : {}), ...(breached ? { breached } : {}) };
  }
  return knee;
}

export function flagsOf(steps: readonly CapacityStep[], confirm: number): string[] {
  const flags: string[] = [];
  for (const s of steps) {
    if (s.outcome !== 'breached') continue;
    const above = steps.filter((h) => h.ok && h.connections > s.connections);
    if (above.length > 0) {
      const h = above.reduce((a, b) => (b.connections > a.connections ? b : a));
      flags.push(
        `non-monotonic: ${s.connections} connections breached the SLO${s.repeat ? ` (repeat ${s.repeat})` : ''} after ${h.connections} held: ` +
          `the target varies between runs; the answer is the largest count that held every run`,
      );
    }
  }
  for (const s of steps) {
    if (s.outcome === 'runner-limited') {
      flags.push(`runner-limited at ${s.connections} connections (${s.bottleneck?.reason ?? 'the runner was the limit'}): the search stopped growing there; add --workers or run shards on more machines`);
    }
  }
  const { lastOk, firstBad } = bracket(steps);
  if (confirm > 0) {
    const tally = (c: number | null) => (c === null ? null : { held: steps.filter((s) => s.connections === c && s.ok).length, runs: steps.filter((s) => s.connections === c).length });
    const ok = tally(lastOk);
    const bad = tally(firstBad);
    if (ok && ok.held < ok.runs) flags.push(`unconfirmed knee: ${lastOk} connections held ${ok.held} of ${ok.runs} runs`);
    if (bad && bad.held > 0) flags.push(`unconfirmed knee: ${firstBad} connections held ${bad.held} of ${bad.runs} runs`);
    const limited = steps.filter((s) => (s.repeat ?? 0) > 0 && s.outcome === 'runner-limited' && (s.connections === lastOk || s.connections === firstBad));
    for (const s of limited) flags.push(`unconfirmed knee: repeat ${s.repeat} at ${s.connections} connections was runner-limited, so it confirms nothing`);
  }
  return flags;
}
