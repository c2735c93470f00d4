/**
 * The legal clock of one ledger issue, as the state line records it (`deadline`), and the pure
 * decisions a sweep takes on it: the due date (src/ledger/deadlines.ts) with `<label>:extended`,
 * whether a `due-soon` or `overdue` notice is due, and which deadline labels the issue should carry.
 *
 * Quiet by construction: a notice is owed once per threshold and due date. The record keeps the
 * due date each notice was written for, so the next sweeps (hourly) see it written and say nothing;
 * an extension moves the due date, and the new date's thresholds are told once more.
 */
import { isCalendarDay } from '../policy/index.js'
import { deadlineState, dueDate, REGIMES, type Regime } from './deadlines.js'

export interface DeadlineRecord {
  /** The day the person asked (the form's `Received on`, or the creation day). */
  receivedOn: string
  regime: Regime
  /** The day the answer is due, extension included (YYYY-MM-DD). */
  dueDate: string
  /** `<label>:extended` was seen: the regime's one extension applies (never for Other). */
  extended?: true
  /** The due date a `due-soon` notice was written for. */
  dueSoon?: string
  /** The due date an `overdue` notice was written for. */
  overdue?: string
  /** When the ledger finished the request (delivered, ready to collect, erased, cancelled). */
  finishedAt?: string
}

export type Notice = 'due-soon' | 'overdue'
export type Standing = 'open' | Notice

/** Ledger states in which the request is finished: its clock stops, its deadline labels go. */
export const FINISHED_STATES: readonly string[] = ['done', 'ready', 'erased', 'cancelled']

export const DEADLINE_LABELS = ['due-soon', 'overdue', 'extended'] as const

export function isFinished(state: string): boolean {
  return FINISHED_STATES.includes(state)
}

/** The record of a request taken up now. */
export function newDeadline(
  receivedOn: string,
  regime: Regime,
  options: { extended: boolean; otherDays: number }
): DeadlineRecord {
  const extended = options.extended && regime !== 'Other'
  return {
    receivedOn,
    regime,
    dueDate: dueDate(receivedOn, regime, { extended, otherDays: options.otherDays }),
    ...(extended && { extended: true as const })
  }
}

export interface DeadlineMove {
  record: DeadlineRecord
  standing: Standing
  /** A notice to post now (it was never written for this due date). */
  notice?: Notice
  /** The record differs from the one read (a write of the ledger comment is owed). */
  changed: boolean
}

/**
 * Where an unfinished request stands `today`. `extendedLabel`: `<label>:extended` is on the issue
 * now (once seen, the extension stays recorded even if the label goes). Other has no extension:
 * its due date is the one recorded when it was taken up.
 */
export function moveDeadline(
  record: DeadlineRecord,
  today: string,
  extendedLabel: boolean
): DeadlineMove {
  const extended = (record.extended === true || extendedLabel) && record.regime !== 'Other'
  const due =
    record.regime === 'Other'
      ? record.dueDate
      : dueDate(record.receivedOn, record.regime, { extended })
  const next: DeadlineRecord = {
    ...record,
    dueDate: due,
    ...(extended && { extended: true as const })
  }
  const standing = deadlineState(due, today)
  let notice: Notice | undefined
  if (standing === 'overdue' && record.overdue !== due) notice = 'overdue'
  else if (standing === 'due-soon' && record.dueSoon !== due) notice = 'due-soon'
  if (notice === 'overdue') next.overdue = due
  if (notice === 'due-soon') next.dueSoon = due
  return {
    record: next,
    standing,
    notice,
    changed: JSON.stringify(next) !== JSON.stringify(record)
  }
}

/**
 * The labels after a deadline move: a notice adds its label (overdue replaces due-soon);
 * a due date moved back out of reach (extended) takes both away. Otherwise the labels stay as they
 * are: a person who removes `due-soon` is not answered by the next sweep putting it back.
 */
export function deadlineLabels(
  labels: string[],
  label: string,
  move: Pick<DeadlineMove, 'standing' | 'notice'>
): string[] {
  const soon = `${label}:due-soon`
  const late = `${label}:overdue`
  if (move.notice === 'overdue') return [...labels.filter(l => l !== soon && l !== late), late]
  if (move.notice === 'due-soon') return [...labels.filter(l => l !== soon), soon]
  if (move.standing === 'open') return labels.filter(l => l !== soon && l !== late)
  if (move.standing === 'due-soon') return labels.filter(l => l !== late)
  return labels
}

/** The labels of a finished request: its deadline notices are over (`extended` stays, a record). */
export function finishedLabels(labels: string[], label: string): string[] {
  return labels.filter(l => l !== `${label}:due-soon` && l !== `${label}:overdue`)
}

/** Why a state line's `deadline` is not one the action writes, or undefined when it is. */
export function deadlineProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'bad deadline'
  }
  const record = value as Record<string, unknown>
  const day = (key: string): boolean => {
    const text = record[key]
    return typeof text === 'string' && isCalendarDay(text)
  }
  if (!day('receivedOn')) return 'bad deadline receivedOn'
  if (!REGIMES.includes(record.regime as Regime)) return 'bad deadline regime'
  if (!day('dueDate')) return 'bad deadline dueDate'
  if (record.extended !== undefined && record.extended !== true) return 'bad deadline extended'
  for (const key of ['dueSoon', 'overdue']) {
    if (record[key] !== undefined && !day(key)) return `bad deadline ${key}`
  }
  const finished = record.finishedAt
  if (
    finished !== undefined &&
    !(
      typeof finished === 'string' &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(finished) &&
      !Number.isNaN(Date.parse(finished))
    )
  ) {
    return 'bad deadline finishedAt'
  }
  const allowed = new Set([
    'receivedOn',
    'regime',
    'dueDate',
    'extended',
    'dueSoon',
    'overdue',
    'finishedAt'
  ])
  if (Object.keys(record).some(key => !allowed.has(key))) return 'bad deadline: unexpected fields'
  return undefined
}

/** The due line of the ledger comment (every value in it was checked: days and a known regime). */
export function dueLine(deadline: DeadlineRecord | undefined): string[] {
  if (!deadline) return []
  const extended = deadline.extended ? ', extended' : ''
  return [
    `Due: **${deadline.dueDate}** (${deadline.regime}, received ${deadline.receivedOn}${extended})`,
    ''
  ]
}
