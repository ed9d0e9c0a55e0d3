// Option tables: flags > config file > defaults, and config files checked against the table.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configSchema, resolveOptions, type OptionTable } from '../../../cli/options.js';
import { UsageError } from '../../../cli/errors.js';
import { TEST_OPTIONS } from '../../../cli/commands/test.command.js';
import { FUZZ_OPTIONS } from '../../../cli/commands/fuzz.command.js';
import { LOAD_OPTIONS } from '../../../cli/commands/load.command.js';
import { CAPACITY_OPTIONS } from '../../../cli/commands/capacity.command.js';
import { PROBE_IDLE_OPTIONS } from '../../../cli/commands/probe.command.js';
import { TEST_CLIENT_OPTIONS } from '../../../cli/commands/test-client.command.js';
import { SERVE_OPTIONS } from '../../../cli/commands/serve.command.js';
import { REPORT_OPTIONS } from '../../../cli/commands/report.command.js';

const TABLE = {
  concurrency: { type: 'number', describe: 'n', default: 8, integer: true, min: 1 },
  out: { type: 'string', describe: 'dir', default: './out' },
  quick: { type: 'boolean', describe: 'q' },
  cases: { type: 'array', describe: 'patterns' },
  mode: { type: 'string', describe: 'm', choices: ['a', 'b'] },
  config: { type: 'string', describe: 'c', cliOnly: true },
} as const satisfies OptionTable;

function configFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-config-'));
  const file = join(dir, 'wsprobe.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('resolveOptions', () => {
  it('applies defaults when nothing is given', () => {
    expect(resolveOptions(TABLE, {})).toEqual({ concurrency: 8, out: './out' });
  });

  it('lets a flag win over the config file and the config file over defaults', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: 1, max: 99 })), fc.option(fc.integer({ min: 1, max: 99 })), (flag, fromFile) => {
        const argv: Record<string, unknown> = {};
        if (flag !== null) argv.concurrency = flag;
        if (fromFile !== null) argv.config = configFile({ concurrency: fromFile });
        expect(resolveOptions(TABLE, argv).concurrency).toBe(flag ?? fromFile ?? 8);
      }),
      { numRuns: 30 },
    );
  });

  it.each([
    [{ concurrency: 'many' }, /concurrency' expects a number/],
    [{ concurrency: 0 }, /at least 1/],
    [{ concurrency: 1.5 }, /whole number/],
    [{ mode: 'c' }, /one of a, b/],
    [{ quick: 'yes' }, /true or false/],
    [{ unknown: 1 }, /unknown option 'unknown'/],
    [{ config: 'x.json' }, /unknown option 'config'/],
    [[1, 2], /JSON object/],
    ['{ not json', /not valid JSON/],
  ])('rejects the config file %j as a usage error', (content, message) => {
    const call = (): unknown => resolveOptions(TABLE, { config: configFile(content) });
    expect(call).toThrow(UsageError);
    expect(call).toThrow(message);
  });

  it('rejects a missing config file as a usage error', () => {
    expect(() => resolveOptions(TABLE, { config: '/nonexistent/wsprobe.json' })).toThrow(/cannot read config file/);
  });

  it('checks flag values against the table too', () => {
    expect(() => resolveOptions(TABLE, { concurrency: -3 })).toThrow(UsageError);
    expect(resolveOptions(TABLE, { cases: 'close.*' }).cases).toEqual(['close.*']);
  });
});

// The config-file schemas in docs/schemas/ are generated from the option tables; regenerate with
// UPDATE_SCHEMAS=1 npx vitest run test/unit/cli/options.test.ts
const COMMAND_TABLES: Record<string, OptionTable> = {
  test: TEST_OPTIONS,
  fuzz: FUZZ_OPTIONS,
  load: LOAD_OPTIONS,
  capacity: CAPACITY_OPTIONS,
  probe: PROBE_IDLE_OPTIONS,
  'test-client': TEST_CLIENT_OPTIONS,
  serve: SERVE_OPTIONS,
  report: REPORT_OPTIONS,
};

describe('config file schemas', () => {
  for (const [command, table] of Object.entries(COMMAND_TABLES)) {
    it(`docs/schemas/${command}.config.schema.json matches the ${command} option table`, () => {
      const file = join(import.meta.dirname, '..', '..', '..', 'docs', 'schemas', `${command}.config.schema.json`);
      const expected = `${JSON.stringify(configSchema(command, table), null, 2)}\n`;
      if (process.env.UPDATE_SCHEMAS) writeFileSync(file, expected);
      expect(readFileSync(file, 'utf8')).toBe(expected);
    });
  }

  it('a schema lists every option but the CLI-only ones and forbids others', () => {
    const schema = configSchema('x', TABLE) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(schema.properties).sort()).toEqual(['$schema', 'cases', 'concurrency', 'mode', 'out', 'quick']);
    expect(schema.additionalProperties).toBe(false);
  });
});
