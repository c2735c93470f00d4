/**
 * One issue, one step: read its ledger (trusted comments only), decide (src/ledger/states.ts), act.
 * The two states that stop for a person without Amplitude's say are here: `needs-attention` (the
 * ledger cannot tell what was submitted) and the silent completion of a label change a previous
 * sweep recorded but did not finish.
 */
import { needsAttentionComment } from './comments.js'
import { erasureStep } from './erasure-step.js'
import type { CommentFacts, IssueFacts } from './github-shapes.js'
import { readLedger } from './marker.js'
import { pollIssue } from './poll-step.js'
import { decide, type Step } from './states.js'
import { submitIssue } from './submit-step.js'
import {
  moveLabels,
  sealOf,
  writeLedger,
  type IssueResult,
  type SweepContext
} from './sweep-context.js'

/** What the sweep will do with `issue`, from its labels and its ledger (no call made). */
export function planStep(ctx: SweepContext, issue: IssueFacts, comments: CommentFacts[]): Step {
  const reading = readLedger(comments, ctx.identity, sealOf(ctx, issue.number))
  if (reading.kind === 'valid') {
    ctx.ledgers.set(issue.number, { marker: reading.marker, commentId: reading.commentId })
  }
  return decide(issue.labels, ctx.ledger.label, reading, ctx.session.clock.now())
}

export async function stepIssue(
  ctx: SweepContext,
  issue: IssueFacts,
  step: Step,
  options: { poll: boolean } = { poll: true }
): Promise<IssueResult> {
  switch (step.kind) {
    case 'new':
      return submitIssue(ctx, issue, step)
    case 'poll':
      if (options.poll) return pollIssue(ctx, issue, step.marker, step.commentId)
      return {
        issue: issue.number,
        before: 'submitted',
        state: 'submitted',
        requestIds: step.marker.requests.map(r => r.requestId!),
        note: 'not checked (an issue event; the scheduled sweeps check requests)'
      }
    case 'erasure':
      return erasureStep(ctx, issue, step.marker, step.commentId)
    case 'stuck':
      return stuck(ctx, issue, step)
    case 'busy':
      return {
        issue: issue.number,
        before: 'submitting',
        state: 'submitting',
        requestIds: [],
        note: `another run is submitting it (its deadline: ${step.until}); left alone`
      }
    case 'settle':
      await moveLabels(ctx, issue, step.state)
      return {
        issue: issue.number,
        before: step.state,
        state: step.state,
        requestIds: [],
        note: 'labels brought in line with the ledger comment'
      }
  }
}

const REASONS = {
  submitting:
    'a run stopped while submitting this request (the ledger comment still says submitting, with ' +
    'no request id), so it is unknown whether Amplitude created it.',
  unreadable:
    'the ledger comment no longer reads as the action wrote it. Fix or delete it, then add the ' +
    'label again.',
  tampered:
    'the state line of the ledger comment fails its integrity check (edited by hand, copied from ' +
    'another issue, written by an older version, or the secret key changed), so nothing was ' +
    'checked or downloaded.',
  several:
    'this issue has more than one ledger comment (two sweeps took it up at once), so nothing was ' +
    'checked or downloaded.',
  missing:
    'this issue is labelled as submitted, but its ledger comment is missing (only comments by the ' +
    "action's own GitHub identity count)."
} as const

async function stuck(
  ctx: SweepContext,
  issue: IssueFacts,
  step: Extract<Step, { kind: 'stuck' }>
): Promise<IssueResult> {
  const named =
    step.why === 'several'
      ? ` Request ids found in them: ${step.requestIds?.length ? step.requestIds.join(', ') : 'none'}.`
      : ''
  await ctx.github.createComment(
    issue.number,
    needsAttentionComment(REASONS[step.why] + named, ctx.ledger.label)
  )
  if (step.marker && step.commentId !== undefined) {
    // Recorded as needs-attention, so that adding the label again can submit (a person's choice).
    await writeLedger(ctx, issue, { ...step.marker, state: 'needs-attention' }, step.commentId)
  }
  await moveLabels(ctx, issue, 'needs-attention')
  const ids =
    step.requestIds ??
    step.marker?.requests.map(r => r.requestId).filter((id): id is string => !!id) ??
    []
  return {
    issue: issue.number,
    before: step.why === 'missing' ? 'submitted' : step.why,
    state: 'needs-attention',
    requestIds: ids,
    note: REASONS[step.why].split(' (')[0].split('. ')[0]
  }
}
