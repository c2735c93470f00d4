/**
 * The sweep's side of every request's legal clock (docs/desk.md): the state line's `deadline` is
 * stamped on every write of the ledger comment (taken from the form when the request is taken up,
 * `finishedAt` when it finishes), and after each issue's step the deadline check posts the one
 * `due-soon` or `overdue` notice a threshold owes, records it, and sets the label. A sweep in which
 * no threshold is crossed and no extension appears writes nothing for it.
 */
import { forHtml, forMarkdown } from '../policy/index.js'
import { SIGNATURE } from './comments.js'
import {
  deadlineLabels,
  isFinished,
  moveDeadline,
  newDeadline,
  type DeadlineRecord,
  type Notice,
  type Standing
} from './deadline-record.js'
import { daysLeft, type Regime } from './deadlines.js'
import { readForm } from './form.js'
import type { ReceiptDeadline } from '../export/index.js'
import type { IssueFacts } from './github-shapes.js'
import type { LedgerMarker } from './marker.js'
import { sameLabels } from './states.js'
import { writeLedger, type SweepContext } from './sweep-context.js'

/** An open request's clock as this sweep saw it, for the job summary. */
export interface ClockRow {
  issue: number
  state: string
  deadline: DeadlineRecord
  standing: Standing
}

/** `<label>:extended` is on the issue (a person added it: only people set labels). */
export function extendedOn(issue: IssueFacts, label: string): boolean {
  return issue.labels.includes(`${label}:extended`)
}

/** The form's clock fields, with the issue's creation day and `ledger-regime` as defaults. */
function formClock(
  ctx: SweepContext,
  issue: IssueFacts
): { receivedOn: string; regime: Regime; reference?: string } {
  const createdOn = issue.createdAt.slice(0, 10)
  const reading = readForm(issue.body, {
    startDate: ctx.settings.startDate,
    endDate: ctx.settings.endDate,
    today: ctx.today,
    receivedOn: createdOn,
    regime: ctx.ledger.regime
  })
  // A form edited into something unreadable after it was taken up: the clock still runs, from
  // the day the issue was filed under the workflow's regime.
  if (!reading.ok) return { receivedOn: createdOn, regime: ctx.ledger.regime }
  const { receivedOn, regime, reference } = reading.form
  return { receivedOn, regime, ...(reference && { reference }) }
}

/**
 * Called by every write of the ledger comment: a marker without a deadline (taken up now, or read
 * from a version-2 line) gets one from the form; a finished one records when it finished.
 */
export function stampDeadline(ctx: SweepContext, issue: IssueFacts, marker: LedgerMarker): void {
  if (!marker.deadline) {
    const { receivedOn, regime } = formClock(ctx, issue)
    marker.deadline = newDeadline(receivedOn, regime, {
      extended: extendedOn(issue, ctx.ledger.label),
      otherDays: ctx.ledger.dueDays
    })
  }
  if (isFinished(marker.state) && !marker.deadline.finishedAt) {
    marker.deadline = {
      ...marker.deadline,
      finishedAt: new Date(ctx.session.clock.now()).toISOString()
    }
  }
}

/**
 * After an issue's step: where its request stands against its due date. Notices and labels only
 * for an issue the ledger still carries (`<label>` on it) and not finished; every open request
 * with a ledger is listed for the summary.
 */
export async function checkDeadline(ctx: SweepContext, issue: IssueFacts): Promise<void> {
  const held = ctx.ledgers.get(issue.number)
  if (!held) return
  const { marker, commentId } = held
  if (marker.state === 'submitting' || isFinished(marker.state)) return
  const label = ctx.ledger.label
  const fromForm = marker.deadline ? undefined : formClock(ctx, issue)
  const record =
    marker.deadline ??
    newDeadline(fromForm!.receivedOn, fromForm!.regime, {
      extended: false,
      otherDays: ctx.ledger.dueDays
    })
  const move = moveDeadline(record, ctx.today, extendedOn(issue, label))
  ctx.clocks.push({
    issue: issue.number,
    state: marker.state,
    deadline: move.record,
    standing: move.standing
  })
  if (!issue.labels.includes(label)) return
  if (move.notice) {
    await ctx.github.createComment(issue.number, noticeComment(move.notice, move.record, ctx))
  }
  // A version-2 line without a deadline is not rewritten just for it (a sweep in which nothing
  // changed writes nothing): its next write stamps it.
  if (move.changed) {
    const reference = (fromForm ?? formClock(ctx, issue)).reference
    await writeLedger(ctx, issue, { ...marker, deadline: move.record }, commentId, reference)
  }
  const labels = deadlineLabels(issue.labels, label, move)
  if (!sameLabels(labels, issue.labels)) {
    await ctx.github.setLabels(issue.number, labels)
    issue.labels = labels
  }
}

const EXTENSIONS: Record<Regime, string | undefined> = {
  GDPR: 'two more months (GDPR Art. 12(3), telling the person why within the first month)',
  CCPA: '45 more days (telling the person within the first 45 days)',
  Other: undefined
}

export function noticeComment(notice: Notice, deadline: DeadlineRecord, ctx: SweepContext): string {
  const label = forMarkdown(ctx.ledger.label)
  const days = daysLeft(deadline.dueDate, ctx.today)
  const when =
    notice === 'overdue'
      ? `was due on ${deadline.dueDate} (${-days} day${days === -1 ? '' : 's'} ago)`
      : `is due on ${deadline.dueDate} (${days === 0 ? 'today' : `in ${days} day${days === 1 ? '' : 's'}`})`
  const extension = EXTENSIONS[deadline.regime]
  const advice =
    deadline.extended || !extension
      ? 'It cannot be extended further here: answer the person, or record why not.'
      : `If the law allows more time, add the “${label}:extended” label: the due date moves by ${extension}.`
  return [
    `**DSAR ${notice === 'overdue' ? 'overdue' : 'due soon'}**: the answer to this request ${when} ` +
      `under ${deadline.regime} (received ${deadline.receivedOn}), and it is not finished yet.`,
    '',
    advice,
    '',
    SIGNATURE
  ].join('\n')
}

/** The job summary's table of open requests, soonest due first (then by issue number). */
export function clockTable(
  clocks: ClockRow[],
  today: string
): ({ data: string; header: true } | string)[][] {
  const rows = [...clocks].sort(
    (a, b) => a.deadline.dueDate.localeCompare(b.deadline.dueDate) || a.issue - b.issue
  )
  const header = ['Issue', 'Due', 'Days left', 'Regime', 'Received on', 'Now', 'State']
  return [
    header.map(data => ({ data, header: true as const })),
    ...rows.map(r => [
      `#${r.issue}`,
      r.deadline.dueDate + (r.deadline.extended ? ' (extended)' : ''),
      String(daysLeft(r.deadline.dueDate, today)),
      r.deadline.regime,
      r.deadline.receivedOn,
      r.standing,
      forHtml(r.state)
    ])
  ]
}

/**
 * The receipt's `deadline`, written as the export is delivered: the request finishes with this
 * delivery (`finishedAt` now, unless recorded earlier), extension as recorded or on the issue now.
 */
export function receiptDeadline(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker
): { deadline: ReceiptDeadline } {
  let record = marker.deadline
  if (!record) {
    const form = formClock(ctx, issue)
    record = newDeadline(form.receivedOn, form.regime, {
      extended: false,
      otherDays: ctx.ledger.dueDays
    })
  }
  const { record: now } = moveDeadline(record, ctx.today, extendedOn(issue, ctx.ledger.label))
  return {
    deadline: {
      receivedOn: now.receivedOn,
      regime: now.regime,
      dueDate: now.dueDate,
      extended: now.extended === true,
      // The export of an access-then-erasure request is delivered first: the request goes on.
      ...(!(marker.request === 'access-then-erasure' && marker.state === 'submitted') && {
        finishedAt: now.finishedAt ?? new Date(ctx.session.clock.now()).toISOString()
      })
    }
  }
}
