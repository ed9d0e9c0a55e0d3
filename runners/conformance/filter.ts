// Case selection by glob patterns over case ids: `close.*`, `*.utf8.*`, `framing.text.len-125`, and `tag:huge`
// for tags. Patterns are anchored (they match whole ids); `*` matches any run of characters, dots included; `?`
// one character. Several patterns may share one argument, separated by commas.
import type { ConformanceCase } from '../../suites/define.js';

export interface CaseFilter {
  /** Keep cases matching any of these (all cases when empty or absent). */
  include?: string[];
  /** Then drop cases matching any of these. */
  exclude?: string[];
  /** Drop cases tagged 'huge' (16 MiB payloads). */
  quick?: boolean;
}

export interface FilterResult {
  cases: ConformanceCase[];
  /** Patterns (include or exclude) that matched no case of the catalogue: the CLI reports them as usage errors. */
  unmatched: string[];
}

/** Splits comma-separated arguments and trims them; empty entries are dropped. */
export function splitPatterns(args: readonly string[] | undefined): string[] {
  return (args ?? []).flatMap((a) => a.split(',')).map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Compiles an anchored glob into a RegExp. */
export function globToRegExp(pattern: string): RegExp {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}

export function caseMatches(c: ConformanceCase, pattern: string): boolean {
  if (pattern.startsWith('tag:')) return (c.tags ?? []).some((t) => t === pattern.slice(4));
  return globToRegExp(pattern).test(c.id);
}

export function filterCases(all: readonly ConformanceCase[], filter: CaseFilter): FilterResult {
  const include = splitPatterns(filter.include);
  const exclude = splitPatterns(filter.exclude);
  const unmatched = [...include, ...exclude].filter((p) => !all.some((c) => caseMatches(c, p)));
  const cases = all.filter(
    (c) =>
      (include.length === 0 || include.some((p) => caseMatches(c, p))) &&
      !exclude.some((p) => caseMatches(c, p)) &&
      !(filter.quick && (c.tags ?? []).includes('huge')),
  );
  return { cases, unmatched };
}
