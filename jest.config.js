/** Jest runs transpile-only; `npm test` type-checks the whole tree once with `tsc --noEmit` first. */
const { availableParallelism } = require('node:os');

module.exports = {
  // Suites wait on child processes (dynalite, the chaos system) and loopback I/O, so two workers overlap even on
  // two cores: measured 98 s with one worker, 61 s with two.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The chaos run takes ~40 s on 2 cores: its own command (npm run test:chaos), which CI runs after npm test.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/chaos/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
  testTimeout: 30000,
};
