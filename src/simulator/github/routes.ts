/**
 * The REST API paths the ledger uses, answered from the repository state the way GitHub answers
 * them: page-based pagination with a `Link` header (per_page up to 100), pull requests mixed into
 * the issues list, `since` on comment lists, labels created when first used, 404 for other
 * repositories, 403 "Resource not accessible by integration" for what a GITHUB_TOKEN may not do,
 * 422 for bodies GitHub refuses.
 */
import type { RepositoryState } from './repository.js'
import type { StandInIssue, StandInUser } from './types.js'

export interface Caller {
  user: StandInUser
  /** An installation token (GITHUB_TOKEN): GET /user is refused. */
  installation: boolean
  /** May write issues, comments and labels. */
  canWrite: boolean
}

export interface RestRequest {
  method: string
  url: URL
  /** The API origin the caller used (pagination links point back at it). */
  base: string
  caller: Caller
  body: unknown
}

export interface RestReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/** GitHub's limit on an issue or comment body. */
export const MAX_BODY_CHARS = 65_536
const DOCS = 'https://docs.github.com/rest'

type Handler = (request: RestRequest, params: string[]) => RestReply

export function createRoutes(state: RepositoryState): (request: RestRequest) => RestReply {
  const repoPath = `/repos/${state.owner}/${state.repo}`
  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/user$/, getUser],
    ['GET', /^\/repos\/([^/]+)\/([^/]+)$/, getRepository],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/issues$/, listIssues],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/comments$/, listRepoComments],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/, getIssue],
    ['PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/, updateIssue],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/, listIssueComments],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/events$/, listIssueEvents],
    ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/, createComment],
    ['PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/, updateComment],
    ['DELETE', /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/, deleteComment],
    ['PUT', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/, setLabels],
    ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/, addLabels],
    ['DELETE', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels\/([^/]+)$/, removeLabel],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/labels$/, listLabels],
    ['POST', /^\/repos\/[^/]+\/[^/]+\/labels$/, createLabel],
    ['GET', /^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/, getPermission]
  ]

  function getUser(request: RestRequest): RestReply {
    if (request.caller.installation) return forbidden('Resource not accessible by integration')
    return ok(state.userJson(request.caller.user, request.base))
  }

  function getRepository(request: RestRequest): RestReply {
    return ok(state.repositoryJson(request.base))
  }

  function listIssues(request: RestRequest): RestReply {
    const query = request.url.searchParams
    const wanted = query.get('state') ?? 'open'
    const labels = (query.get('labels') ?? '')
      .split(',')
      .map(label => label.trim())
      .filter(Boolean)
    const since = sinceOf(request)
    if (since === null) return invalid('since', 'is not an ISO 8601 timestamp')
    const issues = state
      .allIssues()
      .filter(issue => wanted === 'all' || issue.state === wanted)
      .filter(issue => labels.every(label => issue.labels.includes(label)))
      .filter(issue => issue.updatedAt >= since)
    const direction = query.get('direction') ?? 'desc'
    issues.sort(
      (a, b) => (direction === 'asc' ? 1 : -1) * (a.createdAt - b.createdAt || a.number - b.number)
    )
    return paged(request, issues, issue => state.issueJson(issue, request.base))
  }

  function listRepoComments(request: RestRequest): RestReply {
    const since = sinceOf(request)
    if (since === null) return invalid('since', 'is not an ISO 8601 timestamp')
    const comments = state.comments(comment => comment.updatedAt >= since)
    return paged(request, comments, comment => state.commentJson(comment, request.base))
  }

  function getIssue(request: RestRequest, [number]: string[]): RestReply {
    const issue = state.issue(Number(number))
    return issue ? ok(state.issueJson(issue, request.base)) : notFound()
  }

  function updateIssue(request: RestRequest, [number]: string[]): RestReply {
    const issue = state.issue(Number(number))
    if (!issue) return notFound()
    if (!request.caller.canWrite) return forbidden('Resource not accessible by integration')
    const body = objectBody(request)
    if (!body) return invalid('body', 'is not a JSON object')
    if (body.state !== undefined) {
      if (body.state !== 'open' && body.state !== 'closed')
        return invalid('state', 'is not open or closed')
      issue.state = body.state
      issue.stateReason = body.state === 'closed' ? String(body.state_reason ?? 'completed') : null
    }
    if (body.labels !== undefined) {
      const labels = labelNames(body.labels)
      if (!labels) return invalid('labels', 'is not an array of label names')
      state.setLabels(issue, labels, request.caller.user)
    }
    issue.updatedAt = state.now()
    return ok(state.issueJson(issue, request.base))
  }

  function listIssueComments(request: RestRequest, [number]: string[]): RestReply {
    const issue = state.issue(Number(number))
    if (!issue) return notFound()
    const since = sinceOf(request)
    if (since === null) return invalid('since', 'is not an ISO 8601 timestamp')
    const comments = state.comments(c => c.issueNumber === issue.number && c.updatedAt >= since)
    return paged(request, comments, comment => state.commentJson(comment, request.base))
  }

  /** GitHub's issue events, oldest first (the stand-in records label events, with their actor). */
  function listIssueEvents(request: RestRequest, [number]: string[]): RestReply {
    const issue = state.issue(Number(number))
    if (!issue) return notFound()
    return paged(request, state.issueEvents(issue.number), event =>
      state.eventJson(event, request.base)
    )
  }

  function createComment(request: RestRequest, [number]: string[]): RestReply {
    const issue = state.issue(Number(number))
    if (!issue) return notFound()
    if (!request.caller.canWrite) return forbidden('Resource not accessible by integration')
    const text = commentBody(request)
    if (typeof text !== 'string') return text
    const comment = state.addComment(issue, request.caller.user, text)
    return { status: 201, body: state.commentJson(comment, request.base) }
  }

  function updateComment(request: RestRequest, [id]: string[]): RestReply {
    const comment = state.comment(Number(id))
    if (!comment) return notFound()
    if (!request.caller.canWrite) return forbidden('Resource not accessible by integration')
    const text = commentBody(request)
    if (typeof text !== 'string') return text
    comment.body = text
    comment.updatedAt = state.now()
    return ok(state.commentJson(comment, request.base))
  }

  function deleteComment(request: RestRequest, [id]: string[]): RestReply {
    const comment = state.comment(Number(id))
    if (!comment) return notFound()
    if (!request.caller.canWrite) return forbidden('Resource not accessible by integration')
    state.deleteComment(comment.id)
    return { status: 204 }
  }

  function setLabels(request: RestRequest, [number]: string[]): RestReply {
    return changeLabels(request, number, (_issue, names) => names)
  }

  function addLabels(request: RestRequest, [number]: string[]): RestReply {
    return changeLabels(request, number, (issue, names) => [...issue.labels, ...names])
  }

  function removeLabel(request: RestRequest, [number, name]: string[]): RestReply {
    const issue = state.issue(Number(number))
    if (!issue) return notFound()
    if (!request.caller.canWrite) return forbidden('Resource not accessible by integration')
    const label = decodeURIComponent(name)
    if (!issue.labels.includes(label)) return notFound('Label does not exist')
    state.setLabels(
      issue,
      issue.labels.filter(existing => existing !== label),
      request.caller.user
    )
    return ok(issue.labels.map(label => ({ name: label })))
  }

  function changeLabels(
    request: RestRequest,
    number: string,
    next: (issue: StandInIssue, names: string[]) => string[]
  ): RestReply {
    const issue = state.issue(Number(number))
    if (!issue) return notFound()
    if (!request.caller.canWrite) return forbidden('Resource not accessible by integration')
    const body = objectBody(request)
    const names = labelNames(Array.isArray(request.body) ? request.body : body?.labels)
    if (!names) return invalid('labels', 'is not an array of label names')
    state.setLabels(issue, next(issue, names), request.caller.user)
    return ok(issue.labels.map(label => ({ name: label })))
  }

  function listLabels(request: RestRequest): RestReply {
    return paged(request, state.allLabels(), label => ({
      id: label.id,
      name: label.name,
      color: label.color,
      description: label.description
    }))
  }

  function createLabel(request: RestRequest): RestReply {
    if (!request.caller.canWrite) return forbidden('Resource not accessible by integration')
    const body = objectBody(request)
    const name = body?.name
    if (typeof name !== 'string' || name === '' || name.length > 50) {
      return invalid('name', 'is not a label name')
    }
    const color = typeof body?.color === 'string' ? body.color : 'ededed'
    if (!/^[0-9a-fA-F]{6}$/.test(color)) return invalid('color', 'is not a hex colour')
    const description = typeof body?.description === 'string' ? body.description : null
    const label = state.createLabel(name, color, description)
    if (!label) return invalid('name', 'already_exists')
    return { status: 201, body: { id: label.id, name, color, description } }
  }

  function getPermission(request: RestRequest, [login]: string[]): RestReply {
    const name = decodeURIComponent(login)
    const user = state.user(name)
    const permission = state.permission(name)
    if (!user || permission === undefined) return notFound(`${name} is not a user`)
    return ok({
      // GitHub's `permission` keeps the legacy levels: maintain reads as write, triage as read.
      permission:
        permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission,
      role_name: permission,
      user: state.userJson(user, request.base)
    })
  }

  return request => {
    const path = request.url.pathname.replace(/\/+$/, '') || '/'
    for (const [method, pattern, handler] of routes) {
      const match = pattern.exec(path)
      if (!match || method !== request.method) continue
      // Another repository than the one served: GitHub says 404 to hide private ones.
      if (path.startsWith('/repos/') && !path.startsWith(`${repoPath}/`) && path !== repoPath) {
        return notFound()
      }
      return handler(request, match.slice(1))
    }
    return notFound()
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function ok(body: unknown): RestReply {
  return { status: 200, body }
}

function notFound(message = 'Not Found'): RestReply {
  return { status: 404, body: { message, documentation_url: DOCS } }
}

function forbidden(message: string): RestReply {
  return { status: 403, body: { message, documentation_url: DOCS } }
}

function invalid(field: string, detail: string): RestReply {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', field, code: 'invalid', message: `${field} ${detail}` }],
      documentation_url: DOCS
    }
  }
}

function objectBody(request: RestRequest): Record<string, unknown> | undefined {
  const body = request.body
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined
}

function commentBody(request: RestRequest): string | RestReply {
  const text = objectBody(request)?.body
  if (typeof text !== 'string' || text === '') return invalid('body', 'is missing')
  if (text.length > MAX_BODY_CHARS) {
    return invalid('body', `is too long (maximum is ${MAX_BODY_CHARS} characters)`)
  }
  return text
}

function labelNames(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined
  const names = value.map(item =>
    typeof item === 'string' ? item : (item as { name?: unknown } | null)?.name
  )
  return names.every(name => typeof name === 'string' && name !== '' && name.length <= 50)
    ? (names as string[])
    : undefined
}

/** `since` as epoch ms; 0 when absent; null when unreadable. */
function sinceOf(request: RestRequest): number | null {
  const text = request.url.searchParams.get('since')
  if (text === null || text === '') return 0
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? null : ms
}

/** One page of `items` and the `Link` header GitHub sends with it. */
function paged<T>(request: RestRequest, items: T[], render: (item: T) => unknown): RestReply {
  const query = request.url.searchParams
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page')) || 30))
  const page = Math.max(1, Number(query.get('page')) || 1)
  const last = Math.max(1, Math.ceil(items.length / perPage))
  const slice = items.slice((page - 1) * perPage, page * perPage)
  const link = (n: number, rel: string): string => {
    const url = new URL(request.url.pathname + request.url.search, request.base)
    url.searchParams.set('page', String(n))
    url.searchParams.set('per_page', String(perPage))
    return `<${url.href}>; rel="${rel}"`
  }
  const links: string[] = []
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'))
  return {
    status: 200,
    body: slice.map(render),
    headers: links.length > 0 ? { link: links.join(', ') } : {}
  }
}
