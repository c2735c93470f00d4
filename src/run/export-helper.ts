/**
 * The export phase of a run: download every output of every done request (at most `max-concurrency`
 * requests at once, their API calls paid from the same budget as the polls), then upload the files as a
 * workflow artifact when asked. The download and artifact modules are loaded only when a run uses them,
 * so runs that only submit and poll start fast.
 */
import type { Clock } from '../arazzo/index.js'
import { DeadlineReached, type DownloadedFile, DownloadError } from '../export/index.js'
import { createCredentialPolicy, type CredentialPolicy } from '../policy/index.js'
import type { ApiSession } from './api-session.js'
import { requestCost } from './budget.js'
import type { RunSettings } from './settings.js'
import { formatDuration, type RequestRecord } from './request-runner.js'
import { Semaphore } from './semaphore.js'

export interface ExportOptions {
  records: RequestRecord[]
  /** Who receives the credentials: the API origin, the region's Amplitude origins, the user's. */
  credentials: CredentialPolicy
  basicAuth: string
  downloadPath: string
  recipients: string[]
  maxConcurrency: number
  signal: AbortSignal
  /** Per download attempt: the longest the connection may stay idle (default: the download's). */
  timeoutMs?: number
  /** Takes the cost of one request to a DSAR endpoint from the shared budget. */
  payForRequest: (signal: AbortSignal) => Promise<void>
  /** The run's timeout: downloads still going when it runs out are cut (by `clock`). */
  deadline?: { at: number; clock: Clock; timeoutMs: number }
  log: (line: string) => void
}

export interface ExportResult {
  files: DownloadedFile[]
  /** One line per request whose download failed (request id and output named, never a URL). */
  problems: string[]
}

export async function downloadExports(options: ExportOptions): Promise<ExportResult> {
  const { downloadRequestOutputs } = await import('../export/index.js')
  const slots = new Semaphore(options.maxConcurrency)
  const files: DownloadedFile[] = []
  const problems: string[] = []
  const { signal, release } = untilDeadline(options.signal, options.deadline)
  const done = options.records.filter(r => r.outcome === 'done' && r.requestId && r.urls.length > 0)
  await Promise.all(
    done.map(record =>
      slots.use(async () => {
        try {
          const got = await downloadRequestOutputs({
            apiOrigin: options.credentials.apiOrigin,
            credentials: options.credentials,
            basicAuth: options.basicAuth,
            requestId: record.requestId!,
            urls: record.urls,
            downloadPath: options.downloadPath,
            recipients: options.recipients,
            signal,
            timeoutMs: options.timeoutMs,
            // Called for DSAR endpoints only (API and output-link hosts), not for storage.
            beforeRequest: () => options.payForRequest(signal),
            // Its lines name the request id, which is what a reader of the log can act on.
            onLog: options.log
          })
          files.push(...got.map(file => ({ ...file, requestId: record.requestId })))
        } catch (error) {
          problems.push((error as Error).message)
          // What was verified before the failure is on disk and whole: it is listed too.
          if (error instanceof DownloadError) files.push(...error.done)
        }
      })
    )
  ).finally(release)
  // Stable order for outputs and summary: by request, then by file name.
  files.sort((a, b) => a.path.localeCompare(b.path))
  return { files, problems }
}

/**
 * `signal`, also aborted (with a DeadlineReached) when the run's timeout runs out; `release` stops
 * watching the clock once the downloads are over.
 */
function untilDeadline(
  signal: AbortSignal,
  deadline: ExportOptions['deadline']
): { signal: AbortSignal; release: () => void } {
  if (!deadline) return { signal, release: () => undefined }
  const watch = new AbortController()
  const reached = new AbortController()
  const { at, clock, timeoutMs } = deadline
  clock.sleep(Math.max(0, at - clock.now()), watch.signal).then(
    () =>
      reached.abort(
        new DeadlineReached(
          `the timeout (${formatDuration(timeoutMs)}) ran out during the download; a later run ` +
            'with request-ids and the same download-path keeps the whole files and fetches the rest'
        )
      ),
    () => undefined
  )
  return { signal: AbortSignal.any([signal, reached.signal]), release: () => watch.abort() }
}

/**
 * Downloads the exports of `records` into `downloadPath` the way every run does: the settings'
 * credentials, recipients and concurrency, API-origin requests paid from the session's budget.
 */
export function downloadRecords(
  settings: Pick<
    RunSettings,
    | 'apiUrl'
    | 'region'
    | 'credentialOrigins'
    | 'basicAuth'
    | 'encryptTo'
    | 'maxConcurrency'
    | 'timeoutMs'
  >,
  session: Pick<ApiSession, 'pacer' | 'hooks' | 'clock' | 'deadline'>,
  records: RequestRecord[],
  downloadPath: string,
  signal: AbortSignal,
  log: (line: string) => void
): Promise<ExportResult> {
  return downloadExports({
    records,
    credentials: createCredentialPolicy({
      apiOrigin: settings.apiUrl,
      region: settings.region,
      extraOrigins: settings.credentialOrigins
    }),
    basicAuth: settings.basicAuth,
    downloadPath,
    recipients: settings.encryptTo,
    maxConcurrency: settings.maxConcurrency,
    signal,
    timeoutMs: session.hooks.requestTimeoutMs,
    payForRequest: paySignal =>
      session.pacer.acquire(requestCost('GET'), paySignal, session.deadline),
    deadline: { at: session.deadline, clock: session.clock, timeoutMs: settings.timeoutMs },
    log
  })
}

export async function uploadArtifact(options: {
  name: string
  files: DownloadedFile[]
  /** Other files to include (the receipt). */
  extraPaths?: string[]
  rootDirectory: string
  retentionDays: number
}): Promise<{ id: number; url: string }> {
  const { uploadExportArtifact } = await import('./artifact-helper.js')
  const uploaded = await uploadExportArtifact({
    name: options.name,
    files: [...options.files.map(f => f.path), ...(options.extraPaths ?? [])],
    rootDirectory: options.rootDirectory,
    retentionDays: options.retentionDays
  })
  return { id: uploaded.id, url: uploaded.url }
}

/** Links that stop working within this long get a warning annotation: download them soon. */
export const EXPIRY_WARNING_MS = 12 * 3_600_000

export function expiringSoon(records: RequestRecord[], now: number): RequestRecord[] {
  return records.filter(r => {
    if (!r.expires) return false
    const at = Date.parse(r.expires)
    return Number.isFinite(at) && at - now < EXPIRY_WARNING_MS
  })
}
