// Which client cases a run holds, and their numbers. Patterns are those of `wsprobe test` (filter.ts: anchored
// globs over ids, `tag:NAME`, comma-separated). A case's number is its 1-based position in the selected list, as in
// Autobahn's client mode (/runCase?case=N): the same selection gives the same numbers, whatever order clients run.
import { globToRegExp, splitPatterns } from '../conformance/filter.js';
import { DEFAULT_CLIENT_CASE_TIMEOUT_MS, type ClientCase } from '../../suites/client/define.js';

export interface ClientSelection {
  cases: ClientCase[];
  /** Patterns (include or exclude) that matched no case: the CLI reports them as usage errors. */
  unmatched: string[];
}

function matches(c: ClientCase, pattern: string): boolean {
  if (pattern.startsWith('tag:')) return (c.tags ?? []).some((t) => t === pattern.slice(4));
  return globToRegExp(pattern).test(c.id);
}

export function selectClientCases(all: readonly ClientCase[], filter: { include?: readonly string[]; exclude?: readonly string[] }): ClientSelection {
  const include = splitPatterns(filter.include);
  const exclude = splitPatterns(filter.exclude);
  const unmatched = [...include, ...exclude].filter((p) => !all.some((c) => matches(c, p)));
  const cases = all.filter((c) => (include.length === 0 || include.some((p) => matches(c, p))) && !exclude.some((p) => matches(c, p)));
  return { cases, unmatched };
}

/** The case numbered `n` (1-based), or undefined when out of range. */
export function caseAt(cases: readonly ClientCase[], n: number): ClientCase | undefined {
  return Number.isInteger(n) && n >= 1 ? cases[n - 1] : undefined;
}

/** The case's budget in ms after --timeout-scale (at least 100 ms). */
export function clientCaseTimeoutMs(c: ClientCase, scale = 1): number {
  return Math.max(100, Math.round((c.timeoutMs ?? DEFAULT_CLIENT_CASE_TIMEOUT_MS) * scale));
}

/** What `wsprobe test-client --list` prints per case: number, id, title and Autobahn ids. */
export function listLines(cases: readonly ClientCase[]): string[] {
  return cases.map((c, i) => `${i + 1}\t${c.id}\t${c.title}\t${c.autobahn.length > 0 ? `autobahn ${c.autobahn.join(',')}` : ''}`.trimEnd());
}
