/**
 * What the ledger writes into an issue about an erasure: the ledger comment's erasure lines, the
 * one comment that says who may approve, the answers to an approval that does not count and to a
 * cancellation, and the erasure receipt. Values from outside (logins, the form's text) go through
 * the one escaper; subjects appear by fingerprint only.
 */
import { forMarkdown } from '../policy/index.js'
import { cancellableUntil } from '../run/index.js'
import type { ErasureRecord } from './erasure-record.js'
import type { LedgerMarker } from './marker.js'

export const SIGNATURE =
  '<sub>Written by the Amplitude DSAR action (ledger). Do not edit this comment.</sub>'

const code = (text: string): string => `\`${forMarkdown(text)}\``

/** The erasure's lines in the ledger comment (above its table). */
export function erasureLines(marker: LedgerMarker, label: string): string[] {
  const e = marker.erasure
  if (!e) return []
  const lines: string[] = []
  const approval = e.approvedBy
    ? `approved by ${forMarkdown(e.approvedBy)} at ${e.approvedAt}`
    : `waits for approval: a member other than ${forMarkdown(e.requester)} adds ${code(`${label}:approved`)}`
  lines.push(
    `Erasure (${marker.request === 'access-then-erasure' ? 'after the export is delivered' : 'alone'}): ${approval}.`
  )
  if (e.day) {
    lines.push(
      `Deletion job: ${e.day}, ${forMarkdown(e.statuses.at(-1)?.status ?? 'unknown')}` +
        (e.statuses.at(-1)?.status === 'staging'
          ? `; can be cancelled until ${cancellableUntil(e.day)} (add ${code(`${label}:cancel`)})`
          : '') +
        (e.activeScrubDoneDate ? `; live data scrubbed on ${e.activeScrubDoneDate}` : '') +
        '.'
    )
    lines.push(
      `Subjects: ${e.subjects.map(s => `${forMarkdown(s.subject)} ${s.absent ? '(absent: unknown to the project, nothing to erase)' : s.day ? `(job ${s.day})` : '(not sent)'}`).join(', ')}.`
    )
  }
  if (e.cancelled) {
    lines.push(
      `Cancelled by ${forMarkdown(e.cancelled.by)} at ${e.cancelled.at}: ${e.cancelled.revoked} id(s) taken out of the job.`
    )
  }
  return [...lines, '']
}

/** Why an approval older than the ledger's reading of the form cannot count, for a person. */
const EARLY_APPROVAL =
  'GitHub does not say when an issue was last edited, so an approval given before the ledger read the form cannot be told apart from one given to an earlier version of it'

/**
 * The one comment that asks for the approval. `earlyApproval`: the label was already on the issue
 * when the ledger first read the form, and was taken off (it cannot count: EARLY_APPROVAL).
 */
export function awaitingApprovalComment(
  record: ErasureRecord,
  label: string,
  earlyApproval = false
): string {
  const approved = code(`${label}:approved`)
  return [
    `**DSAR erasure awaiting approval**: an erasure deletes this person's events and user properties in the project and cannot be undone once Amplitude starts its job, so it needs a second person.`,
    '',
    `It is submitted once a member of this repository with write access, other than ${forMarkdown(record.requester)} (who filed it), adds the label ${approved}. An approval given before ${record.formSeenAt}, when the ledger read the form as it stands, does not count (${EARLY_APPROVAL}): add the label again after that time. Editing the form asks for a new approval.`,
    '',
    ...(earlyApproval
      ? [
          `The label ${approved} was already on the issue when the ledger read the form, so it was taken off: to approve, add it again now.`,
          ''
        ]
      : []),
    'Nothing was sent to the deletion API.',
    '',
    SIGNATURE
  ].join('\n')
}

/**
 * An approval that does not count: why, and what to do (who may add the label again). `early`:
 * it was given before the ledger read the form as it stands, which a person fixes by adding the
 * label again.
 */
export function approvalRefusedComment(
  login: string,
  why: string,
  label: string,
  requester: string,
  early = false
): string {
  const approved = code(`${label}:approved`)
  return [
    `**DSAR erasure: approval not counted**: the label ${approved} added by ${forMarkdown(login)} does not count: ${forMarkdown(why)}. The label was taken off; nothing was sent to the deletion API.`,
    '',
    early
      ? `${EARLY_APPROVAL}. To approve the form as it stands, a member with write access other than ${forMarkdown(requester)} adds ${approved} again.`
      : `To approve, a member of this repository with write access, other than ${forMarkdown(requester)} (who filed it), adds ${approved}.`,
    '',
    SIGNATURE
  ].join('\n')
}

export function formChangedComment(label: string): string {
  return [
    `**DSAR erasure: the form changed**: the issue was edited after the ledger read it, so an earlier approval no longer counts. A member other than the author adds ${code(`${label}:approved`)} again to approve the form as it stands.`,
    '',
    SIGNATURE
  ].join('\n')
}

export function cancelledComment(day: string, revoked: number, by: string): string {
  return [
    `**DSAR erasure cancelled**: ${revoked} id(s) were taken out of the deletion job of ${day} at ${forMarkdown(by)}'s request. Nothing of this request will be erased.`,
    '',
    SIGNATURE
  ].join('\n')
}

export function tooLateComment(day: string, status: string, label: string): string {
  return [
    `**DSAR erasure: too late to cancel**: the deletion job of ${day} is ${forMarkdown(status)}; ids can be taken out only while it is staging, until ${cancellableUntil(day)}. Nothing was called; the ${code(`${label}:cancel`)} label was taken off and the erasure goes on.`,
    '',
    SIGNATURE
  ].join('\n')
}

/** The erasure receipt, posted when the job is done: the evidence, as JSON a person can read. */
export function erasedComment(receipt: object): string {
  // Our own JSON (fingerprints, times, logins of a checked shape, the form's escaped text); a
  // backtick is written as \u0060 so nothing ends the code block.
  const json = JSON.stringify(receipt, null, 2).replace(/`/g, '\\u0060')
  return [
    '**DSAR erased**: Amplitude finished the deletion job. The erasure receipt:',
    '',
    '```json',
    json,
    '```',
    '',
    'New events are not blocked: if the person comes back, Amplitude counts them as a new user.',
    '',
    SIGNATURE
  ].join('\n')
}
