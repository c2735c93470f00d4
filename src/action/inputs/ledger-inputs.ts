/**
 * The ledger's inputs (`ledger`, `ledger-label`, `github-token`, `close-on-done`, `ledger-regime`,
 * `ledger-due-days`), read and checked
 * like every other input: a bad value is refused with an InputError naming it, before any request.
 */
import {
  DEFAULT_OTHER_DAYS,
  parseRegime,
  REGIMES,
  type LedgerSettings,
  type Regime
} from '../../ledger/index.js'
import { hasControlCharacter, Inputs } from '../../run/index.js'

/** GitHub's limit on a label name. */
const MAX_LABEL = 50
/** The longest state suffix, `:awaiting-approval`: every state label must fit GitHub's limit. */
const LONGEST_SUFFIX = ':awaiting-approval'.length
export const MAX_LEDGER_LABEL = MAX_LABEL - LONGEST_SUFFIX

export interface LedgerInputReader {
  read(name: Inputs): string
  boolean(name: Inputs, fallback: boolean): boolean
  fail(name: Inputs, detail: string): Error
}

/** The ledger's settings, or undefined when `ledger` is `none` (the default). */
export function parseLedgerInputs(input: LedgerInputReader): LedgerSettings | undefined {
  const mode = (input.read(Inputs.Ledger) || 'none').toLowerCase()
  if (mode === 'none') return undefined
  if (mode !== 'issues') {
    throw input.fail(Inputs.Ledger, `must be 'none' or 'issues'`)
  }
  const label = input.read(Inputs.LedgerLabel) || 'dsar'
  if (
    label.length > MAX_LEDGER_LABEL ||
    label !== label.trim() ||
    label.includes(',') ||
    hasControlCharacter(label)
  ) {
    throw input.fail(
      Inputs.LedgerLabel,
      `must be 1 to ${MAX_LEDGER_LABEL} characters without commas, control characters or ` +
        `surrounding blanks (state labels add up to ${LONGEST_SUFFIX} more, and GitHub allows ${MAX_LABEL})`
    )
  }
  const githubToken = input.read(Inputs.GithubToken)
  if (githubToken === '') {
    throw input.fail(
      Inputs.GithubToken,
      'is empty: the ledger needs a token with `issues: write` (the default is ${{ github.token }})'
    )
  }
  if (hasControlCharacter(githubToken) || /\s/.test(githubToken)) {
    throw input.fail(Inputs.GithubToken, 'contains blanks or control characters')
  }
  return {
    mode: 'issues',
    label,
    githubToken,
    closeOnDone: input.boolean(Inputs.CloseOnDone, true),
    ...clockInputs(input)
  }
}

/** `ledger-regime` (default GDPR) and `ledger-due-days` (default 30, whole days 1..3650). */
function clockInputs(input: LedgerInputReader): { regime: Regime; dueDays: number } {
  const regimeText = input.read(Inputs.LedgerRegime)
  const regime = regimeText === '' ? 'GDPR' : parseRegime(regimeText)
  if (regime === undefined) {
    throw input.fail(Inputs.LedgerRegime, `must be one of ${REGIMES.join(', ')}`)
  }
  const daysText = input.read(Inputs.LedgerDueDays)
  const dueDays = daysText === '' ? DEFAULT_OTHER_DAYS : Number(daysText)
  if (!(/^\d{1,4}$/.test(daysText || '0') && dueDays >= 1 && dueDays <= 3650)) {
    throw input.fail(Inputs.LedgerDueDays, 'must be a whole number of days from 1 to 3650')
  }
  return { regime, dueDays }
}
