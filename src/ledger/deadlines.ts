/**
 * Every request's legal clock, as pure functions over calendar days (`YYYY-MM-DD`, UTC):
 * - GDPR (Art. 12(3)): one calendar month after the request was received, extendable once by two
 *   further months. A month after the 31st is the last day of a shorter month (Regulation
 *   1182/71, Art. 3(2)(c): the period ends on the same date, or the month's last day when that date
 *   does not exist). The extension counts from receipt (three months), so clamping never compounds.
 * - CCPA (Cal. Civ. Code 1798.130(a)(2)): 45 calendar days, extendable once by 45 more.
 * - Other: `ledger-due-days` (default 30) calendar days; no extension is defined.
 * The due day itself is still in time: a request is overdue from the day after. `due-soon` starts
 * seven days before the due day.
 */
import { isCalendarDay } from '../policy/index.js'

export type Regime = 'GDPR' | 'CCPA' | 'Other'

export const REGIMES: readonly Regime[] = ['GDPR', 'CCPA', 'Other']
export const DEFAULT_OTHER_DAYS = 30
export const DUE_SOON_DAYS = 7
const DAY_MS = 86_400_000

export interface DeadlineOptions {
  /** `<label>:extended` was added: the regime's one extension applies. */
  extended?: boolean
  /** Days for `Other` (the `ledger-due-days` input). */
  otherDays?: number
}

export type DeadlineState = 'open' | 'due-soon' | 'overdue'

/** `GDPR`, `ccpa`, ` Other ` -> the regime; anything else -> undefined. */
export function parseRegime(text: string): Regime | undefined {
  const word = text.trim().toLowerCase()
  return REGIMES.find(regime => regime.toLowerCase() === word)
}

function startOf(day: string): number {
  if (!isCalendarDay(day)) throw new RangeError(`not a calendar day (YYYY-MM-DD): ${day}`)
  return Date.parse(`${day}T00:00:00Z`)
}

export function addDays(day: string, days: number): string {
  return new Date(startOf(day) + days * DAY_MS).toISOString().slice(0, 10)
}

/** The same date `months` later, or that month's last day when the date does not exist. */
export function addCalendarMonths(day: string, months: number): string {
  const date = new Date(startOf(day))
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth() + months
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const target = new Date(Date.UTC(year, month, Math.min(date.getUTCDate(), lastDay)))
  return target.toISOString().slice(0, 10)
}

/** The day a request received on `receivedOn` must be answered by. */
export function dueDate(receivedOn: string, regime: Regime, options: DeadlineOptions = {}): string {
  const extended = options.extended === true
  switch (regime) {
    case 'GDPR':
      return addCalendarMonths(receivedOn, extended ? 3 : 1)
    case 'CCPA':
      return addDays(receivedOn, extended ? 90 : 45)
    case 'Other': {
      const days = options.otherDays ?? DEFAULT_OTHER_DAYS
      if (!(Number.isInteger(days) && days >= 1 && days <= 3650)) {
        throw new RangeError(`the days of an Other request must be 1..3650, got ${days}`)
      }
      return addDays(receivedOn, days)
    }
  }
}

/** Where an unfinished request stands on `today` against its due day. */
export function deadlineState(due: string, today: string): DeadlineState {
  if (startOf(today) > startOf(due)) return 'overdue'
  if (startOf(today) >= startOf(due) - DUE_SOON_DAYS * DAY_MS) return 'due-soon'
  return 'open'
}

/** Whole days from `today` to `due` (negative once overdue). */
export function daysLeft(due: string, today: string): number {
  return Math.round((startOf(due) - startOf(today)) / DAY_MS)
}
