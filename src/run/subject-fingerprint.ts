/**
 * How logs, the summary, the ledger and receipts name a subject: by position and a short
 * fingerprint, never by its id (personal data).
 */
import { createHash } from 'node:crypto'
import type { Subject } from './subjects.js'

export function subjectText(subject: Subject): string {
  return subject.kind === 'userId' ? subject.userId : String(subject.amplitudeId)
}

/**
 * Subject ids are personal data and logs are read by everyone with access to the repository, so logs and
 * the summary name a subject by position and a short fingerprint, never by its id.
 */
export function subjectLabel(subject: Subject, index: number): string {
  return `subject ${index + 1} (${subjectFingerprint(subject)})`
}

/** `user #ab12cd34` or `amplitude id #ab12cd34`: how logs, the ledger and receipts name a subject. */
export function subjectFingerprint(subject: Subject): string {
  const kind = subject.kind === 'userId' ? 'user' : 'amplitude id'
  return `${kind} #${fingerprint(subjectText(subject))}`
}

function fingerprint(text: string): string {
  // The first hex digits of its SHA-256: enough to tell subjects apart, and a privacy engineer who holds
  // the id can check it (`printf %s ID | sha256sum`).
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8)
}
