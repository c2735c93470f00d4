/**
 * What a DSAR server says, checked before it reaches a step output, a file name or a decision.
 *
 * Step outputs end up in workflow files (`run: echo "${{ steps.dsar.outputs.requestId }}"`), where a
 * value is pasted into a shell script before the shell reads it: a request id such as
 * `1"; touch /tmp/x; echo "` would run. So every value the action takes from a server has a shape,
 * and a value outside it is refused as a whole (never repaired): the request fails with a message
 * naming the field, and what was already known and checked (the request id obtained earlier, the
 * last good status) is kept.
 *
 * The shapes leave out every character that ends a shell quote or starts an expansion
 * (`" ' \` $ \\`) and every line break:
 * - request id: digits for the documented API (its ids are integers), otherwise 1 to 128 of
 *   `A-Z a-z 0-9 _ -` (the shape the `request-ids` input accepts);
 * - status: a short word;
 * - failReason: one line of at most 500 printable characters, none of the above;
 * - expires: an ISO 8601 date or date-time;
 * - urls: at most 1,000 https URLs (http only for loopback IP literals), no credentials in them,
 *   each written with URL characters only, at most 8 KiB.
 */
import {
  isCalendarDay,
  isLoopbackHost,
  LOOPBACK_RULE,
  REQUEST_ID_PATTERN,
  REQUEST_ID_RULE,
  STATUS_PATTERN
} from '../policy/index.js'

export { REQUEST_ID_PATTERN, REQUEST_ID_RULE }
/** The documented API's request ids are integers. */
const DIGITS_PATTERN = /^\d{1,20}$/
const MAX_FAIL_REASON = 500
// Controls, line separators, and what ends a shell quote or starts an expansion.
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029"'`$\\]/
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/
export const MAX_URLS = 1000
const MAX_URL_LENGTH = 8192
/** RFC 3986 unreserved and reserved characters, less the sub-delims a shell gives a meaning to. */
const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@%&=+]+$/

/** How a server's request ids look: `digits` (the documented API) or `token` (anything else). */
export type RequestIdShape = 'digits' | 'token'

/** The values the action reports about one request, as a server gave them. */
export interface ServerValues {
  requestId?: string
  status?: string
  failReason?: string
  expires?: string
  urls?: string[]
}

export interface CheckedValues {
  /** The values that have their shape (absent ones stay absent). */
  accepted: ServerValues
  /** One line per refused value: the field, the value (escaped, bounded) and the rule. */
  refused: string[]
}

/**
 * Reads the names both contracts and the built-in workflows use (`requestId`, `status` or
 * `finalStatus`, `failReason`, `expires`, `urls` or `downloadUrl`) from a workflow's or a step's
 * outputs, and checks each one that is present.
 */
export function checkServerValues(
  outputs: Record<string, unknown>,
  shape: RequestIdShape
): CheckedValues {
  const accepted: ServerValues = {}
  const refused: string[] = []
  const refuse = (field: string, value: unknown, rule: string): void => {
    refused.push(`the server's ${field} ${shown(value)} is not ${rule}`)
  }

  const requestId = present(outputs.requestId)
  if (requestId !== undefined) {
    const text = scalarText(requestId)
    const pattern = shape === 'digits' ? DIGITS_PATTERN : REQUEST_ID_PATTERN
    if (text !== undefined && pattern.test(text)) accepted.requestId = text
    else refuse('requestId', requestId, `a request id (${requestIdRule(shape)})`)
  }

  const status = present(outputs.finalStatus ?? outputs.status)
  if (status !== undefined) {
    if (typeof status === 'string' && STATUS_PATTERN.test(status)) accepted.status = status
    else refuse('status', status, 'a status (a word of up to 32 letters, digits, _ or -)')
  }

  const failReason = present(outputs.failReason)
  if (failReason !== undefined) {
    if (
      typeof failReason === 'string' &&
      failReason.length <= MAX_FAIL_REASON &&
      !UNSAFE_TEXT.test(failReason)
    ) {
      accepted.failReason = failReason
    } else {
      refuse(
        'failReason',
        failReason,
        `one line of at most ${MAX_FAIL_REASON} characters without quotes, backslashes or $`
      )
    }
  }

  const expires = present(outputs.expires)
  if (expires !== undefined) {
    if (
      typeof expires === 'string' &&
      ISO_DATE.test(expires) &&
      isCalendarDay(expires.slice(0, 10)) &&
      !isNaN(Date.parse(expires))
    ) {
      accepted.expires = expires
    } else {
      refuse('expires', expires, 'an ISO 8601 date')
    }
  }

  const links = present(outputs.urls) ?? present(outputs.downloadUrl)
  if (links !== undefined) {
    const field = outputs.urls !== undefined ? 'urls' : 'downloadUrl'
    const list = Array.isArray(links) ? links : [links]
    if (list.length > MAX_URLS) {
      refused.push(`the server's ${field} holds ${list.length} links, more than ${MAX_URLS}`)
    } else {
      const problem = list
        .map((link, i) => urlProblem(link, Array.isArray(links) ? `${field}[${i}]` : field))
        .find(Boolean)
      if (problem) refused.push(problem)
      else accepted.urls = list as string[]
    }
  }
  return { accepted, refused }
}

/** A workflow's own outputs with every reported value that was refused replaced by null. */
export function withoutRefused(
  outputs: Record<string, unknown>,
  shape: RequestIdShape
): Record<string, unknown> {
  const checked = { ...outputs }
  for (const name of REPORTED_NAMES) {
    if (!Object.hasOwn(outputs, name)) continue
    if (checkServerValues({ [name]: outputs[name] }, shape).refused.length > 0) checked[name] = null
  }
  return checked
}

const REPORTED_NAMES = [
  'requestId',
  'status',
  'finalStatus',
  'failReason',
  'expires',
  'urls',
  'downloadUrl'
]

export function requestIdRule(shape: RequestIdShape): string {
  return shape === 'digits' ? 'digits' : REQUEST_ID_RULE
}

/** Why a link is refused, or undefined when it has the shape of a download link. */
function urlProblem(link: unknown, field: string): string | undefined {
  const refuse = (rule: string) => `the server's ${field} ${shown(link)} is not ${rule}`
  if (typeof link !== 'string') return refuse('a URL (not text)')
  if (link.length > MAX_URL_LENGTH) return refuse(`a URL of at most ${MAX_URL_LENGTH} characters`)
  if (!URL_CHARACTERS.test(link)) return refuse('a URL (characters outside URL syntax)')
  let url: URL
  try {
    url = new URL(link)
  } catch {
    return refuse('a URL')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return refuse(`an https URL (${LOOPBACK_RULE})`)
  }
  if (url.username !== '' || url.password !== '') return refuse('a URL without credentials')
  return undefined
}

/**
 * The parts of presigned links (S3, GCS, Azure SAS, CloudFront) that make them bearer credentials:
 * the whole query string, and each signature, credential or token parameter on its own (a log may
 * show a link decoded or cut). The caller registers them as secrets with the runner.
 */
export function linkSecrets(link: string): string[] {
  let url: URL
  try {
    url = new URL(link)
  } catch {
    return []
  }
  if (url.search.length <= 1) return []
  const secrets = new Set([url.search.slice(1)])
  for (const [name, value] of url.searchParams) {
    if (
      /signature|^sig$|token|credential|^key$|policy|^se$|^sv$/i.test(name) &&
      value.length >= 8
    ) {
      secrets.add(value)
      secrets.add(encodeURIComponent(value))
    }
  }
  return [...secrets]
}

/**
 * Two requests with the same id would download into the same folder, and the export could belong to
 * either subject: every id given to more than one request is returned with the labels holding it.
 */
export function sharedRequestIds(
  records: readonly { requestId?: string; label: string }[]
): { requestId: string; labels: string[] }[] {
  const byId = new Map<string, string[]>()
  for (const record of records) {
    if (record.requestId === undefined) continue
    byId.set(record.requestId, [...(byId.get(record.requestId) ?? []), record.label])
  }
  return [...byId]
    .filter(([, labels]) => labels.length > 1)
    .map(([requestId, labels]) => ({ requestId, labels }))
}

function present(value: unknown): unknown {
  return value === undefined || value === null || value === '' ? undefined : value
}

/** A string or a number as text (ids arrive as either), else undefined. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  return undefined
}

/** A value for a message: JSON (quotes and line breaks escaped), at most 60 characters of it. */
function shown(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)
}
