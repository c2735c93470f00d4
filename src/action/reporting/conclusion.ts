/**
 * How a run ends, in words: the step's one failure message (naming the HTTP status, request id or
 * timeout involved, and the line that resumes what is unfinished), or what a run that submitted
 * without waiting saw.
 */
import { formatDuration, type RequestRecord, TransportError } from '../../run/index.js'
import { describeCounts, statusCounts } from './progress.js'

/** `request-ids: 1,2` for the requests a later run can pick up (timed out or stopped). */
export function resumeHint(records: readonly RequestRecord[]): string | undefined {
  const resumable = records.filter(
    r => r.requestId && (r.outcome === 'timedOut' || r.outcome === 'aborted')
  )
  return resumable.length > 0
    ? `request-ids: ${resumable.map(r => r.requestId).join(',')}`
    : undefined
}

export interface FailureInput {
  records: readonly RequestRecord[]
  problems: readonly string[]
  /** Why the whole run was stopped (a signal, refused credentials), when it was. */
  stopReason?: Error
  timeoutMs: number
  /** Epoch ms. */
  deadline: number
}

/** The step's failure message, or undefined when every request reached its done status. */
export function failureMessage(input: FailureInput): string | undefined {
  const { records, problems, stopReason } = input
  const hint = resumeHint(records)
  const ids = records.map(r => r.requestId).filter((id): id is string => Boolean(id))
  if (stopReason) {
    // Refused credentials say which call was refused; a signal says it was cancelled.
    const known = ids.length > 0 ? `; request ids so far: ${ids.join(', ')}` : ''
    const message =
      stopReason instanceof TransportError
        ? `${stopReason.message}${known}`
        : `${stopReason.message}; request ids so far: ${records.map(r => r.requestId ?? '-').join(', ')}`
    return message + (hint ? `\nResume them with:\n  ${hint}` : '')
  }
  if (problems.length === 0) return undefined
  const timedOut = records.some(r => r.outcome === 'timedOut' || r.outcome === 'notSent')
  const deadline = new Date(input.deadline).toISOString().replace(/\.\d{3}Z$/, 'Z')
  const message = timedOut
    ? `Timed out (timeout ${formatDuration(input.timeoutMs)}, deadline ${deadline}): ${someOf(problems)}`
    : someOf(problems)
  return message + (hint ? `\nResume them in a later run with:\n  ${hint}` : '')
}

/**
 * `Submitted 3 requests; 2 staging, 1 submitted` (wait: false); what was sent is counted, not what
 * was planned: `Submitted 45 of 4950 subjects; 45 submitted, 4905 not-sent`.
 */
export function submittedSummary(records: readonly RequestRecord[]): string {
  const n = records.length
  const sent = records.filter(r => r.requestId !== undefined).length
  const what =
    sent === n
      ? `${n} request${n === 1 ? '' : 's'}`
      : `${sent} of ${n} subject${n === 1 ? '' : 's'}`
  return `Submitted ${what}; ${describeCounts(statusCounts(records))}`
}

/**
 * The run's problems, one line each, the subjects never sent counted in one line (thousands of
 * them would bury everything else): the summary lists them by fingerprint, the `requests` output
 * by value.
 */
export function runProblems(records: readonly RequestRecord[]): string[] {
  const problems = new Set<string>()
  for (const r of records) if (r.problem && r.outcome !== 'notSent') problems.add(r.problem)
  const unsent = records.filter(r => r.outcome === 'notSent')
  if (unsent.length > 0) {
    // Why, once: the first one's reason (they share it: the timeout, or the stop).
    const why = unsent[0].problem?.split('; ').slice(1).join('; ')
    problems.add(
      `${unsent.length} subject${unsent.length === 1 ? ' was' : 's were'} not sent (nothing ` +
        'was taken by Amplitude for them before the run stopped' +
        (why ? `; the first: ${why}` : '') +
        '): the requests output lists them with status not-sent'
    )
  }
  return [...problems]
}

/** The first problems, for one message (thousands of them would bury the resume line). */
export function someOf(problems: readonly string[], count = 20): string {
  const more = problems.length - count
  return (
    problems.slice(0, count).join('; ') +
    (more > 0 ? `; and ${more} more (see the job summary)` : '')
  )
}
