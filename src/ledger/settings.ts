/**
 * What the ledger is configured with. The action's input room reads and checks the inputs
 * (src/action/inputs/ledger-inputs.ts) and hands the ledger this object: the ledger reads no input.
 */
import type { ErasureSettings } from '../run/index.js'

export interface LedgerSettings {
  /** Subjects come from open issues carrying `label`. */
  mode: 'issues'
  label: string
  githubToken: string
  closeOnDone: boolean
  /**
   * A project's keys (`erasure-api-key`/`erasure-secret-key`) for the issues that ask for an
   * erasure; absent when not given (an approved erasure then waits, and the step says why).
   */
  erasure?: ErasureSettings
}
