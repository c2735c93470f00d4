/**
 * The Octokit the ledger talks through: @actions/github's Octokit with @octokit/plugin-retry (5xx,
 * with growing waits) and @octokit/plugin-throttling (secondary rate limits and the primary limit,
 * by `retry-after` / `x-ratelimit-reset`, and GitHub's spacing of writes), pointed at
 * GITHUB_API_URL. Every HTTP attempt is counted (reads, writes, retries) and the last
 * `x-ratelimit-remaining` kept, for the job summary and the budget: a GITHUB_TOKEN allows 1,000
 * requests per hour per repository. A failed call becomes one GitHubError line naming the status.
 */
import { getOctokit } from '@actions/github'
import { defaults as githubDefaults } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import { withoutTrailing } from '../run/index.js'
import { isLoopbackHost, LOOPBACK_RULE } from '../policy/index.js'

type OctokitPlugin = Parameters<typeof getOctokit>[2]

export interface GitHubAccess {
  /** Replaces the network (benchmarks: the stand-in's in-process fetch). Default: the runner's. */
  fetch?: typeof fetch
  /**
   * false: the plugins' own real-time waits are off (retries, rate-limit waits, write spacing), for
   * a caller that models GitHub's timing in virtual time (the lifecycle benchmark). Default true.
   */
  realTimeWaits?: boolean
}

export interface OctokitOptions extends GitHubAccess {
  token: string
  /** GITHUB_API_URL (https, or http for a loopback IP literal). */
  apiUrl: string
  /** Milliseconds the plugins wait per second GitHub asks for (test hook: shorter). Default 1000. */
  waitUnitMs?: number
  /**
   * Test hook (DSAR_TEST_WRITE_SPACING_MS): writes this far apart instead of GitHub's 1 s, and writes
   * that notify (comments) three times as far instead of 3 s. Default: the plugin's own spacing.
   */
  writeSpacingMs?: number
  /** The longest rate-limit wait accepted (ms); longer ones fail the call. */
  maxRateLimitWaitMs: number
  /** One line per retry or rate-limit wait. */
  log: (line: string) => void
  /**
   * Aborted at the run's deadline (or on cancellation): a call in flight is cut, one not yet sent
   * is never sent, none is retried.
   */
  signal?: AbortSignal
}

export interface GitHubCalls {
  reads: number
  writes: number
  /** Attempts that failed (5xx, rate limits, no answer); the plugins repeat those they may. */
  failedAttempts: number
  /** The last `x-ratelimit-remaining` GitHub reported. */
  remaining?: number
  /** The hour's whole budget (`x-ratelimit-limit`), when GitHub said it. */
  limit?: number
  /** When that hour's budget starts afresh (`x-ratelimit-reset`, epoch ms). */
  resetAt?: number
  /** Answers dropped because their shape was wrong. */
  malformed: number
}

/** The GitHub call failed (after the plugins' retries): one line, status named. */
export class GitHubError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string
  ) {
    super(message)
    this.name = 'GitHubError'
  }
}

/** 5xx are retried; 429 is left to the throttling plugin, which honours its retry-after. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451]
const RETRIES = 3
const RATE_LIMIT_RETRIES = 3

/** Checks GITHUB_API_URL the way api-url is checked: https, or http for loopback only. */
export function githubApiOrigin(text: string | undefined): string {
  const value = text && text !== '' ? text : 'https://api.github.com'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error('GITHUB_API_URL is not an absolute URL')
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('GITHUB_API_URL must not contain credentials')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new Error(`GITHUB_API_URL must use https (${LOOPBACK_RULE})`)
  }
  // GitHub Enterprise Server serves the API under /api/v3: keep the path.
  return withoutTrailing(url.href, '/')
}

export type LedgerOctokit = ReturnType<typeof getOctokit>

/** The Octokit for `options`, counting every attempt into `calls`. */
export function createOctokit(options: OctokitOptions, calls: GitHubCalls): LedgerOctokit {
  // Listed first, so it sits inside the retry and throttling plugins and sees every attempt.
  const counting: OctokitPlugin = octokit => {
    octokit.hook.wrap('request', async (request, o) => {
      // A call queued behind GitHub's write spacing when the deadline came is never sent. The
      // error has no `request`, so the retry plugin lets it through.
      if (signal?.aborted) throw new CutError(String(o.method), String(o.url))
      if (signal) o.request = { ...o.request, signal }
      if (o.method === 'GET' || o.method === 'HEAD') calls.reads++
      else calls.writes++
      try {
        const answer = await request(o)
        noteBudget(calls, answer.headers)
        return answer
      } catch (error) {
        calls.failedAttempts++
        noteBudget(calls, (error as Failure).response?.headers)
        throw error
      }
    })
  }
  const signal = options.signal
  const waitUnit = options.waitUnitMs ?? 1000
  const realTime = options.realTimeWaits ?? true
  const onLimit =
    (kind: string) =>
    (retryAfter: number, o: { method: string; url: string }, _k: unknown, count: number) => {
      const what = `${o.method} ${o.url}`
      // Judged on the time GitHub asks for (the unit only scales the wait itself, in tests).
      if (count >= RATE_LIMIT_RETRIES || retryAfter * 1000 > options.maxRateLimitWaitMs) {
        options.log(`GitHub ${kind} on ${what}: not waiting ${retryAfter}s (too long)`)
        return false
      }
      options.log(`GitHub ${kind} on ${what}: waiting ${retryAfter}s as GitHub asks`)
      return true
    }
  const fetchImpl = options.fetch ?? githubDefaults.request?.fetch
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      request: fetchImpl ? { fetch: fetchImpl } : {},
      retry: {
        enabled: realTime,
        doNotRetry: DO_NOT_RETRY,
        retries: RETRIES,
        retryAfterBaseValue: waitUnit
      },
      throttle: {
        enabled: realTime,
        retryAfterBaseValue: waitUnit,
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
        ...spacingGroups(options.writeSpacingMs)
      }
    },
    counting,
    retry,
    throttling
  )
  octokit.hook.error('request', (error, o) => {
    const failure = error as Failure
    if (error instanceof CutError || (signal?.aborted && !failure.response)) {
      throw new GitHubError(undefined, `${o.method} ${o.url} to GitHub ${cutReason(signal)}`)
    }
    // No HTTP answer at all: Octokit calls that a 500; say what it was.
    if (!failure.response) {
      const why = /ECONNREFUSED/.test(`${failure.message} ${causeCode(failure)}`)
        ? 'connection refused'
        : firstLine(failure.message)
      throw new GitHubError(undefined, `cannot reach GitHub at ${options.apiUrl}: ${why}`)
    }
    throw new GitHubError(
      failure.status,
      `GitHub answered ${failure.status ? `HTTP ${failure.status}` : `no answer (${firstLine(failure.message)})`} to ${o.method} ${o.url}` +
        (failure.status && failure.status < 500 ? `: ${firstLine(failure.message)}` : '')
    )
  })
  return octokit
}

/**
 * The throttling plugin's write and notification groups with a shorter spacing (the test hook), built
 * as the plugin builds its own (one call at a time, a minimum time between calls); none by default,
 * so the plugin's GitHub spacing (1 s, 3 s) applies.
 */
function spacingGroups(
  spacingMs: number | undefined
): { write: Bottleneck.Group; notifications: Bottleneck.Group } | undefined {
  if (spacingMs === undefined) return undefined
  const group = (id: string, minTime: number) =>
    new Bottleneck.Group({ id, maxConcurrent: 1, minTime, timeout: 2 * 60_000 })
  return {
    write: group('dsar-octokit-write', spacingMs),
    notifications: group('dsar-octokit-notifications', 3 * spacingMs)
  }
}

/** A call not sent because the run's deadline (or a cancellation) came first. */
class CutError extends Error {
  constructor(method: string, url: string) {
    super(`${method} ${url} not sent: the run is stopping`)
    this.name = 'CutError'
  }
}

function cutReason(signal: AbortSignal | undefined): string {
  const reason = signal?.reason as Error | undefined
  return `cut: ${reason?.message ?? 'the run is stopping'}`
}

function causeCode(error: Error): string {
  const cause = (error as { cause?: { code?: unknown; cause?: { code?: unknown } } }).cause
  return String(cause?.code ?? cause?.cause?.code ?? '')
}

interface Answer {
  headers: Record<string, string | number | undefined>
}

interface Failure extends Error {
  status?: number
  response?: Answer
}

/** Keeps what GitHub last said of the hour's budget (src/ledger/github-budget.ts decides on it). */
function noteBudget(calls: GitHubCalls, headers: Answer['headers'] | undefined): void {
  const remaining = countOf(headers?.['x-ratelimit-remaining'])
  if (remaining === undefined) return
  calls.remaining = remaining
  const limit = countOf(headers?.['x-ratelimit-limit'])
  if (limit !== undefined) calls.limit = limit
  const reset = countOf(headers?.['x-ratelimit-reset'])
  // Epoch seconds; one later than any date a Date can hold is not a time at all.
  calls.resetAt = reset === undefined || reset > LAST_DATE_SECONDS ? undefined : reset * 1000
}

/** The last second a JavaScript Date can hold (8.64e15 ms after the epoch). */
const LAST_DATE_SECONDS = 8.64e12

/** A header that should hold a whole number >= 0 (GitHub's, but checked: it is untrusted). */
function countOf(value: string | number | undefined): number | undefined {
  const number = Number(value)
  return value !== undefined && value !== '' && Number.isSafeInteger(number) && number >= 0
    ? number
    : undefined
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 200)
}
