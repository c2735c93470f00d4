/**
 * The ledger's state machine: what one sweep does with one open issue carrying the ledger label,
 * from its labels and its (trusted) ledger comment. Pure: no I/O.
 *
 * Labels: `<label>` marks an issue the ledger must move on; `<label>:submitted` while Amplitude
 * works; a state that waits for a person (`done`, `failed`, `needs-info`, `refused`,
 * `needs-attention`, `expired`) replaces both with `<label>:<state>` in one call. So `<label>`
 * together with a person state's label can only mean that a person added `<label>` again: a retry.
 *
 * The ledger comment decides over labels, and every doubt ends in `needs-attention`, never in a
 * second submission: `submitting` without request ids (a run died mid-submit), a ledger comment
 * that no longer reads, or a `<label>:submitted` issue whose ledger comment is gone.
 */
import type { LedgerMarker, LedgerState, MarkerReading } from './marker.js'

export type IssueState = LedgerState | 'needs-info' | 'refused'

/** States in which the ledger waits for a person (the issue loses `<label>`). */
export const PERSON_STATES: readonly IssueState[] = [
  'done',
  'ready',
  'failed',
  'needs-info',
  'refused',
  'needs-attention',
  'expired',
  'cancelled',
  'erased'
]

/**
 * Labels a person adds (never set by the ledger): `approved` (a second member approves the
 * erasure) and `cancel` (take the ids back out of the job while it can still be changed).
 */
export type PersonLabel = 'approved' | 'cancel'
export function personLabel(label: string, which: PersonLabel): string {
  return `${label}:${which}`
}

export type Step =
  /**
   * Check the author, read the form, submit. `retry`: a person asked again. `keep`: the ledger
   * whose accepted requests stay as they are (only the other subjects are submitted).
   */
  | { kind: 'new'; retry: boolean; commentId?: number; keep?: LedgerMarker }
  /** Check each request once; deliver when all are done. */
  | { kind: 'poll'; marker: LedgerMarker; commentId: number }
  /** Never resubmit: ask a person. */
  | {
      kind: 'stuck'
      why: 'submitting' | 'unreadable' | 'tampered' | 'missing' | 'several'
      commentId?: number
      marker?: LedgerMarker
      /** What the ledger comments name (several ledger comments), for the person. */
      requestIds?: string[]
    }
  /** A previous sweep recorded the state but stopped before the labels: finish that, silently. */
  | { kind: 'settle'; state: LedgerState }
  /** Another run, still within its deadline, is submitting it: left alone this sweep. */
  | { kind: 'busy'; until: string }
  /** The erasure's part: approval, submit, the job's status, cancellation (erasure-step.ts). */
  | { kind: 'erasure'; marker: LedgerMarker; commentId: number }

/** Leeway for the clocks of two runners when judging another run's deadline. */
export const CLOCK_LEEWAY_MS = 60_000

export function stateLabel(label: string, state: IssueState): string {
  return `${label}:${state}`
}

export function decide(
  labels: string[],
  label: string,
  reading: MarkerReading,
  now = Number.POSITIVE_INFINITY
): Step {
  const has = (name: string): boolean => labels.includes(name)
  const personAsked = PERSON_STATES.some(state => has(stateLabel(label, state)))
  if (reading.kind === 'several') {
    return { kind: 'stuck', why: 'several', requestIds: reading.requestIds }
  }
  if (reading.kind === 'unreadable') {
    return {
      kind: 'stuck',
      why: reading.tampered ? 'tampered' : 'unreadable',
      commentId: reading.commentId
    }
  }
  if (reading.kind === 'none') {
    if (has(stateLabel(label, 'submitted'))) return { kind: 'stuck', why: 'missing' }
    return { kind: 'new', retry: personAsked }
  }
  const { marker, commentId } = reading
  switch (marker.state) {
    case 'awaiting-approval':
    case 'erasure-scheduled':
      return { kind: 'erasure', marker, commentId }
    case 'erasure-submitting':
      // A run that may still be sending the ids is left alone; once its deadline passed, the
      // erasure step reads the jobs before it sends anything, so no id is sent twice.
      if (marker.until && now < Date.parse(marker.until) + CLOCK_LEEWAY_MS) {
        return { kind: 'busy', until: marker.until }
      }
      return { kind: 'erasure', marker, commentId }
    case 'submitting':
      if (marker.until && now < Date.parse(marker.until) + CLOCK_LEEWAY_MS) {
        return { kind: 'busy', until: marker.until }
      }
      return { kind: 'stuck', why: 'submitting', commentId, marker }
    case 'submitted':
      // Subjects a cut run never sent are submitted first (the accepted ones are kept).
      if (marker.requests.some(r => r.requestId === null)) {
        return { kind: 'new', retry: false, commentId, keep: marker }
      }
      return { kind: 'poll', marker, commentId }
    case 'needs-attention':
      // A person asked again: requests Amplitude accepted are kept, never asked twice.
      return personAsked
        ? { kind: 'new', retry: true, commentId, keep: marker }
        : { kind: 'settle', state: marker.state }
    default:
      return personAsked
        ? { kind: 'new', retry: true, commentId }
        : { kind: 'settle', state: marker.state }
  }
}

/**
 * The issue's labels for `state`: every label that is not one of the ledger's kept as it is, then
 * `<label>` and `<label>:submitted` while in progress, or `<label>:<state>` alone.
 */
export function labelsFor(current: string[], label: string, state: IssueState | 'new'): string[] {
  const ours = new Set([
    label,
    ...[...PERSON_STATES, ...IN_PROGRESS].map(s => stateLabel(label, s))
  ])
  const others = current.filter(name => !ours.has(name))
  if (state === 'new') return [...others, label]
  if (state === 'submitting' || state === 'submitted') {
    return [...others, label, stateLabel(label, 'submitted')]
  }
  if (state === 'awaiting-approval') return [...others, label, stateLabel(label, state)]
  if (state === 'erasure-submitting' || state === 'erasure-scheduled') {
    return [...others, label, stateLabel(label, 'erasure-scheduled')]
  }
  return [...others, stateLabel(label, state)]
}

/** States in which the sweep keeps the issue (`<label>` beside the state's own label). */
export const IN_PROGRESS = ['submitted', 'awaiting-approval', 'erasure-scheduled'] as const

export function sameLabels(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n')
}
