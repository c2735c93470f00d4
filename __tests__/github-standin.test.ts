/**
 * The GitHub REST stand-in answers like GitHub where the ledger depends on it: Link pagination,
 * rate-limit headers and the primary limit, authentication, what a GITHUB_TOKEN may not do, the
 * collaborator permission, labels, `since`, body limits, and injected faults. Over HTTP on loopback
 * and through the in-process fetch (the same handler).
 */
import {
  createGitHubStandIn,
  MAX_BODY_CHARS,
  secondaryRateLimit,
  startGitHubStandIn,
  type GitHubStandIn
} from '../src/simulator/github/index.js'

let gh: GitHubStandIn
afterEach(async () => {
  await gh?.close()
})

async function api(
  method: string,
  path: string,
  options: { body?: unknown; token?: string | false } = {}
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (options.token !== false) headers.authorization = `token ${options.token ?? gh.token}`
  const response = await fetch(`${gh.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body)
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    json: text ? JSON.parse(text) : null
  }
}

const repo = '/repos/octo-org/privacy-ops'

test('the issues list pages with a Link header, skips nothing, and marks pull requests', async () => {
  gh = await startGitHubStandIn()
  for (let i = 0; i < 5; i++) gh.fileIssue({ author: 'octo-org', body: `b${i}`, labels: ['dsar'] })
  gh.fileIssue({ author: 'octo-org', body: 'pr', labels: ['dsar'], pullRequest: true })
  gh.fileIssue({ author: 'octo-org', body: 'other', labels: ['other'] })
  const first = await api('GET', `${repo}/issues?labels=dsar&per_page=4&direction=asc`)
  expect(first.status).toBe(200)
  expect((first.json as { number: number }[]).map(i => i.number)).toEqual([1, 2, 3, 4])
  const link = first.headers.get('link')!
  expect(link).toContain('rel="next"')
  expect(link).toContain('rel="last"')
  const next = /<([^>]+)>; rel="next"/.exec(link)![1]
  expect(next.startsWith(gh.url)).toBe(true)
  const second = await api('GET', next.slice(gh.url.length))
  const items = second.json as { number: number; pull_request?: unknown }[]
  expect(items.map(i => i.number)).toEqual([5, 6])
  expect(items[1].pull_request).toBeDefined()
  expect(second.headers.get('link')).not.toContain('rel="next"')
})

test('every answer carries the rate-limit headers; past the hourly budget GitHub answers 403 with remaining 0', async () => {
  let now = Date.UTC(2026, 0, 1)
  gh = await startGitHubStandIn({ rateLimitPerHour: 3, now: () => now })
  for (const remaining of ['2', '1', '0']) {
    const answer = await api('GET', repo)
    expect(answer.status).toBe(200)
    expect(answer.headers.get('x-ratelimit-remaining')).toBe(remaining)
    expect(answer.headers.get('x-ratelimit-limit')).toBe('3')
  }
  const refused = await api('GET', repo)
  expect(refused.status).toBe(403)
  expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
  expect(Number(refused.headers.get('x-ratelimit-reset'))).toBe(
    (Date.UTC(2026, 0, 1) + 3_600_000) / 1000
  )
  expect((refused.json as { message: string }).message).toContain('API rate limit exceeded')
  now += 3_600_000
  expect((await api('GET', repo)).status).toBe(200)
})

test('authentication, and what an installation token may and may not do', async () => {
  gh = await startGitHubStandIn()
  expect((await api('GET', repo, { token: false })).status).toBe(401)
  expect((await api('GET', repo, { token: 'ghs_unknown' })).status).toBe(401)
  const me = await api('GET', '/user')
  expect(me.status).toBe(403)
  expect((me.json as { message: string }).message).toBe('Resource not accessible by integration')
  gh.addToken('ghp_person', 'octo-org')
  expect(
    ((await api('GET', '/user', { token: 'ghp_person' })).json as { login: string }).login
  ).toBe('octo-org')
  expect((await api('GET', '/repos/someone/else')).status).toBe(404)
})

test('comments, labels, closing, since and the collaborator permission', async () => {
  let now = Date.UTC(2026, 0, 1)
  gh = await startGitHubStandIn({ now: () => now })
  gh.addUser({ login: 'priya', permission: 'write' })
  const n = gh.fileIssue({ author: 'priya', body: 'x', labels: ['dsar', 'keep'] })
  const created = await api('POST', `${repo}/issues/${n}/comments`, { body: { body: 'hello' } })
  expect(created.status).toBe(201)
  const comment = created.json as { id: number; user: { login: string; type: string } }
  expect(comment.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' })
  now += 5_000
  expect(
    (await api('PATCH', `${repo}/issues/comments/${comment.id}`, { body: { body: 'edited' } }))
      .status
  ).toBe(200)
  const since = new Date(now).toISOString()
  const listed = await api('GET', `${repo}/issues/comments?since=${since}`)
  expect((listed.json as { body: string }[]).map(c => c.body)).toEqual(['edited'])
  const later = new Date(now + 1000).toISOString()
  expect((await api('GET', `${repo}/issues/comments?since=${later}`)).json).toEqual([])
  expect(
    (
      await api('POST', `${repo}/issues/${n}/comments`, {
        body: { body: 'x'.repeat(MAX_BODY_CHARS + 1) }
      })
    ).status
  ).toBe(422)
  const labels = await api('PUT', `${repo}/issues/${n}/labels`, {
    body: { labels: ['keep', 'dsar:done'] }
  })
  expect(labels.status).toBe(200)
  expect(gh.issue(n).labels).toEqual(['keep', 'dsar:done'])
  await api('PATCH', `${repo}/issues/${n}`, {
    body: { state: 'closed', state_reason: 'completed' }
  })
  expect(gh.issue(n)).toMatchObject({ state: 'closed', stateReason: 'completed' })
  const permission = await api('GET', `${repo}/collaborators/priya/permission`)
  expect(permission.json).toMatchObject({ permission: 'write', user: { login: 'priya' } })
  expect((await api('GET', `${repo}/collaborators/nobody/permission`)).status).toBe(404)
  expect(
    ((await api('GET', `${repo}/issues/${n}`)).json as { author_association: string })
      .author_association
  ).toBe('COLLABORATOR')
})

test('issue events: who added and removed which label, when, in the documented shape; maintain reads as write, triage as read', async () => {
  let now = Date.UTC(2026, 0, 1)
  gh = await startGitHubStandIn({ now: () => now })
  gh.addUser({ login: 'priya', permission: 'write' })
  gh.addUser({ login: 'mia', permission: 'maintain' })
  gh.addUser({ login: 'tom', permission: 'triage' })
  const n = gh.fileIssue({ author: 'priya', body: 'x', labels: ['dsar'] })
  now += 2_000
  gh.addIssueLabel(n, 'mia', 'dsar:approved')
  now += 2_000
  await api('PUT', `${repo}/issues/${n}/labels`, { body: { labels: ['dsar:done'] } })
  const events = (await api('GET', `${repo}/issues/${n}/events?per_page=2`)) as {
    json: Record<string, unknown>[]
    headers: Headers
  }
  expect(events.headers.get('link')).toContain('rel="next"')
  const all = (await api('GET', `${repo}/issues/${n}/events?per_page=100`)).json as Record<
    string,
    unknown
  >[]
  expect(
    all.map(e => [
      e.event,
      (e.actor as { login: string }).login,
      (e.label as { name: string }).name
    ])
  ).toEqual([
    ['labeled', 'priya', 'dsar'],
    ['labeled', 'mia', 'dsar:approved'],
    ['unlabeled', 'github-actions[bot]', 'dsar'],
    ['unlabeled', 'github-actions[bot]', 'dsar:approved'],
    ['labeled', 'github-actions[bot]', 'dsar:done']
  ])
  expect(all[1]).toMatchObject({
    id: expect.any(Number),
    node_id: expect.any(String),
    url: expect.stringContaining(`/issues/events/`),
    actor: { login: 'mia', type: 'User' },
    commit_id: null,
    created_at: '2026-01-01T00:00:02Z',
    label: { name: 'dsar:approved', color: expect.any(String) }
  })
  expect((await api('GET', `${repo}/issues/999/events`)).status).toBe(404)
  expect((await api('GET', `${repo}/collaborators/mia/permission`)).json).toMatchObject({
    permission: 'write',
    role_name: 'maintain'
  })
  expect((await api('GET', `${repo}/collaborators/tom/permission`)).json).toMatchObject({
    permission: 'read',
    role_name: 'triage'
  })
})

test('a read-only token cannot write', async () => {
  gh = await startGitHubStandIn({ readOnlyToken: true })
  const n = gh.fileIssue({ author: 'octo-org', body: 'x', labels: ['dsar'] })
  expect((await api('POST', `${repo}/issues/${n}/comments`, { body: { body: 'x' } })).status).toBe(
    403
  )
  expect(gh.comments(n)).toEqual([])
})

test('injected faults: a status with headers and body, a secondary rate limit, a reset; then normal answers', async () => {
  gh = await startGitHubStandIn()
  gh.addFault({ method: 'GET', path: repo, times: 1, action: { type: 'status', status: 502 } })
  gh.addFault({ method: 'GET', path: '/user', times: 1, action: secondaryRateLimit(429, 7) })
  gh.addFault({ method: 'GET', path: `${repo}/issues`, times: 1, action: { type: 'reset' } })
  expect((await api('GET', repo)).status).toBe(502)
  expect((await api('GET', repo)).status).toBe(200)
  const limited = await api('GET', '/user')
  expect(limited.status).toBe(429)
  expect(limited.headers.get('retry-after')).toBe('7')
  expect((limited.json as { message: string }).message).toMatch(/secondary rate limit/)
  await expect(api('GET', `${repo}/issues`)).rejects.toThrow()
  expect((await api('GET', `${repo}/issues`)).status).toBe(200)
  expect(gh.log.map(e => e.fault ?? '-')).toEqual(['status', '-', 'status', 'reset', '-'])
})

test('the in-process fetch is the same API without a socket', async () => {
  gh = createGitHubStandIn({}, 'http://127.0.0.1:9')
  gh.fileIssue({ author: 'octo-org', body: 'x', labels: ['dsar'] })
  const response = await gh.fetch(`${gh.url}${repo}/issues?labels=dsar`, {
    headers: { authorization: `token ${gh.token}` }
  })
  expect(response.status).toBe(200)
  expect(response.headers.get('x-ratelimit-remaining')).toBe('999')
  expect(((await response.json()) as unknown[]).length).toBe(1)
  gh.addFault({ action: { type: 'reset' }, times: 1 })
  await expect(
    gh.fetch(`${gh.url}${repo}`, { headers: { authorization: `token ${gh.token}` } })
  ).rejects.toThrow('fetch failed')
})
