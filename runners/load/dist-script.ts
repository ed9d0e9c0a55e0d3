// Child processes (workers, the embedded target) run compiled code. Under vitest these modules run from source,
// so the compiled script is looked up in dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function compiledScript(moduleUrl: string, name: string): string {
  const here = fileURLToPath(moduleUrl);
  const beside = join(dirname(here), name);
  if (here.endsWith('.js') && existsSync(beside)) return beside;
  const root = join(dirname(here), '..', '..');
  const built = join(root, 'dist', 'runners', 'load', name);
  if (!existsSync(built)) throw new Error(`the load runner needs ${built}: run \`npx tsc -p tsconfig.json\` first`);
  return built;
}
