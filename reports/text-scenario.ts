// The words of a scenario run (`wsprobe load --scenario`), shared by the text and HTML writers so both say the same
// thing: the alerts about steps that got no reply (or too few), the per-step table's cells, and the roles,
// unexpected and unmatched lines. Pure: ScenarioSection in, strings out; the writers add layout, colour and escaping.
import type { ScenarioSection, StepSummary } from './schema.js';
import { formatCount, formatMs } from './format.js';
import { oneLine } from './transcript-format.js';

export interface StepAlert {
  key: string;
  /** true: the step started but nothing ever answered (shown first, in red); false: some of its waits timed out. */
  loud: boolean;
  text: string;
}

/** How a step that waits for something is counted in words. */
const WAITS = {
  request: { noun: 'requests', got: 'got a reply', gotNone: 'got no reply' },
  expect: { noun: 'waits', got: 'saw a matching message', gotNone: 'saw no matching message' },
} as const;

/** `request join`: how the alerts name a step (the kind as a word, so the line reads as a sentence). */
export function stepLabel(step: StepSummary): string {
  return `${step.kind} ${oneLine(step.name, 80)}`;
}

/**
 * The steps that waited in vain. A request or expect step that started and never matched is loud (a target that
 * never answers a request type is the headline of the run, however good the other figures look); one that matched
 * only some of the time gets a plain line. The timeout is not in the summary, so the line says only what happened.
 */
export function stepAlerts(scenario: ScenarioSection | undefined): StepAlert[] {
  if (!scenario) return [];
  const loud: StepAlert[] = [];
  const plain: StepAlert[] = [];
  for (const [key, step] of Object.entries(scenario.steps)) {
    if ((step.kind !== 'request' && step.kind !== 'expect') || step.started === 0 || step.matched >= step.started) continue;
    const words = WAITS[step.kind];
    const started = formatCount(step.started);
    if (step.matched === 0) {
      loud.push({ key, loud: true, text: `${stepLabel(step)}: none of the ${started} ${words.noun} ${words.got}` });
      continue;
    }
    const missing = step.started - step.matched;
    // Waits still open when the run ended are neither matched nor timed out: say so rather than call them timeouts.
    const what = step.timeouts >= missing ? 'timed out' : `${words.gotNone} (${formatCount(step.timeouts)} timed out)`;
    plain.push({ key, loud: false, text: `${stepLabel(step)}: ${formatCount(missing)} of ${started} ${what}` });
  }
  return [...loud, ...plain];
}

export const STEP_HEADS = ['step', 'started', 'matched', 'timeouts', 'late', 'p50', 'p90', 'p99', 'max'] as const;

/**
 * One row of the per-step table, formatted. A figure a kind cannot have (matches of a send, timeouts of a
 * subscription, late replies of anything but a request) shows '-' while it is 0, so a 0 there does not read as a
 * failure; latency columns show '-' when the step recorded none.
 */
export function stepCells(key: string, step: StepSummary): string[] {
  const unused = (value: number, used: boolean): string => (value === 0 && !used ? '-' : formatCount(value));
  const h = step.latency;
  return [
    oneLine(key, 80),
    formatCount(step.started),
    unused(step.matched, step.kind !== 'send'),
    unused(step.timeouts, step.kind === 'expect' || step.kind === 'request'),
    unused(step.late, step.kind === 'request'),
    ...[h.p50, h.p90, h.p99, h.max].map((v) => (h.count === 0 ? '-' : formatMs(v))),
  ];
}

/** Roles with their connections: `publisher 100  subscriber 900`. */
export function rolesLine(scenario: ScenarioSection): string {
  return scenario.roles.map((r) => `${oneLine(r.name, 80)} ${formatCount(r.connections)}`).join('  ');
}

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

export function unexpectedLine(s: ScenarioSection): string {
  return `${plural(s.unexpected, 'message', 'messages')} matched no wait, request or subscription, on ${plural(s.connectionsWithUnexpected, 'connection', 'connections')}`;
}

export function unmatchedLine(s: ScenarioSection): string {
  return `${plural(s.unmatched, 'request or expect', 'requests and expects')} got no match in time, on ${plural(s.connectionsWithUnmatched, 'connection', 'connections')}`;
}

export function completedLine(s: ScenarioSection): string {
  const skipped = s.iterationsSkipped > 0 ? `; ${plural(s.iterationsSkipped, 'loop iteration', 'loop iterations')} skipped (the previous one was still running)` : '';
  return `${plural(s.completed, 'connection', 'connections')} finished every step of their role${skipped}`;
}

/** Step keys in the section's order, then any the timeline has that the section does not (defensive: old shards). */
export function timelineStepKeys(scenario: ScenarioSection, timeline: readonly { steps?: Record<string, unknown> }[]): string[] {
  const keys = new Set(Object.keys(scenario.steps));
  for (const p of timeline) for (const k of Object.keys(p.steps ?? {})) keys.add(k);
  return [...keys];
}
