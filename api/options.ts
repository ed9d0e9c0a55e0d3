// A command's option table, seen from TypeScript: the same options as the flags and the config file, with
// camelCase names (`failOn` for --fail-on), checked by the same resolver, so the library cannot drift from the CLI.
import type { OptionSpec, OptionTable, Resolved } from '../cli/options.js';
import { resolveOptions } from '../cli/options.js';
import { UsageError } from '../cli/errors.js';

/** 'fail-on' -> 'failOn'. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** An option's value: its choices as a union when it has them, else the resolved type. */
type ValueOf<S extends OptionSpec, R> = S extends { choices: readonly (infer C)[] } ? C : NonNullable<R>;

/** The library form of a command's options: every option of the table but `Omit`, camelCased, all optional. */
export type ApiOptions<T extends OptionTable, Omit extends string = never> = {
  -readonly [K in Exclude<keyof T & string, Omit> as CamelCase<K>]?: ValueOf<T[K], Resolved<T>[K]>;
};

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Checks library options against the table (unknown names, wrong types, out-of-range numbers are UsageErrors, as
 * for flags) and fills in the defaults. `skip` names the keys the caller handles itself (url, signal, onProgress).
 */
export function resolveApiOptions<T extends OptionTable>(
  table: T,
  options: object,
  omit: readonly string[],
  skip: readonly string[] = ['url', 'signal', 'onProgress'],
): Resolved<T> {
  const argv: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (skip.includes(key) || value === undefined) continue;
    const name = kebab(key);
    if (!(name in table) || omit.includes(name)) throw new UsageError(`unknown option '${key}'`);
    argv[name] = value;
  }
  try {
    return resolveOptions(table, argv);
  } catch (err) {
    // The resolver names flags; a library caller wrote camelCase option names.
    if (err instanceof UsageError && err.message.startsWith('flag: ')) {
      throw new UsageError(err.message.slice('flag: '.length).replace(/^option '([^']+)'/, (_, n: string) => `option '${n.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())}'`));
    }
    throw err;
  }
}

/** The target URL of a run: a string or URL, or none for the embedded reference server. */
export function targetText(url: string | URL | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  return typeof url === 'string' ? url : url.href;
}
