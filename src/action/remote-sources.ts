/**
 * Remote (https) source descriptions for the engine's SourceReader, fetched with
 * @actions/tool-cache: `downloadTool` (its retries on 5xx, 408 and 429; into RUNNER_TEMP), and
 * `cacheFile`/`find`, so a self-hosted runner does not fetch the same description twice. The
 * cache is keyed by URL and, when pinned, by the pinned digest: changing a pin fetches again.
 *
 * Bounds, since a description's URL comes from an untrusted document:
 * - size: a declared Content-Length over the limit is refused before the body is read, and the
 *   file being written is watched, so a longer (or endless) body is cut off near the limit;
 * - time: one fetch, retries included, is stopped after `timeoutMs`, and at once on cancellation;
 * - integrity: with `source-integrity` set, every remote URL must be pinned there and its bytes
 *   must match the pinned sha256 (also when served from the cache), else the run fails.
 *
 * downloadTool offers no way to stop a transfer, so the guard finds the requests it makes through
 * Node's `http.client.request.start` diagnostics channel (a request belongs to the guard in whose
 * async context downloadTool runs, its retries included) and destroys them with an error that
 * tool-cache does not retry (an HTTPError below 500).
 */
import * as tc from '@actions/tool-cache'
import { AsyncLocalStorage } from 'node:async_hooks'
import { createHash, randomUUID } from 'node:crypto'
import { subscribe } from 'node:diagnostics_channel'
import { readFile, rm, stat } from 'node:fs/promises'
import type { ClientRequest, IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SourceReader } from '../arazzo/index.js'
import { Inputs } from './input-names.js'

/** One fetch of one description, retries included. */
export const DEFAULT_REMOTE_TIMEOUT_MS = 60_000
const TOOL_NAME = 'amplitude-dsar-arazzo-source'
const CACHED_FILE = 'description'
const WATCH_INTERVAL_MS = 50

export interface RemoteSourceOptions {
  /** URL -> sha256 (lower-case hex), from `source-integrity`. */
  pins: ReadonlyMap<string, string>
  timeoutMs?: number
  /** One line per description fetched or taken from the cache. */
  log: (url: string, message: string) => void
}

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

export function createRemoteSourceReader(options: RemoteSourceOptions): SourceReader {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REMOTE_TIMEOUT_MS
  return async (url, { maxBytes, signal }) => {
    const pin = options.pins.get(url)
    if (options.pins.size > 0 && pin === undefined) {
      throw new Error(
        `${url} refused: '${Inputs.SourceIntegrity}' is set, and every remote source description must be pinned there`
      )
    }
    const version = cacheVersion(url, pin)
    const cached = await fromCache(version, maxBytes)
    if (cached && (pin === undefined || sha256(cached) === pin)) {
      options.log(url, `from the runner's tool cache (sha256 ${sha256(cached)})`)
      return cached.toString('utf8')
    }
    const file = await download(url, { maxBytes, timeoutMs, signal })
    try {
      const bytes = await readFile(file)
      if (bytes.length > maxBytes) throw new Error(overLimit(url, maxBytes))
      const digest = sha256(bytes)
      if (pin !== undefined && digest !== pin) {
        throw new Error(
          `integrity mismatch for ${url}: '${Inputs.SourceIntegrity}' pins sha256 ${pin}, the server sent ${digest}`
        )
      }
      await toCache(file, version)
      options.log(
        url,
        `fetched ${bytes.length} bytes, sha256 ${digest}` +
          (pin ? ' (matches its pin)' : `; pin it with '${Inputs.SourceIntegrity}'`)
      )
      return bytes.toString('utf8')
    } finally {
      await rm(file, { force: true })
    }
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function overLimit(url: string, maxBytes: number): string {
  return `${url} is over the ${maxBytes} byte limit`
}

/** An explicit semver version, as tool-cache's `find` needs: `0.0.0-u<url hash>[.p<pin>]`. */
function cacheVersion(url: string, pin: string | undefined): string {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 32)
  return `0.0.0-u${key}${pin ? `.p${pin.slice(0, 32)}` : ''}`
}

async function fromCache(version: string, maxBytes: number): Promise<Buffer | undefined> {
  if (!process.env.RUNNER_TOOL_CACHE) return undefined
  const dir = tc.find(TOOL_NAME, version)
  if (!dir) return undefined
  try {
    const file = join(dir, CACHED_FILE)
    if ((await stat(file)).size > maxBytes) return undefined
    return await readFile(file)
  } catch {
    return undefined
  }
}

async function toCache(file: string, version: string): Promise<void> {
  if (!process.env.RUNNER_TOOL_CACHE) return
  await tc.cacheFile(file, CACHED_FILE, TOOL_NAME, version)
}

// ---------------------------------------------------------------------------------------------
// A bounded downloadTool
// ---------------------------------------------------------------------------------------------

/** Stops a download; tool-cache does not retry an HTTPError below 500 (other than 408, 429). */
class Refused extends tc.HTTPError {
  constructor(readonly reason: string) {
    super(400)
    this.message = reason
  }
}

interface DownloadLimits {
  maxBytes: number
  timeoutMs: number
  signal?: AbortSignal
}

async function download(url: string, limits: DownloadLimits): Promise<string> {
  const dest = join(process.env.RUNNER_TEMP || tmpdir(), 'arazzo-sources', randomUUID())
  const guard = new DownloadGuard(url, dest, limits)
  try {
    return await guard.run(() => tc.downloadTool(url, dest))
  } catch (error) {
    await rm(dest, { force: true })
    if (error instanceof Refused) throw new Error(error.reason)
    if (error instanceof tc.HTTPError) {
      throw new Error(`${url}: HTTP ${error.httpStatusCode ?? 'error'}`)
    }
    throw new Error(`${url}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** The guard of the download running in this async context. */
const guards = new AsyncLocalStorage<DownloadGuard>()
let watching = false

function watchRequests(): void {
  if (watching) return
  watching = true
  subscribe('http.client.request.start', message => {
    const request = (message as { request?: ClientRequest }).request
    if (request) guards.getStore()?.claim(request)
  })
}

/**
 * Watches the requests downloadTool makes while it runs, and stops them (and the wait for it)
 * when the body grows past the limit, the time is up, or the signal aborts.
 */
class DownloadGuard {
  private readonly requests = new Set<ClientRequest>()
  private readonly responses = new Set<IncomingMessage>()
  private refusal?: Refused
  private rejectRun?: (error: Refused) => void

  constructor(
    private readonly url: string,
    private readonly dest: string,
    private readonly limits: DownloadLimits
  ) {}

  /** A request downloadTool started for this download (the first one, or a retry). */
  claim(request: ClientRequest): void {
    if (this.refusal) {
      request.destroy(this.refusal)
      return
    }
    this.requests.add(request)
    request.once('response', (response: IncomingMessage) => {
      this.responses.add(response)
      const declared = Number(response.headers['content-length'])
      if (Number.isFinite(declared) && declared > this.limits.maxBytes) {
        this.refuse(`${overLimit(this.url, this.limits.maxBytes)} (it declares ${declared} bytes)`)
      }
    })
  }

  async run(start: () => Promise<string>): Promise<string> {
    watchRequests()
    const { signal, timeoutMs, maxBytes } = this.limits
    const stopped = new Promise<never>((_resolve, reject) => (this.rejectRun = reject))
    const onAbort = (): void => this.refuse(`${this.url}: fetch cancelled`)
    if (signal?.aborted) onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    const timeout = setTimeout(
      () => this.refuse(`${this.url}: no complete answer within ${timeoutMs} ms`),
      timeoutMs
    )
    const watch = setInterval(() => {
      stat(this.dest).then(
        info => {
          if (info.size > maxBytes) this.refuse(overLimit(this.url, maxBytes))
        },
        () => undefined // not created yet
      )
    }, WATCH_INTERVAL_MS)
    // Neither timer keeps the process alive: the transfer they watch does, while it lasts.
    timeout.unref()
    watch.unref()
    // A retry downloadTool schedules runs in the same async context: it is stopped at once.
    const downloading = guards.run(this, start)
    downloading
      .finally(() => {
        signal?.removeEventListener('abort', onAbort)
        clearTimeout(timeout)
        clearInterval(watch)
      })
      .catch(() => undefined)
    return Promise.race([downloading, stopped])
  }

  private refuse(reason: string): void {
    if (this.refusal) return
    this.refusal = new Refused(reason)
    for (const response of this.responses) response.destroy(this.refusal)
    for (const request of this.requests) request.destroy(this.refusal)
    this.rejectRun?.(this.refusal)
  }
}
