/**
 * Where the download may go and what it may carry there. Pure functions, so the policy can be
 * tested without TLS servers:
 * - only http(s); plain http only to loopback hosts (test servers, the simulator), because a
 *   presigned URL and Basic credentials are both bearer secrets;
 * - never https -> http along a redirect chain, even to loopback;
 * - no user:password in a URL (it would be sent as credentials we did not choose);
 * - nothing outside the origins trusted with the credentials on a link-local, private or other
 *   internal address (src/policy/private-address.ts; host names are checked as they resolve).
 * Who receives the Basic credentials is decided by src/policy/credentials.ts, not here.
 */
import {
  internalAddressKind,
  internalAddressRefusal,
  isLoopbackHost,
  LOOPBACK_RULE
} from '../policy/index.js'
import { TransferError } from './errors.js'

export const MAX_REDIRECTS = 5

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.has(status)
}

/** Throws (permanent TransferError) when a URL may not be fetched at all. */
export function assertFetchable(url: URL): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TransferError(`refusing a ${url.protocol} URL (only https is allowed)`, false)
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new TransferError(`refusing plain http to a non-loopback host (${LOOPBACK_RULE})`, false)
  }
  if (url.username !== '' || url.password !== '') {
    throw new TransferError('refusing a URL that embeds credentials', false)
  }
}

/** The next URL of a redirect chain, or a permanent TransferError when the hop is not allowed. */
export function nextHop(from: URL, location: string): URL {
  let to: URL
  try {
    to = new URL(location, from)
  } catch {
    throw new TransferError('the server redirected to an invalid location', false)
  }
  if (from.protocol === 'https:' && to.protocol === 'http:') {
    throw new TransferError('refusing a redirect from https to http (downgrade)', false)
  }
  assertFetchable(to)
  return to
}

/** Throws (permanent TransferError) when the URL's host is an internal IP literal. */
export function assertNotInternal(url: URL): void {
  const kind = internalAddressKind(url.hostname)
  if (kind) throw new TransferError(internalAddressRefusal(kind), false)
}
