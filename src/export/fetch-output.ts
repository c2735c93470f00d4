/**
 * One attempt at opening an output: GET the output link (with Basic auth when
 * src/policy/credentials.ts says its origin may receive it), follow its redirect to the presigned
 * object-store URL by hand (at most MAX_REDIRECTS hops, credentials never crossing to another
 * origin, no https -> http), and hand back the 200 response to stream from. Any other answer
 * becomes a TransferError that says whether trying again could help. No message carries a URL
 * beyond an output link's origin: the presigned one is a bearer credential.
 */
import * as http from 'node:http'
import * as https from 'node:https'
import { parseRetryAfter } from '../arazzo/index.js'
import {
  type CredentialPolicy,
  InternalAddressError,
  isCredentialOrigin,
  isOutputLinkPath,
  mayCarryCredentials,
  refusingLookup
} from '../policy/index.js'
import { TransferError } from './errors.js'
import {
  assertFetchable,
  assertNotInternal,
  isRedirectStatus,
  MAX_REDIRECTS,
  nextHop
} from './url-policy.js'

export interface FetchOutputOptions {
  /** Who receives the credentials (src/policy/credentials.ts). */
  credentials: CredentialPolicy
  basicAuth: string
  /** Socket idle limit for the whole attempt (headers and body). */
  timeoutMs: number
  signal?: AbortSignal
  /** Called before each request to an origin trusted with the credentials (a DSAR endpoint). */
  beforeRequest?: (method: string, url: URL) => Promise<void>
}

export interface OpenedOutput {
  response: http.IncomingMessage
  /** Content-Length, when the server announced one. */
  length?: number
  /** Set when the socket went idle past timeoutMs (the body stream then fails). */
  stalled(): boolean
}

const USER_AGENT = 'amplitude-dsar-action'
/** Statuses worth repeating the whole download for. */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504])
/** Longest Retry-After we are willing to wait for inside one download. */
export const MAX_RETRY_AFTER_MS = 60_000

export async function fetchOutput(start: URL, options: FetchOutputOptions): Promise<OpenedOutput> {
  assertFetchable(start)
  const policy = options.credentials
  let url = start
  for (let hop = 0; ; hop++) {
    const authorized = mayCarryCredentials(policy, {
      kind: 'outputLink',
      method: 'GET',
      url,
      chainOrigin: start.origin
    })
    // An origin trusted with the credentials is the user's choice; any other is the server's, and
    // may not lead to an internal address (cloud metadata on a self-hosted runner, the LAN).
    const trusted = isCredentialOrigin(policy, url)
    if (!trusted) assertNotInternal(url)
    if (trusted) await options.beforeRequest?.('GET', url)
    const headers: Record<string, string> = {
      accept: '*/*',
      // The bytes as stored: sha256 and size describe the file, not a re-encoding of it.
      'accept-encoding': 'identity',
      'user-agent': USER_AGENT
    }
    if (authorized) headers.authorization = `Basic ${options.basicAuth}`
    const opened = await get(url, headers, options, trusted ? undefined : refusingLookup())
    const response = opened.response
    const status = response.statusCode ?? 0
    if (isRedirectStatus(status)) {
      response.resume()
      const location = response.headers.location
      if (!location) throw new TransferError(`HTTP ${status} redirect without a Location`, false)
      if (hop >= MAX_REDIRECTS) {
        throw new TransferError(`more than ${MAX_REDIRECTS} redirects`, false)
      }
      url = nextHop(url, location)
      continue
    }
    if (status === 200) {
      const length = parseLength(response.headers['content-length'])
      return { ...opened, length }
    }
    const code = await errorCode(response)
    if ((status === 401 || status === 403) && hop === 0 && !authorized) {
      const untrusted = untrustedLinkError(url, status, code)
      if (untrusted) throw untrusted
    }
    throw statusError(status, authorized, code, response.headers['retry-after'])
  }
}

/**
 * An output link refused because it came without credentials, from an origin they may not go to:
 * say so, and name the input that trusts it. (A presigned URL handed out directly is not an output
 * link; its 403 means an expired link, and its origin is not named.)
 */
function untrustedLinkError(
  url: URL,
  status: number,
  code: string | undefined
): TransferError | undefined {
  if (!isOutputLinkPath(url.pathname)) return undefined
  const detail = code ? `HTTP ${status} ${code}` : `HTTP ${status}`
  return new TransferError(
    `${detail} from the output link on ${url.origin}: no credentials were sent to that origin, ` +
      `which is not trusted with them; if it is Amplitude's (or your proxy's), add it to the ` +
      `'credential-origins' input`,
    false
  )
}

function get(
  url: URL,
  headers: Record<string, string>,
  options: FetchOutputOptions,
  lookup: ReturnType<typeof refusingLookup> | undefined
): Promise<Omit<OpenedOutput, 'length'>> {
  const client = url.protocol === 'https:' ? https : http
  let stalled = false
  return new Promise((resolve, reject) => {
    // agent: false: one fresh connection per request, so no idle pooled socket reset by the
    // server can fail a download, and no socket outlives the call.
    const request = client.request(url, {
      method: 'GET',
      headers,
      agent: false,
      signal: options.signal,
      ...(lookup && { lookup })
    })
    request.setTimeout(options.timeoutMs, () => {
      stalled = true
      request.destroy(
        new TransferError(`no data for ${options.timeoutMs} ms (stalled connection)`, true)
      )
    })
    request.once('response', response => resolve({ response, stalled: () => stalled }))
    // Stays attached: errors after the response (a reset mid-body) must not go unhandled; the
    // body stream reports them.
    request.on('error', error =>
      reject(
        error instanceof InternalAddressError ? new TransferError(error.message, false) : error
      )
    )
    request.end()
  })
}

function statusError(
  status: number,
  authorized: boolean,
  code: string | undefined,
  retryAfter: string | undefined
): TransferError {
  const detail = code ? `HTTP ${status} ${code}` : `HTTP ${status}`
  if (TRANSIENT_STATUSES.has(status) || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, Date.now())
    if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
      return new TransferError(
        `${detail}; the server asks to wait ${Math.ceil(retryAfterMs / 1000)} s, longer than a download waits`,
        false
      )
    }
    return new TransferError(`${detail} (temporary)`, true, retryAfterMs)
  }
  if (status === 401) {
    return authorized
      ? new TransferError(`${detail}: the API refused the credentials`, false)
      : new TransferError(`${detail}: the link asks for credentials, and none were sent`, false)
  }
  if (status === 403) {
    return authorized
      ? new TransferError(`${detail}: the API refused access to this output`, false)
      : new TransferError(`${detail}: the download link expired or was refused`, false)
  }
  if (status === 404) return new TransferError(`${detail}: output not found`, false)
  return new TransferError(`unexpected ${detail}`, false)
}

/** The S3-style error code of a small error body (`<Code>AccessDenied</Code>`), if any. */
async function errorCode(response: http.IncomingMessage): Promise<string | undefined> {
  const limit = 4096
  let text = ''
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      text += chunk.toString('utf8')
      if (text.length >= limit) break
    }
  } catch {
    return undefined
  } finally {
    response.destroy()
  }
  const match = /<Code>([A-Za-z0-9]{1,64})<\/Code>/.exec(text)
  return match?.[1]
}

function parseLength(header: string | undefined): number | undefined {
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined
}
