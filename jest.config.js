/**
 * Two projects: `unit` (specs beside the code, no servers) and `integration` (test/, against the real
 * Kafka and Cassandra that test/support/global-setup.ts starts when they are not already running).
 */
const moduleNameMapper = {
  '^@reeltime/(config|contracts|kafka|cassandra|observability|runtime)$': '<rootDir>/libs/$1/src',
  '^@reeltime/infra$': '<rootDir>/tools/infra',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 180000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
