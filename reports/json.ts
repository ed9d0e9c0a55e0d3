// The JSON form of a RunResult: what `--out` writes as results.json and what every `report` subcommand reads.
import { SCHEMA_ID, type RunResult } from './schema.js';
import { validateRunResult } from './validate.js';

/** Keys that lead their object, in this order; the rest follow alphabetically, so output is stable. */
const LEADING_KEYS = ['schema', 'kind', 'id', 'title', 't', 'dir'];

function rank(key: string): number {
  const i = LEADING_KEYS.indexOf(key);
  return i === -1 ? LEADING_KEYS.length : i;
}

function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of keys) out[key] = ordered((value as Record<string, unknown>)[key]);
  return out;
}

/** Serialises with a stable key order and a 2-space indent, ending in a newline. */
export function writeJson(result: RunResult): string {
  return `${JSON.stringify(ordered(result), null, 2)}\n`;
}

/** A result document that could not be read; `problems` lists each schema error. */
export class RunResultError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'RunResultError';
  }
}

/** Parses and validates a results.json. Throws RunResultError with a one-line message naming the problem. */
export function parseRunResult(text: string): RunResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RunResultError(`not JSON: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new RunResultError('not a wsprobe result: expected a JSON object');
  }
  const schema = (data as { schema?: unknown }).schema;
  if (typeof schema !== 'string') throw new RunResultError('not a wsprobe result: no "schema" field');
  if (schema !== SCHEMA_ID) {
    const hint = schema.startsWith('wsprobe/result@')
      ? 'written by another wsprobe version; use a wsprobe that reads it'
      : 'not a wsprobe result';
    throw new RunResultError(`unsupported schema "${schema}" (this wsprobe reads "${SCHEMA_ID}"): ${hint}`);
  }
  const problems = validateRunResult(data);
  if (problems.length > 0) {
    const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
    throw new RunResultError(`invalid ${SCHEMA_ID} document: ${problems.slice(0, 3).join('; ')}${more}`, problems);
  }
  const result = data as RunResult;
  // 'not-run' was added to @1: older results count no such case, so writers can read every verdict's count.
  for (const summary of [result.summary, ...(result.targets ?? []).map((t) => t.summary)]) {
    if (summary && summary['not-run'] === undefined) summary['not-run'] = 0;
  }
  return result;
}
