/**
 * The ledger's state, kept in the last line of the ledger comment as
 * `<!-- amplitude-dsar-ledger {json} -->`. Comments are untrusted: anyone who can comment can
 * write that line. A marker is honoured only in a comment written by the action's own identity
 * (the token's bot or user), and only when every value has the shape the action writes; a marker
 * the action wrote that no longer reads as one is reported, never guessed at.
 */
import { isRecordedStatus, REQUEST_ID_PATTERN } from '../policy/index.js'
import type { Identity } from './github-client.js'
import type { CommentFacts } from './github-shapes.js'
import { deadlineProblem, type DeadlineRecord } from './deadline-record.js'
import { erasureProblem, type ErasureKind, type ErasureRecord } from './erasure-record.js'
import { macMatches, macOf, type Seal } from './seal.js'

export const MARKER_PREFIX = '<!-- amplitude-dsar-ledger '
const MARKER_LINE = /^<!-- amplitude-dsar-ledger (\{.*\}) -->$/
/**
 * 2: per-request outcome (`sent`) and the integrity check (`mac`, src/ledger/seal.ts). A version-1
 * line (no check) is not honoured: docs/ledger.md says how to carry one over.
 * 3 (issue 22): the request's legal clock (`deadline`: src/ledger/deadline-record.ts), and the
 * optional `request` and `erasure` fields with the erasure states (src/ledger/erasure-record.ts).
 * A version-2 line carries the same check and reads as before (no deadline yet); the next write
 * makes it version 3. An older release refuses a version-3 line (needs-attention, nothing
 * submitted).
 */
export const MARKER_VERSION = 3
/** Versions read: those sealed with the integrity check. */
export const READABLE_VERSIONS: readonly number[] = [2, 3]

/** States the ledger comment records (needs-info and refused submit nothing, so need none). */
export type LedgerState =
  | 'submitting'
  | 'submitted'
  | 'done'
  | 'ready'
  | 'failed'
  | 'needs-attention'
  | 'expired'
  | ErasureState
/** The erasure's states (issue 22); `erasure-submitting` is the write-ahead record of its POST. */
export type ErasureState =
  'awaiting-approval' | 'erasure-submitting' | 'erasure-scheduled' | 'cancelled' | 'erased'
export const ERASURE_STATES: readonly ErasureState[] = [
  'awaiting-approval',
  'erasure-submitting',
  'erasure-scheduled',
  'cancelled',
  'erased'
]
const STATES: readonly LedgerState[] = [
  'submitting',
  'submitted',
  'done',
  'ready',
  'failed',
  'needs-attention',
  'expired',
  ...ERASURE_STATES
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
  /**
   * Only while `requestId` is null, after a submit: `not-sent` (no POST left this machine, or
   * Amplitude refused it: safe to submit) or `uncertain` (sent, no usable answer: it may exist at
   * Amplitude, so only a person may have it submitted again).
   */
  sent?: 'not-sent' | 'uncertain'
}

export interface LedgerMarker {
  /** What was read (2 or 3); every write is MARKER_VERSION. */
  version: 2 | typeof MARKER_VERSION
  state: LedgerState
  startDate: string
  endDate: string
  requests: LedgerRequest[]
  /**
   * While `submitting`: the deadline of the run writing it. Until then (and a minute for clocks)
   * another sweep leaves the issue alone: that run may still be submitting and recording.
   */
  until?: string
  /** The request's legal clock (version 3; absent in a version-2 line until its next write). */
  deadline?: DeadlineRecord
  /** What the person asked for beyond access (absent: access only). */
  request?: ErasureKind
  /** The erasure's record, with `request`. */
  erasure?: ErasureRecord
}

export type MarkerReading =
  | { kind: 'none' }
  | { kind: 'valid'; marker: LedgerMarker; commentId: number }
  | { kind: 'unreadable'; commentId: number; problem: string; tampered?: boolean }
  /** More than one ledger comment (overlapping sweeps): every request id found in them. */
  | { kind: 'several'; commentIds: number[]; requestIds: string[] }

// One subject, or several (a seed-contract request covers all the user ids).
const SUBJECT = /^(user|amplitude id) #[0-9a-f]{8}(, (user|amplitude id) #[0-9a-f]{8}){0,19}$/
const DATE = /^\d{4}-\d{2}-\d{2}$/
const MAX_REQUESTS = 100

/**
 * The marker line: the state, then its check (`mac`, over the JSON before it, bound to the issue),
 * with `<`, `>` and `&` escaped, so no value can end the HTML comment.
 */
export function markerLine(marker: LedgerMarker, seal: Seal): string {
  const plain = JSON.stringify(marker)
  const signed = `${plain.slice(0, -1)},"mac":"${macOf(seal, plain)}"}`
  const json = signed.replace(/[<>&]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return `${MARKER_PREFIX}${json} -->`
}

/**
 * The ledger of one issue from its comments: the one comment by `identity` that carries a marker,
 * checked against `seal` (its issue). Markers in anyone else's comments are ignored (forgeries or
 * quotes); two or more of the action's own (overlapping sweeps) are never chosen between.
 */
export function readLedger(
  comments: CommentFacts[],
  identity: Identity,
  seal: Seal
): MarkerReading {
  const own = comments
    .filter(c => c.author === identity.login && c.authorType === identity.type)
    .filter(c => c.body.includes(MARKER_PREFIX))
    .sort((a, b) => a.id - b.id)
  if (own.length === 0) return { kind: 'none' }
  if (own.length > 1) {
    const requestIds = own.flatMap(comment => idsIn(comment.body))
    return { kind: 'several', commentIds: own.map(c => c.id), requestIds: [...new Set(requestIds)] }
  }
  const latest = own[0]
  const line = lastLine(latest.body)
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
  if (isObject(parsed) && !READABLE_VERSIONS.includes(parsed.version as number)) {
    return {
      kind: 'unreadable',
      commentId: latest.id,
      problem: `its state line is version ${String(parsed.version)}, which carries no integrity check`,
      tampered: true
    }
  }
  const { mac, ...state } = isObject(parsed) ? parsed : { mac: undefined }
  if (!macMatches(seal, JSON.stringify(state), mac)) {
    return {
      kind: 'unreadable',
      commentId: latest.id,
      problem: 'its state line fails its integrity check',
      tampered: true
    }
  }
  const problem = markerProblem(state)
  if (problem) return { kind: 'unreadable', commentId: latest.id, problem }
  return { kind: 'valid', marker: state as unknown as LedgerMarker, commentId: latest.id }
}

function lastLine(body: string): string {
  return body.trimEnd().split('\n').pop()!.trim()
}

/** Request ids named in a ledger comment's state line, whatever its check says (for a person). */
function idsIn(body: string): string[] {
  const match = MARKER_LINE.exec(lastLine(body))
  if (!match) return []
  try {
    const parsed: unknown = JSON.parse(match[1])
    const requests = isObject(parsed) && Array.isArray(parsed.requests) ? parsed.requests : []
    return requests
      .map(r => (isObject(r) ? r.requestId : undefined))
      .filter((id): id is string => typeof id === 'string' && REQUEST_ID_PATTERN.test(id))
      .slice(0, MAX_REQUESTS)
  } catch {
    return []
  }
}

/** Why a parsed value is not a marker the action writes, or undefined when it is one. */
export function markerProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'the state is not an object'
  if (!READABLE_VERSIONS.includes(value.version as number)) {
    return `unknown version ${String(value.version)}`
  }
  if (!STATES.includes(value.state as LedgerState)) return 'unknown state'
  if (typeof value.startDate !== 'string' || !DATE.test(value.startDate)) return 'bad startDate'
  if (typeof value.endDate !== 'string' || !DATE.test(value.endDate)) return 'bad endDate'
  const requests = value.requests
  // An erasure alone asks Amplitude's DSAR API for nothing: its requests list is empty.
  const minRequests = value.request === 'erasure' ? 0 : 1
  if (!Array.isArray(requests) || requests.length < minRequests || requests.length > MAX_REQUESTS) {
    return 'bad requests list'
  }
  for (const [index, request] of requests.entries()) {
    const problem = requestProblem(request, value.state as LedgerState)
    if (problem) return `request ${index + 1}: ${problem}`
  }
  if (value.until !== undefined && !isTime(value.until)) return 'bad until'
  if (value.deadline !== undefined) {
    if (value.version === 2) return 'unexpected fields'
    const problem = deadlineProblem(value.deadline)
    if (problem) return problem
  }
  if (value.request !== undefined || value.erasure !== undefined) {
    if (value.request !== 'erasure' && value.request !== 'access-then-erasure') return 'bad request'
    const problem = erasureProblem(value.erasure, isTime)
    if (problem) return problem
  } else if ((ERASURE_STATES as readonly string[]).includes(value.state as string)) {
    return 'an erasure state without an erasure'
  }
  const allowed = new Set([
    'version',
    'state',
    'startDate',
    'endDate',
    'requests',
    'until',
    'request',
    'erasure',
    'deadline'
  ])
  if (Object.keys(value).some(key => !allowed.has(key))) return 'unexpected fields'
  return undefined
}

function requestProblem(value: unknown, state: LedgerState): string | undefined {
  if (!isObject(value)) return 'not an object'
  const { requestId, subject, status, sent } = value
  if (requestId === null) {
    const allowed =
      state === 'submitting' ||
      state === 'needs-attention' ||
      (state === 'submitted' && sent === 'not-sent')
    if (!allowed) return 'no request id'
    if (sent !== undefined && sent !== 'not-sent' && sent !== 'uncertain') return 'bad sent'
  } else if (typeof requestId !== 'string' || !REQUEST_ID_PATTERN.test(requestId)) {
    return 'bad request id'
  } else if (sent !== undefined) {
    return 'sent beside a request id'
  }
  if (typeof subject !== 'string' || !SUBJECT.test(subject)) return 'bad subject fingerprint'
  if (status !== null && (typeof status !== 'string' || !isRecordedStatus(status)))
    return 'bad status'
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
    'expires',
    'sent'
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
