/**
 * Runs one planned request (one Arazzo workflow run) on the engine and keeps a record of it that the
 * outputs, the summary and the logs are written from. The record is updated as events arrive, so a run
 * that is cancelled or times out still reports the request id it obtained.
 */
import {
  type Clock,
  type EngineEvent,
  type LoadedArazzo,
  type PollSchedule,
  type RunStatus,
  runWorkflow
} from '../arazzo/index.js'
import {
  answeredDates,
  answeredSubject,
  askedDates,
  DONE_STATUSES,
  expiresAt,
  FAILED_STATUSES,
  isKnownStatus,
  normalizeStatus,
  type RequestDates
} from './dsar-status.js'
import { TransportError } from './http-transport.js'
import {
  checkServerValues,
  linkSecrets,
  sharedRequestIds,
  withoutRefused
} from './server-values.js'
import type { PlannedRun } from './planning.js'
import { subjectFingerprint, subjectText } from './subject-fingerprint.js'

export { DONE_STATUSES, FAILED_STATUSES, PENDING_STATUSES } from './dsar-status.js'
export type { RequestDates } from './dsar-status.js'

export type Outcome = 'done' | 'submitted' | 'failed' | 'timedOut' | 'aborted' | 'error' | 'notSent'

/** The status a subject that was never sent is reported with (`requests` output, summary). */
export const NOT_SENT = 'not-sent'

export interface RequestRecord {
  label: string
  subject?: string
  requestId?: string
  status?: string
  failReason?: string
  urls: string[]
  expires?: string
  polls: number
  /** The date range, when this run sent it or a status answer said it. */
  dates?: RequestDates
  /** When this run obtained the request id from a submit (clock ms); absent when resumed. */
  submittedAt?: number
  /** Requests the workflow started (before any reached the network). */
  requestsStarted?: number
  /** The HTTP status of the last answer. */
  lastHttpStatus?: number
  /** Each status as first seen, with when (clock ms): the receipt's evidence. */
  history?: { status: string; at: number }[]
  startedAt: number
  finishedAt?: number
  outcome?: Outcome
  /** Why the request did not reach its done status, in one line. */
  problem?: string
  /** The underlying error, for the caller to classify (e.g. refused credentials stop everything). */
  error?: Error
  /** The refused call that stopped the run (`HTTP 401 from POST /api/...`), for the summary. */
  stoppedBy?: string
  /** When its next poll (or retry) is due, while it waits (epoch ms). */
  nextPollAt?: number
  workflowOutputs: Record<string, unknown>
}

export interface RunRequestOptions {
  loaded: LoadedArazzo
  plan: PlannedRun
  transport: Parameters<typeof runWorkflow>[1]['transport']
  clock: Clock
  pollSchedule: PollSchedule
  serverUrl: string
  deadline: number
  maxSteps: number
  signal: AbortSignal
  /** One line per poll and per notable event, already free of secrets and subject ids. */
  log: (line: string) => void
  /**
   * Removes credentials from text. Applied to everything the workflow hands back (outputs, error
   * messages) before it reaches a record, so a document that echoes `$inputs.basicAuth` into an
   * output or a path cannot put the credentials in the logs, the summary or the step outputs.
   */
  redact?: (text: string) => string
  /** Registers a secret with the runner (the signature of a presigned download link). */
  mask?: (secret: string) => void
  /** Given the record as soon as it exists, so progress lines can read it while it runs. */
  onStart?: (record: RequestRecord) => void
}

export async function runRequest(options: RunRequestOptions): Promise<RequestRecord> {
  const { plan, clock } = options
  const record: RequestRecord = {
    label: plan.label,
    subject: plan.subject,
    ...(plan.requestId !== undefined && { requestId: plan.requestId }),
    urls: [],
    polls: 0,
    history: [],
    startedAt: clock.now(),
    requestsStarted: 0,
    workflowOutputs: {}
  }
  // What this run sends; a resumed request's range comes from Amplitude's answer, if at all.
  const asked = plan.requestId === undefined ? askedDates(plan.inputs) : undefined
  if (asked) record.dates = asked
  options.onStart?.(record)
  const redact = options.redact ?? ((text: string) => text)
  // A value refused on arrival stops this request at once: a refused request id must not be polled.
  const refused = new Set<string>()
  const refusal = new AbortController()
  const take = (outputs: Record<string, unknown>): void => {
    for (const problem of absorbOutputs(record, outputs, options)) refused.add(redact(problem))
    noteStatus(record, clock.now())
    if (refused.size > 0) refusal.abort(new Error('a server value was refused'))
  }
  const onEvent = (event: EngineEvent): void => {
    if (event.type === 'stepOutputs') take(redactDeep(event.outputs, redact))
    observe(record, event, options)
  }

  const result = await runWorkflow(options.loaded, {
    workflowId: plan.workflowId,
    inputs: plan.inputs,
    transport: options.transport,
    clock,
    pollSchedule: options.pollSchedule,
    maxSteps: options.maxSteps,
    deadline: options.deadline,
    signal: AbortSignal.any([options.signal, refusal.signal]),
    serverUrl: options.serverUrl,
    sensitiveHeaders: ['authorization'],
    onEvent
  })
  record.finishedAt = clock.now()
  const outputs = redactDeep(result.outputs, redact)
  take(outputs)
  record.workflowOutputs = withoutRefused(outputs, plan.requestIdShape)
  record.nextPollAt = undefined
  judge(record, result.status, result.error, options)
  if (refused.size > 0) refuse(record, [...refused])
  if (record.problem) record.problem = redact(record.problem)
  return record
}

/** What the server said that had no valid shape fails the request, whatever else happened. */
function refuse(record: RequestRecord, refused: string[]): void {
  const id = record.requestId ? `request ${record.requestId}` : record.label
  // A run stopped by the refusal itself says nothing more than the refusal.
  const base = record.problem && record.outcome !== 'aborted' ? record.problem : id
  record.problem = [base, ...refused].join('; ')
  if (record.outcome !== 'failed' && record.outcome !== 'timedOut') record.outcome = 'error'
}

/** A copy of a JSON-like value with `redact` applied to every string in it. */
function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map(item => redactDeep(item, redact)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)])
    ) as T
  }
  return value
}

/** Keeps the record current while the run goes on, and writes the per-poll log line. */
function observe(record: RequestRecord, event: EngineEvent, options: RunRequestOptions): void {
  const { clock, log } = options
  switch (event.type) {
    case 'request':
      // Every GET of these workflows reads a status: that is a poll.
      if (event.request.method.toUpperCase() === 'GET') record.polls++
      record.requestsStarted = (record.requestsStarted ?? 0) + 1
      record.nextPollAt = undefined
      break
    case 'response':
      record.lastHttpStatus = event.status
      break
    case 'waiting': {
      record.nextPollAt = event.until
      const elapsed = formatDuration(event.at - record.startedAt)
      const next = new Date(event.until).toISOString().replace(/\.\d{3}Z$/, 'Z')
      const reason = event.reason === 'retry' ? 'retrying' : 'next poll'
      log(
        `${record.label}: request ${record.requestId ?? '?'} is ${record.status ?? 'unknown'} ` +
          `after ${record.polls} poll${record.polls === 1 ? '' : 's'}, ${elapsed} elapsed; ${reason} at ${next} ` +
          `(in ${formatDuration(event.until - clock.now())})`
      )
      break
    }
    default:
      break
  }
}

/**
 * Takes what the action reports from a workflow's or a step's outputs, once checked
 * (server-values.ts), and returns what was refused. A request id, once known (from the submit, or
 * the `request-ids` input on resume), is never replaced by another one.
 */
function absorbOutputs(
  record: RequestRecord,
  outputs: Record<string, unknown>,
  options: RunRequestOptions
): string[] {
  const { accepted, refused } = checkServerValues(outputs, options.plan.requestIdShape)
  if (accepted.requestId !== undefined) {
    if (record.requestId === undefined) {
      record.requestId = accepted.requestId
      record.submittedAt = options.clock.now()
    } else if (record.requestId !== accepted.requestId) {
      refused.push(
        `the server answered with request id ${accepted.requestId} for ${record.requestId}`
      )
    }
  }
  if (accepted.status !== undefined) record.status = normalizeStatus(accepted.status)
  record.failReason = accepted.failReason ?? record.failReason
  if (accepted.expires !== undefined) record.expires = expiresAt(accepted.expires)
  const answered = answeredDates(outputs)
  if (answered) record.dates = answered
  // Resuming by request id, the subject is not known until a status answer names it.
  const subject = record.subject === undefined ? answeredSubject(outputs) : undefined
  if (subject) {
    record.subject = subjectText(subject)
    record.label = `${record.label} (${subjectFingerprint(subject)})`
  }
  if (accepted.urls && accepted.urls.length > 0) {
    for (const link of accepted.urls) linkSecrets(link).forEach(secret => options.mask?.(secret))
    record.urls = accepted.urls
  }
  return refused
}

function noteStatus(record: RequestRecord, at: number): void {
  const history = (record.history ??= [])
  if (record.status !== undefined && history.at(-1)?.status !== record.status) {
    history.push({ status: record.status, at })
  }
}

function judge(
  record: RequestRecord,
  status: RunStatus,
  error: Error | undefined,
  options: RunRequestOptions
): void {
  const id = record.requestId ? `request ${record.requestId}` : record.label
  // A request resumed by id was submitted, even before its status was read.
  const still = record.status
    ? `still ${record.status}`
    : record.requestId
      ? 'no status read yet'
      : 'still not submitted'
  const stopReason: unknown = options.signal.reason
  if (status === 'aborted' && stopReason instanceof TransportError && stopReason.kind === 'auth') {
    // Refused credentials stop every request: say which call was refused, not "cancelled".
    record.outcome = 'aborted'
    record.stoppedBy =
      /^HTTP \d{3} from [A-Z]{1,16} \S+/.exec(stopReason.message)?.[0] ??
      `HTTP ${stopReason.status}`
    record.problem = `${id}: ${still}, stopped by ${stopReason.message}`
  } else if (neverSent(record, status, error, options)) {
    // Amplitude took nothing for this subject: the next run can take it as it is.
    record.outcome = 'notSent'
    record.status = NOT_SENT
    // Kept for callers that tell a deadline cut from a refusal (the ledger's submit step).
    if (error) record.error = error
    record.problem =
      status === 'aborted'
        ? `${record.label}: not sent (the run was stopped first)`
        : `${record.label}: not sent; ${error?.message ?? 'the timeout ran out first'}`
  } else if (status === 'aborted') {
    record.outcome = 'aborted'
    record.problem = `${id}: cancelled while ${record.status ?? 'running'}`
  } else if (status === 'timedOut') {
    record.outcome = 'timedOut'
    // The engine stops early when the next wait would end after the deadline: say that.
    const early = (record.finishedAt ?? options.clock.now()) < options.deadline
    record.problem = early
      ? `${id}: ${still} after ${formatElapsed(record.finishedAt! - record.startedAt)}, and its next poll would come after the timeout`
      : `${id}: ${still} when the timeout ran out`
  } else if (status === 'maxSteps') {
    record.outcome = 'error'
    record.problem = `${id}: stopped after the maximum number of steps`
  } else if (status === 'failed' && error instanceof TransportError && error.kind === 'deadline') {
    // The transport would have had to wait past the deadline to try again: a timeout, resumable.
    record.outcome = 'timedOut'
    record.error = error
    record.problem = `${id}: ${still}; ${error.message}`
  } else if (status === 'failed' && resumedUnknown(record, options)) {
    // The workflow's criteria failed on a 404: what that means is what the user needs to read.
    record.outcome = 'error'
    record.error = error
    record.problem = `${id}: Amplitude has no such request (HTTP 404)`
  } else if (status === 'failed') {
    record.outcome = 'error'
    record.error = error
    record.problem = `${id}: ${error?.message ?? 'the workflow failed'}`
    if (record.status && !isKnownStatus(record.status)) {
      record.problem = `${id}: unknown status '${record.status}'`
    }
  } else if (record.status && FAILED_STATUSES.has(record.status)) {
    record.outcome = 'failed'
    record.problem = `${id} failed${record.failReason ? `: ${record.failReason}` : ''}`
  } else if (options.plan.submitOnly) {
    record.outcome = record.requestId ? 'submitted' : 'error'
    if (!record.requestId)
      record.problem = `${record.label}: submitted, but no request id came back`
  } else if (record.status && DONE_STATUSES.has(record.status)) {
    record.outcome = 'done'
  } else if (record.status === undefined) {
    // A custom workflow may report no status: it succeeded, which is all it said.
    record.outcome = 'done'
  } else {
    record.outcome = 'error'
    record.problem = isKnownStatus(record.status)
      ? `${id}: the workflow ended while the request was still ${record.status}`
      : `${id}: unknown status '${record.status}'`
  }
}

/**
 * A subject Amplitude took no request for: no request id, none resumed, and either no request
 * started or the transport said nothing was taken (the budget or the timeout held it back, or every
 * attempt was answered 429/503, "not processed"). A submit cut in flight may have been taken, so it
 * is not counted here.
 */
function neverSent(
  record: RequestRecord,
  status: RunStatus,
  error: Error | undefined,
  options: RunRequestOptions
): boolean {
  if (record.requestId !== undefined || options.plan.requestId !== undefined) return false
  if (error instanceof TransportError && error.kind === 'deadline' && error.neverSent) return true
  return (status === 'timedOut' || status === 'aborted') && (record.requestsStarted ?? 0) === 0
}

/** A request resumed by id whose status read was answered 404 before any status was seen. */
function resumedUnknown(record: RequestRecord, options: RunRequestOptions): boolean {
  return (
    options.plan.requestId !== undefined &&
    record.status === undefined &&
    record.lastHttpStatus === 404
  )
}

/**
 * Requests the server gave the same id fail, all of them: their exports would land in one folder
 * and could be either subject's, so none is downloaded.
 */
export function markSharedRequestIds(records: RequestRecord[]): void {
  for (const { requestId, labels } of sharedRequestIds(records)) {
    for (const record of records.filter(r => r.requestId === requestId)) {
      record.outcome = 'error'
      record.problem =
        `request ${requestId} was returned for ${labels.length} subjects (${labels.join(', ')}): ` +
        'the server gave one id to different requests, so none of their exports is downloaded'
    }
  }
}

/** Like formatDuration, with tenths under a minute: "stopped after 13.7s" of a 20s timeout. */
function formatElapsed(ms: number): string {
  return ms < 60_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatDuration(ms)
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  let seconds = Math.round(ms / 1000)
  const hours = Math.floor(seconds / 3600)
  seconds -= hours * 3600
  const minutes = Math.floor(seconds / 60)
  seconds -= minutes * 60
  return [
    hours ? `${hours}h` : '',
    minutes ? `${minutes}m` : '',
    seconds || (!hours && !minutes) ? `${seconds}s` : ''
  ]
    .filter(Boolean)
    .join('')
}
