/**
 * What the ledger is configured with. The action's input room reads and checks the inputs
 * (src/action/inputs/ledger-inputs.ts) and hands the ledger this object: the ledger reads no input.
 */
import type { ErasureSettings } from '../run/index.js'
import type { Regime } from './deadlines.js'

export interface LedgerSettings {
  /** Subjects come from open issues carrying `label`. */
  mode: 'issues'
  label: string
  githubToken: string
  closeOnDone: boolean
  /** The regime of an issue whose form leaves `Regime` empty (`ledger-regime`). */
  regime: Regime
  /** Days to answer an `Other` request (`ledger-due-days`). */
  dueDays: number
  /**
   * A project's keys (`erasure-api-key`/`erasure-secret-key`) for the issues that ask for an
   * erasure; absent when not given (an approved erasure then waits, and the step says why).
   */
  erasure?: ErasureSettings
}
