// The Jest configuration Stryker runs (stryker.config.mjs): the project's, limited to the unit
// tests of the safety modules it mutates.
import base from './jest.config.js'

export default {
  ...base,
  testMatch: [
    '**/__tests__/policy-*.test.ts',
    '**/__tests__/ledger-parts.test.ts',
    '**/__tests__/secret-helper.test.ts',
    '**/__tests__/server-values.test.ts',
    '**/__tests__/arazzo-secret-flow.test.ts',
    '**/__tests__/input-helper.test.ts'
  ]
}
