/**
 * The export download: streamed, verified, stored safely, optionally age-encrypted. The download
 * code itself is loaded on the first download (a run that does not download never compiles it);
 * the errors, the receipt and the safe file writes are small and load with the index.
 */
import type { DownloadRequestOptions } from './download.js'
import type { DownloadedFile } from './types.js'

export type { DownloadRequestOptions } from './download.js'
export type { DownloadedFile, Manifest, ManifestEntry, StoredStats } from './types.js'
export { DeadlineReached, DownloadError, TransferError } from './errors.js'
export { MAX_REDIRECTS, nextHop } from './url-policy.js'
export { outputFileName, writeWholeFile } from './safe-files.js'
export {
  buildReceipt,
  NOT_KNOWN,
  RECEIPT_FILE,
  writeReceipt,
  type Receipt,
  type ReceiptDeadline,
  type ReceiptFiling,
  type ReceiptFile,
  type ReceiptInput,
  type ReceiptRequest
} from './receipt.js'

/** Downloads one request's output files (src/export/download.ts, loaded on first use). */
export async function downloadRequestOutputs(
  options: DownloadRequestOptions
): Promise<DownloadedFile[]> {
  const { downloadRequestOutputs: download } = await import('./download.js')
  return download(options)
}
