/**
 * The erasure receipt: the evidence an auditor asks for (GDPR Art. 5(2)) once a deletion job is
 * done, from the ledger's own sealed record. Subjects by fingerprint only (raw ids never leave the
 * issue body and the calls to the deletion API). Fields: docs/receipt.md.
 */
import type { ReceiptDeadline } from '../export/index.js'
import { forMarkdown } from '../policy/index.js'
import { receiptDeadline } from './deadline-step.js'
import type { IssueFacts } from './github-shapes.js'
import type { LedgerMarker } from './marker.js'
import { issueFiling, type SweepContext } from './sweep-context.js'

export interface ErasureReceipt {
  kind: 'erasure'
  request: 'erasure' | 'access-then-erasure'
  issue: { number: number; url: string }
  filedBy: string
  /** How the person's identity was checked (the form's text, escaped). */
  identityVerified: string | null
  requester: string
  approvedBy: { login: string; at: string } | null
  exportDeliveredAt: string | null
  jobDay: string | null
  ids: { sent: string[]; absent: string[] }
  statuses: { status: string; at: string }[]
  activeScrubDoneDate: string | null
  cancellation: { by: string; at: string; revoked: number } | null
  writtenAt: string
  /** The request's legal clock (docs/receipt.md#deadline): finished with this receipt. */
  deadline: ReceiptDeadline
}

export function erasureReceipt(
  ctx: SweepContext,
  issue: IssueFacts,
  marker: LedgerMarker
): ErasureReceipt {
  const e = marker.erasure!
  // Posted in a comment: the form's text goes through the one escaper.
  const { filedBy, identityVerified } = issueFiling(ctx, issue)
  return {
    kind: 'erasure',
    request: marker.request ?? 'erasure',
    issue: { number: issue.number, url: issue.htmlUrl },
    filedBy,
    identityVerified: identityVerified ? forMarkdown(identityVerified) : null,
    requester: e.requester,
    approvedBy: e.approvedBy && e.approvedAt ? { login: e.approvedBy, at: e.approvedAt } : null,
    exportDeliveredAt: e.deliveredAt ?? null,
    jobDay: e.day ?? null,
    ids: {
      sent: e.subjects.map(s => s.subject),
      absent: e.subjects.filter(s => s.absent).map(s => s.subject)
    },
    statuses: e.statuses,
    activeScrubDoneDate: e.activeScrubDoneDate ?? null,
    cancellation: e.cancelled ?? null,
    writtenAt: new Date(ctx.session.clock.now()).toISOString(),
    ...receiptDeadline(ctx, issue, marker)
  }
}
