/**
 * The action's side of `receipt.json` (src/export/receipt.ts): the facts only the GitHub layer knows
 * (the run, the action version, the API host) joined to what the requests and downloads recorded.
 */
// Not through export/index.js: that would load the download code into runs that do not download.
import type { DownloadedFile } from '../export/download.js'
import { buildReceipt, writeReceipt, type ReceiptRequest } from '../export/receipt.js'
import type { Settings } from './input-helper.js'
import type { RequestRecord } from './request-runner.js'
import { workflowRunPage } from './artifact-helper.js'
import { ACTION_NAME, ACTION_VERSION } from './version.js'

type ReceiptSettings = Pick<Settings, 'apiUrl' | 'encryptTo'> &
  Partial<Pick<Settings, 'startDate' | 'endDate'>>

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
}

/** Writes `<dir>/receipt.json` and returns its path. */
export async function writeRunReceipt(options: RunReceiptOptions): Promise<string> {
  const settings = options.settings
  const requests =
    options.requests ?? (options.records ?? []).map(record => receiptRequest(record, settings))
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
    files: options.files,
    root: options.dir,
    recipients: settings.encryptTo,
    ...(run && { run }),
    ...(options.issue && { issue: options.issue }),
    ...(options.artifact && { artifact: options.artifact })
  })
  return writeReceipt(options.dir, receipt)
}

function receiptRequest(record: RequestRecord, settings: ReceiptSettings): ReceiptRequest {
  return {
    requestId: record.requestId ?? null,
    // The label names the subject by position and fingerprint, never by its id.
    subject: record.label,
    startDate: settings.startDate ?? '',
    endDate: settings.endDate ?? '',
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
