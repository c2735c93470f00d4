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
 * A status as the action records it (the request runner lower-cases what a server answered): the
 * ledger's comments and markers hold only these.
 */
export function isRecordedStatus(status: string): boolean {
  return STATUS_PATTERN.test(status) && status === status.toLowerCase()
}
