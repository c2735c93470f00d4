/**
 * One bounded GET of a remote source description, under the same internal-address rule as
 * downloads (src/policy/private-address.ts): a description's URL comes from an untrusted document,
 * and on a self-hosted runner `https://169.254.169.254/...` or `https://10.x/...` reaches machines
 * the document's author never could. Checked at every hop:
 * - the URL: https only, no credentials in it, and its host not an internal IP literal;
 * - the connection: the name's DNS answers, through `refusingLookup` as the socket's own lookup
 *   (no gap for a name that resolves one way for a check and another for the connection);
 * - each redirect (at most MAX_REDIRECTS), checked as a new URL; the Location is never quoted.
 * Bounds: a declared Content-Length over the limit is refused before the body, a body growing
 * past it is cut off; the whole fetch (retries included) stops after `timeoutMs`, and at once on
 * the signal. 5xx, 408 and 429 answers and dropped connections are tried again, twice.
 * Messages name the URL the document gave and an HTTP status or a rule, never what a server sent.
 */
import type { IncomingMessage } from 'node:http'
import * as https from 'node:https'
import {
  InternalAddressError,
  internalAddressKind,
  internalAddressRefusal,
  refusingLookup
} from '../../policy/index.js'

export const MAX_REDIRECTS = 5
const ATTEMPTS = 3
const RETRY_WAIT_MS = 1_000
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504])

export interface FetchLimits {
  maxBytes: number
  timeoutMs: number
  signal?: AbortSignal
  /** The lookup the connection uses (tests inject a resolver; refusingLookup() by default). */
  lookup?: ReturnType<typeof refusingLookup>
}

/** A refusal: its message is final (no retry). */
export class FetchRefused extends Error {}

/** A failure worth one more try (a 5xx answer, a dropped connection). */
class Transient extends Error {}

export async function fetchRemote(url: string, limits: FetchLimits): Promise<Buffer> {
  const stop = new AbortController()
  let reason: string | undefined
  const halt = (why: string): void => {
    reason ??= why
    stop.abort()
  }
  const onAbort = (): void => halt(`${url}: fetch cancelled`)
  if (limits.signal?.aborted) onAbort()
  limits.signal?.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(
    () => halt(`${url}: no complete answer within ${limits.timeoutMs} ms`),
    limits.timeoutMs
  )
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await followRedirects(url, limits, stop.signal)
      } catch (error) {
        if (reason !== undefined) throw new FetchRefused(reason)
        if (!(error instanceof Transient) || attempt >= ATTEMPTS) throw asRefusal(url, error)
        await wait(RETRY_WAIT_MS * attempt, stop.signal)
        if (reason !== undefined) throw new FetchRefused(reason)
      }
    }
  } finally {
    clearTimeout(timer)
    limits.signal?.removeEventListener('abort', onAbort)
  }
}

async function followRedirects(start: string, limits: FetchLimits, signal: AbortSignal) {
  let url = checkedUrl(start, start)
  for (let hop = 0; ; hop++) {
    const response = await get(url, limits, signal, start)
    const status = response.statusCode ?? 0
    if (REDIRECTS.has(status)) {
      response.destroy()
      const location = response.headers.location
      if (!location) throw new FetchRefused(`${start}: HTTP ${status} redirect without a Location`)
      if (hop >= MAX_REDIRECTS)
        throw new FetchRefused(`${start}: more than ${MAX_REDIRECTS} redirects`)
      url = checkedUrl(location, start, url)
      continue
    }
    if (status !== 200) {
      response.destroy()
      const error = `${start}: HTTP ${status}`
      throw TRANSIENT.has(status) || status >= 500 ? new Transient(error) : new FetchRefused(error)
    }
    return readBody(response, start, limits.maxBytes)
  }
}

/**
 * A URL the fetch may go to: https, no credentials, no internal IP literal. A redirect target is
 * described as "a redirect" only: its text is the server's.
 */
function checkedUrl(text: string, start: string, from?: URL): URL {
  const what = from ? `${start}: a redirect` : start
  let url: URL
  try {
    url = new URL(text, from)
  } catch {
    throw new FetchRefused(`${what} is not a valid URL`)
  }
  if (url.protocol !== 'https:') throw new FetchRefused(`${what} refused: only https is allowed`)
  if (url.username !== '' || url.password !== '') {
    throw new FetchRefused(`${what} refused: the URL carries credentials`)
  }
  const kind = internalAddressKind(url.hostname)
  if (kind) throw new FetchRefused(`${what} refused: ${internalAddressRefusal(kind)}`)
  return url
}

function get(
  url: URL,
  limits: FetchLimits,
  signal: AbortSignal,
  start: string
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // agent: false: one fresh connection per request, none outliving the fetch.
    const request = https.get(url, {
      agent: false,
      signal,
      lookup: limits.lookup ?? refusingLookup(),
      headers: { accept: '*/*', 'user-agent': 'amplitude-dsar-action' }
    })
    request.once('response', response => {
      const declared = Number(response.headers['content-length'])
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        response.destroy()
        reject(
          new FetchRefused(`${overLimit(start, limits.maxBytes)} (it declares ${declared} bytes)`)
        )
        return
      }
      resolve(response)
    })
    request.on('error', error => {
      if (error instanceof InternalAddressError) {
        reject(new FetchRefused(`${start} refused: ${error.message}`))
        return
      }
      const detail = `${start}: ${describeNetworkError(error)}`
      // A certificate problem will not go away on a second try.
      const code = String((error as { code?: unknown }).code ?? '')
      reject(/CERT|TLS|SSL/.test(code) ? new FetchRefused(detail) : new Transient(detail))
    })
  })
}

async function readBody(response: IncomingMessage, start: string, maxBytes: number) {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > maxBytes) {
        response.destroy()
        throw new FetchRefused(overLimit(start, maxBytes))
      }
      chunks.push(chunk)
    }
  } catch (error) {
    if (error instanceof FetchRefused) throw error
    throw new Transient(`${start}: the answer was cut short (${describeNetworkError(error)})`)
  }
  return Buffer.concat(chunks)
}

export function overLimit(url: string, maxBytes: number): string {
  return `${url} is over the ${maxBytes} byte limit`
}

function asRefusal(url: string, error: unknown): FetchRefused {
  if (error instanceof FetchRefused) return error
  if (error instanceof Transient) return new FetchRefused(error.message)
  return new FetchRefused(`${url}: ${describeNetworkError(error)}`)
}

/** A network error by its code (ECONNREFUSED, ENOTFOUND...), not by a message a peer shaped. */
function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code
  return 'the connection failed'
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true }
    )
  })
}
