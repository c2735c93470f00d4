/**
 * The one delivery pipeline: download -> verify -> encrypt (the export streams do those three as
 * the bytes arrive, src/export/) -> receipt -> artifact. A normal run (src/main.ts) and the
 * ledger's poll step (src/ledger/poll-step.ts) both deliver through here.
 *
 * The rules, in order:
 * - Downloads that fail are problems; nothing is uploaded then (a partial export is no delivery).
 * - The receipt is written whatever happened to the downloads (it is the evidence of what was asked
 *   and what arrived), when the caller asks for one.
 * - A receipt that cannot be written stops the delivery before the upload: an artifact is never
 *   uploaded without its receipt (docs/receipt.md). This is the stricter of the two rules the run
 *   and the ledger had: the run used to upload the files alone.
 * - The artifact holds the files and the receipt, rooted at the delivery's folder.
 */
import type { DownloadedFile } from '../export/index.js'
import { messageOf } from '../arazzo/index.js'
import type { ApiSession } from './api-session.js'
import { downloadRecords, type DownloadSettings, uploadArtifact } from './export-helper.js'
import {
  type RunReceiptOptions,
  writeRunReceiptWithDigest,
  type WrittenReceipt
} from './receipt-helper.js'
import type { RequestRecord } from './request-runner.js'
import type { RunSettings } from './settings.js'

export type DeliverySettings = DownloadSettings & Pick<RunSettings, 'download' | 'retentionDays'>

export interface DeliveryOptions {
  settings: DeliverySettings
  session: Pick<ApiSession, 'pacer' | 'hooks' | 'clock' | 'deadline'>
  records: RequestRecord[]
  /** The folder the files, the receipt and the artifact's root are in. */
  dir: string
  /** Download the exports now (a run stopped before its downloads does not start them). */
  download: boolean
  signal: AbortSignal
  /** Download progress lines (already free of secrets and subject ids). */
  log: (line: string) => void
  /** Write `receipt.json` (undefined: no receipt, e.g. a run that never reached Amplitude). */
  receipt?: Pick<
    RunReceiptOptions,
    // `requests`: the ledger's requests as its comment records them (default: from `records`).
    'workflow' | 'now' | 'requests' | 'issue' | 'deadline' | 'filing'
  >
  /**
   * Upload the files and the receipt as this artifact. `evenWithoutFiles`: the ledger delivers
   * through the artifact itself, so it uploads the receipt alone when a request had no files.
   */
  artifact?: { name: string; evenWithoutFiles?: boolean }
  /** Told as each stage finishes, to log it the caller's way. */
  on?: {
    downloaded?: (files: DownloadedFile[]) => void
    receipt?: (receipt: WrittenReceipt) => void
  }
}

export interface Delivery {
  /** Undefined when nothing was downloaded (`download: false`, or stopped first). */
  files?: DownloadedFile[]
  receipt?: WrittenReceipt
  artifact?: { name: string; id: number; url: string; retentionDays: number }
  /** What went wrong, one entry per problem; the stage that failed stopped what came after. */
  problems: string[]
}

export async function deliver(o: DeliveryOptions): Promise<Delivery> {
  const { settings } = o
  const problems: string[] = []
  let files: DownloadedFile[] | undefined
  if (o.download) {
    const got = await downloadRecords(settings, o.session, o.records, o.dir, o.signal, o.log)
    files = got.files
    problems.push(...got.problems)
    o.on?.downloaded?.(files)
  }
  const withArtifact = o.artifact && settings.download
  let receipt: WrittenReceipt | undefined
  if (o.receipt) {
    try {
      // Every field the caller gives reaches the receipt as given (one type, no copy to keep up).
      receipt = await writeRunReceiptWithDigest({
        ...o.receipt,
        dir: o.dir,
        settings,
        ...(!o.receipt.requests && { records: o.records }),
        files: files ?? [],
        ...(withArtifact && {
          artifact: { name: o.artifact!.name, retentionDays: settings.retentionDays }
        })
      })
      o.on?.receipt?.(receipt)
    } catch (error) {
      problems.push(`receipt.json could not be written: ${messageOf(error)}`)
      return { files, problems }
    }
  }
  const upload =
    withArtifact && problems.length === 0 && (files?.length || o.artifact!.evenWithoutFiles)
  if (!upload || files === undefined) return { files, ...(receipt && { receipt }), problems }
  const name = o.artifact!.name
  try {
    const uploaded = await uploadArtifact({
      name,
      files,
      extraPaths: receipt ? [receipt.path] : [],
      rootDirectory: o.dir,
      retentionDays: settings.retentionDays
    })
    return {
      files,
      ...(receipt && { receipt }),
      artifact: { name, ...uploaded, retentionDays: settings.retentionDays },
      problems
    }
  } catch (error) {
    // The files are on disk and listed in the outputs; only the upload is missing.
    problems.push(messageOf(error))
    return { files, ...(receipt && { receipt }), problems }
  }
}
