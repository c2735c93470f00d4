/**
 * The erasure's part of a sweep (issue 22), one step per sweep like the rest of the ledger:
 * - `awaiting-approval`: nothing is sent until a member other than the author added
 *   `<label>:approved` after the ledger read the form as it stands (src/ledger/approval.ts);
 * - then the ids are sent: first the write-ahead record (`erasure-submitting`), then the project's
 *   jobs are READ, and only the ids no job holds yet are sent (so a retry, or a run that died
 *   mid-POST, never sends an id twice to a job that already holds it) -> `erasure-scheduled`;
 * - `erasure-scheduled`: the job is read at most once a day (at `poll-interval` against a loopback
 *   simulator); `done` -> the erasure receipt is posted, `erased`, the issue closes;
 * - `<label>:cancel` while the job is staging and more than three days before its day: DELETE
 *   for each id, `cancelled`; too late: a comment says so, nothing is called.
 * Raw subject ids go to the deletion API only; the issue, the log and the summary see fingerprints.
 */
import { forLog, isLoopbackHost } from '../policy/index.js'
import {
  batchInputs,
  cancellableUntil,
  DAY_MS,
  placeSubjects,
  subjectFingerprint,
  type ErasureJob
} from '../run/index.js'
import { APPROVING_PERMISSIONS, judgeApproval } from './approval.js'
import { needsInfoComment } from './comments.js'
import { erasureCalls } from './erasure-calls.js'
import { cancelJob } from './erasure-cancel.js'
import {
  approvalRefusedComment,
  awaitingApprovalComment,
  erasedComment,
  formChangedComment
} from './erasure-comments.js'
import { erasureReceipt } from './erasure-receipt.js'
import { formDigest, isLogin, type ErasureRecord } from './erasure-record.js'
import { FIELDS, type DsarForm } from './form.js'
import type { IssueFacts } from './github-shapes.js'
import { MARKER_VERSION, type LedgerMarker } from './marker.js'
import { personLabel } from './states.js'
import {
  moveLabels,
  nowIso,
  writeLedger,
  type IssueResult,
  type SweepContext,
  readIssueForm,
  referenceOf
} from './sweep-context.js'

/** Amplitude's advice: list jobs from the request day to 30 days later. */
const LIST_DAYS = 30

type Result = (state: string, note: string, extra?: Partial<IssueResult>) => IssueResult

export function newErasureRecord(issue: IssueFacts, form: DsarForm, at: string): ErasureRecord {
  return {
    form: formDigest(issue.body),
    formSeenAt: at,
    requester: issue.author,
    subjects: form.subjects.map(s => ({ subject: subjectFingerprint(s), day: null })),
    statuses: []
  }
}

/** An erasure alone, just read and checked: recorded, and the one comment saying who may approve. */
export async function startErasure(
  ctx: SweepContext,
  issue: IssueFacts,
  form: DsarForm,
  commentId: number | undefined,
  result: Result
): Promise<IssueResult> {
  if (!isLogin(issue.author)) return result('unchanged', 'the author is not a GitHub user')
  const marker: LedgerMarker = {
    version: MARKER_VERSION,
    state: 'awaiting-approval',
    startDate: form.startDate,
    endDate: form.endDate,
    requests: [],
    request: 'erasure',
    erasure: newErasureRecord(issue, form, nowIso(ctx))
  }
  await writeLedger(ctx, issue, marker, commentId, form.reference)
  // The team may label the issue before the first sweep: that approval predates the ledger's
  // reading of the form, so it cannot count (REST has no body-edit time). Taken off now, and the
  // comment asking for approval says to add it again, rather than a refusal an hour later.
  const approved = personLabel(ctx.ledger.label, 'approved')
  const early = issue.labels.includes(approved)
  if (early) {
    await ctx.github.removeLabel(issue.number, approved)
    issue.labels = issue.labels.filter(l => l !== approved)
  }
  return askApproval(ctx, issue, marker, result, early)
}

/**
 * Posts the one comment that says who may approve, and labels the issue awaiting approval.
 * `earlyApproval`: an approval label given before the ledger read the form was just taken off.
 */
export async function askApproval(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  result: Result,
  earlyApproval = false
): Promise<IssueResult> {
  await ctx.github.createComment(
    issue.number,
    awaitingApprovalComment(marker.erasure!, ctx.ledger.label, earlyApproval)
  )
  await moveLabels(ctx, issue, 'awaiting-approval')
  return result(
    'awaiting-approval',
    earlyApproval
      ? 'the erasure waits for a second member to approve it (an approval given before the form was read was taken off: to be given again)'
      : 'the erasure waits for a second member to approve it'
  )
}

export async function erasureStep(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number
): Promise<IssueResult> {
  const result: Result = (state, note, extra = {}) => ({
    issue: issue.number,
    before: marker.state,
    state,
    requestIds: marker.requests.flatMap(r => (r.requestId ? [r.requestId] : [])),
    note,
    ...extra
  })
  const record = marker.erasure
  if (!record)
    return result(marker.state, 'no erasure record', {
      problem: `issue #${issue.number}: an erasure state without its record`
    })
  if (marker.state === 'erasure-scheduled') return scheduled(ctx, issue, marker, commentId, result)
  return approvalThenSubmit(ctx, issue, marker, commentId, result)
}

async function approvalThenSubmit(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number,
  result: Result
): Promise<IssueResult> {
  const n = issue.number
  const record = marker.erasure!
  const { label } = ctx.ledger
  const approved = personLabel(label, 'approved')
  // The export first: the erasure destroys what the export reads.
  if (marker.request === 'access-then-erasure' && !record.deliveredAt) {
    return result(marker.state, 'the export is not delivered yet: nothing erased')
  }
  const reading = readIssueForm(ctx, issue)
  if (!reading.ok || !reading.form.identityVerified) {
    const field = reading.ok ? FIELDS.identityVerified : reading.field
    const problem = reading.ok
      ? 'is empty: an erasure needs the person’s identity verified'
      : reading.problem
    await ctx.github.createComment(n, needsInfoComment(field, problem, label))
    await moveLabels(ctx, issue, 'needs-info')
    return result('needs-info', `the form: ${forLog(field)} ${forLog(problem)}`)
  }
  const form = reading.form
  // The form changed since the ledger read it: approvals given before do not count.
  if (formDigest(issue.body) !== record.form && marker.state === 'awaiting-approval') {
    const next = structuredClone(marker)
    next.erasure = {
      ...newErasureRecord(issue, form, nowIso(ctx)),
      requester: record.requester,
      ...(record.deliveredAt && { deliveredAt: record.deliveredAt })
    }
    await writeLedger(ctx, issue, next, commentId, form.reference)
    if (issue.labels.includes(approved)) {
      await ctx.github.removeLabel(n, approved)
      await ctx.github.createComment(n, formChangedComment(label))
    }
    return result('awaiting-approval', 'the form changed: approval asked again')
  }
  if (marker.state === 'awaiting-approval' && !record.approvedBy) {
    if (!issue.labels.includes(approved)) return result('awaiting-approval', 'waiting for approval')
    const verdict = judgeApproval(await ctx.github.labelEvents(n), {
      approvedLabel: approved,
      author: record.requester,
      formSeenAt: record.formSeenAt
    })
    let why: string | undefined
    if (verdict.kind === 'none') why = 'no event says who added it'
    else if (verdict.kind === 'refused') why = verdict.why
    else if (!APPROVING_PERMISSIONS.has(await ctx.github.permission(verdict.login))) {
      why = 'only members with write access to this repository can approve'
    }
    if (why !== undefined || verdict.kind !== 'candidate') {
      const login = verdict.kind === 'none' ? 'someone' : verdict.login
      await ctx.github.removeLabel(n, approved)
      await ctx.github.createComment(
        n,
        approvalRefusedComment(
          login,
          why ?? '',
          label,
          record.requester,
          verdict.kind === 'refused' && verdict.early === true
        )
      )
      return result(
        'awaiting-approval',
        `an approval by ${forLog(login)} does not count: ${forLog(why ?? '')}`
      )
    }
    record.approvedBy = verdict.login
    record.approvedAt = new Date(Date.parse(verdict.at)).toISOString()
  }
  return submit(ctx, issue, marker, commentId, form, result)
}

/** Sends the ids no job holds yet; write-ahead first, the jobs read before the POST. */
async function submit(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number,
  form: DsarForm,
  result: Result
): Promise<IssueResult> {
  const n = issue.number
  const record = marker.erasure!
  const calls = erasureCalls(ctx)
  if (!calls) {
    await writeLedger(ctx, issue, marker, commentId, form.reference)
    return result(marker.state, 'approved; no erasure keys', {
      problem: `issue #${n}: the erasure is approved, but erasure-api-key and erasure-secret-key are not set (a project's keys): nothing was sent`
    })
  }
  const api = await calls
  marker.state = 'erasure-submitting'
  marker.until = new Date(ctx.deadline).toISOString()
  await writeLedger(ctx, issue, marker, commentId, form.reference)
  const back = async (problem: string): Promise<IssueResult> => {
    // Nothing is known to be sent: the approval stays recorded; the next sweep reads the jobs first.
    delete marker.until
    marker.state = 'awaiting-approval'
    await writeLedger(ctx, issue, marker, commentId, form.reference)
    return result('awaiting-approval', 'approved; not sent yet', {
      problem: `issue #${n}: ${problem}`
    })
  }
  const today = ctx.today
  const end = new Date(Date.parse(`${today}T00:00:00Z`) + LIST_DAYS * DAY_MS)
    .toISOString()
    .slice(0, 10)
  const before = await api.jobs(today, end)
  if (!before.ok) return back(`the deletion jobs could not be read: ${before.problem}`)
  // Never twice: an id a job already holds (an earlier attempt of this issue, or another issue
  // of the same person) is not sent again.
  const held = placeSubjects(form.subjects, before.jobs)
  const toSend = form.subjects.filter((_, i) => !held[i].job)
  let answered: ErasureJob[] = []
  if (toSend.length > 0) {
    const sent = await api.submit(batchInputs(toSend), record.requester)
    if (!sent.ok) {
      // Sent or not, the next sweep reads the jobs first: what arrived is not sent again.
      marker.until = new Date(ctx.deadline).toISOString()
      return result('erasure-submitting', 'the ids may not have arrived', {
        problem: `issue #${n}: the deletion request got no usable answer (${sent.problem}); the next sweep reads the jobs and sends only the ids none holds`
      })
    }
    answered = sent.jobs
  }
  const at = nowIso(ctx)
  const placed = placeSubjects(form.subjects, [...before.jobs, ...answered])
  const sentSet = new Set(toSend)
  record.subjects = placed.map(p => ({
    subject: subjectFingerprint(p.subject),
    day: p.job?.day ?? null,
    ...(!p.job && sentSet.has(p.subject) && { absent: true as const })
  }))
  record.sentAt = at
  const days = placed.flatMap(p => (p.job ? [p.job] : []))
  delete marker.until
  if (days.length === 0) {
    // Every id was absent: Amplitude knows none of them, there is nothing to erase.
    record.statuses.push({ status: 'absent', at })
    return finish(
      ctx,
      issue,
      marker,
      commentId,
      form.reference,
      result,
      'no id is known to the project'
    )
  }
  const job = days.sort((a, b) => b.day.localeCompare(a.day))[0]
  record.day = job.day
  noteStatus(record, job, at)
  marker.state = 'erasure-scheduled'
  await writeLedger(ctx, issue, marker, commentId, form.reference)
  await moveLabels(ctx, issue, 'erasure-scheduled')
  const absent = record.subjects.filter(s => s.absent).length
  ctx.log(
    `issue #${n}: erasure sent (${toSend.length} id(s)), job ${job.day} ${job.status}${absent ? `, ${absent} absent` : ''}`
  )
  return result(
    'erasure-scheduled',
    `in the deletion job of ${job.day} (${job.status}); cancellable until ${cancellableUntil(job.day)}`
  )
}

async function scheduled(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number,
  result: Result
): Promise<IssueResult> {
  const n = issue.number
  const record = marker.erasure!
  const cancel = personLabel(ctx.ledger.label, 'cancel')
  const calls = erasureCalls(ctx)
  const day = record.day!
  const reference = referenceOf(ctx, issue)
  const wantsCancel = issue.labels.includes(cancel)
  const now = ctx.session.clock.now()
  // At most one read a day per job (a job takes weeks); a loopback simulator at poll-interval.
  const loopback = isLoopbackHost(new URL(ctx.settings.apiUrl).hostname)
  const interval = loopback ? ctx.settings.pollIntervalMs : DAY_MS
  const due = !record.checkedAt || now - Date.parse(record.checkedAt) >= interval
  if (!wantsCancel && !due)
    return result('erasure-scheduled', `job ${day}: read less than a day ago`)
  if (!calls) {
    return result('erasure-scheduled', 'no erasure keys', {
      problem: `issue #${n}: erasure-api-key and erasure-secret-key are not set: job ${day} was not read`
    })
  }
  const api = await calls
  const read = await api.jobs(day, day)
  const job = read.jobs.find(j => j.day === day)
  if (!read.ok || !job) {
    return result('erasure-scheduled', `job ${day} not read`, {
      problem: `issue #${n}: job ${day}: ${read.ok ? 'Amplitude lists no deletion job on that day' : read.problem}`
    })
  }
  const at = nowIso(ctx)
  if (wantsCancel) return cancelJob(ctx, issue, marker, commentId, job, reference, result)
  record.checkedAt = at
  noteStatus(record, job, at)
  if (job.status === 'done')
    return finish(ctx, issue, marker, commentId, reference, result, `job ${day} done`)
  await writeLedger(ctx, issue, marker, commentId, reference)
  return result('erasure-scheduled', `job ${day} still ${job.status}`)
}

/** The job is done (or nothing was known to erase): the receipt, `erased`, closed. */
async function finish(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number,
  reference: string | undefined,
  result: Result,
  note: string
): Promise<IssueResult> {
  marker.state = 'erased'
  await writeLedger(ctx, issue, marker, commentId, reference)
  await ctx.github.createComment(issue.number, erasedComment(erasureReceipt(ctx, issue, marker)))
  await moveLabels(ctx, issue, 'erased')
  return result('erased', note)
}

function noteStatus(record: ErasureRecord, job: ErasureJob, at: string): void {
  if (record.statuses.at(-1)?.status !== job.status && /^[a-z][a-z_-]{0,31}$/.test(job.status)) {
    record.statuses.push({ status: job.status, at })
  }
  if (job.activeScrubDoneDate) record.activeScrubDoneDate = job.activeScrubDoneDate
}
