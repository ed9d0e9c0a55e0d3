// Validation of RunResult documents against result.schema.json (the JSON form of schema.ts), plus the rules a
// JSON Schema cannot say: the summary counts the cases, and a matrix has one outcome per target.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import resultSchema from './result.schema.json' with { type: 'json' };
import { VERDICTS, summarize } from './schema.js';

export interface ValidateOptions {
  /**
   * Reject properties the schema does not declare. Off by default so that a file written by a newer wsprobe
   * (which may only add optional fields) still reads; the tests turn it on to catch drift from schema.ts.
   */
  strict?: boolean;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const validators = new Map<boolean, ValidateFunction>();

function validatorFor(strict: boolean): ValidateFunction {
  let validate = validators.get(strict);
  if (!validate) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addFormat('date-time', { validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
    validate = ajv.compile(strict ? closeObjects(structuredClone(resultSchema)) : resultSchema);
    validators.set(strict, validate);
  }
  return validate;
}

/** Every object schema that lists properties and says nothing about others gets `additionalProperties: false`. */
function closeObjects(node: unknown): object {
  if (Array.isArray(node)) node.forEach(closeObjects);
  else if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (obj.properties !== undefined && obj.additionalProperties === undefined) obj.additionalProperties = false;
    for (const value of Object.values(obj)) closeObjects(value);
  }
  return node as object;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown property "${String(error.params.additionalProperty)}"`;
  }
  if (error.keyword === 'enum') return `${where}: ${error.message} (${(error.params.allowedValues as unknown[]).join(', ')})`;
  return `${where}: ${error.message ?? error.keyword}`;
}

/** Returns the problems found in `obj` as one-line messages; an empty array means it is a valid RunResult. */
export function validateRunResult(obj: unknown, options: ValidateOptions = {}): string[] {
  const validate = validatorFor(options.strict === true);
  if (!validate(obj)) return (validate.errors ?? []).map(describe);
  const result = obj as { summary: Record<string, number>; cases: { id: string; verdict: (typeof VERDICTS)[number]; outcomes?: unknown[] }[]; targets?: unknown[] };
  const errors: string[] = [];
  const counted = summarize(result.cases);
  for (const verdict of VERDICTS) {
    // 'not-run' was added to @1: a result written before it has no count for it.
    if ((result.summary[verdict] ?? (verdict === 'not-run' ? 0 : undefined)) !== counted[verdict]) {
      errors.push(`/summary/${verdict}: is ${result.summary[verdict]} but ${counted[verdict]} cases have verdict ${verdict}`);
    }
  }
  const seen = new Set<string>();
  result.cases.forEach((c, i) => {
    if (seen.has(c.id)) errors.push(`/cases/${i}/id: duplicate case id "${c.id}"`);
    seen.add(c.id);
    if (c.outcomes !== undefined && c.outcomes.length !== (result.targets?.length ?? -1)) {
      errors.push(`/cases/${i}/outcomes: ${c.outcomes.length} outcomes but ${result.targets?.length ?? 0} targets`);
    }
  });
  return errors;
}
