/**
 * The ledger's GitHub client: @actions/github's Octokit with @octokit/plugin-retry (5xx, with
 * growing waits) and @octokit/plugin-throttling (secondary rate limits and the primary limit, by
 * `retry-after` / `x-ratelimit-reset`, and GitHub's spacing of writes), pointed at GITHUB_API_URL.
 *
 * Everything GitHub answers is checked for shape before the ledger decides anything on it: an
 * issue or comment that does not look like one is dropped (and counted), never guessed at. Every
 * HTTP attempt is counted (reads, writes, retries) and the last `x-ratelimit-remaining` kept, for
 * the job summary and the budget: a GITHUB_TOKEN allows 1,000 requests per hour per repository.
 */
import { getOctokit } from '@actions/github'
import { defaults as githubDefaults } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { isLoopbackHost, LOOPBACK_RULE } from '../policy/loopback.js'

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

export interface GitHubClientOptions extends GitHubAccess {
  token: string
  /** GITHUB_API_URL (https, or http for a loopback IP literal). */
  apiUrl: string
  owner: string
  repo: string
  /** Milliseconds the plugins wait per second GitHub asks for (test hook: shorter). Default 1000. */
  waitUnitMs?: number
  /** The longest rate-limit wait accepted (ms); longer ones fail the call. */
  maxRateLimitWaitMs: number
  /** One line per retry or rate-limit wait. */
  log: (line: string) => void
}

export interface GitHubCalls {
  reads: number
  writes: number
  /** Attempts that failed (5xx, rate limits, no answer); the plugins repeat those they may. */
  failedAttempts: number
  /** The last `x-ratelimit-remaining` GitHub reported. */
  remaining?: number
  /** Answers dropped because their shape was wrong. */
  malformed: number
}

export interface RepositoryFacts {
  fullName: string
  visibility: 'private' | 'public' | 'internal'
}

export interface Identity {
  login: string
  type: string
}

export interface IssueFacts {
  number: number
  body: string
  labels: string[]
  author: string
  authorType: string
  association: string
  createdAt: string
  comments: number
  htmlUrl: string
}

export interface CommentFacts {
  id: number
  issueNumber: number
  body: string
  author: string
  authorType: string
  updatedAt: string
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

/** The login a GITHUB_TOKEN writes as (GET /user is not allowed for it). */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]'
const PAGE = 100
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
  return url.href.replace(/\/+$/, '')
}

export class GitHubClient {
  readonly calls: GitHubCalls = { reads: 0, writes: 0, failedAttempts: 0, malformed: 0 }
  private readonly octokit: ReturnType<typeof getOctokit>
  private readonly owner: string
  private readonly repo: string

  constructor(options: GitHubClientOptions) {
    this.owner = options.owner
    this.repo = options.repo
    const calls = this.calls
    // Listed first, so it sits inside the retry and throttling plugins and sees every attempt.
    const counting: OctokitPlugin = octokit => {
      octokit.hook.wrap('request', async (request, o) => {
        if (o.method === 'GET' || o.method === 'HEAD') calls.reads++
        else calls.writes++
        try {
          const answer = await request(o)
          calls.remaining = remainingOf(answer.headers) ?? calls.remaining
          return answer
        } catch (error) {
          calls.failedAttempts++
          calls.remaining = remainingOf((error as Failure).response?.headers) ?? calls.remaining
          throw error
        }
      })
    }
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
    this.octokit = getOctokit(
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
          onSecondaryRateLimit: onLimit('secondary rate limit')
        }
      },
      counting,
      retry,
      throttling
    )
    this.octokit.hook.error('request', (error, o) => {
      const failure = error as Failure
      throw new GitHubError(
        failure.status,
        `GitHub answered ${failure.status ? `HTTP ${failure.status}` : `no answer (${firstLine(failure.message)})`} to ${o.method} ${o.url}` +
          (failure.status && failure.status < 500 ? `: ${firstLine(failure.message)}` : '')
      )
    })
  }

  async repository(): Promise<RepositoryFacts> {
    const { data } = await this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo })
    const record = data as unknown as Record<string, unknown>
    const visibility = record.visibility
    const known =
      visibility === 'private' || visibility === 'public' || visibility === 'internal'
        ? visibility
        : record.private === true
          ? 'private'
          : 'public' // unknown shape: treated as the unsafe case
    return { fullName: `${this.owner}/${this.repo}`, visibility: known }
  }

  /**
   * Whose comments the ledger trusts: the token's own identity. A GITHUB_TOKEN may not read
   * GET /user (403): it writes as github-actions[bot], which the caller checks on its first write.
   */
  async identity(): Promise<Identity> {
    try {
      const { data } = await this.octokit.rest.users.getAuthenticated()
      const login = (data as { login?: unknown }).login
      const type = (data as { type?: unknown }).type
      if (typeof login !== 'string' || typeof type !== 'string') {
        throw new GitHubError(200, 'GitHub answered GET /user without a login')
      }
      return { login, type }
    } catch (error) {
      // Only this refusal means an installation token; a 403 for a rate limit means nothing of the kind.
      if (
        error instanceof GitHubError &&
        error.status === 403 &&
        /Resource not accessible by integration/.test(error.message)
      ) {
        return { login: ACTIONS_BOT_LOGIN, type: 'Bot' }
      }
      throw error
    }
  }

  /** Open issues carrying `label` (updated at or after `since`, ISO, when given), oldest first, pull requests left out. */
  async openIssues(label: string, since?: string): Promise<IssueFacts[]> {
    const items = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
      owner: this.owner,
      repo: this.repo,
      state: 'open',
      labels: label,
      sort: 'created',
      direction: 'asc',
      per_page: PAGE,
      ...(since && { since })
    })
    const issues: IssueFacts[] = []
    for (const item of items as unknown[]) {
      const issue = issueFacts(item)
      if (issue === null) continue // a pull request
      if (issue) issues.push(issue)
      else this.calls.malformed++
    }
    return issues
  }

  /** Comments of the repository updated at or after `since` (ISO), oldest first. */
  async commentsSince(since: string): Promise<CommentFacts[]> {
    const items = await this.octokit.paginate(this.octokit.rest.issues.listCommentsForRepo, {
      owner: this.owner,
      repo: this.repo,
      since,
      per_page: PAGE
    })
    return this.commentList(items)
  }

  async issueComments(issueNumber: number): Promise<CommentFacts[]> {
    const items = await this.octokit.paginate(this.octokit.rest.issues.listComments, {
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      per_page: PAGE
    })
    return this.commentList(items)
  }

  /** The author's permission on the repository ('none' when GitHub does not know them). */
  async permission(login: string): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
        owner: this.owner,
        repo: this.repo,
        username: login
      })
      const permission = (data as { permission?: unknown }).permission
      return typeof permission === 'string' ? permission : 'none'
    } catch (error) {
      if (error instanceof GitHubError && error.status === 404) return 'none'
      throw error
    }
  }

  async createComment(issueNumber: number, body: string): Promise<CommentFacts> {
    const { data } = await this.octokit.rest.issues.createComment({
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      body
    })
    const comment = commentFacts(data)
    if (!comment)
      throw new GitHubError(
        201,
        `GitHub answered the new comment on #${issueNumber} without its id`
      )
    return comment
  }

  async updateComment(commentId: number, body: string): Promise<void> {
    await this.octokit.rest.issues.updateComment({
      owner: this.owner,
      repo: this.repo,
      comment_id: commentId,
      body
    })
  }

  async deleteComment(commentId: number): Promise<void> {
    await this.octokit.rest.issues.deleteComment({
      owner: this.owner,
      repo: this.repo,
      comment_id: commentId
    })
  }

  /** Replaces the issue's labels; closes it too when asked (one call). */
  async setLabels(issueNumber: number, labels: string[], close = false): Promise<void> {
    if (close) {
      await this.octokit.rest.issues.update({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        labels,
        state: 'closed',
        state_reason: 'completed'
      })
      return
    }
    await this.octokit.rest.issues.setLabels({
      owner: this.owner,
      repo: this.repo,
      issue_number: issueNumber,
      labels
    })
  }

  private commentList(items: unknown[]): CommentFacts[] {
    const comments: CommentFacts[] = []
    for (const item of items) {
      const comment = commentFacts(item)
      if (comment) comments.push(comment)
      else this.calls.malformed++
    }
    return comments
  }
}

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

interface Answer {
  headers: Record<string, string | number | undefined>
}

interface Failure extends Error {
  status?: number
  response?: Answer
}

function remainingOf(headers: Answer['headers'] | undefined): number | undefined {
  const value = headers?.['x-ratelimit-remaining']
  const number = Number(value)
  return value !== undefined && Number.isInteger(number) && number >= 0 ? number : undefined
}

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 200)
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
const isTime = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value))

/** An issue's facts; null for a pull request; undefined when the shape is wrong. */
export function issueFacts(value: unknown): IssueFacts | null | undefined {
  if (!isObject(value)) return undefined
  if (value.pull_request !== undefined && value.pull_request !== null) return null
  const user = value.user
  const labels = value.labels
  if (
    !isCount(value.number) ||
    value.number === 0 ||
    !(typeof value.body === 'string' || value.body === null || value.body === undefined) ||
    !isObject(user) ||
    typeof user.login !== 'string' ||
    typeof user.type !== 'string' ||
    typeof value.author_association !== 'string' ||
    !isTime(value.created_at) ||
    !Array.isArray(labels) ||
    typeof value.html_url !== 'string'
  ) {
    return undefined
  }
  const names = labels.map(label =>
    typeof label === 'string' ? label : isObject(label) ? label.name : undefined
  )
  if (!names.every((name): name is string => typeof name === 'string')) return undefined
  return {
    number: value.number,
    body: typeof value.body === 'string' ? value.body : '',
    labels: names,
    author: user.login,
    authorType: user.type,
    association: value.author_association,
    createdAt: value.created_at,
    comments: isCount(value.comments) ? value.comments : 1,
    htmlUrl: value.html_url
  }
}

export function commentFacts(value: unknown): CommentFacts | undefined {
  if (!isObject(value)) return undefined
  const user = value.user
  const issueUrl = value.issue_url
  const match = typeof issueUrl === 'string' ? /\/issues\/(\d{1,12})$/.exec(issueUrl) : null
  if (
    !isCount(value.id) ||
    typeof value.body !== 'string' ||
    !isObject(user) ||
    typeof user.login !== 'string' ||
    typeof user.type !== 'string' ||
    !isTime(value.updated_at) ||
    !match
  ) {
    return undefined
  }
  return {
    id: value.id,
    issueNumber: Number(match[1]),
    body: value.body,
    author: user.login,
    authorType: user.type,
    updatedAt: value.updated_at
  }
}
