// The library's options are the command's option table under camelCase names, checked by the same resolver.
import { describe, expect, it } from 'vitest';
import { TEST_OPTIONS } from '../../../cli/commands/test.command.js';
import { UsageError, WsprobeError, SetupError } from '../../../cli/errors.js';
import { resolveApiOptions, targetText } from '../../../api/options.js';

describe('resolveApiOptions', () => {
  it('maps camelCase names to the flags and fills the defaults as the CLI does', () => {
    const o = resolveApiOptions(TEST_OPTIONS, { failOn: 'non-strict', timeoutScale: 2, cases: ['framing.*'], url: 'ws://x/' }, ['list', 'json', 'out']);
    expect(o['fail-on']).toBe('non-strict');
    expect(o['timeout-scale']).toBe(2);
    expect(o.cases).toEqual(['framing.*']);
    expect(o.concurrency).toBe(8);
    expect(o.quick).toBe(false);
  });

  it('rejects unknown and omitted options, wrong types and out-of-range values with UsageError, in camelCase', () => {
    const omit = ['list', 'json', 'out'];
    expect(() => resolveApiOptions(TEST_OPTIONS, { bogus: 1 }, omit)).toThrow(new UsageError("unknown option 'bogus'"));
    expect(() => resolveApiOptions(TEST_OPTIONS, { list: true }, omit)).toThrow(/unknown option 'list'/);
    expect(() => resolveApiOptions(TEST_OPTIONS, { concurrency: 0 }, omit)).toThrow(/^option 'concurrency' must be at least 1, got 0$/);
    expect(() => resolveApiOptions(TEST_OPTIONS, { failOn: 'sometimes' }, omit)).toThrow(/^option 'failOn' must be one of fail, non-strict/);
    expect(() => resolveApiOptions(TEST_OPTIONS, { quick: 'yes' }, omit)).toThrow(UsageError);
  });

  it('keeps the error classes in one hierarchy', () => {
    expect(new UsageError('x')).toBeInstanceOf(WsprobeError);
    expect(new SetupError('x')).toBeInstanceOf(WsprobeError);
    expect(new SetupError('x').name).toBe('SetupError');
  });

  it('takes a URL as a string or URL, and none as the embedded server', () => {
    expect(targetText(new URL('ws://127.0.0.1:1/a'))).toBe('ws://127.0.0.1:1/a');
    expect(targetText('ws://h/')).toBe('ws://h/');
    expect(targetText('')).toBeUndefined();
    expect(targetText(undefined)).toBeUndefined();
  });
});
