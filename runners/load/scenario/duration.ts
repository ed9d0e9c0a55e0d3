// Durations in scenario files: a non-negative number of milliseconds, or a string `<number>(ms|s|m|h)` such as
// `250ms`, `1.5s` or `2m`. The JSON Schema (docs/schemas/scenario.schema.json) holds the same pattern.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The source of the schema's duration pattern; exported so a test can check that the two agree. */
export const DURATION_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)(?:ms|s|m|h)$';
const DURATION_RE = /^([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(ms|s|m|h)$/;

/** Milliseconds, or undefined when `value` is not a duration. */
export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION_RE.exec(value);
  if (m === null) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return Number.isFinite(ms) ? ms : undefined;
}
