/**
 * The ledger's state, kept in the last line of the ledger comment as
 * `<!-- amplitude-dsar-ledger {json} -->`. Comments are untrusted: anyone who can comment can
 * write that line. A marker is honoured only in a comment written by the action's own identity
 * (the token's bot or user), and only when every value has the shape the action writes; a marker
 * the action wrote that no longer reads as one is reported, never guessed at.
 */
import type { Identity } from './github-client.js'
import type { CommentFacts } from './github-shapes.js'

export const MARKER_PREFIX = '<!-- amplitude-dsar-ledger '
const MARKER_LINE = /^<!-- amplitude-dsar-ledger (\{.*\}) -->$/
export const MARKER_VERSION = 1

/** States the ledger comment records (needs-info and refused submit nothing, so need none). */
export type LedgerState =
  'submitting' | 'submitted' | 'done' | 'failed' | 'needs-attention' | 'expired'
const STATES: readonly LedgerState[] = [
  'submitting',
  'submitted',
  'done',
  'failed',
  'needs-attention',
  'expired'
]

export interface LedgerRequest {
  /** null while `submitting` (written before the POST). */
  requestId: string | null
  /** Kind and fingerprint, e.g. `user #ab12cd34` (comma-separated when one request covers several). */
  subject: string
  /** The last status Amplitude gave; null before the first check. */
  status: string | null
  submittedAt: string | null
  checkedAt: string | null
  doneAt: string | null
  /** When the download links stop working, once done. */
  expires?: string
}

export interface LedgerMarker {
  version: typeof MARKER_VERSION
  state: LedgerState
  startDate: string
  endDate: string
  requests: LedgerRequest[]
}

export type MarkerReading =
  | { kind: 'none' }
  | { kind: 'valid'; marker: LedgerMarker; commentId: number }
  | { kind: 'unreadable'; commentId: number; problem: string }

const REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/
// One subject, or several (a seed-contract request covers all the user ids).
const SUBJECT = /^(user|amplitude id) #[0-9a-f]{8}(, (user|amplitude id) #[0-9a-f]{8}){0,19}$/
const STATUS = /^[a-z][a-z_-]{0,31}$/
const DATE = /^\d{4}-\d{2}-\d{2}$/
const MAX_REQUESTS = 100

/** The marker line: JSON with `<`, `>` and `&` escaped, so no value can end the HTML comment. */
export function markerLine(marker: LedgerMarker): string {
  const json = JSON.stringify(marker).replace(
    /[<>&]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
  return `${MARKER_PREFIX}${json} -->`
}

/**
 * The ledger of one issue from its comments: the most recently updated comment by `identity` that
 * carries a marker. Markers in anyone else's comments are ignored (forgeries or quotes).
 */
export function readLedger(comments: CommentFacts[], identity: Identity): MarkerReading {
  const own = comments
    .filter(c => c.author === identity.login && c.authorType === identity.type)
    .filter(c => c.body.includes(MARKER_PREFIX))
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.id - a.id)
  const latest = own[0]
  if (!latest) return { kind: 'none' }
  const line = latest.body.trimEnd().split('\n').pop()!.trim()
  const match = MARKER_LINE.exec(line)
  if (!match) {
    return {
      kind: 'unreadable',
      commentId: latest.id,
      problem: 'its last line is not the state line'
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(match[1])
  } catch {
    return { kind: 'unreadable', commentId: latest.id, problem: 'its state line is not JSON' }
  }
  const problem = markerProblem(parsed)
  if (problem) return { kind: 'unreadable', commentId: latest.id, problem }
  return { kind: 'valid', marker: parsed as LedgerMarker, commentId: latest.id }
}

/** Why a parsed value is not a marker the action writes, or undefined when it is one. */
export function markerProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the state is not an object'
  if (value.version !== MARKER_VERSION) return `unknown version ${String(value.version)}`
  if (!STATES.includes(value.state as LedgerState)) return 'unknown state'
  if (typeof value.startDate !== 'string' || !DATE.test(value.startDate)) return 'bad startDate'
  if (typeof value.endDate !== 'string' || !DATE.test(value.endDate)) return 'bad endDate'
  const requests = value.requests
  if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_REQUESTS) {
    return 'bad requests list'
  }
  for (const [index, request] of requests.entries()) {
    const problem = requestProblem(request, value.state as LedgerState)
    if (problem) return `request ${index + 1}: ${problem}`
  }
  const allowed = new Set(['version', 'state', 'startDate', 'endDate', 'requests'])
  if (Object.keys(value).some(key => !allowed.has(key))) return 'unexpected fields'
  return undefined
}

function requestProblem(value: unknown, state: LedgerState): string | undefined {
  if (!isObject(value)) return 'not an object'
  const { requestId, subject, status } = value
  if (requestId === null) {
    if (state !== 'submitting' && state !== 'needs-attention') return 'no request id'
  } else if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
    return 'bad request id'
  }
  if (typeof subject !== 'string' || !SUBJECT.test(subject)) return 'bad subject fingerprint'
  if (status !== null && (typeof status !== 'string' || !STATUS.test(status))) return 'bad status'
  for (const key of ['submittedAt', 'checkedAt', 'doneAt'] as const) {
    if (value[key] !== null && !isTime(value[key])) return `bad ${key}`
  }
  if (value.expires !== undefined && !isTime(value.expires)) return 'bad expires'
  const allowed = new Set([
    'requestId',
    'subject',
    'status',
    'submittedAt',
    'checkedAt',
    'doneAt',
    'expires'
  ])
  if (Object.keys(value).some(key => !allowed.has(key))) return 'unexpected fields'
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function isTime(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  )
}
