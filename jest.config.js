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
  collectCoverageFrom: ['src/**/*.ts']
}
