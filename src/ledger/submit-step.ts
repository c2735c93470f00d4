/**
 * A new issue (or one a person asked again): check that its author may ask, read the form, write
 * the ledger comment as `submitting` (the write-ahead record), submit one DSAR per subject, then
 * record the request ids (`submitted`). A request id that GitHub then fails to record is logged at
 * once and reaches the step's outputs, summary and failure message: nothing is lost.
 */
import { TransportError } from '../action/http-transport.js'
import { planRuns, subjectFingerprint } from '../action/workflow-helper.js'
import { forLog } from '../policy/untrusted-text.js'
import { needsAttentionComment, needsInfoComment, refusedComment } from './comments.js'
import { readForm, type DsarForm } from './form.js'
import type { IssueFacts } from './github-shapes.js'
import { MARKER_VERSION, type LedgerMarker } from './marker.js'
import type { Step } from './states.js'
import {
  moveLabels,
  nowIso,
  runPlans,
  writeLedger,
  type IssueResult,
  type SweepContext
} from './sweep-context.js'

const ASKING_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR'])
/** Any permission on a private repository makes its holder a member or collaborator. */
const ASKING_PERMISSIONS = new Set(['admin', 'maintain', 'write', 'triage', 'read'])
const REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/
const STATUS = /^[a-z][a-z_-]{0,31}$/
/** Errors that prove the request never reached Amplitude (nothing to duplicate). */
const NOT_SENT = new Set(['auth', 'deadline', 'policy'])

/**
 * Only owners, members and collaborators may ask. GitHub shows a private org member to some
 * tokens as CONTRIBUTOR or NONE, so anyone else is looked up by their permission first.
 */
export async function mayAsk(ctx: SweepContext, issue: IssueFacts): Promise<boolean> {
  if (ASKING_ASSOCIATIONS.has(issue.association)) return true
  return ASKING_PERMISSIONS.has(await ctx.github.permission(issue.author))
}

export async function submitIssue(
  ctx: SweepContext,
  issue: IssueFacts,
  step: Extract<Step, { kind: 'new' }>
): Promise<IssueResult> {
  const before = step.retry ? 'retry' : 'new'
  const result = (state: string, note: string, extra: Partial<IssueResult> = {}): IssueResult => ({
    issue: issue.number,
    before,
    state,
    requestIds: [],
    note,
    ...extra
  })
  if (!(await mayAsk(ctx, issue))) {
    await ctx.github.createComment(issue.number, refusedComment())
    await moveLabels(ctx, issue, 'refused')
    return result('refused', 'the author is not an owner, member or collaborator')
  }
  const { settings } = ctx
  const reading = readForm(issue.body, {
    startDate: settings.startDate,
    endDate: settings.endDate,
    today: ctx.today
  })
  if (!reading.ok) {
    await ctx.github.createComment(
      issue.number,
      needsInfoComment(reading.field, reading.problem, ctx.ledger.label)
    )
    await moveLabels(ctx, issue, 'needs-info')
    return result('needs-info', `the form: ${forLog(reading.field)} ${forLog(reading.problem)}`)
  }
  return submitForm(ctx, issue, reading.form, step, result)
}

async function submitForm(
  ctx: SweepContext,
  issue: IssueFacts,
  form: DsarForm,
  step: Extract<Step, { kind: 'new' }>,
  result: (state: string, note: string, extra?: Partial<IssueResult>) => IssueResult
): Promise<IssueResult> {
  const n = issue.number
  const plans = planRuns(
    {
      ...ctx.settings,
      subjects: form.subjects,
      startDate: form.startDate,
      endDate: form.endDate,
      wait: false,
      requestIds: []
    },
    ctx.loaded
  ).map(plan => ({ ...plan, label: `issue #${n} ${plan.label}`, subject: undefined }))
  // One request per subject (documented API), or one for all of them (the seed's contract).
  const fingerprints =
    plans.length === form.subjects.length
      ? form.subjects.map(subjectFingerprint)
      : [form.subjects.map(subjectFingerprint).join(', ')]

  // A person asked again: their old state label goes first, so that no crash below can leave
  // `<label>` beside a person state (which would read as yet another retry).
  if (step.retry) await moveLabels(ctx, issue, 'new')
  const marker: LedgerMarker = {
    version: MARKER_VERSION,
    state: 'submitting',
    startDate: form.startDate,
    endDate: form.endDate,
    requests: fingerprints.map(subject => ({
      requestId: null,
      subject,
      status: null,
      submittedAt: null,
      checkedAt: null,
      doneAt: null
    }))
  }
  const commentId = await writeLedger(ctx, issue, marker, step.commentId, form.reference)
  ctx.log(`issue #${n}: ledger says submitting; submitting ${plans.length} request(s)`)

  const records = await runPlans(ctx, plans)
  const at = nowIso(ctx)
  const ids = records.map(r => (r.requestId && REQUEST_ID.test(r.requestId) ? r.requestId : null))
  records.forEach((record, i) => {
    if (ids[i]) ctx.log(`issue #${n}: Amplitude accepted request ${ids[i]} (${fingerprints[i]})`)
    else if (record.requestId) ctx.log(`issue #${n}: Amplitude answered an unusable request id`)
  })
  const obtained = ids.filter((id): id is string => id !== null)

  if (obtained.length === records.length) {
    marker.state = 'submitted'
    marker.requests.forEach((request, i) => {
      request.requestId = ids[i]
      request.submittedAt = at
      const status = records[i].status
      request.status = status && STATUS.test(status) ? status : null
    })
    try {
      await writeLedger(ctx, issue, marker, commentId, form.reference)
    } catch (error) {
      return result('submitting', 'submitted; GitHub failed to record the request ids', {
        requestIds: obtained,
        unrecorded: obtained,
        problem:
          `issue #${n}: GitHub failed after Amplitude accepted request ${obtained.join(', ')} ` +
          `(${(error as Error).message}); the ledger comment still says submitting, so the next ` +
          'sweep asks a person (needs-attention) instead of submitting again'
      })
    }
    await moveLabels(ctx, issue, 'submitted')
    return result('submitted', `submitted ${obtained.join(', ')}`, { requestIds: obtained })
  }

  const why = records
    .map(r => r.problem)
    .filter(Boolean)
    .join('; ')
  // Refused credentials stop every request of the run (the signal's reason): none was taken.
  const stopReason: unknown = ctx.signal.aborted ? ctx.signal.reason : undefined
  const notSent = records.every(r => {
    const error = r.error ?? stopReason
    return !r.requestId && error instanceof TransportError && NOT_SENT.has(error.kind)
  })
  if (notSent) {
    // Nothing reached Amplitude: take the write-ahead record back, the next sweep tries again.
    await ctx.github.deleteComment(commentId)
    return result(step.retry ? 'retry' : 'new', 'nothing submitted', {
      problem: `issue #${n}: nothing was submitted (${why})`
    })
  }
  marker.state = 'needs-attention'
  marker.requests.forEach((request, i) => {
    request.requestId = ids[i]
    request.submittedAt = ids[i] ? at : null
  })
  await writeLedger(ctx, issue, marker, commentId, form.reference)
  await ctx.github.createComment(
    n,
    needsAttentionComment(
      `Amplitude accepted ${obtained.length} of ${records.length} requests` +
        (obtained.length > 0 ? ` (${obtained.join(', ')}, in the ledger comment)` : '') +
        '; for the others it is unknown whether Amplitude created them.',
      ctx.ledger.label
    )
  )
  await moveLabels(ctx, issue, 'needs-attention')
  return result('needs-attention', 'some requests may not have been created', {
    requestIds: obtained,
    problem: `issue #${n}: ${why}`
  })
}
