// StrykerJS on the safety modules (`npm run mutation`; long, so not in CI). Each mutant is a small
// change to one of these files; a mutant the unit tests below do not notice "survives", and is
// either killed by a new test or explained in bench/RESULTS.md.
//
// One module at a time (cheap on a small shared machine; how RESULTS.md was measured):
//   npx stryker run --mutate src/policy/json-text.ts
// Jest then loads only that module's suites (SUITES below), not the whole unit scope.
//
// Only in-process suites run here: the end-to-end suites run the bundle (dist/index.js), which
// Stryker does not rebuild per mutant, so they could kill nothing.

/** The suites that exercise each mutated module in-process (file names under __tests__/). */
export const SUITES = {
  'src/policy/loopback.ts': ['policy-loopback'],
  'src/policy/credentials.ts': ['policy-credentials'],
  'src/policy/json-text.ts': ['policy-json-text'],
  'src/policy/private-address.ts': ['policy-private-address'],
  'src/policy/untrusted-text.ts': ['policy-untrusted-text'],
  'src/ledger/marker.ts': ['ledger-parts'],
  'src/ledger/states.ts': ['ledger-parts'],
  'src/ledger/submit-step.ts': ['ledger-submit-step'],
  'src/run/server-values.ts': ['server-values'],
  'src/arazzo/secret-flow.ts': ['arazzo-secret-flow', 'arazzo-secret-flow.property'],
  'src/run/secret-helper.ts': ['secret-helper'],
  'src/action/inputs/credential-inputs.ts': ['input-helper']
}

/** The modules given with `--mutate` / `-m` (comma separated), or every module above. */
function mutated(argv) {
  const at = argv.findIndex(a => a === '--mutate' || a === '-m')
  const given = at >= 0 ? argv[at + 1] : argv.find(a => a.startsWith('--mutate='))?.slice(9)
  if (!given) return Object.keys(SUITES)
  return given.split(',').map(file => file.replace(/:.*$/, '').replace(/^\.\//, ''))
}

const modules = mutated(process.argv)
const unknown = modules.filter(file => !(file in SUITES))
if (unknown.length > 0) {
  throw new Error(
    `stryker.config.mjs: no suites listed for ${unknown.join(', ')} (add them to SUITES)`
  )
}
const suites = [...new Set(modules.flatMap(file => SUITES[file]))]

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  // Jest runs the suites as native ESM (see jest.config.js).
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    configFile: 'stryker.jest.config.js',
    // Only the suites of the modules being mutated (merged over stryker.jest.config.js).
    config: { testMatch: suites.map(name => `**/__tests__/${name}.test.ts`) },
    enableFindRelatedTests: false
  },
  // No TypeScript checker: on this 2-core machine it cost minutes per module (a 2.5 GB tsc process)
  // for mutants the tests mostly kill anyway. A mutant that does not type-check is then killed or
  // survives by the tests alone; survivors of that kind are marked so in bench/RESULTS.md.
  // `npx stryker run --checkers typescript` turns it back on.
  checkers: [],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: modules,
  // One test process at a time: the machine is small and shared.
  concurrency: 1,
  // Each mutant runs only the tests that reached it in the first (dry) run.
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: the escaper's patterns, the allowed sets) rerun every
  // selected test for each. With one module's suites that is cheap and they count; over the whole
  // scope they are ignored (two thirds of the time for a twelfth of the mutants).
  ignoreStatic: modules.length === Object.keys(SUITES).length,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null }
}
