// The rule each http2.* case checks, quoted with its section: the runner adds it to a failure's reason
// (runners/conformance/h2-grade.ts), because the grader's own words for a status name the section but not the rule.
import { defineCase, type ConformanceCase } from '../../define.js';

const RULES = new Map<string, string>();

/** A case of the http2 area: a conformance case with the rule it checks. */
export function defineH2Case(c: ConformanceCase & { rule: string }): ConformanceCase {
  const { rule, ...rest } = c;
  if (!rest.id.startsWith('http2.')) throw new Error(`case ${rest.id} is not in the http2 area`);
  RULES.set(rest.id, rule);
  return defineCase(rest);
}

/** The rule the http2.* case `id` checks, or undefined for any other case. */
export function h2Rule(id: string): string | undefined {
  return RULES.get(id);
}
