// The JSON Schema check of scenario files (docs/schemas/scenario.schema.json) and its wording: Ajv finds what is
// wrong, this turns the most telling of its errors into one line a user can act on (`roles[1].steps[0].request
// .timeout: expected a duration like 5s or 250ms, got "fast"`) instead of "must match a schema in anyOf".
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

export interface Problem {
  /** Where, as `roles[1].steps[0].request.timeout`; empty for the document itself. */
  place: string;
  message: string;
}

// The schema lives in docs/ (users point their editors at it); this module runs from the sources (vitest) and from
// dist/ (after tsc), which sit one directory apart, so both relative locations are tried.
const SCHEMA_LOCATIONS = ['../../../docs/schemas/scenario.schema.json', '../../../../docs/schemas/scenario.schema.json'];

let compiled: { validate: ValidateFunction; owners: Map<object, string> } | undefined;

export function loadFileSchema(): Record<string, unknown> {
  const tried: string[] = [];
  for (const rel of SCHEMA_LOCATIONS) {
    const url = new URL(rel, import.meta.url);
    try {
      return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      tried.push(`${url.pathname}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  throw new Error(`cannot read the scenario schema (${tried.join('; ')})`);
}

function validator(): { validate: ValidateFunction; owners: Map<object, string> } {
  if (compiled === undefined) {
    const schema = loadFileSchema();
    // verbose: errors carry the offending value (for "got ...") and the schema object (to know which $def spoke).
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true });
    const validate = ajv.compile(schema);
    // Every schema object of a $def, mapped to the def's name: Ajv's schemaPath restarts at "#" inside referenced
    // defs it compiles separately, so the owner is found by identity instead.
    const owners = new Map<object, string>();
    const defs = (schema.$defs ?? {}) as Record<string, unknown>;
    const own = (node: unknown, name: string): void => {
      if (node === null || typeof node !== 'object') return;
      if (!Array.isArray(node)) owners.set(node, name);
      for (const child of Object.values(node)) own(child, name);
    };
    for (const [name, def] of Object.entries(defs)) own(def, name);
    compiled = { validate, owners };
  }
  return compiled;
}

/** The first problem of `doc` against the file schema, or undefined when it conforms. */
export function schemaProblem(doc: unknown): Problem | undefined {
  const { validate, owners } = validator();
  if (validate(doc)) return undefined;
  const errors = validate.errors ?? [];
  if (errors.length === 0) return { place: '', message: 'does not match the scenario schema' };
  // Ajv lists an error's causes before the error; the first error names the first place found wrong. Within it, the
  // deepest path is the most specific (a bad `think.max` beats "think must be a duration or {min, max}").
  const spot = errors[0]!.instancePath;
  const inSpot = errors.filter((e) => e.instancePath === spot || e.instancePath.startsWith(`${spot}/`));
  const depth = Math.max(...inSpot.map((e) => e.instancePath.split('/').length));
  const deepest = inSpot.filter((e) => e.instancePath.split('/').length === depth);
  const said = (e: ErrorObject): string | undefined => {
    const owner = owners.get(e.parentSchema as object);
    return owner === undefined ? undefined : HANDLERS[owner]?.(e, deepest);
  };
  // An unknown key explains most (a typo); then the last error a $def words itself, which is the outermost schema
  // that failed there (Ajv lists a combinator after its branches); then Ajv's first.
  const unknownKey = deepest.find((e) => e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties');
  let message = unknownKey === undefined ? undefined : (said(unknownKey) ?? generic(unknownKey));
  let chosen = unknownKey ?? deepest[0]!;
  if (message === undefined) {
    for (let i = deepest.length - 1; i >= 0 && message === undefined; i--) {
      message = said(deepest[i]!);
      if (message !== undefined) chosen = deepest[i]!;
    }
  }
  message ??= generic(chosen);
  return { place: placeOf(doc, chosen.instancePath), message };
}

/** `/roles/1/steps/0` -> `roles[1].steps[0]`, reading the document to tell list indices from keys. */
export function placeOf(doc: unknown, pointer: string): string {
  if (pointer === '') return '';
  let place = '';
  let cur = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      place += `[${key}]`;
      cur = cur[Number(key)];
    } else {
      place = joinPlace(place, key);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
    }
  }
  return place;
}

/** `roles[0]` + `headers` -> `roles[0].headers`; keys that are not plain words are quoted: `json["a.b"]`. */
export function joinPlace(place: string, key: string | number): string {
  if (typeof key === 'number') return `${place}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return place === '' ? key : `${place}.${key}`;
  return `${place}[${JSON.stringify(key)}]`;
}

/** A value as a message quotes it: strings quoted and cut, containers named. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (v !== null && typeof v === 'object') return 'a mapping';
  return String(v);
}

const STEP_KINDS = 'send, expect, request, subscribe, think, loop, close';
const A_TYPE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'nothing',
};

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function keysOf(v: unknown): string[] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
}

function onePayload(e: ErrorObject): string | undefined {
  if (e.keyword === 'unevaluatedProperties') {
    return `unknown key "${String(e.params.unevaluatedProperty)}" (a payload is one of text, json or binary)`;
  }
  if (e.keyword !== 'oneOf') return undefined;
  const given = keysOf(e.data).filter((k) => k === 'text' || k === 'json' || k === 'binary');
  if (given.length > 1) return `has ${given.join(' and ')}: give exactly one of text, json or binary`;
  return 'needs one of text, json (sent as text) or binary (base64)';
}

/** Messages by the $def whose schema failed; undefined falls back to the generic wording. */
const HANDLERS: Record<string, ((e: ErrorObject, near: ErrorObject[]) => string | undefined) | undefined> = {
  name: (e) => `expected a name of letters, digits, _ and - (like join_1), got ${show(e.data)}`,
  duration: (e) => `expected a duration like 5s or 250ms, got ${show(e.data)}`,
  dotPath: (e) =>
    e.propertyName !== undefined
      ? `key ${show(e.propertyName)}: expected a dot path like a.b.0.c`
      : `expected a dot path like a.b.0.c, got ${show(e.data)}`,
  role: (e) => {
    if (e.keyword !== 'oneOf') return undefined;
    const keys = keysOf(e.data);
    if (keys.includes('count') && keys.includes('weight')) return 'has both count and weight: give exactly one';
    return 'needs count (that many connections) or weight (a share of the connections the counts leave)';
  },
  headers: (e) => {
    if (e.propertyName !== undefined || e.keyword === 'propertyNames') {
      return `${show(e.propertyName ?? e.params.propertyName)} is not a header name (an RFC 7230 token)`;
    }
    if (e.keyword === 'pattern') return 'a header value cannot hold CR, LF or NUL';
    return undefined;
  },
  protocols: (e) => {
    if (e.keyword === 'pattern') return `${show(e.data)} is not a subprotocol name (an RFC 7230 token; RFC 6455 §4.1)`;
    if (e.keyword === 'uniqueItems') return `offers ${show((e.data as unknown[])[e.params.i as number])} twice`;
    return undefined;
  },
  path: (e) => (e.keyword === 'pattern' ? `expected a path starting with /, got ${show(e.data)}` : undefined),
  steps: (e) => (e.keyword === 'minItems' ? 'needs at least one step' : undefined),
  step: (e) => {
    if (typeof e.data === 'string') return `a step written as text must be close, got ${show(e.data)}`;
    if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) {
      return `expected a step (close, or a mapping with one of ${STEP_KINDS}), got ${show(e.data)}`;
    }
    if (e.keyword === 'additionalProperties') return `unknown step "${String(e.params.additionalProperty)}" (one of ${STEP_KINDS})`;
    if (e.keyword === 'minProperties') return `an empty step: give one of ${STEP_KINDS}`;
    if (e.keyword === 'maxProperties') return `a step has one key of ${STEP_KINDS}; got ${keysOf(e.data).join(', ')} (one step each)`;
    return undefined;
  },
  payloadParts: onePayload,
  payload: onePayload,
  send: onePayload,
  base64: (e) => `expected bytes in base64, got ${show(e.data)}`,
  match: (e) => (e.keyword === 'minProperties' && e.instancePath.endsWith('/match') ? 'needs at least one of json, regex, text or binary' : undefined),
  request: (e) => (e.keyword === 'anyOf' ? 'needs correlate (a dot path), match, or both, to know its reply' : undefined),
  think: (e, near) => {
    if (e.keyword !== 'anyOf') return undefined;
    if (!isMapping(e.data)) return `expected a duration like 1s, or { min: 100ms, max: 2s }, got ${show(e.data)}`;
    // A mapping is the {min, max} form, whatever the duration branch says about it.
    const missing = near.find((x) => x.keyword === 'required')?.params.missingProperty as string | undefined;
    return missing === undefined ? undefined : `missing "${missing}" (a random think is { min, max })`;
  },
  close: (e) => {
    if (e.keyword === 'dependentRequired') return 'a reason needs a code (RFC 6455 §5.5.1: the body starts with the code)';
    if (e.keyword === 'anyOf' && !isMapping(e.data)) return `expected nothing or { code, reason }, got ${show(e.data)}`;
    return undefined;
  },
  closeCode: (e) => `expected a close code an endpoint may send (1000-1003, 1007-1011, 3000-4999; RFC 6455 §7.4), got ${show(e.data)}`,
};

function generic(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `missing "${String(p.missingProperty)}"`;
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const known = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object).filter((k) => k !== '$schema');
      const key = String(p.additionalProperty ?? p.unevaluatedProperty);
      return known.length > 0 ? `unknown key "${key}" (known: ${known.join(', ')})` : `unknown key "${key}"`;
    }
    case 'type':
      if (e.instancePath === '') return `expected a mapping with roles at the top, got ${show(e.data)}`;
      return `expected ${A_TYPE[String(p.type)] ?? String(p.type)}, got ${show(e.data)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `expected a number ${String(p.comparison)} ${String(p.limit)}, got ${show(e.data)}`;
    case 'minItems':
      return `expected at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}, got ${show(e.data)}`;
    case 'minLength':
      return 'must not be empty';
    case 'minProperties':
      return 'must not be empty';
    case 'const':
      return `expected ${show(p.allowedValue)}, got ${show(e.data)}`;
    default:
      return `${e.message ?? e.keyword}${e.data === undefined ? '' : `, got ${show(e.data)}`}`;
  }
}
