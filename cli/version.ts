import { readFileSync } from 'node:fs';

function readVersion(): string {
  // cli/ sits at the same depth in the sources and in dist/, so package.json is two or three levels up.
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wsprobe' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = readVersion();
