// Jest in native ESM mode (the layout of actions/typescript-action): every
// @actions/* package is ESM-only, so tests run under --experimental-vm-modules
// and ts-jest emits ESM. Type checking is `npm run typecheck`'s job; ts-jest
// only transpiles (isolatedModules in tsconfig.json), which keeps runs fast.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['**/__tests__/**/*.test.ts'],
  roots: ['<rootDir>/__tests__'],
  testTimeout: 30000,
  // Most suites wait on a child process (the bundle) or a loopback server rather than compute, so two
  // workers keep a 2-core runner busy; Jest's default there (cores - 1) would run them one at a time.
  maxWorkers: 2,
  // A temp root per run, checked empty at the end (__tests__/jest/temp-root.mjs).
  globalSetup: '<rootDir>/__tests__/jest/global-setup.mjs',
  globalTeardown: '<rootDir>/__tests__/jest/global-teardown.mjs',
  reporters: ['default', '<rootDir>/__tests__/jest/leftovers-reporter.mjs'],
  // No workflow commands on the run's stdout (a CI runner would act on them).
  setupFilesAfterEnv: ['<rootDir>/__tests__/jest/no-runner-commands.ts'],
  collectCoverageFrom: ['src/**/*.ts']
}
