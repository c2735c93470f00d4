/**
 * The desk benchmark's figures (bench/desk.ts), read from what a deployment left behind: the
 * ledger's state lines and comments in the GitHub stand-in, the approvals given, the deletion
 * calls, the artifacts uploaded, the sweeps' durations.
 */
import { addCalendarMonths, addDays } from '../src/ledger/deadlines.js'
import { MARKER_PREFIX, type LedgerMarker } from '../src/ledger/marker.js'
import type { GitHubStandIn } from '../src/simulator/github/index.js'
import type { DeskPlan, DeskRun } from './desk.js'
import { billing } from './lifecycle.js'
import { DAY_MS } from './lifecycle-world.js'
import { peakHour } from './stats.js'

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

function markerOf(github: GitHubStandIn, n: number): LedgerMarker | undefined {
  const comment = github.comments(n).find(c => c.body.includes(MARKER_PREFIX))
  if (!comment) return undefined
  const line = comment.body.trimEnd().split('\n').pop()!
  return JSON.parse(line.slice(MARKER_PREFIX.length, -' -->'.length)) as LedgerMarker
}

export interface DeskFigures {
  requests: number
  finished: number
  inTime: number
  /** Requests whose legal clock had run out before the team filed them (nobody could meet it). */
  lateOnArrival: number
  dueSoonNotices: number
  overdueNotices: number
  /** Issues with more than one notice of one kind for one due date (must be 0). */
  repeatedNotices: number
  githubPeakHour: number
  githubRefused: number
  sweeps: number
  failedSweeps: number
  billedMinutes: number
  /** From filing to finishing, per request. */
  filedToFinished: number[]
  /** From the approval to the erasure's POST recorded (`erasure.sentAt`), per erasure. */
  approvalToSubmitted: number[]
  /** The most calls the deletion API received within any one second. */
  deletionPerSecondMax: number
  deletionCalls: number
  /** Erasures that reached `erased`. */
  erased: number
  /** Artifacts uploaded (each with its receipt), and exports downloaded from the storage host. */
  artifacts: number
  downloads: number
  /** Access-then-erasure requests whose erasure was sent without the export delivered first. */
  erasedBeforeDelivery: number
  deliveryStalls: number
}

export function deskFigures(p: DeskPlan, run: DeskRun): DeskFigures {
  let finished = 0
  let inTime = 0
  let lateOnArrival = 0
  let dueSoonNotices = 0
  let overdueNotices = 0
  let repeatedNotices = 0
  const filedToFinished: number[] = []
  const approvalToSubmitted: number[] = []
  let erased = 0
  let erasedBeforeDelivery = 0
  let requests = 0
  run.issues.forEach((n, i) => {
    if (n === undefined) return
    requests++
    const marker = markerOf(run.github, n)
    const received = dayOf(p.filedAt[i] - p.askedDaysBefore[i] * DAY_MS)
    const due =
      marker?.deadline?.dueDate ??
      (p.regime[i] === 'GDPR' ? addCalendarMonths(received, 1) : addDays(received, 45))
    if (due < dayOf(p.filedAt[i])) lateOnArrival++
    const sent = marker?.erasure?.sentAt
    const approved = run.approvedAt[i]
    if (sent && approved !== undefined) approvalToSubmitted.push(Date.parse(sent) - approved)
    if (marker?.state === 'erased') erased++
    if (p.kind[i] === 'both' && sent) {
      const delivered = marker?.erasure?.deliveredAt
      if (!delivered || delivered > sent) erasedBeforeDelivery++
    }
    const at = marker?.deadline?.finishedAt
    if (at) {
      finished++
      filedToFinished.push(Date.parse(at) - p.filedAt[i])
      if (at.slice(0, 10) <= due) inTime++
    }
    const comments = run.github.comments(n)
    const soon = comments.filter(c => c.body.startsWith('**DSAR due soon**')).length
    const late = comments.filter(c => c.body.startsWith('**DSAR overdue**')).length
    dueSoonNotices += soon
    overdueNotices += late
    if (soon > 1 || late > 1) repeatedNotices++
  })
  const { billed } = billing(run.sweeps.map(s => s.endedAt - s.startedAt))
  return {
    requests,
    finished,
    inTime,
    lateOnArrival,
    dueSoonNotices,
    overdueNotices,
    repeatedNotices,
    githubPeakHour: peakHour(run.github.log.map(e => ({ at: e.at, cost: 1 }))),
    githubRefused: run.github.log.filter(
      e => e.status === 429 || (e.status === 403 && !e.path.startsWith('/user'))
    ).length,
    sweeps: run.sweeps.length,
    failedSweeps: run.sweeps.filter(s => s.failed).length,
    billedMinutes: billed,
    filedToFinished,
    approvalToSubmitted,
    deletionPerSecondMax: maxInWindow(run.deletionCalls, 1000),
    deletionCalls: run.deletionCalls.length,
    erased,
    artifacts: run.artifactsDelivered,
    downloads: run.served.files,
    erasedBeforeDelivery,
    deliveryStalls: run.deliveryStalls
  }
}

/** The most of `times` (sorted, ms) within any window of `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  let most = 0
  let start = 0
  for (let end = 0; end < times.length; end++) {
    while (times[start] <= times[end] - windowMs) start++
    most = Math.max(most, end - start + 1)
  }
  return most
}
