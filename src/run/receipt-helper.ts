/**
 * The action's side of `receipt.json` (src/export/receipt.ts): the facts only the GitHub layer knows
 * (the run, the action version, the API host) joined to what the requests and downloads recorded,
 * and the SHA-256 of each file as stored (the `.age` file when encrypted), read back from disk so
 * the receipt describes exactly what an auditor finds in the artifact.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
// Not through export/index.js: that would load the download code into runs that do not download.
import {
  buildReceipt,
  type DownloadedFile,
  NOT_KNOWN,
  type ReceiptDeadline,
  type ReceiptFiling,
  type ReceiptFile,
  type ReceiptRequest,
  writeReceipt
} from '../export/index.js'
import type { RunSettings } from './settings.js'
import type { RequestRecord } from './request-runner.js'
import { workflowRunPage } from './artifact-helper.js'
import { ACTION_NAME, ACTION_VERSION } from './version.js'

type ReceiptSettings = Pick<RunSettings, 'apiUrl' | 'encryptTo'>

export interface RunReceiptOptions {
  /** Where the receipt goes: the folder the files are in (and the artifact's root). */
  dir: string
  settings: ReceiptSettings
  requests?: ReceiptRequest[]
  records?: RequestRecord[]
  files: DownloadedFile[]
  workflow: string
  /** Clock ms. */
  now: number
  issue?: { number: number; url: string; reference?: string }
  artifact?: { name: string; retentionDays: number }
  /** Ledger mode: the request's legal clock. */
  deadline?: ReceiptDeadline
  /** Ledger mode: who filed the issue, and the form's `Identity verified`. */
  filing?: ReceiptFiling
}

/** Writes `<dir>/receipt.json` (creating `dir`, 0700, when missing) and returns its path. */
export async function writeRunReceipt(options: RunReceiptOptions): Promise<string> {
  const settings = options.settings
  const requests = options.requests ?? (options.records ?? []).map(receiptRequest)
  const files = await Promise.all(options.files.map(storedFile))
  await mkdir(options.dir, { recursive: true, mode: 0o700 })
  const run = workflowRun()
  const receipt = buildReceipt({
    action: {
      name: ACTION_NAME,
      version: ACTION_VERSION,
      ...(process.env.GITHUB_ACTION_REF && { ref: process.env.GITHUB_ACTION_REF })
    },
    apiHost: new URL(settings.apiUrl).origin,
    workflow: options.workflow,
    generatedAt: new Date(options.now).toISOString(),
    requests,
    files,
    root: options.dir,
    recipients: settings.encryptTo,
    ...(run && { run }),
    ...(options.issue && { issue: options.issue }),
    ...(options.artifact && { artifact: options.artifact }),
    ...(options.deadline && { deadline: options.deadline }),
    ...(options.filing && { filing: options.filing })
  })
  return writeReceipt(options.dir, receipt)
}

/** The size and SHA-256 (hex) of a file, read as a stream. */
async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { bytes, sha256: hash.digest('hex') }
}

async function fileSha256(path: string): Promise<string> {
  return (await hashFile(path)).sha256
}

/** A plain file is stored as served; an encrypted one is hashed again as the `.age` file it is. */
async function storedFile(file: DownloadedFile): Promise<ReceiptFile> {
  if (!file.encrypted) return { ...file, storedBytes: file.bytes, storedSha256: file.sha256 }
  const stored = await hashFile(file.path)
  return { ...file, storedBytes: stored.bytes, storedSha256: stored.sha256 }
}

/**
 * What the receipt says of one request of this run. Its dates are those this run sent, or those
 * Amplitude's status answer gave (a resumed request): never the inputs' defaults, which a resumed
 * run did not send.
 */
function receiptRequest(record: RequestRecord): ReceiptRequest {
  return {
    requestId: record.requestId ?? null,
    // The label names the subject by position and fingerprint, never by its id.
    subject: record.label,
    startDate: record.dates?.startDate ?? NOT_KNOWN,
    endDate: record.dates?.endDate ?? NOT_KNOWN,
    ...(record.dates && { datesFrom: record.dates.from }),
    ...(record.submittedAt !== undefined && {
      submittedAt: new Date(record.submittedAt).toISOString()
    }),
    ...(record.outcome && { outcome: record.outcome }),
    ...(record.failReason && { failReason: record.failReason }),
    statuses: (record.history ?? []).map(h => ({
      status: h.status,
      at: new Date(h.at).toISOString()
    })),
    ...(record.expires && { expires: record.expires })
  }
}

/** The workflow run, from the runner's environment (absent outside Actions). */
function workflowRun(): { repository: string; runId: string; url: string } | undefined {
  const repository = process.env.GITHUB_REPOSITORY
  const runId = process.env.GITHUB_RUN_ID
  if (!repository || !runId) return undefined
  return { repository, runId, url: workflowRunPage(process.env) }
}

/** A receipt on disk: where, and its SHA-256 (for the job summary, to match the artifact's copy). */
export interface WrittenReceipt {
  path: string
  sha256: string
}

export async function writeRunReceiptWithDigest(
  options: RunReceiptOptions
): Promise<WrittenReceipt> {
  const path = await writeRunReceipt(options)
  return { path, sha256: await fileSha256(path) }
}

/**
 * Whether the run reached Amplitude: a request id obtained or resumed, or any answer at all (a
 * refused submit is evidence too). A run stopped before that has nothing to attest.
 */
export function reachedAmplitude(records: readonly RequestRecord[]): boolean {
  return records.some(r => r.requestId !== undefined || r.lastHttpStatus !== undefined)
}
