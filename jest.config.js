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
  // The coverage gate (npm run test:coverage, run by CI): the unit tests alone, over the code every deployment runs
  // through. Thresholds sit a few points under what they measured (2026-11-25, after the generators moved to tools/:
  // functions/shared 89.5 % lines, 76.0 % branches, 66.1 % functions; infra 98.3 / 84.1 / 87.1; model 96.2 / 84.1 /
  // 84.2), so a real drop fails and noise does not. functions/shared is also exercised by the integration suites,
  // which this gate does not count.
  collectCoverageFrom: ['functions/shared/**/*.ts', 'infra/**/*.ts', 'model/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: {
    './functions/shared/': { lines: 85, branches: 70, functions: 60 },
    './infra/': { lines: 95, branches: 80, functions: 83 },
    './model/': { lines: 92, branches: 80, functions: 80 },
  },
};
