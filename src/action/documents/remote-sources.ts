/**
 * Remote (https) source descriptions for the engine's SourceReader: fetched by remote-fetch.ts
 * (the internal-address rule at every hop, size and time bounds), checked against
 * `source-integrity` pins, and kept in the runner's tool cache (@actions/tool-cache
 * `cacheFile`/`find`) ONLY when pinned:
 * - a pinned description is read from the cache when its bytes still match the pin (checked on
 *   every read: a copy planted or altered in the cache is fetched again), else fetched and checked;
 * - an unpinned one is fetched on every run and never cached: nothing on the runner's disk can
 *   stand in for it (a description planted under the URL's cache key once steered polls elsewhere);
 * - with `source-integrity` set, every remote URL must be pinned there, else the run fails.
 */
import * as tc from '@actions/tool-cache'
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { SourceReader } from '../../arazzo/index.js'
import { Inputs } from '../../run/index.js'
import { fetchRemote, FetchRefused, overLimit } from './remote-fetch.js'

/** One fetch of one description, retries included. */
export const DEFAULT_REMOTE_TIMEOUT_MS = 60_000
const TOOL_NAME = 'amplitude-dsar-arazzo-source'
const CACHED_FILE = 'description'

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
    if (pin !== undefined) {
      const cached = await fromCache(cacheVersion(url, pin), maxBytes)
      // The pin is checked on every read from the cache, not only when the copy was stored.
      if (cached && sha256(cached) === pin) {
        options.log(url, `from the runner's tool cache (sha256 ${pin}, matches its pin)`)
        return cached.toString('utf8')
      }
    }
    let bytes: Buffer
    try {
      bytes = await fetchRemote(url, { maxBytes, timeoutMs, signal })
    } catch (error) {
      throw new Error(error instanceof FetchRefused ? error.message : `${url}: fetch failed`)
    }
    if (bytes.length > maxBytes) throw new Error(overLimit(url, maxBytes))
    const digest = sha256(bytes)
    if (pin === undefined) {
      options.log(
        url,
        `fetched ${bytes.length} bytes, sha256 ${digest}; not pinned, so fetched on every run ` +
          `and never cached: pin it with '${Inputs.SourceIntegrity}'`
      )
      return bytes.toString('utf8')
    }
    if (digest !== pin) {
      throw new Error(
        `integrity mismatch for ${url}: '${Inputs.SourceIntegrity}' pins sha256 ${pin}, the server sent ${digest}`
      )
    }
    await toCache(bytes, cacheVersion(url, pin))
    options.log(url, `fetched ${bytes.length} bytes, sha256 ${digest} (matches its pin)`)
    return bytes.toString('utf8')
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** An explicit semver version, as tool-cache's `find` needs: `0.0.0-u<url hash>.p<pin>`. */
function cacheVersion(url: string, pin: string): string {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 32)
  return `0.0.0-u${key}.p${pin.slice(0, 32)}`
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

/** Stores checked bytes (tool-cache copies a file: it is written to RUNNER_TEMP first). */
async function toCache(bytes: Buffer, version: string): Promise<void> {
  if (!process.env.RUNNER_TOOL_CACHE) return
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), 'arazzo-sources')
  await mkdir(dir, { recursive: true })
  const file = join(dir, randomUUID())
  try {
    await writeFile(file, bytes)
    await tc.cacheFile(file, CACHED_FILE, TOOL_NAME, version)
  } finally {
    await rm(file, { force: true })
  }
}
