/** The date range of a DSAR (`start-date`, `end-date`, or the issue form's dates). */
import { isCalendarDay } from '../policy/index.js'
import { InputError, quote } from './input-error.js'
import { Inputs } from './input-names.js'

// Amplitude was founded in 2012; anything before 2000 is a typo such as 0202-01-01.
const DEFAULT_START_DATE = '2012-01-01'
const EARLIEST_START_DATE = '2000-01-01'

/**
 * Dates are calendar days in UTC. end-date may be up to one day after today (UTC), since a
 * runner's "today" can be behind the user's; start-date must not be before 2000-01-01.
 */
export function parseDates(
  startText: string,
  endText: string,
  today: string
): { startDate: string; endDate: string } {
  const startDate = parseDate(Inputs.StartDate, startText || DEFAULT_START_DATE)
  const endDate = endText === '' ? today : parseDate(Inputs.EndDate, endText)
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000)
    .toISOString()
    .slice(0, 10)
  if (endDate > tomorrow) {
    throw new InputError(
      Inputs.EndDate,
      `${endDate} is in the future (today is ${today} UTC)`,
      `is in the future: expected a date in the form YYYY-MM-DD up to today (${today} UTC)`
    )
  }
  if (startDate < EARLIEST_START_DATE) {
    throw new InputError(
      Inputs.StartDate,
      `${startDate} is before ${EARLIEST_START_DATE}`,
      `is before ${EARLIEST_START_DATE}: expected a date in the form YYYY-MM-DD from ${EARLIEST_START_DATE}`
    )
  }
  if (startDate > endDate) {
    const origin = endText === '' ? ' (today, UTC)' : ''
    throw new InputError(
      Inputs.StartDate,
      `${startDate} is after end-date ${endDate}${origin}; the range would be empty`,
      `is after end date${origin}: expected a start date on or before the end date`
    )
  }
  return { startDate, endDate }
}

function parseDate(input: Inputs, text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new InputError(
      input,
      `${quote(text)} is not a date in the form YYYY-MM-DD`,
      'is not a date: expected the form YYYY-MM-DD (e.g. 2024-01-31)'
    )
  }
  if (!isCalendarDay(text)) {
    throw new InputError(
      input,
      `${text} is not a real calendar date`,
      'is not a real calendar date: expected the form YYYY-MM-DD (e.g. 2024-01-31)'
    )
  }
  return text
}
