// The Jest configuration Stryker runs: the project's (jest.config.js). stryker.config.mjs narrows
// `testMatch` to the in-process suites of the modules being mutated (its SUITES table).
import base from './jest.config.js'

export default base
