// StrykerJS on the safety modules (`npm run mutation`; long, so not in CI). Each mutant is a small
// change to one of these files; a mutant the unit tests below do not notice "survives", and is
// either killed by a new test or explained in bench/RESULTS.md.
//
// Only in-process unit tests run here: the end-to-end suites run the bundle (dist/index.js),
// which Stryker does not rebuild per mutant, so they could kill nothing.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // Jest runs the suites as native ESM (see jest.config.js).
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { configFile: 'stryker.jest.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'src/policy/**/*.ts',
    'src/ledger/marker.ts',
    'src/ledger/states.ts',
    'src/run/server-values.ts',
    'src/arazzo/secret-flow.ts',
    'src/run/secret-helper.ts',
    'src/action/inputs/credential-inputs.ts'
  ],
  // One test process at a time: the machine is small and shared.
  concurrency: 1,
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) rerun every test for each: two thirds of the time for
  // a twelfth of the mutants. Reported as ignored, not counted in the score.
  ignoreStatic: true,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null }
}
