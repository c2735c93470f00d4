import { line, log } from './log.js'

/**
 * TEST HOOKS, not inputs: the reliability suites (__tests__/reliability/) stall and dribble answers
 * and answer 429 ten times in a row, which the production limits (30 s per API request, 60 s idle per
 * download attempt, back-off from 1 s, up to 2 minutes, 5 after a 429, a progress line every 3
 * minutes) would turn into minutes of waiting; the ledger suites sweep hundreds of times, and GitHub's
 * spacing of writes (1 s apart) would add a second per comment or label change. These variables
 * shorten those limits; unset (as on every real runner) the defaults apply. They are not part of the
 * action's contract.
 */
export interface TestHooks {
  /** DSAR_TEST_REQUEST_TIMEOUT_MS: per API request, and per download attempt (idle). */
  requestTimeoutMs?: number
  /** DSAR_TEST_BACKOFF_BASE_MS: first back-off of the API transport's retries. */
  backoffBaseMs?: number
  /** DSAR_TEST_BACKOFF_MAX_MS: cap of every back-off of the API transport (429s included). */
  backoffMaxMs?: number
  /** DSAR_TEST_PROGRESS_EVERY_MS: how often a run of several requests prints its progress line. */
  progressEveryMs?: number
  /**
   * DSAR_TEST_WRITE_SPACING_MS: the ledger's spacing of GitHub writes (GitHub asks for 1 s, and 3 s
   * between writes that notify, such as comments; the latter stays three times this).
   */
  writeSpacingMs?: number
}

export function testHooks(): TestHooks {
  const read = (name: string): number | undefined => {
    const text = process.env[name]
    if (text === undefined || text === '') return undefined
    if (!/^\d{1,9}$/.test(text) || Number(text) <= 0) {
      log.warning(line`${name} is not a positive whole number of milliseconds: ignored`)
      return undefined
    }
    return Number(text)
  }
  return {
    requestTimeoutMs: read('DSAR_TEST_REQUEST_TIMEOUT_MS'),
    backoffBaseMs: read('DSAR_TEST_BACKOFF_BASE_MS'),
    backoffMaxMs: read('DSAR_TEST_BACKOFF_MAX_MS'),
    progressEveryMs: read('DSAR_TEST_PROGRESS_EVERY_MS'),
    writeSpacingMs: read('DSAR_TEST_WRITE_SPACING_MS')
  }
}
