// Counts what the tests left in the run's temp root (see temp-root.mjs) once every test file has
// finished: a run whose tests all passed but left files behind fails, naming what was left.
// (Reporters see the end of the run before globalTeardown removes the root.)
import { readdirSync } from 'node:fs'
import { ROOT_VARIABLE } from './temp-root.mjs'

export default class LeftoversReporter {
  #error = undefined

  onRunComplete(_contexts, results) {
    const root = process.env[ROOT_VARIABLE]
    if (!root) return
    let left
    try {
      left = readdirSync(root)
    } catch {
      return
    }
    // Caches the tools' own processes keep in TMPDIR (Node's module compile cache, tsx's transform
    // cache): shared between runs by design, not a test's files; removed with the root.
    left = left.filter(name => name !== 'node-compile-cache' && !/^tsx-\d+$/.test(name))
    if (left.length === 0) return
    const shown = left.slice(0, 20).join(', ') + (left.length > 20 ? ', ...' : '')
    const message = `Tests left ${left.length} temporary file(s) or folder(s) behind: ${shown}`
    process.stderr.write(`\n${message}\n`)
    // A failed test may skip its clean-up; only a green run is held to it.
    if (results.numFailedTests === 0 && results.numRuntimeErrorTestSuites === 0) {
      this.#error = new Error(message)
    }
  }

  getLastError() {
    return this.#error
  }
}
