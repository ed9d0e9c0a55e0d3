// wsprobe/vitest: `expect(result).toConform()` for vitest. Importing this module registers the matcher (put it in
// `setupFiles`, or import it in the test file). Only this module imports vitest, so the main entry never needs it.
import { expect } from 'vitest';
import type { RunResult } from '../reports/schema.js';
import { conformanceProblem, type ConformOptions } from './assert.js';
import { runConformance, type ConformanceOptions } from './index.js';

export type { ConformOptions } from './assert.js';

/** The matchers, for `expect.extend(wsprobeMatchers)` by hand. */
export const wsprobeMatchers = {
  toConform(received: unknown, options: ConformOptions = {}) {
    if (typeof received !== 'object' || received === null || (received as { schema?: unknown }).schema !== 'wsprobe/result@1') {
      return { pass: false, message: () => `expected a wsprobe RunResult, got ${typeof received === 'object' ? JSON.stringify(received)?.slice(0, 80) : String(received)}` };
    }
    const result = received as RunResult;
    const problem = conformanceProblem(result, options);
    return problem === null
      ? { pass: true, message: () => `expected ${result.target.url} not to conform, but every case passed at '${options.failOn ?? 'fail'}'` }
      : { pass: false, message: () => problem.message };
  },
};

expect.extend(wsprobeMatchers);

/** runConformance with the URL first: `expect(await wsprobeConformance(url, { cases: ['framing.*'] })).toConform()`. */
export function wsprobeConformance(url: string | URL | undefined, options: Omit<ConformanceOptions, 'url'> = {}): Promise<RunResult> {
  return runConformance({ ...options, url });
}

interface WsprobeMatchers<R = unknown> {
  /** The RunResult has no case at or beyond `failOn` (default 'fail') and no run-level finding. */
  toConform(options?: ConformOptions): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends WsprobeMatchers<T> {}
}
