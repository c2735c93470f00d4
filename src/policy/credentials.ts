/**
 * The one place that decides who receives the Basic credentials: the organisation's DSAR keys
 * (`api-key`/`secret-key`) and a project's erasure keys (`erasure-api-key`/`erasure-secret-key`).
 * Every request the action sends asks here first; no other module compares origins or paths.
 *
 * - API calls (every request an Arazzo workflow describes): only to the API origin (`api-url`, or
 *   the region's API host). A workflow document may put the credentials anywhere in a request, so
 *   its requests go to no other origin at all.
 * - Output links: Amplitude's documentation shows every link on the web-app host
 *   (`https://analytics.amplitude.com/api/2/dsar/requests/53367/outputs/0`) and says each one
 *   "requires the same auth credentials". So a GET of `.../api/2/dsar/requests/{id}/outputs/{n}`
 *   carries them when its origin is the API origin, one of the region's Amplitude origins, or one
 *   the user added with `credential-origins`: https only, plain http for loopback IP literals alone.
 * - Never across a redirect to another origin: the link answers with a redirect to a presigned
 *   object-store URL, which must stay credential-free (S3 refuses a second auth mechanism, and the
 *   secret would leak to the storage host).
 */
import { isLoopbackHost, LOOPBACK_RULE } from './loopback.js'

export type Region = 'us' | 'eu'

/** The region's Amplitude origins: the API host, and every host that serves output links. */
export const AMPLITUDE_ORIGINS: Record<Region, { api: string; outputLinks: readonly string[] }> = {
  us: {
    api: 'https://amplitude.com',
    outputLinks: ['https://amplitude.com', 'https://analytics.amplitude.com']
  },
  eu: {
    api: 'https://analytics.eu.amplitude.com',
    outputLinks: ['https://analytics.eu.amplitude.com']
  }
}

/**
 * Which key pair a request carries. Erasure keys go only to the deletion API
 * (`/api/2/deletions/users...`) on the API origin: never to the DSAR endpoints, output links or any
 * other host. DSAR keys never go to the deletion API: an access run (or its document) cannot erase.
 */
export type CredentialScope = 'dsar' | 'erasure'

/** The deletion API: `/api/2/deletions/users`, and `/api/2/deletions/users/{amplitude_id}/{day}`. */
const DELETION_API_PATH = /^\/api\/2\/deletions\/users(?:\/[^/]+\/[^/]+)?\/?$/

/** The documented output link path: `/api/2/dsar/requests/{requestId}/outputs/{n}`. */
const OUTPUT_LINK_PATH = /^\/api\/2\/dsar\/requests\/[^/]+\/outputs\/\d+$/

export interface CredentialPolicy {
  /** Where the workflow's API calls go (and nowhere else). */
  readonly apiOrigin: string
  /** Origins whose output links receive the credentials: API origin, region's, user's. */
  readonly outputLinkOrigins: readonly string[]
}

export interface CredentialPolicyOptions {
  apiOrigin: string
  /** Adds the region's Amplitude origins (always trusted). */
  region?: Region
  /** The `credential-origins` input, already checked by `parseOrigin`. */
  extraOrigins?: readonly string[]
}

export function createCredentialPolicy(options: CredentialPolicyOptions): CredentialPolicy {
  const apiOrigin = new URL(options.apiOrigin).origin
  const origins = [
    apiOrigin,
    ...(options.region ? AMPLITUDE_ORIGINS[options.region].outputLinks : []),
    ...(options.extraOrigins ?? [])
  ].map(origin => new URL(origin).origin)
  return { apiOrigin, outputLinkOrigins: [...new Set(origins)] }
}

/** A request the action is about to send, described for the decision. */
export type CredentialUse =
  /**
   * A request of the Arazzo workflow (it may carry the credentials anywhere), with the key pair
   * its run holds (default 'dsar').
   */
  | { kind: 'apiCall'; url: URL; scope?: CredentialScope }
  /**
   * One hop of an output download: `method`, its URL, and the origin of the chain's first URL
   * (a hop on another origin than that one came through a cross-origin redirect).
   */
  | { kind: 'outputLink'; method: string; url: URL; chainOrigin: string }

/** Whether this request may carry the credentials. */
export function mayCarryCredentials(policy: CredentialPolicy, use: CredentialUse): boolean {
  if (!transportIsSafe(use.url)) return false
  if (use.kind === 'apiCall') {
    const deletionApi = isDeletionApiPath(use.url.pathname)
    const scopeFits = (use.scope ?? 'dsar') === 'erasure' ? deletionApi : !deletionApi
    return use.url.origin === policy.apiOrigin && scopeFits
  }
  return (
    use.method.toUpperCase() === 'GET' &&
    use.url.origin === use.chainOrigin &&
    isOutputLinkPath(use.url.pathname) &&
    policy.outputLinkOrigins.includes(use.url.origin)
  )
}

/** Whether requests to this URL's origin are calls to a (trusted) Amplitude endpoint at all. */
export function isCredentialOrigin(policy: CredentialPolicy, url: URL): boolean {
  return policy.outputLinkOrigins.includes(url.origin)
}

export function isDeletionApiPath(pathname: string): boolean {
  return DELETION_API_PATH.test(pathname)
}

export function isOutputLinkPath(pathname: string): boolean {
  return OUTPUT_LINK_PATH.test(pathname)
}

/** https; plain http only to a loopback IP literal; never a URL with user:password in it. */
function transportIsSafe(url: URL): boolean {
  if (url.username !== '' || url.password !== '') return false
  if (url.protocol === 'https:') return true
  return url.protocol === 'http:' && isLoopbackHost(url.hostname)
}

/**
 * Checks an origin given by the user (`api-url`, an entry of `credential-origins`):
 * `scheme://host[:port]`, https (http for loopback IP literals alone), no credentials, no path,
 * query or fragment. Returns the normalised origin, or why it is refused. The text is never
 * quoted in the reason: a mistaken URL may carry credentials.
 */
export function parseOrigin(
  text: string
): { ok: true; origin: string; loopback: boolean } | { ok: false; reason: string } {
  const refuse = (reason: string) => ({ ok: false as const, reason })
  if (/[?#]/.test(text)) return refuse('must be an origin only (no query or fragment)')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return refuse('is not an absolute URL (expected e.g. https://amplitude.com)')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refuse(`must use https (got '${url.protocol}')`)
  }
  if (url.username !== '' || url.password !== '' || text.includes('@')) {
    return refuse('must not contain credentials (use api-key/secret-key or basic-auth)')
  }
  if (url.pathname !== '/') {
    return refuse('must be an origin only, without a path (e.g. https://amplitude.com)')
  }
  // The URL parser keeps characters such as `*` in a host name: no wildcards, names or IPs only.
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/.test(url.hostname)) {
    return refuse('has a host that is neither a DNS name nor an IP address (no wildcards)')
  }
  const loopback = isLoopbackHost(url.hostname)
  if (url.protocol === 'http:' && !loopback) return refuse(`${LOOPBACK_RULE}; use https`)
  return { ok: true, origin: url.origin, loopback }
}
