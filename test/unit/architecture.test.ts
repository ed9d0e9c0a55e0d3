// The import rules of design.md, checked on every source file so they cannot rot:
// protocol <- peers <- suites <- runners <- cli <- api; reports imports only its schema; protocol is sans-I/O.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAYERS = ['protocol', 'peers', 'suites', 'runners', 'cli', 'api'] as const;
type Layer = (typeof LAYERS)[number] | 'reports';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every text file of the project: sources, tests, docs, scripts, configs (not installed or generated trees). */
function projectFiles(dir: string): string[] {
  const skip = new Set(['node_modules', 'dist', '.git', 'wsprobe-report', 'test-output']);
  const text = /\.(ts|js|mjs|cjs|json|md|txt|tsv|yml|yaml|sh|html)$|^run$/;
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...projectFiles(path));
    else if (text.test(name)) out.push(path);
  }
  return out;
}

interface Import {
  file: string;
  spec: string;
}

/** Static and dynamic imports and re-exports, ignoring type-only imports (they vanish at run time but still
 * count for layering, so they are included too). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) specs.push(m[1] ?? m[2]!);
  return specs;
}

function layerOf(absPath: string): Layer | undefined {
  const top = relative(root, absPath).split(sep)[0];
  return (LAYERS as readonly string[]).includes(top!) || top === 'reports' ? (top as Layer) : undefined;
}

function allImports(layer: Layer): Import[] {
  return sourceFiles(join(root, layer)).flatMap((file) =>
    importsOf(readFileSync(file, 'utf8')).map((spec) => ({ file: relative(root, file), spec })),
  );
}

const SOCKET_MODULES = ['net', 'tls', 'dgram', 'http', 'https', 'http2'] as const;
/** Pure address helpers of node:net: they parse strings and open nothing (runners/load/source-ips.ts uses isIP). */
const PURE_NET_HELPERS = new Set(['isIP', 'isIPv4', 'isIPv6']);

interface SocketImport {
  /** The module without its `node:` prefix. */
  module: string;
  /** Imported names: `default` for a default import, `*` for a namespace, re-export-all, dynamic import or require,
   * none for a bare side-effect import (which still counts: it names the module). */
  names: string[];
}

/** Every import, re-export, dynamic import or require of a socket module, with the names it takes. */
export function socketImportsOf(text: string): SocketImport[] {
  const mod = `['"](?:node:)?(${SOCKET_MODULES.join('|')})['"]`;
  const out: SocketImport[] = [];
  const fromRe = new RegExp(`\\b(?:import|export)\\s+(?:type\\s+)?([^'"\`;]*?)\\s*from\\s*${mod}`, 'g');
  for (const m of text.matchAll(fromRe)) out.push({ module: m[2]!, names: clauseNames(m[1]!) });
  for (const m of text.matchAll(new RegExp(`\\bimport\\s*${mod}`, 'g'))) out.push({ module: m[1]!, names: [] });
  for (const m of text.matchAll(new RegExp(`\\b(?:import|require)\\s*\\(\\s*${mod}\\s*\\)`, 'g'))) out.push({ module: m[1]!, names: ['*'] });
  return out;
}

/** `a, { b, type c, d as e }` -> default, b, c, d; `* as x` and `*` -> *. */
function clauseNames(clause: string): string[] {
  const names: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  const outside = clause.replace(/\{[^}]*\}/, '').split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const part of outside) names.push(part.startsWith('*') ? '*' : 'default');
  for (const spec of braces?.[1]?.split(',') ?? []) {
    const name = spec.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim();
    if (name !== '') names.push(name);
  }
  return names;
}

const FORBIDDEN_IN_PROTOCOL = /^(node:)?(net|tls|http|https|http2|stream|stream\/promises|timers|timers\/promises|dgram|child_process|worker_threads|cluster|fs|fs\/promises)$/;

describe('architecture', () => {
  it('finds the import statements it checks', () => {
    const sample = `import { a } from './a.js';\nimport type { B } from "../b.js";\nexport * from './c.js';\nconst d = await import('./d.js');`;
    expect(importsOf(sample)).toEqual(['./a.js', '../b.js', './c.js', './d.js']);
  });

  it('finds the socket-module imports and the names they take', () => {
    const sample = [
      `import { isIP } from 'node:net';`,
      `import net, { connect as c, type Socket } from "net";`,
      `import * as tls from 'node:tls';`,
      `import type {\n  IncomingMessage,\n  ServerResponse,\n} from 'node:http';`,
      `export * from 'node:https';`,
      `import 'node:dgram';`,
      `const h2 = await import('node:http2');`,
      `import { readFileSync } from 'node:fs';`,
      `import { x } from './net.js';`,
    ].join('\n');
    expect(socketImportsOf(sample)).toEqual([
      { module: 'net', names: ['isIP'] },
      { module: 'net', names: ['default', 'connect', 'Socket'] },
      { module: 'tls', names: ['*'] },
      { module: 'http', names: ['IncomingMessage', 'ServerResponse'] },
      { module: 'https', names: ['*'] },
      { module: 'dgram', names: [] },
      { module: 'http2', names: ['*'] },
    ]);
  });

  it('only peers/ imports socket modules (net, tls, dgram, http, https, http2); others may take isIP/isIPv4/isIPv6', () => {
    const bad: string[] = [];
    for (const layer of [...LAYERS, 'reports'] as const) {
      if (layer === 'peers') continue;
      for (const file of sourceFiles(join(root, layer))) {
        for (const { module, names } of socketImportsOf(readFileSync(file, 'utf8'))) {
          const pure = module === 'net' && names.length > 0 && names.every((n) => PURE_NET_HELPERS.has(n));
          if (!pure) bad.push(`${relative(root, file)}: node:${module} {${names.join(', ')}} (only peers/ touches sockets)`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('protocol/ is sans-I/O: no sockets, streams, timers or files, and imports nothing outside protocol/', () => {
    const bad: string[] = [];
    for (const { file, spec } of allImports('protocol')) {
      if (FORBIDDEN_IN_PROTOCOL.test(spec)) bad.push(`${file}: ${spec}`);
      else if (spec.startsWith('.')) {
        const target = resolve(root, dirname(file), spec);
        if (layerOf(target) !== 'protocol') bad.push(`${file}: ${spec}`);
      } else if (!spec.startsWith('node:')) bad.push(`${file}: ${spec} (a package)`);
    }
    for (const file of sourceFiles(join(root, 'protocol'))) {
      const text = readFileSync(file, 'utf8');
      if (/\b(setTimeout|setInterval|setImmediate)\s*\(/.test(text)) bad.push(`${relative(root, file)}: uses a timer`);
    }
    expect(bad).toEqual([]);
  });

  it('layers import only layers below them (protocol <- peers <- suites <- runners <- cli <- api)', () => {
    const bad: string[] = [];
    for (const layer of LAYERS) {
      const rank = LAYERS.indexOf(layer);
      for (const { file, spec } of allImports(layer)) {
        if (!spec.startsWith('.')) continue;
        const target = layerOf(resolve(root, dirname(file), spec));
        if (target === undefined) {
          bad.push(`${file}: ${spec} (outside the source layers)`);
          continue;
        }
        if (target === 'reports') {
          // Runners may use the result types; the CLI uses the writers.
          if (layer === 'runners' && !/reports\/schema\.js$/.test(spec) && !/reports\/(merge|json|histogram)\.js$/.test(spec)) {
            bad.push(`${file}: ${spec} (runners use reports/schema only, plus merge for shards and histogram for HDR summaries)`);
          } else if (layer !== 'runners' && layer !== 'cli' && layer !== 'api' && !/reports\/schema\.js$/.test(spec)) {
            bad.push(`${file}: ${spec} (only runners, cli and api import reports)`);
          }
          continue;
        }
        if (LAYERS.indexOf(target) > rank) bad.push(`${file}: ${spec} (${layer} must not import ${target})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('api/ (the library) never writes to stdout or stderr and never exits; only api/vitest.ts imports vitest', () => {
    const bad: string[] = [];
    for (const file of sourceFiles(join(root, 'api'))) {
      const rel = relative(root, file).split(sep).join('/');
      const text = readFileSync(file, 'utf8');
      if (/process\.(stdout|stderr)|process\.exit\(|console\./.test(text)) bad.push(`${rel}: prints or exits`);
      if (rel !== 'api/vitest.ts' && importsOf(text).some((s) => s === 'vitest' || s.startsWith('vitest/'))) bad.push(`${rel}: imports vitest`);
    }
    expect(sourceFiles(join(root, 'api')).length).toBeGreaterThan(0);
    expect(bad).toEqual([]);
  });

  it('reports/ imports only its own modules, packages and node built-ins', () => {
    const bad: string[] = [];
    for (const { file, spec } of allImports('reports')) {
      if (!spec.startsWith('.')) continue;
      if (layerOf(resolve(root, dirname(file), spec)) !== 'reports') bad.push(`${file}: ${spec}`);
    }
    expect(bad).toEqual([]);
  });

  it('the project stands alone: no tracked file points outside it (a clone has nothing beside it)', () => {
    // A path into the team folder beside a checkout, written either as a path or as join() parts.
    const besideRe = [String.raw`\.\.[/\\]+shared\b`, String.raw`'\.\.'\s*,\s*'shared'`].map((r) => new RegExp(r));
    const bad: string[] = [];
    for (const file of projectFiles(root)) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(root, file);
      for (const re of besideRe) if (re.test(text)) bad.push(`${rel}: ${re.source}`);
      if (!file.endsWith('.ts')) continue;
      for (const spec of importsOf(text)) {
        if (spec.startsWith('.') && relative(root, resolve(dirname(file), spec)).startsWith('..')) {
          bad.push(`${rel}: imports ${spec} from outside the project`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('the stand-alone check sees a path beside the project', () => {
    // Built from pieces so this file itself holds no such path.
    const sample = `see ${'.'.repeat(2)}/${'sha' + 'red'}/design.md`;
    expect(/\.\.[/\\]+shared\b/.test(sample)).toBe(true);
    expect(projectFiles(root).some((f) => f.endsWith('architecture.test.ts'))).toBe(true);
  });

  it('one module judges target frames: outside protocol/, only peers/raw/observer.ts validates or decodes them', () => {
    // The load connection decodes the target's frames only to count pongs and echoes for latency; nothing grades them.
    const decoders = new Set(['peers/raw/observer.ts', 'peers/load/load-connection.ts']);
    const bad: string[] = [];
    for (const layer of ['peers', 'suites', 'runners', 'cli', 'reports'] as const) {
      for (const { file, spec } of allImports(layer)) {
        if (spec.endsWith('frame/validate.js') && file !== join('peers', 'raw', 'observer.ts')) bad.push(`${file}: validates frames (${spec})`);
        if (spec.endsWith('frame/decoder.js') && !decoders.has(file.split(sep).join('/'))) bad.push(`${file}: decodes frames (${spec})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the grader assigns verdicts: suites/grade/grade.ts and, for client cases, suites/grade/client.ts (reports only combine them)', () => {
    const verdicts = '(?:pass|fail|non-strict|informational|unimplemented|error|not-run)';
    const verdictRe = new RegExp(`verdict\\s*[:=]\\s*'${verdicts}'|\\b(?:result|clientGrade)\\(\\s*'${verdicts}'`);
    const graders = ['suites/grade/grade.ts', 'suites/grade/client.ts'];
    const bad: string[] = [];
    for (const layer of ['protocol', 'peers', 'suites', 'runners', 'cli'] as const) {
      for (const file of sourceFiles(join(root, layer))) {
        const rel = relative(root, file).split(sep).join('/');
        if (graders.includes(rel)) continue;
        if (verdictRe.test(readFileSync(file, 'utf8'))) bad.push(rel);
      }
    }
    expect(bad).toEqual([]);
    for (const g of graders) expect(verdictRe.test(readFileSync(join(root, ...g.split('/')), 'utf8')), g).toBe(true);
  });

  it('the observer is sans-I/O: no sockets, streams, timers or files in peers/raw/observer.ts and what it imports', () => {
    const seen = new Set<string>();
    const queue = [join(root, 'peers', 'raw', 'observer.ts')];
    const bad: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      if (/\bset(?:Timeout|Interval|Immediate)\(/.test(text)) bad.push(`${relative(root, file)}: uses a timer`);
      for (const spec of importsOf(text)) {
        if (/^(?:node:)?(?:net|tls|dgram|http|https|http2|stream|timers|fs)(?:\/|$)/.test(spec)) bad.push(`${relative(root, file)}: imports ${spec}`);
        if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(bad).toEqual([]);
  });
});
