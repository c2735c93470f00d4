/**
 * The GitHub REST stand-in: the routes of routes.ts behind token authentication, GitHub's primary
 * rate limit (a budget per token per hour, reported in `x-ratelimit-*` headers on every answer,
 * 403 with `x-ratelimit-remaining: 0` past it) and the simulator's fault rules, served over HTTP on
 * loopback and, for benchmarks in virtual time, through an in-process `fetch` with no socket.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { FaultList } from '../faults.js'
import type { FaultAction, FaultRule } from '../types.js'
import { ACTIONS_BOT, RepositoryState } from './repository.js'
import { createRoutes, type Caller, type RestReply } from './routes.js'
import type {
  FileIssueOptions,
  GitHubLogEntry,
  GitHubStandIn,
  GitHubStandInOptions,
  GitHubUserSpec,
  StandInComment,
  StandInEvent,
  StandInLabel,
  StandInIssue,
  StandInUser,
  Visibility
} from './types.js'

export const INSTALLATION_TOKEN = 'ghs_standInInstallationToken0000000000'
export const DEFAULT_RATE_LIMIT_PER_HOUR = 1000
const HOUR_MS = 3_600_000
const MAX_REQUEST_BODY = 1024 * 1024
const LOGGED_BODY_CHARS = 64 * 1024
const DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api'

/** GitHub's answer to a burst: a secondary rate limit (403 or 429) with Retry-After. */
export function secondaryRateLimit(status: 403 | 429, retryAfterSeconds: number): FaultAction {
  return {
    type: 'status',
    status,
    headers: { 'retry-after': String(retryAfterSeconds), 'content-type': 'application/json' },
    body: JSON.stringify({
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: DOCS
    })
  }
}

interface StandInRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body: string
}

interface StandInResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** Drop the connection instead of answering. */
  reset?: boolean
}

interface Window {
  start: number
  used: number
}

/** A stand-in that is not listening: use its `fetch` (or call `listen`). */
export function createGitHubStandIn(
  options: GitHubStandInOptions = {},
  url = 'http://127.0.0.1:9'
): GitHubStandIn & { listen(): Promise<void> } {
  return new StandIn(options, url)
}

/** A stand-in listening on loopback (default 127.0.0.1, an ephemeral port). */
export async function startGitHubStandIn(
  options: GitHubStandInOptions = {}
): Promise<GitHubStandIn> {
  const standIn = new StandIn(options, '')
  await standIn.listen()
  return standIn
}

class StandIn implements GitHubStandIn {
  readonly owner: string
  readonly repo: string
  readonly token = INSTALLATION_TOKEN
  readonly botLogin = ACTIONS_BOT.login
  readonly log: GitHubLogEntry[] = []
  private readonly now: () => number
  private readonly state: RepositoryState
  private readonly routes: ReturnType<typeof createRoutes>
  private readonly faults = new FaultList()
  private readonly tokens = new Map<string, string>()
  private readonly windows = new Map<string, Window>()
  private readonly closing = new AbortController()
  private server?: Server

  constructor(
    private readonly options: GitHubStandInOptions,
    public url: string
  ) {
    this.now = options.now ?? Date.now
    this.owner = options.owner ?? 'octo-org'
    this.repo = options.repo ?? 'privacy-ops'
    this.state = new RepositoryState(
      this.owner,
      this.repo,
      options.visibility ?? 'private',
      this.now
    )
    this.state.staleCommentCounts = options.staleCommentCounts ?? false
    this.routes = createRoutes(this.state)
    this.tokens.set(INSTALLATION_TOKEN, ACTIONS_BOT.login)
  }

  get repository(): string {
    return `${this.owner}/${this.repo}`
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1'
    const server = createServer((req, res) => {
      void this.fromHttp(req).then(
        response => {
          if (response.reset) {
            req.socket.destroy()
            return
          }
          res.writeHead(response.status, response.headers).end(response.body)
        },
        () => res.destroy()
      )
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port ?? 0, host, () => resolve())
    })
    this.server = server
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  }

  addToken(token: string, login: string): void {
    if (!this.state.user(login)) this.state.addUser({ login })
    this.tokens.set(token, login)
  }

  addUser(user: GitHubUserSpec): StandInUser {
    return this.state.addUser(user)
  }

  setVisibility(visibility: Visibility): void {
    this.state.visibility = visibility
  }

  fileIssue(options: FileIssueOptions): number {
    return this.state.fileIssue(options).number
  }

  addComment(issueNumber: number, author: string, body: string): number {
    const user = this.state.user(author) ?? this.state.addUser({ login: author })
    return this.state.addComment(this.mustIssue(issueNumber), user, body).id
  }

  editIssue(
    issueNumber: number,
    change: { body?: string; labels?: string[] },
    actor?: string
  ): void {
    const issue = this.mustIssue(issueNumber)
    if (change.body !== undefined) issue.body = change.body
    const who = actor === undefined ? issue.user : this.person(actor)
    if (change.labels !== undefined) this.state.setLabels(issue, change.labels, who)
    issue.updatedAt = this.now()
  }

  addIssueLabel(issueNumber: number, login: string, label: string): void {
    const issue = this.mustIssue(issueNumber)
    this.state.setLabels(issue, [...issue.labels, label], this.person(login))
  }

  issueEvents(issueNumber: number): StandInEvent[] {
    return structuredClone(this.state.issueEvents(issueNumber))
  }

  private person(login: string): StandInUser {
    return this.state.user(login) ?? this.state.addUser({ login })
  }

  issue(issueNumber: number): StandInIssue {
    return structuredClone(this.mustIssue(issueNumber))
  }

  comments(issueNumber: number): StandInComment[] {
    return structuredClone(this.state.comments(comment => comment.issueNumber === issueNumber))
  }

  labels(): StandInLabel[] {
    return structuredClone(this.state.allLabels())
  }

  addLabel(name: string, color = 'ededed', description?: string): void {
    this.state.createLabel(name, color, description ?? null)
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule)
  }

  clearFaults(): void {
    this.faults.clear()
  }

  get faultsInjected(): number {
    return this.faults.injected
  }

  unfiredFaults(): FaultRule[] {
    return this.faults.unfired()
  }

  fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const request = input instanceof Request ? input : undefined
    const url = new URL(request ? request.url : String(input))
    const headers: Record<string, string> = {}
    new Headers(init.headers ?? request?.headers).forEach((value, name) => (headers[name] = value))
    const body = typeof init.body === 'string' ? init.body : request ? await request.text() : ''
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase()
    const response = await this.answer({ method, url, headers, body })
    if (response.reset) throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') })
    const status = response.status
    const empty = status === 204 || status === 304
    return new Response(empty ? null : response.body, { status, headers: response.headers })
  }

  async close(): Promise<void> {
    this.closing.abort()
    const server = this.server
    if (!server?.listening) return
    await new Promise<void>(resolve => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  private mustIssue(issueNumber: number): StandInIssue {
    const issue = this.state.issue(issueNumber)
    if (!issue) throw new Error(`no issue #${issueNumber}`)
    return issue
  }

  private async fromHttp(req: IncomingMessage): Promise<StandInResponse> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size <= MAX_REQUEST_BODY) chunks.push(chunk)
    }
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers[name] = value
    }
    return this.answer({
      method: (req.method ?? 'GET').toUpperCase(),
      url: new URL(req.url ?? '/', this.url),
      headers,
      body: size > MAX_REQUEST_BODY ? '\u0000too large' : Buffer.concat(chunks).toString('utf8')
    })
  }

  /** Authentication, faults, the rate limit, then the route; every request logged. */
  private async answer(request: StandInRequest): Promise<StandInResponse> {
    const login = this.identify(request.headers.authorization)
    const entry: GitHubLogEntry = {
      method: request.method,
      path: request.url.pathname + request.url.search,
      status: 0,
      at: this.now(),
      login: login ?? '',
      ...(request.body !== '' && { body: request.body.slice(0, LOGGED_BODY_CHARS) })
    }
    this.log.push(entry)
    let response = await this.respond(request, login, entry)
    entry.status = response.reset ? 0 : response.status
    // A reset after handling: the request took effect, its answer is lost.
    if (entry.fault === 'reset') response = { status: 0, headers: {}, body: '', reset: true }
    try {
      this.options.onLog?.(entry)
    } catch {
      // A failing observer must not take the stand-in down.
    }
    return response
  }

  private async respond(
    request: StandInRequest,
    login: string | undefined,
    entry: GitHubLogEntry
  ): Promise<StandInResponse> {
    const fault = this.faults.pick({
      method: request.method,
      path: request.url.pathname,
      host: 'api'
    })
    if (fault) {
      entry.fault = fault.type
      if (fault.type === 'reset' && !fault.afterHandling) {
        return { status: 0, headers: {}, body: '', reset: true }
      }
      if (fault.type === 'status') {
        const body =
          fault.body ?? JSON.stringify({ message: `injected fault: HTTP ${fault.status}` })
        return {
          status: fault.status,
          headers: { 'content-type': 'application/json; charset=utf-8', ...fault.headers },
          body
        }
      }
      if (fault.type === 'stall') {
        try {
          await sleep(fault.ms, undefined, { signal: this.closing.signal })
        } catch {
          return { status: 0, headers: {}, body: '', reset: true }
        }
      }
    }
    if (login === undefined) {
      return json(401, { message: 'Bad credentials', documentation_url: DOCS }, {})
    }
    const limit = this.rateLimit(login)
    if (limit.exceeded) {
      const message = `API rate limit exceeded for ${login}.`
      return json(403, { message, documentation_url: DOCS }, limit.headers)
    }
    if (request.body === '\u0000too large') return json(413, { message: 'Payload too large' }, {})
    let body: unknown
    if (request.body !== '') {
      try {
        body = JSON.parse(request.body)
      } catch {
        return json(400, { message: 'Problems parsing JSON' }, limit.headers)
      }
    }
    const reply: RestReply = this.routes({
      method: request.method,
      url: request.url,
      base: request.url.origin,
      caller: this.caller(login),
      body
    })
    return json(reply.status, reply.body, { ...limit.headers, ...reply.headers })
  }

  private identify(authorization: string | undefined): string | undefined {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '')
    return match ? this.tokens.get(match[1]) : undefined
  }

  private caller(login: string): Caller {
    const user = this.state.user(login)!
    if (login === ACTIONS_BOT.login) {
      return { user, installation: true, canWrite: !this.options.readOnlyToken }
    }
    const permission = this.state.permission(login) ?? 'none'
    return { user, installation: false, canWrite: !['none', 'read'].includes(permission) }
  }

  /** GitHub's primary limit: a fixed hour from the first request of the window, per identity. */
  private rateLimit(login: string): { exceeded: boolean; headers: Record<string, string> } {
    const limit = this.options.rateLimitPerHour ?? DEFAULT_RATE_LIMIT_PER_HOUR
    const now = this.now()
    let window = this.windows.get(login)
    if (!window || now >= window.start + HOUR_MS) {
      window = { start: now, used: 0 }
      this.windows.set(login, window)
    }
    const exceeded = window.used >= limit
    if (!exceeded) window.used++
    return {
      exceeded,
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(limit - window.used),
        'x-ratelimit-used': String(window.used),
        'x-ratelimit-reset': String(Math.ceil((window.start + HOUR_MS) / 1000)),
        'x-ratelimit-resource': 'core'
      }
    }
  }
}

function json(status: number, body: unknown, headers: Record<string, string>): StandInResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: body === undefined ? '' : JSON.stringify(body)
  }
}
