/**
 * How the action reads what a status answer says, beyond its shape (src/run/server-values.ts
 * checks that first):
 * - statuses are words compared case-insensitively everywhere (the criteria already are), so `DONE`
 *   is done; they are reported lowercase;
 * - `expires` is documented only as a "Date": a date without a time is the end of that day, UTC;
 * - the date range a status answer names (`startDate`, `endDate`), so a resumed request's receipt
 *   records what Amplitude holds rather than a default;
 * - the subject (`userId` or `amplitudeId`) a status answer names, for runs that resume by request
 *   id and would otherwise not know whose request it is.
 */
import type { Subject } from './subjects.js'
import { hasControlCharacter } from './secret-helper.js'

/** Statuses across both contracts: the documented API's and the seed's (lowercase). */
export const DONE_STATUSES = new Set(['done', 'complete'])
export const FAILED_STATUSES = new Set(['failed'])
export const PENDING_STATUSES = new Set(['staging', 'submitted', 'pending', 'processing'])

export function normalizeStatus(status: string): string {
  return status.toLowerCase()
}

export function isKnownStatus(status: string): boolean {
  const word = normalizeStatus(status)
  return DONE_STATUSES.has(word) || FAILED_STATUSES.has(word) || PENDING_STATUSES.has(word)
}

/** `2026-12-03` -> `2026-12-03T23:59:59Z` (the links work through that day); others unchanged. */
export function expiresAt(expires: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T23:59:59Z` : expires
}

/** The longest user id the action accepts as input (subject-inputs.ts), and so from a server. */
const MAX_USER_ID_LENGTH = 1024

/** What ends a shell quote or starts an expansion: outputs are pasted into scripts. */
const SHELL_SPECIAL = /["'`$\\]/

/**
 * The subject a status answer names, when it has the shape of one (a user id of at most 1,024
 * characters, without control characters, quotes, backslashes or `$`; or a non-negative integer
 * Amplitude id); otherwise none: it is only a label, never worth failing a request for.
 */
export function answeredSubject(outputs: Record<string, unknown>): Subject | undefined {
  const { userId, amplitudeId } = outputs
  if (typeof userId === 'string' || typeof userId === 'number') {
    const text = String(userId)
    const fits =
      text.trim() !== '' &&
      [...text].length <= MAX_USER_ID_LENGTH &&
      !hasControlCharacter(text) &&
      !SHELL_SPECIAL.test(text)
    if (fits) return { kind: 'userId', userId: text }
  }
  if (typeof amplitudeId === 'number' && Number.isSafeInteger(amplitudeId) && amplitudeId >= 0) {
    return { kind: 'amplitudeId', amplitudeId }
  }
  return undefined
}

/**
 * The date range of a request and where it was learnt: `asked` (this run sent it) or `amplitude`
 * (a status answer said it). Unknown, it is absent: a resumed request's range is never guessed.
 */
export interface RequestDates {
  startDate: string
  endDate: string
  from: 'asked' | 'amplitude'
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

export function askedDates(inputs: Record<string, unknown>): RequestDates | undefined {
  const { startDate, endDate } = inputs
  return typeof startDate === 'string' && typeof endDate === 'string'
    ? { startDate, endDate, from: 'asked' }
    : undefined
}

/** The range a status answer names, when both ends are calendar days (YYYY-MM-DD). */
export function answeredDates(outputs: Record<string, unknown>): RequestDates | undefined {
  const { startDate, endDate } = outputs
  return typeof startDate === 'string' &&
    typeof endDate === 'string' &&
    DAY.test(startDate) &&
    DAY.test(endDate)
    ? { startDate, endDate, from: 'amplitude' }
    : undefined
}
