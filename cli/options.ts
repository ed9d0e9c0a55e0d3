// One typed option table per command generates its yargs builder and the JSON Schema of its config file, so the
// flags and the config file cannot drift apart. Flags win over the config file; the config file wins over defaults.
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UsageError } from './errors.js';

export interface OptionSpec {
  type: 'string' | 'number' | 'boolean' | 'array';
  describe: string;
  /** For arrays: the type of each item. */
  items?: 'string' | 'number';
  default?: string | number | boolean | readonly (string | number)[];
  choices?: readonly string[];
  alias?: string;
  /** Lower bound for numbers (inclusive). */
  min?: number;
  /** Upper bound for numbers (inclusive). */
  max?: number;
  integer?: boolean;
  /** Not accepted in a config file (e.g. --config itself). */
  cliOnly?: boolean;
}

export type OptionTable = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'string'
  ? string
  : S['type'] extends 'number'
    ? number
    : S['type'] extends 'boolean'
      ? boolean
      : S['items'] extends 'number'
        ? number[]
        : string[];

/** Resolved options: every key of the table, undefined when neither flag, config nor default gave it. */
export type Resolved<T extends OptionTable> = { [K in keyof T]: ValueOf<T[K]> | (T[K]['default'] extends undefined ? undefined : never) };

export const CONFIG_OPTION: OptionSpec = {
  type: 'string',
  describe: 'JSON config file giving any option of this command (flags win)',
  cliOnly: true,
};

/** Registers the table's options on a yargs builder. Defaults are applied later, so the config file can fill gaps. */
export function applyOptions<T>(y: Argv<T>, table: OptionTable): Argv<T> {
  let out = y;
  for (const [name, spec] of Object.entries(table)) {
    const describe = spec.default === undefined ? spec.describe : `${spec.describe} [default: ${JSON.stringify(spec.default)}]`;
    out = out.option(name, {
      type: spec.type === 'array' ? 'array' : spec.type,
      describe,
      choices: spec.choices as string[] | undefined,
      alias: spec.alias,
      string: spec.type === 'array' && spec.items !== 'number' ? true : undefined,
      requiresArg: spec.type !== 'boolean',
    }) as Argv<T>;
  }
  return out;
}

/** The builder of a command aimed at a target: the optional URL positional, then the command's option table. */
export function targetBuilder(table: OptionTable): (y: Argv<object>) => Argv<Record<string, unknown>> {
  return (y) => applyOptions(y.positional('url', { type: 'string', describe: 'ws:// or wss:// target (none: the embedded reference server)' }), table) as Argv<Record<string, unknown>>;
}

/** The JSON Schema of a command's config file. */
export function configSchema(command: string, table: OptionTable): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    if (spec.cliOnly) continue;
    const base: Record<string, unknown> = { description: spec.describe };
    if (spec.type === 'array') {
      base.type = 'array';
      base.items = { type: spec.items ?? 'string' };
    } else {
      base.type = spec.type === 'number' && spec.integer ? 'integer' : spec.type;
      if (spec.choices) base.enum = [...spec.choices];
      if (spec.min !== undefined) base.minimum = spec.min;
      if (spec.max !== undefined) base.maximum = spec.max;
    }
    if (spec.default !== undefined) base.default = spec.default;
    properties[name] = base;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `wsprobe ${command} config`,
    type: 'object',
    additionalProperties: false,
    properties: { $schema: { type: 'string' }, ...properties },
  };
}

function checkValue(name: string, spec: OptionSpec, value: unknown, origin: string): unknown {
  const fail = (what: string): never => {
    throw new UsageError(`${origin}: option '${name}' ${what}`);
  };
  if (spec.type === 'array') {
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => {
      if (spec.items === 'number') {
        const n = typeof item === 'number' ? item : Number(item);
        if (!Number.isFinite(n)) fail(`expects numbers, got ${JSON.stringify(item)}`);
        return n;
      }
      if (typeof item !== 'string' && typeof item !== 'number') fail(`expects strings, got ${JSON.stringify(item)}`);
      return String(item);
    });
  }
  if (spec.type === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) fail(`expects a number, got ${JSON.stringify(value)}`);
    if (spec.integer && !Number.isInteger(n)) fail(`expects a whole number, got ${n}`);
    if (spec.min !== undefined && n < spec.min) fail(`must be at least ${spec.min}, got ${n}`);
    if (spec.max !== undefined && n > spec.max) fail(`must be at most ${spec.max}, got ${n}`);
    return n;
  }
  if (spec.type === 'boolean') {
    if (typeof value !== 'boolean') fail(`expects true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== 'string') fail(`expects a string, got ${JSON.stringify(value)}`);
  if (spec.choices && !spec.choices.includes(value as string)) fail(`must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

/** Reads and checks a config file against the table: unknown keys and wrong types are usage errors. */
export function readConfigFile(file: string, table: OptionTable): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`config file ${file} must hold a JSON object`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === '$schema') continue;
    const spec = table[key];
    if (!spec || spec.cliOnly) throw new UsageError(`config file ${file}: unknown option '${key}'`);
    out[key] = checkValue(key, spec, value, `config file ${file}`);
  }
  return out;
}

/**
 * Merges defaults < config file < flags, and checks every value against the table. `argv` is what yargs parsed;
 * only keys the user gave count as flags (no yargs defaults are registered).
 */
export function resolveOptions<T extends OptionTable>(table: T, argv: Record<string, unknown>): Resolved<T> {
  const configFile = typeof argv.config === 'string' ? argv.config : undefined;
  const fromConfig = configFile ? readConfigFile(configFile, table) : {};
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const flag = argv[name];
    if (flag !== undefined) out[name] = checkValue(name, spec, flag, 'flag');
    else if (name in fromConfig) out[name] = fromConfig[name];
    else if (spec.default !== undefined) out[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  }
  return out as Resolved<T>;
}
