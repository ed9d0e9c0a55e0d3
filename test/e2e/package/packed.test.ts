// What users get is the packed package: `npm pack`, install the tarball into a fresh project, then use it as a user
// would. The CLI with no URL (embedded server), the ESM API, the library example (TypeScript, strict, against the
// package's own .d.ts, then its node:test and vitest suites). Needs the npm registry for the dependencies: skipped,
// saying so, when it is unreachable.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/cli.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const registryUp = spawnSync(NPM, ['view', 'ws', 'version'], { timeout: 20_000, encoding: 'utf8' }).status === 0;
if (!registryUp) console.warn('packed.test.ts: skipped, the npm registry is unreachable (`npm view ws version` failed)');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, killed (with its process group) at the timeout. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1', npm_config_fund: 'false', npm_config_audit: 'false' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const show = (r: Run): string => `exit ${r.code}\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}`;

describe.skipIf(!registryUp)('the packed package', () => {
  let work: string;
  let project: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wsprobe-pack-'));
    project = join(work, 'project');
    // `npm pack` runs `prepare` (tsc with declarations), so the tarball holds a fresh dist/ with its .d.ts. It packs
    // a copy of the project: run in the project itself, `prepare` would rewrite dist/ while other test files run
    // the CLI from it.
    const source = join(work, 'source');
    const skip = new Set(['node_modules', 'dist', '.git', 'wsprobe-report', 'test-output']);
    const copied = (src: string): boolean => {
      const parts = relative(REPO_ROOT, src).split(sep);
      return !skip.has(parts[0]!) && !parts.includes('node_modules');
    };
    cpSync(REPO_ROOT, source, { recursive: true, filter: copied });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
    const packed = await run(NPM, ['pack', '--pack-destination', work], source, 120_000);
    expect(packed.code, show(packed)).toBe(0);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    cpSync(join(REPO_ROOT, 'examples', 'library'), project, { recursive: true, filter: (src) => !/node_modules|[/\\]dist$/.test(src) });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'wsprobe-packed-test', private: true, type: 'module' }, null, 2));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const installed = await run(
      NPM,
      ['install', '--no-audit', '--no-fund', '--no-package-lock', join(work, tarball!), `@types/node@${pkg.devDependencies['@types/node']}`, `@types/ws@${pkg.devDependencies['@types/ws']}`],
      project,
      240_000,
    );
    expect(installed.code, show(installed)).toBe(0);
    // vitest is an optional peer of wsprobe/vitest: the project's own copy (here, the repository's) is used.
    symlinkSync(join(REPO_ROOT, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'), 'dir');
  }, 300_000);

  afterAll(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('ships the API and its types, not the tests', () => {
    const root = join(project, 'node_modules', 'wsprobe');
    for (const f of ['dist/api/index.js', 'dist/api/index.d.ts', 'dist/api/vitest.d.ts', 'dist/cli/main.js', 'bin/wsprobe.js', 'docs/api.md']) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    expect(existsSync(join(root, 'dist', 'test'))).toBe(false);
  });

  it('runs `npx wsprobe test --quick --cases framing.*` against the embedded server', async () => {
    const r = await run(NPM, ['exec', '--no', '--', 'wsprobe', 'test', '--quick', '--cases', 'framing.*', '--out', 'report'], project, 90_000);
    expect(r.code, show(r)).toBe(0);
    const result = JSON.parse(readFileSync(join(project, 'report', 'results.json'), 'utf8')) as { summary: Record<string, number>; target: { embedded?: boolean } };
    expect(result.target.embedded).toBe(true);
    expect(result.summary.pass).toBeGreaterThan(10);
    expect(result.summary.fail).toBe(0);
    expect(existsSync(join(project, 'report', 'junit.xml'))).toBe(true);
  }, 120_000);

  it('imports the API from plain ESM and runs it against the embedded server', async () => {
    writeFileSync(
      join(project, 'api.mjs'),
      [
        "import { runConformance, startReferenceServer, UsageError } from 'wsprobe';",
        'const events = [];',
        "const result = await runConformance({ cases: ['framing.*'], quick: true, onProgress: (e) => events.push(e.type) });",
        'const server = await startReferenceServer();',
        "let usage = '';",
        "try { await runConformance({ url: server.url, concurrency: 0 }); } catch (e) { usage = e instanceof UsageError ? e.message : 'wrong class'; }",
        'await server.close();',
        "console.log(JSON.stringify({ kind: result.kind, summary: result.summary, ends: events.filter((t) => t === 'case-end').length, usage }));",
      ].join('\n'),
    );
    const r = await run(process.execPath, ['api.mjs'], project, 90_000);
    expect(r.code, show(r)).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { kind: string; summary: Record<string, number>; ends: number; usage: string };
    expect(out.kind).toBe('conformance');
    expect(out.summary.fail).toBe(0);
    expect(out.ends).toBe(out.summary.pass);
    expect(out.usage).toMatch(/option 'concurrency' must be at least 1/);
  }, 120_000);

  it('compiles the TypeScript example under strict against the package .d.ts, and its test suites pass', async () => {
    const tsc = await run(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project, 90_000);
    expect(tsc.code, show(tsc)).toBe(0);
    const nodeTest = await run(process.execPath, ['--test', 'dist/test/conformance.node.test.js'], project, 120_000);
    expect(nodeTest.code, show(nodeTest)).toBe(0);
    const vitest = await run(process.execPath, [join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/conformance.vitest.test.ts', '--root', project], project, 120_000);
    expect(vitest.code, show(vitest)).toBe(0);
  }, 300_000);
});
