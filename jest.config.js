/** One Temporal dev server and one workflow bundle serve the whole run (test/setup). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // A ceiling for hangs, not a speed check: a loaded 2-core machine runs the heavier tests several times slower.
  testTimeout: 180_000,
  maxWorkers: 2,
};
