/**
 * `ledger: issues`: the DSAR issues of a private repository as a ledger, swept on a schedule. It
 * uses the run core (src/run/) and never the action: the action hands it its settings, the loaded
 * document and where to report.
 */
export {
  sweepLedger,
  type SweepReport,
  type SweepReporter,
  type LedgerDependencies
} from './sweep.js'
export type { LedgerSettings } from './settings.js'
export type { GitHubAccess } from './github-client.js'
export type { GitHubCalls } from './github-octokit.js'
export type { IssueResult } from './sweep-context.js'
export { formBody } from './form.js'
export { clockTable, type ClockRow } from './deadline-step.js'
export { DEFAULT_OTHER_DAYS, parseRegime, REGIMES, type Regime } from './deadlines.js'
