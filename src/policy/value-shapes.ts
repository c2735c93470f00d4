/**
 * The shapes of the values every part checks, defined once: a request id and a status. Servers,
 * inputs, issue comments and file names are checked against these, never against a copy.
 */

/** A request id: what the action accepts as input, from servers, in the ledger and as a folder name. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/
export const REQUEST_ID_RULE = '1 to 128 of A-Z a-z 0-9 _ -'

/** A status as a server may answer it: a word of up to 32 letters, digits, `_` or `-`. */
export const STATUS_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/

/**
 * A calendar day written `YYYY-MM-DD` that exists (`Date.parse` alone rolls 2024-02-30 over to
 * March 1st): inputs, the issue form, server answers and the ledger's records all check days here.
 */
export function isCalendarDay(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const ms = Date.parse(`${text}T00:00:00Z`)
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text
}

/**
 * A status as the action records it (the request runner lower-cases what a server answered): the
 * ledger's comments and markers hold only these.
 */
export function isRecordedStatus(status: string): boolean {
  return STATUS_PATTERN.test(status) && status === status.toLowerCase()
}
