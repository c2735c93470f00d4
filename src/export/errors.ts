/**
 * Errors of the export download. `DownloadError` is the one callers see; `TransferError` is the
 * internal verdict on one attempt, which the retry loop reads to decide whether to try again.
 * Messages never carry a URL: a presigned URL is a bearer credential.
 */

import type { DownloadedFile } from './types.js'

/** A request's outputs could not be downloaded. `output` is 1-based (0: not about one output). */
export class DownloadError extends Error {
  /** The files verified and stored before this failure (they are on disk and whole). */
  done: DownloadedFile[] = []

  constructor(
    message: string,
    readonly requestId: string,
    readonly output: number,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.name = 'DownloadError'
  }
}

/**
 * One attempt failed. `transient`: the same download may succeed if repeated from scratch (5xx,
 * reset, stall, 429); otherwise repeating is pointless (403, 404, 401, a corrupt gzip, a policy).
 */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
    options?: ErrorOptions
  ) {
    super(message, options)
    this.name = 'TransferError'
  }
}

/** The run's timeout ran out while downloading (the abort reason of the download's signal). */
export class DeadlineReached extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DeadlineReached'
  }
}
