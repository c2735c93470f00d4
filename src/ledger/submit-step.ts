/**
 * A new issue (or one a person asked again): check that its author may ask, read the form, write
 * the ledger comment as `submitting` (the write-ahead record), submit one DSAR per subject, then
 * record the request ids (`submitted`). A request id that GitHub then fails to record is logged at
 * once and reaches the step's outputs, summary and failure message: nothing is lost.
 */
import {
  planDocument,
  planRuns,
  type RequestRecord,
  stoppedByDeadline,
  subjectFingerprint
} from '../run/index.js'
import { forLog, isRecordedStatus, REQUEST_ID_PATTERN } from '../policy/index.js'
import { needsAttentionComment, needsInfoComment, refusedComment } from './comments.js'
import { erases, FIELDS, readForm, type DsarForm } from './form.js'
import { newErasureRecord, startErasure } from './erasure-step.js'
import type { IssueFacts } from './github-shapes.js'
import { MARKER_PREFIX, MARKER_VERSION, type LedgerMarker } from './marker.js'
import type { Step } from './states.js'
import {
  moveLabels,
  nowIso,
  submitPlans,
  writeLedger,
  type IssueResult,
  type SweepContext
} from './sweep-context.js'
import { messageOf } from '../arazzo/index.js'

/**
 * Only owners, members and collaborators may ask. GitHub shows a private org member to some
 * tokens as CONTRIBUTOR or NONE, so anyone else is looked up by their permission first.
 * (The two lists live in the function, not at module level, so that StrykerJS sees a mutant of
 * them: under Jest's ESM mode it does not activate module-level mutants; bench/RESULTS.md.)
 */
export async function mayAsk(ctx: SweepContext, issue: IssueFacts): Promise<boolean> {
  if (['OWNER', 'MEMBER', 'COLLABORATOR'].includes(issue.association)) return true
  // Any permission on a private repository makes its holder a member or collaborator.
  const permission = await ctx.github.permission(issue.author)
  return ['admin', 'maintain', 'write', 'triage', 'read'].includes(permission)
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
  const form = reading.form
  const erasureProblem = erasureFormProblem(ctx, form)
  if (erasureProblem) {
    await ctx.github.createComment(
      issue.number,
      needsInfoComment(erasureProblem.field, erasureProblem.problem, ctx.ledger.label)
    )
    await moveLabels(ctx, issue, 'needs-info')
    return result(
      'needs-info',
      `the form: ${forLog(erasureProblem.field)} ${forLog(erasureProblem.problem)}`
    )
  }
  // An erasure alone waits for approval; access, then erasure, starts with the export.
  if (form.request === 'erasure') {
    if (step.retry) await moveLabels(ctx, issue, 'new')
    return startErasure(ctx, issue, form, step.commentId, result)
  }
  return submitForm(ctx, issue, form, step, result)
}

/** What an erasure needs before anything is done: a verified identity, and a delivery for the export. */
function erasureFormProblem(
  ctx: SweepContext,
  form: DsarForm
): { field: string; problem: string } | undefined {
  if (!erases(form.request)) return undefined
  if (!form.identityVerified) {
    return {
      field: FIELDS.identityVerified,
      problem:
        'is empty: an erasure is submitted only for a person whose identity was verified (say how it was checked)'
    }
  }
  if (form.request === 'access-then-erasure' && !ctx.settings.artifactName) {
    return {
      field: FIELDS.request,
      problem:
        "asks for the export before the erasure, but this workflow does not deliver exports (no artifact-name): the erasure would destroy what the export reads. Ask for 'Erasure' alone, or set artifact-name"
    }
  }
  return undefined
}

async function submitForm(
  ctx: SweepContext,
  issue: IssueFacts,
  form: DsarForm,
  step: Extract<Step, { kind: 'new' }>,
  result: (state: string, note: string, extra?: Partial<IssueResult>) => IssueResult
): Promise<IssueResult> {
  const n = issue.number
  const allPlans = planRuns(
    {
      ...planDocument(ctx.settings),
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
    allPlans.length === form.subjects.length
      ? form.subjects.map(subjectFingerprint)
      : [form.subjects.map(subjectFingerprint).join(', ')]
  // Requests Amplitude accepted in an earlier run stay as they are: never asked twice.
  const kept = (step.keep?.requests ?? []).filter(r => r.requestId !== null)
  const keptSubjects = new Set(kept.map(r => r.subject))
  const todo = fingerprints.flatMap((subject, i) =>
    keptSubjects.has(subject) ? [] : [{ subject, plan: allPlans[i] }]
  )

  // A person asked again: their old state label goes first, so that no crash below can leave
  // `<label>` beside a person state (which would read as yet another retry).
  if (step.retry) await moveLabels(ctx, issue, 'new')
  const marker: LedgerMarker = {
    version: MARKER_VERSION,
    state: 'submitting',
    startDate: step.keep?.startDate ?? form.startDate,
    endDate: step.keep?.endDate ?? form.endDate,
    until: new Date(ctx.deadline).toISOString(),
    ...(form.request === 'access-then-erasure' && {
      request: form.request,
      erasure: step.keep?.erasure ?? newErasureRecord(issue, form, nowIso(ctx))
    }),
    requests: [
      ...kept.map(r => ({ ...r })),
      ...todo.map(({ subject }) => ({
        requestId: null,
        subject,
        status: null,
        submittedAt: null,
        checkedAt: null,
        doneAt: null
      }))
    ]
  }
  const commentId = await writeLedger(ctx, issue, marker, step.commentId, form.reference)
  if (step.commentId === undefined && (await anotherSweepFirst(ctx, issue, commentId))) {
    // Two sweeps took the issue up at once (outside one concurrency group): the one whose
    // write-ahead comment came first submits; this one takes its comment back.
    await ctx.github.deleteComment(commentId)
    return result(step.retry ? 'retry' : 'new', 'another sweep is submitting it')
  }
  ctx.log(`issue #${n}: ledger says submitting; submitting ${todo.length} request(s)`)

  const runs = await submitPlans(
    ctx,
    todo.map(t => t.plan)
  )
  const at = nowIso(ctx)
  const stopReason: unknown = ctx.signal.aborted ? ctx.signal.reason : undefined
  const fresh = marker.requests.slice(kept.length)
  const outcomes = runs.map(({ record, posted }, i) => {
    const id =
      record.requestId && REQUEST_ID_PATTERN.test(record.requestId) ? record.requestId : null
    if (id) ctx.log(`issue #${n}: Amplitude accepted request ${id} (${fresh[i].subject})`)
    else if (record.requestId) ctx.log(`issue #${n}: Amplitude answered an unusable request id`)
    return { record, id, sent: id ? undefined : sentOutcome(record, posted) }
  })
  outcomes.forEach(({ record, id, sent }, i) => {
    const request = fresh[i]
    request.requestId = id
    if (id) {
      request.submittedAt = at
      const status = record.status
      request.status = status && isRecordedStatus(status) ? status : null
    } else request.sent = sent
  })
  const obtained = outcomes.map(o => o.id).filter((id): id is string => id !== null)
  const allIds = marker.requests.map(r => r.requestId).filter((id): id is string => id !== null)
  const uncertain = fresh.filter(r => r.sent === 'uncertain')
  const notSent = fresh.filter(r => r.sent === 'not-sent')
  const why = runs
    .map(r => r.record.problem)
    .filter(Boolean)
    .join('; ')
  // The timeout (or the budget's room only after it) stopped a request before it was sent: not a
  // fault, the next sweep submits it.
  const cut = outcomes.every(
    o => o.sent !== 'not-sent' || stoppedByDeadline(o.record.error ?? stopReason)
  )
  const problem = notSent.length > 0 && !cut ? { problem: `issue #${n}: ${why}` } : {}

  if (uncertain.length === 0 && allIds.length === 0) {
    // Nothing reached Amplitude: take the write-ahead record back, the next sweep tries again.
    await ctx.github.deleteComment(commentId)
    return result(step.retry ? 'retry' : 'new', 'nothing submitted', {
      ...(notSent.length > 0 && !cut && { problem: `issue #${n}: nothing was submitted (${why})` })
    })
  }

  delete marker.until
  if (uncertain.length === 0) {
    marker.state = 'submitted'
    try {
      await writeLedger(ctx, issue, marker, commentId, form.reference)
    } catch (error) {
      return result('submitting', 'submitted; GitHub failed to record the request ids', {
        requestIds: obtained,
        unrecorded: obtained,
        problem:
          `issue #${n}: GitHub failed after Amplitude accepted request ${obtained.join(', ')} ` +
          `(${messageOf(error)}); the ledger comment still says submitting, so the next ` +
          'sweep asks a person (needs-attention) instead of submitting again'
      })
    }
    await moveLabels(ctx, issue, 'submitted')
    const rest = notSent.length > 0 ? `; ${notSent.length} not sent yet (the next sweep)` : ''
    return result('submitted', `submitted ${obtained.join(', ') || '(none new)'}${rest}`, {
      requestIds: allIds,
      ...problem
    })
  }

  marker.state = 'needs-attention'
  await writeLedger(ctx, issue, marker, commentId, form.reference)
  await ctx.github.createComment(
    n,
    needsAttentionComment(
      `Amplitude accepted ${allIds.length} of ${marker.requests.length} requests` +
        (allIds.length > 0 ? ` (${allIds.join(', ')}, in the ledger comment)` : '') +
        `; ${notSent.length} were never sent; for ${uncertain.map(r => r.subject).join(', ')} ` +
        'a request was sent without a usable answer, so it is unknown whether Amplitude created it. ' +
        'Adding the label again keeps the accepted requests and submits only the others.',
      ctx.ledger.label
    )
  )
  await moveLabels(ctx, issue, 'needs-attention')
  return result('needs-attention', 'some requests may have been created without an answer', {
    requestIds: allIds,
    problem: `issue #${n}: ${why}`
  })
}

/** Whether a ledger comment of the action's own, older than `commentId`, is on the issue. */
async function anotherSweepFirst(
  ctx: SweepContext,
  issue: IssueFacts,
  commentId: number
): Promise<boolean> {
  const comments = await ctx.github.issueComments(issue.number)
  return comments.some(
    c =>
      c.id < commentId &&
      c.author === ctx.identity.login &&
      c.authorType === ctx.identity.type &&
      c.body.includes(MARKER_PREFIX)
  )
}

/**
 * A request with no usable id: `not-sent` when Amplitude cannot have taken it (no attempt left
 * this machine, or every answer was a refusal or "not processed": src/run/api-session.ts);
 * `uncertain` otherwise (sent and not answered, or answered with an id the ledger cannot keep).
 */
function sentOutcome(record: RequestRecord, posted: boolean): 'not-sent' | 'uncertain' {
  return record.requestId || posted ? 'uncertain' : 'not-sent'
}
