/** @type {import('jest').Config} */
const swc = (tsx) => ['@swc/jest', {
  jsc: { parser: { syntax: 'typescript', tsx }, target: 'es2022', ...(tsx ? { transform: { react: { runtime: 'automatic' } } } : {}) },
  module: { type: 'commonjs' },
}];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/core', '<rootDir>/connectors', '<rootDir>/server', '<rootDir>/manifests'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: {
    '^.+\\.tsx$': swc(true),
    '^.+\\.(t|j)s$': swc(false),
  },
  // The HubSpot card's packages ship ES modules only (manifests/hubspot): compiled like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(@hubspot/ui-extensions|@remote-ui|tinyspy)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
