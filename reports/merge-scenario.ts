// `report merge` of the scenario sections of load shards (`wsprobe load --scenario --shard i/n`): steps by key with
// their counts summed and their latency histograms added bucket by bucket (exact, as for the run-wide histograms),
// roles' connections summed by name, and the per-second step figures of the timeline summed (p99: the largest of the
// shards', an upper bound, as `timelinePercentiles: 'max-of-shards'` says).
import type { ScenarioSection, StepSummary, TimelinePoint } from './schema.js';
import { addEncodedHistograms } from './histogram.js';

/** Step figures that are counts: a merged step is their sum. */
const STEP_COUNTS = ['started', 'matched', 'timeouts', 'late', 'connectionsWithTimeouts'] as const;
const SECTION_COUNTS = ['unexpected', 'connectionsWithUnexpected', 'unmatched', 'connectionsWithUnmatched', 'completed', 'iterationsSkipped'] as const;

/**
 * One section from the shards' (same scenario: the caller checks the names). Steps and roles keep the order in which
 * they first appear, so a shard that ran every role sets the order; a step a shard lacks counts as zero there.
 */
export function mergeScenarios(sections: readonly ScenarioSection[]): ScenarioSection {
  const steps = new Map<string, StepSummary[]>();
  for (const s of sections) for (const [key, step] of Object.entries(s.steps)) steps.set(key, [...(steps.get(key) ?? []), step]);
  const roles = new Map<string, number>();
  for (const s of sections) for (const r of s.roles) roles.set(r.name, (roles.get(r.name) ?? 0) + r.connections);
  const sum = (f: (s: ScenarioSection) => number): number => sections.reduce((n, s) => n + f(s), 0);
  return {
    name: sections[0]!.name,
    roles: [...roles].map(([name, connections]) => ({ name, connections })),
    steps: Object.fromEntries([...steps].map(([key, parts]) => [key, mergeStep(parts)])),
    ...(Object.fromEntries(SECTION_COUNTS.map((k) => [k, sum((s) => s[k])])) as Record<(typeof SECTION_COUNTS)[number], number>),
  };
}

function mergeStep(parts: readonly StepSummary[]): StepSummary {
  const first = parts[0]!;
  const counts = Object.fromEntries(STEP_COUNTS.map((k) => [k, parts.reduce((n, p) => n + p[k], 0)])) as Record<(typeof STEP_COUNTS)[number], number>;
  return { kind: first.kind, name: first.name, ...counts, latency: addEncodedHistograms(parts.map((p) => p.latency.encoded)) };
}

/** Adds one shard's second of step figures into the merged second `into` (same wall-clock second). */
export function addTimelineSteps(into: TimelinePoint, from: TimelinePoint): void {
  if (!from.steps) return;
  const steps = (into.steps ??= {});
  for (const [key, v] of Object.entries(from.steps)) {
    const had = steps[key];
    const p99 = had?.p99 === undefined ? v.p99 : v.p99 === undefined ? had.p99 : Math.max(had.p99, v.p99);
    steps[key] = { matched: (had?.matched ?? 0) + v.matched, timeouts: (had?.timeouts ?? 0) + v.timeouts, ...(p99 !== undefined ? { p99 } : {}) };
  }
}
