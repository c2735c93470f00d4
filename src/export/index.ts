/** The export download: streamed, verified, stored safely, optionally age-encrypted. */
export {
  downloadRequestOutputs,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  type DownloadedFile,
  type DownloadRequestOptions
} from './download.js'
export { DownloadError } from './errors.js'
export { MAX_REDIRECTS, nextHop } from './url-policy.js'
export { outputFileName } from './safe-files.js'
export {
  buildReceipt,
  RECEIPT_FILE,
  writeReceipt,
  type Receipt,
  type ReceiptInput,
  type ReceiptRequest
} from './receipt.js'
