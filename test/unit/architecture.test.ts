// The import rules of design.md, checked on every source file so they cannot rot:
// protocol <- peers <- suites <- runners <- cli; reports imports only its schema; protocol is sans-I/O.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LAYERS = ['protocol', 'peers', 'suites', 'runners', 'cli'] as const;
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

const FORBIDDEN_IN_PROTOCOL = /^(node:)?(net|tls|http|https|http2|stream|stream\/promises|timers|timers\/promises|dgram|child_process|worker_threads|cluster|fs|fs\/promises)$/;

describe('architecture', () => {
  it('finds the import statements it checks', () => {
    const sample = `import { a } from './a.js';\nimport type { B } from "../b.js";\nexport * from './c.js';\nconst d = await import('./d.js');`;
    expect(importsOf(sample)).toEqual(['./a.js', '../b.js', './c.js', './d.js']);
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

  it('layers import only layers below them (protocol <- peers <- suites <- runners <- cli)', () => {
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
          if (layer === 'runners' && !/reports\/schema\.js$/.test(spec) && !/reports\/(merge|json)\.js$/.test(spec)) {
            bad.push(`${file}: ${spec} (runners use reports/schema only, plus merge for shards)`);
          } else if (layer !== 'runners' && layer !== 'cli' && !/reports\/schema\.js$/.test(spec)) {
            bad.push(`${file}: ${spec} (only runners and cli import reports)`);
          }
          continue;
        }
        if (LAYERS.indexOf(target) > rank) bad.push(`${file}: ${spec} (${layer} must not import ${target})`);
      }
    }
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
});
