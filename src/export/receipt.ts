/**
 * `receipt.json`: the evidence an auditor asks for (GDPR Art. 5(2)), written by every run that
 * reached Amplitude (in `download-path`, beside the files when there are any, and uploaded inside the
 * artifact): what was asked (subject fingerprints, dates as sent or as Amplitude's status answer
 * gave them, never a default), when and by which request ids, the statuses seen and when, how each
 * request ended (and Amplitude's failReason), and what was delivered, verified how (each file's
 * name, events, and bytes and sha256 both as Amplitude served it and as stored, which differ when
 * age-encrypted; to which public keys), by which action version against which API host.
 * docs/receipt.md describes it field by field.
 *
 * It never holds a raw subject id (a fingerprint: the first hex digits of the id's SHA-256), a
 * download URL (a presigned one is a bearer credential) or a credential. It is written like the
 * exports: a 0600 partial file opened without following links, then renamed into place.
 */
import { relative, sep } from 'node:path'
import { writeWholeFile } from './safe-files.js'
import type { DownloadedFile } from './types.js'

export const RECEIPT_FILE = 'receipt.json'

/** What the receipt says of a date it does not know (a resumed request Amplitude did not date). */
export const NOT_KNOWN = 'not known in this run'

export interface ReceiptRequest {
  requestId: string | null
  /** How logs name the subject: kind and fingerprint, never the id (e.g. `user #ab12cd34`). */
  subject: string
  /** YYYY-MM-DD, or NOT_KNOWN. */
  startDate: string
  endDate: string
  /** Where the dates come from: `asked` (sent by this run) or `amplitude` (its status answer). */
  datesFrom?: 'asked' | 'amplitude'
  /** When this run submitted it (ISO 8601); absent when it was submitted earlier. */
  submittedAt?: string
  /** How the request ended in this run (done, failed, timedOut, submitted, notSent, ...). */
  outcome?: string
  /** Amplitude's reason, for a failed request. */
  failReason?: string
  /** Statuses as seen, oldest first, with when (ISO 8601). */
  statuses: { status: string; at: string }[]
  /** When the download links stop working, as Amplitude said. */
  expires?: string
}

/** A downloaded file, with the size and SHA-256 of the file as stored (ciphertext when encrypted). */
export type ReceiptFile = DownloadedFile & { storedBytes: number; storedSha256: string }

export interface ReceiptInput {
  action: { name: string; version: string; ref?: string }
  apiHost: string
  workflow: string
  generatedAt: string
  requests: ReceiptRequest[]
  files: ReceiptFile[]
  /** The folder file paths are written relative to (the receipt's own folder). */
  root: string
  recipients: string[]
  /** The GitHub run that produced it, when known. */
  run?: { repository: string; runId: string; url: string }
  /** Ledger mode: the issue the request came from, and its free-text reference. */
  issue?: { number: number; url: string; reference?: string }
  artifact?: { name: string; retentionDays: number }
  /** Ledger mode: the request's legal clock (docs/desk.md). */
  deadline?: ReceiptDeadline
  /** Ledger mode: who filed the issue, and how the person's identity was checked. */
  filing?: ReceiptFiling
}

/** Who filed a ledger issue and the form's `Identity verified` (null: left empty). */
export interface ReceiptFiling {
  filedBy: string
  identityVerified: string | null
}

/** The legal clock of the request a ledger issue carries, as the receipt records it. */
export interface ReceiptDeadline {
  /** The day the person asked (YYYY-MM-DD). */
  receivedOn: string
  regime: 'GDPR' | 'CCPA' | 'Other'
  /** The day the answer was due, extension included. */
  dueDate: string
  extended: boolean
  /**
   * When the ledger finished the request (ISO 8601); absent when it goes on after this receipt
   * (access then erasure: the export is delivered, the erasure follows).
   */
  finishedAt?: string
}

export interface Receipt {
  receiptVersion: 1
  generatedAt: string
  action: ReceiptInput['action']
  apiHost: string
  workflow: string
  run?: ReceiptInput['run']
  issue?: ReceiptInput['issue']
  deadline?: ReceiptDeadline
  filedBy?: string
  identityVerified?: string | null
  requests: ReceiptRequest[]
  files: {
    name: string
    requestId: string | null
    bytes: number
    sha256: string
    /** The stored file (the `.age` file when encrypted; otherwise the same as bytes, sha256). */
    storedBytes: number
    storedSha256: string
    events: number
    encrypted: boolean
  }[]
  encryption: { format: 'age'; recipients: string[] } | null
  artifact?: ReceiptInput['artifact']
  /** What `bytes` and `sha256` describe, for a reader who has only this file. */
  note: string
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const encrypted = input.files.some(file => file.encrypted)
  return {
    receiptVersion: 1,
    generatedAt: input.generatedAt,
    action: input.action,
    apiHost: input.apiHost,
    workflow: input.workflow,
    ...(input.run && { run: input.run }),
    ...(input.issue && { issue: input.issue }),
    ...(input.deadline && { deadline: input.deadline }),
    ...(input.filing && {
      filedBy: input.filing.filedBy,
      identityVerified: input.filing.identityVerified
    }),
    requests: input.requests,
    files: input.files.map(file => ({
      name: relative(input.root, file.path).split(sep).join('/'),
      requestId: file.requestId ?? null,
      bytes: file.bytes,
      sha256: file.sha256,
      storedBytes: file.storedBytes,
      storedSha256: file.storedSha256,
      events: file.events,
      encrypted: file.encrypted
    })),
    encryption:
      encrypted || input.recipients.length > 0
        ? { format: 'age', recipients: [...input.recipients] }
        : null,
    ...(input.artifact && { artifact: input.artifact }),
    note:
      'bytes and sha256 describe each export as Amplitude served it (gzip of JSON lines); ' +
      'storedBytes and storedSha256 describe the file as stored and uploaded (the .age file when ' +
      'encrypted: check it with sha256sum without decrypting); events counts its JSON lines. ' +
      'Subjects are named by the first 8 hex digits of the SHA-256 of their id ' +
      `(printf %s ID | sha256sum). A date that reads "${NOT_KNOWN}" was neither sent by this run ` +
      "nor given in Amplitude's status answer."
  }
}

/** Writes `<dir>/receipt.json` (0600, replacing an older one) and returns its path. */
export async function writeReceipt(dir: string, receipt: Receipt): Promise<string> {
  return writeWholeFile(dir, RECEIPT_FILE, JSON.stringify(receipt, null, 2) + '\n')
}
