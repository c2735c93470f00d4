/**
 * Cancelling an erasure (a person added `<label>:cancel`): only while the job is `staging` and more
 * than three days before its day (Amplitude's window) does the sweep call `DELETE` for each of the
 * issue's ids the job holds, and nothing else -> `cancelled`. Too late: one comment says so, the
 * label is taken off, and nothing is called. Who asked is read from the issue's label events.
 */
import { cancellableUntil, entryIs, subjectFingerprint, type ErasureJob } from '../run/index.js'
import { erasureCalls } from './erasure-calls.js'
import { cancelledComment, tooLateComment } from './erasure-comments.js'
import { isLogin } from './erasure-record.js'
import type { IssueFacts } from './github-shapes.js'
import type { LedgerMarker } from './marker.js'
import { personLabel } from './states.js'
import {
  moveLabels,
  nowIso,
  writeLedger,
  type IssueResult,
  type SweepContext,
  readIssueForm
} from './sweep-context.js'

type Result = (state: string, note: string, extra?: Partial<IssueResult>) => IssueResult

export async function cancelJob(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker,
  commentId: number,
  job: ErasureJob,
  reference: string | undefined,
  result: Result
): Promise<IssueResult> {
  const n = issue.number
  const record = marker.erasure!
  const { label } = ctx.ledger
  const cancel = personLabel(label, 'cancel')
  const now = ctx.session.clock.now()
  const inWindow = job.status === 'staging' && now < Date.parse(cancellableUntil(job.day))
  if (!inWindow) {
    await ctx.github.createComment(n, tooLateComment(job.day, job.status, label))
    await ctx.github.removeLabel(n, cancel)
    return result(
      'erasure-scheduled',
      `too late to cancel job ${job.day} (${job.status}): nothing called`
    )
  }
  const events = await ctx.github.labelEvents(n)
  const asked = events.filter(e => e.event === 'labeled' && e.label === cancel).at(-1)
  const reading = readIssueForm(ctx, issue)
  const subjects = reading.ok ? reading.form.subjects : []
  const api = (await erasureCalls(ctx))!
  let revoked = 0
  const problems: string[] = []
  for (const subject of subjects) {
    const entry = job.entries.find(e => entryIs(e, subject))
    if (!entry) continue
    const done = await api.revoke(entry.amplitudeId, job.day)
    if (done.ok) revoked++
    else problems.push(`${subjectFingerprint(subject)}: ${done.problem}`)
  }
  if (problems.length > 0) {
    return result('erasure-scheduled', `cancellation incomplete (${revoked} taken out)`, {
      problem: `issue #${n}: ${problems.join('; ')}; the next sweep tries again while the job is staging`
    })
  }
  const at = nowIso(ctx)
  const by = asked && isLogin(asked.actor) ? asked.actor : 'unknown'
  record.cancelled = { by: isLogin(by) ? by : 'ghost', at, revoked }
  record.statuses.push({ status: 'cancelled', at })
  marker.state = 'cancelled'
  await writeLedger(ctx, issue, marker, commentId, reference)
  await ctx.github.createComment(n, cancelledComment(job.day, revoked, record.cancelled.by))
  await moveLabels(ctx, issue, 'cancelled')
  return result('cancelled', `${revoked} id(s) taken out of job ${job.day}`)
}
