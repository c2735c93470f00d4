/**
 * The action's HTTP transport for the Arazzo engine. Everything the engine sends goes through here, so
 * this is where the action is careful with the shared API budget and with credentials:
 * - only the API origin is ever contacted: every request of a workflow may carry the credentials, and
 *   src/policy/credentials.ts says where they may go (a document cannot send them anywhere else);
 * - at most `maxConcurrency` requests are in flight; every request first takes its cost from the budget;
 * - transient failures (5xx, resets, stalls past the per-request timeout) are retried with exponential
 *   back-off and jitter, never sooner than the server's Retry-After, up to `maxAttempts`;
 * - a 429 (the organisation's shared budget is spent, maybe by another job) is retried for as long as
 *   the run's deadline allows, with back-off capped at `rateLimitMaxMs`, and pauses the whole run's
 *   pacer, not one request: Amplitude documents no Retry-After and no window, so a client must wait
 *   a 429 out on its own;
 * - a POST is retried only when it cannot have been taken: the server said so (429, 503), or its
 *   connection never reached the server (refused, DNS, TLS before the request was written). A reset
 *   or a silence after the request was written is not repeated: a lost answer must never create a
 *   duplicate DSAR;
 * - no retry waits past the run's deadline (a Retry-After of an hour must not outlive a 3 s timeout):
 *   the request fails at once with a 'deadline' TransportError instead;
 * - permanent failures come back at once: 401/403 as an AuthError (it would fail for every subject),
 *   malformed JSON and oversized bodies as a TransportError; other statuses go back to the engine, whose
 *   criteria decide.
 */
import {
  type Clock,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  jitteredBackoffMs,
  parseRetryAfter
} from '../arazzo/index.js'
import {
  createCredentialPolicy,
  type CredentialScope,
  mayCarryCredentials
} from '../policy/index.js'
import { BudgetDeadlineError, requestCost, type Pacer } from './budget.js'
import { Semaphore } from './semaphore.js'
import { type SendLimits, sendOnce } from './send-once.js'
import { TransportError } from './transport-error.js'

export { parseBody, type SendLimits, sendOnce } from './send-once.js'
export { TransportError, type TransportErrorKind } from './transport-error.js'

export interface RetryNotice {
  method: string
  path: string
  attempt: number
  reason: string
  delayMs: number
}

export interface TransportOptions {
  apiOrigin: string
  /** The key pair this transport's requests carry (src/policy/credentials.ts). Default 'dsar'. */
  scope?: CredentialScope
  clock: Clock
  pacer: Pacer
  maxConcurrency: number
  /** Connect, headers and body of one attempt must finish within this. */
  requestTimeoutMs?: number
  /** Bodies larger than this are refused, not buffered (status answers are small). */
  maxBodyBytes?: number
  /** Attempts for 5xx and network failures (429s are retried until the deadline instead). */
  maxAttempts?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  /** Longest back-off between two attempts after a 429 (default 5 minutes). */
  rateLimitMaxMs?: number
  /** Epoch ms (by `clock`): a retry that would start after it is not waited for. */
  deadline?: number
  random?: () => number
  /** Send one attempt (tests and benchmarks replace the network). */
  send?: (request: HttpRequest, signal: AbortSignal, limits: SendLimits) => Promise<HttpResponse>
  onRetry?: (notice: RetryNotice) => void
}

export interface TransportStats {
  requests: number
  retries: number
  cost: number
  statuses: Record<number, number>
}

const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504])
export const RATE_LIMIT_BACKOFF_MAX_MS = 5 * 60_000
/** Statuses that promise the request was not processed: safe to repeat even a POST. */
export const NOT_PROCESSED_STATUSES = new Set([429, 503])

export function createActionTransport(options: TransportOptions): {
  transport: HttpTransport
  stats: TransportStats
} {
  const credentials = createCredentialPolicy({ apiOrigin: options.apiOrigin })
  const limits: SendLimits = {
    timeoutMs: options.requestTimeoutMs ?? 30_000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024
  }
  const maxAttempts = options.maxAttempts ?? 8
  const baseMs = options.backoffBaseMs ?? 1_000
  const maxMs = options.backoffMaxMs ?? 120_000
  const rateLimitMaxMs = options.rateLimitMaxMs ?? Math.max(maxMs, RATE_LIMIT_BACKOFF_MAX_MS)
  const random = options.random ?? Math.random
  const send = options.send ?? sendOnce
  const slots = new Semaphore(options.maxConcurrency)
  const stats: TransportStats = { requests: 0, retries: 0, cost: 0, statuses: {} }

  const backoff = (failures: number, cap: number, retryAfterMs?: number): number =>
    jitteredBackoffMs({
      attempt: failures,
      baseMs,
      maxMs: cap,
      random,
      ...(retryAfterMs !== undefined && { retryAfterMs })
    })

  const transport: HttpTransport = async (request, signal) => {
    const url = new URL(request.url)
    const scope = options.scope ?? 'dsar'
    if (!mayCarryCredentials(credentials, { kind: 'apiCall', url, scope })) {
      throw new TransportError(
        'policy',
        url.origin === credentials.apiOrigin
          ? `refused to send ${scope === 'erasure' ? 'the erasure keys' : 'the DSAR keys'} to ${url.pathname}: ` +
              (scope === 'erasure'
                ? 'they go to the deletion API (/api/2/deletions/users) only'
                : "the deletion API takes a project's erasure keys, not these")
          : `refused to send a request to ${url.origin}: only the API origin ${credentials.apiOrigin} is contacted`
      )
    }
    const method = request.method.toUpperCase()
    const path = url.pathname
    // 429s and other failures are counted apart: a budget drained by another job must not use up
    // the attempts meant for a failing server, nor the other way round.
    let failures = 0
    let rateLimited = 0
    for (let attempt = 1; ; attempt++) {
      const cost = requestCost(method)
      try {
        await options.pacer.acquire(cost, signal, options.deadline)
      } catch (error) {
        if (!(error instanceof BudgetDeadlineError)) throw error
        throw new TransportError(
          'deadline',
          `${method} ${path} not sent: ${error.message}, after the timeout`,
          undefined,
          true
        )
      }
      stats.requests++
      stats.cost += cost
      let response: HttpResponse | undefined
      let failure: Error | undefined
      // A request in flight is cut at the deadline, whatever the per-request timeout says.
      let cut = false
      let late = false
      // The pacer hears when each attempt ended (the erasure pacer spaces calls from there).
      try {
        await slots.use(async () => {
          const remainingMs = (options.deadline ?? Infinity) - options.clock.now()
          cut = remainingMs < limits.timeoutMs
          late = remainingMs <= 0
          if (late) return
          try {
            response = await send(
              request,
              signal,
              cut ? { ...limits, timeoutMs: remainingMs } : limits
            )
          } catch (error) {
            failure = error as Error
          }
        })
      } finally {
        options.pacer.settled?.()
      }
      signal.throwIfAborted()
      if (late) {
        throw new TransportError(
          'deadline',
          `${method} ${path} not sent: the timeout ran out`,
          undefined,
          true
        )
      }
      if (failure && cut && options.clock.now() >= (options.deadline ?? Infinity)) {
        throw new TransportError(
          'deadline',
          `${method} ${path} had no answer when the timeout ran out` +
            (method === 'GET'
              ? ''
              : ' (the server may have taken it: check before submitting again)')
        )
      }

      let reason: string
      let delayMs: number
      if (response) {
        const status = response.status
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1
        if (status === 401 || status === 403) {
          throw new TransportError(
            'auth',
            `HTTP ${status} from ${method} ${path}: the API refused the credentials ` +
              '(an organisation-level API key and secret key are required)',
            status
          )
        }
        if (!TRANSIENT_STATUSES.has(status)) return response
        if (method !== 'GET' && !NOT_PROCESSED_STATUSES.has(status)) {
          throw new TransportError('status', `HTTP ${status} from ${method} ${path}`, status)
        }
        const retryAfterMs = parseRetryAfter(response.headers['retry-after'], options.clock.now())
        reason = `HTTP ${status}`
        if (status === 429) {
          rateLimited++
          delayMs = backoff(rateLimited, rateLimitMaxMs, retryAfterMs)
          // Everyone waits, but not past the deadline: the run ends there anyway.
          const until = options.clock.now() + delayMs
          options.pacer.pauseUntil(Math.min(until, options.deadline ?? until))
        } else {
          failures++
          delayMs = backoff(failures, maxMs, retryAfterMs)
        }
      } else {
        const error = failure!
        if (error instanceof TransportError && error.kind !== 'network') throw error
        const neverSent = error instanceof TransportError && error.neverSent
        if (method !== 'GET' && !neverSent) {
          throw new TransportError(
            'network',
            `${method} ${path} failed (${error.message}); not repeated, since the server may have ` +
              'taken it and a repeat could create a duplicate request'
          )
        }
        reason = neverSent
          ? `${error.message} (the request never reached the server)`
          : error.message
        failures++
        delayMs = backoff(failures, maxMs)
      }
      if (failures >= maxAttempts) {
        throw new TransportError(
          response ? 'status' : 'network',
          `${method} ${path} still failing after ${attempt} attempts (last: ${reason})`,
          response?.status
        )
      }
      if (options.deadline !== undefined && options.clock.now() + delayMs > options.deadline) {
        throw new TransportError(
          'deadline',
          `${method} ${path} failed (last: ${reason}); the next attempt, in ${Math.ceil(delayMs / 1000)} s, ` +
            'would come after the timeout',
          response?.status,
          // A POST is repeated only after 429/503 or a connection that never reached the server:
          // none of its attempts was taken.
          method !== 'GET'
        )
      }
      stats.retries++
      options.onRetry?.({ method, path, attempt, reason, delayMs })
      await options.clock.sleep(delayMs, signal)
    }
  }
  return { transport, stats }
}
