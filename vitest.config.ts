import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions compare latencies or run times: they run one at a time, after everything else, so that no
 * other test competes for the CPU while they measure. The rest run two files at a time (most of their time is
 * spent waiting on peers and timeouts, not computing), which keeps `npm test` well under 20 minutes on 2 cores.
 */
const TIMING = [
  'test/e2e/load/**/*.test.ts',
  'test/e2e/conformance/app-server.test.ts',
  'test/e2e/conformance/chat-example.test.ts',
  'test/e2e/probe/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'concurrent', include: ['test/**/*.test.ts'], exclude: TIMING, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
