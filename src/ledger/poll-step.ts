/**
 * A submitted issue: check each request's status once. Any `failed` -> tell the team (failReason)
 * and leave it open; all done -> deliver (download, verify, encrypt, receipt, one artifact per
 * issue when asked), post the delivery comment, `done`, close; links already expired -> `expired`.
 * The ledger comment is edited only when a status changed: a sweep that learns nothing new writes
 * nothing.
 */
import { lstat, mkdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import {
  DONE_STATUSES,
  deliver as deliverExports,
  FAILED_STATUSES,
  PENDING_STATUSES,
  planStatusChecks,
  type RequestRecord,
  type Subject,
  subjectFingerprint
} from '../run/index.js'
import type { DownloadedFile, ReceiptRequest } from '../export/index.js'
import {
  deliveredComment,
  expiredComment,
  failedComment,
  needsAttentionComment,
  readyComment
} from './comments.js'
import { askApproval } from './erasure-step.js'
import type { IssueFacts } from './github-shapes.js'
import type { LedgerMarker } from './marker.js'
import { receiptDeadline } from './deadline-step.js'
import {
  moveLabels,
  nowIso,
  runPlans,
  writeLedger,
  type IssueResult,
  type SweepContext,
  readIssueForm,
  referenceOf,
  issueFiling
} from './sweep-context.js'
import { messageOf } from '../arazzo/index.js'

export async function pollIssue(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number
): Promise<IssueResult> {
  const n = issue.number
  const ids = marker.requests.map(request => request.requestId!)
  const plans = planStatusChecks(ctx.settings, ids).map(plan => ({
    ...plan,
    label: `issue #${n} ${plan.label}`
  }))
  const records = await runPlans(ctx, plans)
  const mismatch = foreignAnswers(ctx, issue, marker, records)
  if (mismatch.length > 0) return foreign(ctx, issue, marker, commentId, ids, mismatch)
  const at = nowIso(ctx)
  const next: LedgerMarker = structuredClone(marker)
  const problems: string[] = []
  let changed = false
  records.forEach((record, i) => {
    const status = record.status
    const known =
      status !== undefined &&
      (DONE_STATUSES.has(status) || FAILED_STATUSES.has(status) || PENDING_STATUSES.has(status))
    if (!known) {
      problems.push(record.problem ?? `request ${ids[i]}: no status`)
      return
    }
    // A status check that saw a pending status did its job: not a problem for the outputs.
    if (PENDING_STATUSES.has(status)) {
      record.outcome = 'submitted'
      delete record.problem
    }
    const request = next.requests[i]
    if (request.status !== status) {
      changed = true
      request.status = status
      request.checkedAt = at
    }
    if (DONE_STATUSES.has(status)) {
      request.doneAt ??= at
      const expires = isoTime(record.expires)
      if (expires && request.expires !== expires) {
        request.expires = expires
        changed = true
      }
    }
  })
  const result = (state: string, note: string, extra: Partial<IssueResult> = {}): IssueResult => ({
    issue: n,
    before: 'submitted',
    state,
    requestIds: ids,
    note,
    ...(problems.length > 0 && { problem: problems.map(p => `issue #${n}: ${p}`).join('; ') }),
    ...extra
  })
  const reference = referenceOf(ctx, issue)

  const failed = records.filter(r => r.status !== undefined && FAILED_STATUSES.has(r.status))
  if (failed.length > 0) {
    await ctx.github.createComment(
      n,
      failedComment(
        failed.map(r => ({
          requestId: r.requestId ?? ids[records.indexOf(r)],
          subject: next.requests[records.indexOf(r)].subject,
          failReason: r.failReason
        })),
        reference,
        ctx.ledger.label
      )
    )
    next.state = 'failed'
    await writeLedger(ctx, issue, next, commentId, reference)
    await moveLabels(ctx, issue, 'failed')
    return result('failed', `Amplitude failed ${failed.length} request(s)`)
  }
  if (problems.length === 0 && records.every(r => DONE_STATUSES.has(r.status!))) {
    return deliver(ctx, issue, next, commentId, records, reference, result)
  }
  if (changed) await writeLedger(ctx, issue, next, commentId, reference)
  await moveLabels(ctx, issue, 'submitted')
  const statuses = next.requests.map(r => r.status ?? '?').join(', ')
  return result('submitted', changed ? `now ${statuses}` : `still ${statuses} (nothing written)`)
}

async function deliver(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number,
  records: RequestRecord[],
  reference: string | undefined,
  result: (state: string, note: string, extra?: Partial<IssueResult>) => IssueResult
): Promise<IssueResult> {
  const n = issue.number
  const { settings, ledger } = ctx
  const now = ctx.session.clock.now()
  const expiries = marker.requests.map(r => r.expires).filter((e): e is string => Boolean(e))
  const earliest = expiries.sort()[0]
  if (earliest !== undefined && Date.parse(earliest) <= now) {
    await ctx.github.createComment(n, expiredComment(earliest, ledger.label))
    marker.state = 'expired'
    await writeLedger(ctx, issue, marker, commentId, reference)
    await moveLabels(ctx, issue, 'expired')
    return result('expired', `links expired at ${earliest}`)
  }

  // A delivery that cannot finish keeps the issue `submitted` (its new statuses recorded), so the
  // next sweep tries again while the links are valid.
  const keep = async (problem: string): Promise<IssueResult> => {
    await writeLedger(ctx, issue, marker, commentId, reference)
    return result('submitted', 'done at Amplitude; delivery failed', {
      problem: `issue #${n}: ${problem}`
    })
  }
  let files: DownloadedFile[] | undefined
  let artifact: { name: string; url: string; retentionDays: number } | undefined
  const dir = join(settings.downloadPath, `issue-${n}`)
  if (settings.download) {
    try {
      await ownFolder(settings.downloadPath, dir)
    } catch (error) {
      return keep(messageOf(error))
    }
    // The one delivery pipeline (src/run/delivery.ts): the ledger's artifact is the delivery
    // itself, so it is uploaded even when a request had no files.
    const name = settings.artifactName ? `${settings.artifactName}-${n}` : undefined
    const delivery = await deliverExports({
      settings,
      session: ctx.session,
      records,
      dir,
      download: true,
      signal: ctx.signal,
      log: ctx.log,
      receipt: {
        workflow: ctx.loaded.document.info.title,
        now,
        requests: receiptRequests(marker),
        issue: { number: n, url: issue.htmlUrl, ...(reference && { reference }) },
        ...receiptDeadline(ctx, issue, marker),
        filing: issueFiling(ctx, issue)
      },
      ...(name && { artifact: { name, evenWithoutFiles: true } }),
      on: {
        downloaded: got => ctx.files.push(...got),
        receipt: receipt => ctx.log(`issue #${n}: wrote ${receipt.path}`)
      }
    })
    if (delivery.problems.length > 0) return keep(delivery.problems.join('; '))
    files = delivery.files
    if (delivery.artifact) {
      const { id, url, retentionDays } = delivery.artifact
      ctx.artifacts.push({ issue: n, id, url })
      artifact = { name: delivery.artifact.name, url, retentionDays }
    }
  }
  // Delivered means delivered: an artifact uploaded (the ledger's way to deliver) and the receipt
  // in it. Otherwise the team is told where and until when to collect, and the issue stays open.
  if (!artifact) {
    await ctx.github.createComment(
      n,
      readyComment({
        requestIds: marker.requests.map(r => r.requestId!),
        reference,
        expires: earliest,
        why: settings.download
          ? 'this workflow sets no `artifact-name`, so the files it downloaded stay on the runner, which is gone after the job'
          : 'this workflow does not download exports (`download: false`, no `artifact-name`)'
      })
    )
    marker.state = 'ready'
    await writeLedger(ctx, issue, marker, commentId, reference)
    await moveLabels(ctx, issue, 'ready')
    return result('ready', 'done at Amplitude; not delivered (no artifact-name): ready to collect')
  }
  await ctx.github.createComment(
    n,
    deliveredComment({
      requestIds: marker.requests.map(r => r.requestId!),
      reference,
      expires: earliest,
      files: files?.map(f => ({
        name: f.path
          .slice(dir.length + 1)
          .split('\\')
          .join('/'),
        bytes: f.bytes,
        sha256: f.sha256,
        events: f.events
      })),
      recipients: settings.encryptTo,
      ...(artifact && { artifact })
    })
  )
  if (marker.request === 'access-then-erasure' && marker.erasure) {
    // Delivered: now, and only now, the erasure may go on (it destroys what the export reads).
    marker.erasure.deliveredAt = new Date(now).toISOString()
    marker.state = 'awaiting-approval'
    await writeLedger(ctx, issue, marker, commentId, reference)
    return askApproval(ctx, issue, marker, (state, note) =>
      result(state, `delivered ${files?.length ?? 0} file(s); ${note}`)
    )
  }
  marker.state = 'done'
  await writeLedger(ctx, issue, marker, commentId, reference)
  await moveLabels(ctx, issue, 'done')
  return result('done', `delivered ${files?.length ?? 0} file(s)`)
}

/**
 * Status answers naming a subject that is not this request's (or not the form's): a state line
 * pointing at someone else's request. Each answer must name the request's own subject; one that
 * names none cannot be checked, and counts as a mismatch. Requests covering several subjects (the
 * seed's contract) are checked when the answer names one. The subject ids are dropped from the
 * records once checked: the ledger's outputs never carried them.
 */
function foreignAnswers(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  records: RequestRecord[]
): string[] {
  const reading = readIssueForm(ctx, issue)
  const formSubjects = new Set(reading.ok ? reading.form.subjects.map(subjectFingerprint) : [])
  const problems: string[] = []
  records.forEach((record, i) => {
    const answered = namedSubject(record.workflowOutputs)
    delete record.workflowOutputs.userId
    delete record.workflowOutputs.amplitudeId
    delete record.subject
    if (record.status === undefined) return // no answer: nothing to deliver from it
    const request = marker.requests[i]
    const single = !request.subject.includes(',')
    if (answered === undefined) {
      if (single) problems.push(`request ${request.requestId}: the status answer names no subject`)
      return
    }
    const fingerprint = subjectFingerprint(answered)
    const ownSubject = single
      ? request.subject === fingerprint
      : request.subject.split(', ').includes(fingerprint)
    if (!ownSubject || !formSubjects.has(fingerprint)) {
      problems.push(
        `request ${request.requestId}: the status answer names ${fingerprint}, not a subject of this issue's form`
      )
    }
  })
  return problems
}

function namedSubject(outputs: Record<string, unknown>): Subject | undefined {
  const { userId, amplitudeId } = outputs
  if (typeof userId === 'string' && userId !== '') return { kind: 'userId', userId }
  if (typeof amplitudeId === 'number' && Number.isSafeInteger(amplitudeId)) {
    return { kind: 'amplitudeId', amplitudeId }
  }
  return undefined
}

async function foreign(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number,
  ids: string[],
  problems: string[]
): Promise<IssueResult> {
  await ctx.github.createComment(
    issue.number,
    needsAttentionComment(
      `${problems.join('; ')}. Nothing was downloaded or delivered: check the ledger comment ` +
        'and the requests at Amplitude.',
      ctx.ledger.label
    )
  )
  await writeLedger(ctx, issue, { ...marker, state: 'needs-attention' }, commentId)
  await moveLabels(ctx, issue, 'needs-attention')
  return {
    issue: issue.number,
    before: 'submitted',
    state: 'needs-attention',
    requestIds: ids,
    note: 'a status answer named another subject',
    problem: `issue #${issue.number}: ${problems.join('; ')}`
  }
}

/**
 * The per-issue download folder, created without following a symbolic link: a link planted at
 * `issue-<n>` (or a file) would send the export, its manifest and the receipt elsewhere.
 */
async function ownFolder(root: string, dir: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 })
  try {
    await mkdir(dir, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const found = await lstat(dir)
  if (found.isSymbolicLink() || !found.isDirectory()) {
    throw new Error(
      `the download folder ${basename(dir)} is ${found.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: refused to write the export through it`
    )
  }
}

/** What the receipt says about each request, from the ledger's own record. */
function receiptRequests(marker: LedgerMarker): ReceiptRequest[] {
  return marker.requests.map(r => ({
    requestId: r.requestId,
    subject: r.subject,
    startDate: marker.startDate,
    endDate: marker.endDate,
    statuses: [
      ...(r.submittedAt ? [{ status: 'requested', at: r.submittedAt }] : []),
      ...(r.status && (r.doneAt ?? r.checkedAt)
        ? [{ status: r.status, at: (r.doneAt ?? r.checkedAt)! }]
        : [])
    ],
    ...(r.expires && { expires: r.expires })
  }))
}

function isoTime(value: string | undefined): string | undefined {
  if (!value || value.length > 40) return undefined
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.000Z$/, 'Z')
}
