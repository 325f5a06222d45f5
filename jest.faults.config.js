/**
 * `npm run test:faults`: the fault tests (test/faults/*.faults.ts). They kill processes and stop databases,
 * so they run one file at a time, with the same transform and template database as `npm test`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest reads CommonJS config files; this one reuses jest.config.js
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults.ts'],
  transform: base.transform,
  globalSetup: base.globalSetup,
  globalTeardown: base.globalTeardown,
  testTimeout: 120_000,
  maxWorkers: 1,
};
