#!/usr/bin/env node
// Launcher: the CLI is compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('wsprobe: not built yet (dist/cli/main.js missing): run `npm ci` or `npm run build`\n');
  process.exit(2);
}
await import(pathToFileURL(main).href);
