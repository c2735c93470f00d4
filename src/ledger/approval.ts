/**
 * Who approved an erasure, from the label events (labels on an issue do not say who set
 * them). An erasure cannot be undone, so it needs a second person: the `<label>:approved` label
 * counts only when the event that put it on the issue (the last `labeled` event of that label)
 * was made
 * - by someone other than the author,
 * - by a person (not a bot or app: the workflow's own token could otherwise approve),
 * - at or after the moment the ledger first read the form as it stands (GitHub's REST API does not
 *   say when an issue body was last edited, so the ledger keeps a digest of the body it read and
 *   when: an approval older than the form does not count),
 * - by someone with write access to the repository (checked by the caller through the
 *   collaborator permission endpoint: admin, maintain or write).
 * Pure: no I/O.
 */
import type { LabelEventFacts } from './github-shapes.js'
import { isLogin } from './erasure-record.js'

export type ApprovalVerdict =
  | { kind: 'none' }
  | { kind: 'candidate'; login: string; at: string }
  /** `early`: given before the ledger read the form as it stands (adding it again fixes it). */
  | { kind: 'refused'; login: string; at: string; why: string; early?: true }

/** Permissions (GitHub's `permission`, or its `role_name`) that make an approver. */
export const APPROVING_PERMISSIONS = new Set(['admin', 'maintain', 'write'])

export function judgeApproval(
  events: readonly LabelEventFacts[],
  options: { approvedLabel: string; author: string; formSeenAt: string }
): ApprovalVerdict {
  const added = events.filter(e => e.event === 'labeled' && e.label === options.approvedLabel)
  const last = added[added.length - 1]
  if (!last) return { kind: 'none' }
  const who = { login: last.actor, at: last.createdAt }
  if (!isLogin(last.actor))
    return { kind: 'refused', ...who, why: 'the approver is not a GitHub user' }
  if (last.actor.toLowerCase() === options.author.toLowerCase()) {
    return {
      kind: 'refused',
      ...who,
      why: 'the author of the issue cannot approve their own request'
    }
  }
  if (last.actorType !== 'User') {
    return { kind: 'refused', ...who, why: 'only a person can approve (not a bot or an app)' }
  }
  // GitHub's event times have whole seconds: the form's time is compared at that precision.
  const seen = Math.floor(Date.parse(options.formSeenAt) / 1000) * 1000
  if (!(Date.parse(last.createdAt) >= seen)) {
    return {
      kind: 'refused',
      ...who,
      why: `the approval was given before the ledger read the form as it stands (${options.formSeenAt})`,
      early: true
    }
  }
  return { kind: 'candidate', ...who }
}
