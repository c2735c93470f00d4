/**
 * Downloads the output files of one finished DSAR request (documented API, step 3), one file at a
 * time:
 *   GET .../api/2/dsar/requests/{id}/outputs/{n} (on the API host or Amplitude's web-app host) with
 *   Basic auth -> 302 to a presigned object-store URL on another host -> GET it without
 *   credentials -> stream to disk.
 * While streaming, the gzip as served is hashed and counted and gunzipped on the side to count its
 * JSON lines; with recipients it is age-encrypted before it touches the disk. `bytes` and `sha256`
 * always describe the export as Amplitude served it (the gzip), also when the stored file is the
 * encrypted one. Files are `${downloadPath}/${requestId}/output-NNN.json.gz[.age]`, numbered from
 * 1 in the order of `urls`. A run into a folder an earlier run left keeps the files that are whole
 * (resume.ts) and fetches the rest; when a file fails, the ones done are still reported
 * (`DownloadError.done`).
 *
 * Bounds: the run's deadline (the caller's signal aborts with a DeadlineReached), a stall watchdog,
 * and MAX_EXPORT_FILE_BYTES per file, so a host streaming without end cannot fill the disk first.
 *
 * Which URLs receive the credentials is decided by src/policy/credentials.ts: a `urls` entry on an
 * origin not trusted with them (e.g. a presigned URL handed out directly, as the seed contract's
 * download_url is) is fetched WITHOUT credentials, and only over https unless its host is loopback.
 */
import { once } from 'node:events'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { EncryptStage } from './encrypt-stream.js'
import { DeadlineReached, DownloadError, TransferError } from './errors.js'
import { fetchOutput, type OpenedOutput } from './fetch-output.js'
import { openFileSink, type FileSink } from './file-sink.js'
import {
  createPartialFile,
  isSafeRequestId,
  outputFileName,
  prepareRequestDir,
  publishFile,
  removeQuietly
} from './safe-files.js'
import {
  isWhole,
  readManifest,
  StoredTap,
  writeManifest,
  type Manifest,
  type StoredStats
} from './resume.js'
import { createCredentialPolicy, type CredentialPolicy } from '../policy/index.js'
import { assertFetchable } from './url-policy.js'
import { VerifyingTap, type VerifiedStats } from './verify-stream.js'

/** One verified file on disk, as the `files` output lists it. */
export interface DownloadedFile {
  path: string
  bytes: number
  sha256: string
  events: number
  encrypted: boolean
  requestId?: string
}

export interface DownloadRequestOptions {
  /** The API origin: its output links receive the credentials (unless `credentials` says more). */
  apiOrigin: string
  /** Who receives the credentials; default: output links on `apiOrigin` alone. */
  credentials?: CredentialPolicy
  /** base64(key:secret), the value after 'Basic '. */
  basicAuth: string
  requestId: string
  urls: string[]
  /** Files go to `${downloadPath}/${requestId}/` (requestId must match ^[A-Za-z0-9_-]+$). */
  downloadPath: string
  /** age recipients: when non-empty, files are encrypted while streaming; plaintext never on disk. */
  recipients?: string[]
  signal?: AbortSignal
  /** Per attempt: the longest the connection may stay idle (headers or body). Default 60 s. */
  timeoutMs?: number
  /** Attempts per file for transient failures (5xx, 429, reset, stall). Default 3. */
  maxAttempts?: number
  /** Called before each request to an origin trusted with the credentials (the budget; GET costs 1). */
  beforeRequest?: (method: string, url: URL) => Promise<void>
  /** Progress lines. Never given a URL or the credentials. */
  onLog?: (line: string) => void
}

export const DEFAULT_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_ATTEMPTS = 3
const BACKOFF_BASE_MS = 250
const BACKOFF_MAX_MS = 4_000
const PROGRESS_EVERY_BYTES = 128 * 1024 * 1024
/** Less than this in one timeout window (about 1 KiB/s over the default 60 s) is a stalled transfer. */
const MIN_BYTES_PER_WINDOW = 64 * 1024
/**
 * The most one export file may hold (as served). A user with the most events Amplitude exports
 * (100k a month) has files of tens of MiB; 4 GiB is a hundred times that, and stops a host that
 * streams without end (or announces 10 GiB) before the disk is full.
 */
export const MAX_EXPORT_FILE_BYTES = 4 * 2 ** 30

/** Error codes of a connection that broke: the download may work if repeated. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ERR_STREAM_PREMATURE_CLOSE'
])

export async function downloadRequestOutputs(o: DownloadRequestOptions): Promise<DownloadedFile[]> {
  const requestId = o.requestId
  const fail = (message: string, output: number, cause?: unknown) =>
    new DownloadError(`request ${requestId}: ${message}`, requestId, output, { cause })
  if (!isSafeRequestId(requestId)) {
    throw fail('refusing this request id as a directory name (allowed: A-Z a-z 0-9 _ -)', 0)
  }
  const maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw fail(`maxAttempts must be an integer >= 1, got ${maxAttempts}`, 0)
  }
  const targets = o.urls.map((text, i) => {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw fail(`output ${i + 1} of ${o.urls.length} has an invalid URL`, i + 1)
    }
    try {
      assertFetchable(url) // e.g. plain http to a non-loopback host: refused before any request
    } catch (error) {
      throw fail(`output ${i + 1} of ${o.urls.length}: ${reason(error)}`, i + 1, error)
    }
    return url
  })
  if (targets.length === 0) return []

  let encrypt: EncryptStage | undefined
  let dir: string
  let manifest: Manifest
  const recipients = [...(o.recipients ?? [])].sort()
  const encrypted = recipients.length > 0
  const names = targets.map((_, i) => outputFileName(i + 1, encrypted))
  try {
    // Everything that can be checked locally is, before the first request spends budget.
    if (encrypted) {
      // age (and its curve tables) only when a run encrypts: an unencrypted download never loads it.
      const age = await import('./encrypt-stream.js')
      encrypt = age.encryptStage(await age.createEncrypter(recipients))
    }
    dir = await prepareRequestDir(o.downloadPath, requestId)
    manifest = await readManifest(dir)
  } catch (error) {
    throw fail(reason(error), 0, error)
  }

  const files: DownloadedFile[] = []
  for (const [i, url] of targets.entries()) {
    const output = i + 1
    const label = `output ${output} of ${targets.length}`
    const name = names[i]
    const kept = manifest[name]
    if (await isWhole(dir, name, kept, recipients)) {
      o.onLog?.(
        `request ${requestId}: ${label}: kept ${name} from an earlier run (whole, sha256 checked)`
      )
      files.push(downloadedFile(dir, name, kept, encrypted, requestId))
      continue
    }
    try {
      // Whatever holds the name is not a whole file of ours: it is replaced.
      await removeQuietly(join(dir, name))
      const { file, stored } = await downloadWithRetries(o, {
        url,
        dir,
        name,
        label,
        maxAttempts,
        encrypt,
        fail: (message, cause) => fail(`${label}: ${message}`, output, cause)
      })
      manifest[name] = {
        bytes: file.bytes,
        sha256: file.sha256,
        events: file.events,
        recipients,
        stored
      }
      await writeManifest(dir, manifest)
      files.push(file)
    } catch (error) {
      const failure =
        error instanceof DownloadError ? error : fail(`${label}: ${reason(error)}`, output, error)
      failure.done = files
      throw failure
    }
  }
  return files
}

interface FileJob {
  url: URL
  dir: string
  name: string
  label: string
  maxAttempts: number
  /** age encryption as a pipeline stage; each use encrypts one file under a fresh key. */
  encrypt?: EncryptStage
  fail: (message: string, cause?: unknown) => DownloadError
}

async function downloadWithRetries(
  o: DownloadRequestOptions,
  job: FileJob
): Promise<{ file: DownloadedFile; stored: StoredStats }> {
  const log = (line: string) => o.onLog?.(`request ${o.requestId}: ${line}`)
  for (let attempt = 1; ; attempt++) {
    log(`${job.label}: downloading${job.encrypt ? ' (age-encrypting while streaming)' : ''}`)
    try {
      const done = await attemptDownload(o, job, log)
      const { file } = done
      log(
        `${job.label}: stored ${job.name} (${file.bytes} bytes as served, ${file.events} events, ` +
          `sha256 ${file.sha256})`
      )
      return done
    } catch (error) {
      if (o.signal?.aborted) throw job.fail(abortMessage(o.signal.reason), o.signal.reason ?? error)
      const verdict = toTransferError(error)
      if (!verdict.transient) throw job.fail(verdict.message, error)
      if (attempt >= job.maxAttempts) {
        throw job.fail(`${verdict.message}; gave up after ${attempt} attempts`, error)
      }
      const delay = backoffMs(attempt, verdict.retryAfterMs)
      log(`${job.label}: attempt ${attempt} failed (${verdict.message}); retrying in ${delay} ms`)
      try {
        await sleep(delay, undefined, { signal: o.signal })
      } catch (abort) {
        throw job.fail(abortMessage(o.signal?.reason), o.signal?.reason ?? abort)
      }
    }
  }
}

/** One attempt, from scratch: nothing of a failed attempt is left on disk. */
async function attemptDownload(
  o: DownloadRequestOptions,
  job: FileJob,
  log: (line: string) => void
): Promise<{ file: DownloadedFile; stored: StoredStats }> {
  let opened: OpenedOutput | undefined
  try {
    opened = await fetchOutput(job.url, {
      credentials: o.credentials ?? createCredentialPolicy({ apiOrigin: o.apiOrigin }),
      basicAuth: o.basicAuth,
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: o.signal,
      beforeRequest: o.beforeRequest
    })
    if (opened.length !== undefined && opened.length > MAX_EXPORT_FILE_BYTES) {
      throw new TransferError(tooLarge(`announces ${opened.length} bytes`), false)
    }
    const { stats, stored } = await storeVerified(opened, job, o, log)
    const file = downloadedFile(job.dir, job.name, stats, job.encrypt !== undefined, o.requestId)
    return { file, stored }
  } catch (error) {
    if (opened?.stalled() && !(error instanceof TransferError && !error.transient)) {
      throw new TransferError(`no data for ${o.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms (stalled)`, true)
    }
    throw error
  } finally {
    opened?.response.destroy()
  }
}

async function storeVerified(
  opened: OpenedOutput,
  job: FileJob,
  o: DownloadRequestOptions,
  log: (line: string) => void
): Promise<{ stats: VerifiedStats; stored: StoredStats }> {
  const signal = o.signal
  const partial = await createPartialFile(job.dir, job.name)
  let sink: FileSink | undefined
  // The idle timeout catches a silent connection; this catches one that sends a byte now and then
  // (a body dribbled at 1 byte/s would otherwise hold the step until the job is cancelled).
  const windowMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS
  let received = 0
  let atLastCheck = 0
  const watchdog = setInterval(() => {
    if (received - atLastCheck < MIN_BYTES_PER_WINDOW) {
      const slow = `under ${MIN_BYTES_PER_WINDOW} bytes in ${windowMs} ms (a stalled transfer)`
      opened.response.destroy(new TransferError(slow, true))
    }
    atLastCheck = received
  }, windowMs)
  watchdog.unref()
  try {
    // The sink owns the descriptor from here: it fsyncs (flush) and closes it when done, and
    // closes it when destroyed by a failure. (FileHandle.close() would wait for the stream, so the
    // handle must not be closed behind its back.)
    const fileSink = (sink = openFileSink(partial.handle))
    let nextProgress = PROGRESS_EVERY_BYTES
    const tap = new VerifyingTap({
      expectedBytes: opened.length,
      onBytes: bytes => {
        received = bytes
        if (bytes > MAX_EXPORT_FILE_BYTES) {
          opened.response.destroy(new TransferError(tooLarge(`sent ${bytes} bytes`), false))
          return
        }
        fileSink.progress(bytes)
        if (bytes < nextProgress) return
        log(`${job.label}: ${Math.floor(bytes / (1024 * 1024))} MiB received`)
        while (nextProgress <= bytes) nextProgress += PROGRESS_EVERY_BYTES
      }
    })
    const stored = new StoredTap()
    if (job.encrypt) {
      await pipeline(opened.response, tap, job.encrypt, stored, fileSink.stream, { signal })
    } else {
      await pipeline(opened.response, tap, stored, fileSink.stream, { signal })
    }
    await fileSink.synced()
    await publishFile(partial.path, join(job.dir, job.name))
    return { stats: tap.result(), stored: stored.result() }
  } catch (error) {
    if (sink) await closeStream(sink.stream)
    else await partial.handle.close().catch(() => undefined)
    await removeQuietly(partial.path)
    throw error
  } finally {
    clearInterval(watchdog)
  }
}

/** A file as the `files` output reports it, whether fetched now or kept from an earlier run. */
function downloadedFile(
  dir: string,
  name: string,
  figures: Pick<DownloadedFile, 'bytes' | 'sha256' | 'events'>,
  encrypted: boolean,
  requestId: string
): DownloadedFile {
  const { bytes, sha256, events } = figures
  return { path: join(dir, name), bytes, sha256, events, encrypted, requestId }
}

/** Destroys a write stream and waits until its descriptor is closed. */
async function closeStream(stream: Writable): Promise<void> {
  if (stream.closed) return
  const closed = once(stream, 'close').catch(() => undefined)
  stream.destroy()
  await closed
}

function toTransferError(error: unknown): TransferError {
  if (error instanceof TransferError) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = scrub(error instanceof Error ? error.message : String(error))
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new TransferError(`connection failed (${code}: ${message})`, true)
  }
  return new TransferError(code ? `${code}: ${message}` : message, false)
}

function backoffMs(attempt: number, retryAfterMs?: number): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1))
  const jittered = Math.round(exponential * (0.5 + Math.random() / 2))
  return Math.max(jittered, retryAfterMs ?? 0)
}

function tooLarge(what: string): string {
  return `the server ${what}, more than the ${MAX_EXPORT_FILE_BYTES} bytes an export file may have`
}

/** Why a download stopped when its signal aborted: the run's deadline, or a cancellation. */
function abortMessage(abortReason: unknown): string {
  return abortReason instanceof DeadlineReached ? abortReason.message : 'aborted'
}

function reason(error: unknown): string {
  return scrub(error instanceof Error ? error.message : String(error))
}

/** Belt and braces: no URL (a presigned one is a credential) in any message we pass on. */
function scrub(text: string): string {
  return text.replace(/\bhttps?:\/\/\S+/gi, '<url>')
}
