/**
 * The ledger's GitHub client against the REST stand-in: Octokit's retry and throttling plugins
 * (5xx repeated; secondary limits and 429 waited out as GitHub asks; a wait longer than allowed
 * refused), GITHUB_API_URL's rule, the identity, shape checks on what GitHub answers, counting.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { GitHubClient } from '../src/ledger/github-client.js'
import { GitHubError, githubApiOrigin } from '../src/ledger/github-octokit.js'
import { commentFacts, issueFacts } from '../src/ledger/github-shapes.js'
import { ACTION_VERSION } from '../src/run/version.js'
import {
  secondaryRateLimit,
  startGitHubStandIn,
  type GitHubStandIn
} from '../src/simulator/github/index.js'

let gh: GitHubStandIn
afterEach(async () => {
  await gh?.close()
})

function client(lines: string[] = [], maxRateLimitWaitMs = 60_000): GitHubClient {
  return new GitHubClient({
    token: gh.token,
    apiUrl: gh.url,
    owner: gh.owner,
    repo: gh.repo,
    waitUnitMs: 50,
    maxRateLimitWaitMs,
    log: line => lines.push(line)
  })
}

/**
 * Four writes to issue `n`, one after the other: two label changes, then two comments (comments
 * notify, and GitHub asks for 3 s between those); the gaps between them as the client sent them.
 */
async function fourWrites(writeSpacingMs: number | undefined, n: number): Promise<number[]> {
  const sent: number[] = []
  const c = new GitHubClient({
    token: gh.token,
    apiUrl: gh.url,
    owner: gh.owner,
    repo: gh.repo,
    writeSpacingMs,
    maxRateLimitWaitMs: 60_000,
    log: () => {},
    // When each write left (the stand-in's arrival times carry the first connection's set-up).
    fetch: (input, init) => {
      if (init?.method !== 'GET') sent.push(Date.now())
      return fetch(input, init)
    }
  })
  await c.removeLabel(n, 'dsar')
  await c.removeLabel(n, 'dsar:new')
  await c.createComment(n, 'one')
  await c.createComment(n, 'two')
  const writes = gh.log.filter(e => e.method !== 'GET')
  expect(writes.map(e => `${e.method} ${e.status}`)).toEqual([
    'DELETE 200',
    'DELETE 200',
    'POST 201',
    'POST 201'
  ])
  expect(sent).toHaveLength(4)
  return sent.slice(1).map((at, i) => at - sent[i])
}

// Bottleneck times its slots a little apart from the request's own start: some slack below the
// spacing, none above (a slower machine only widens the gaps).
const SLACK_MS = 50

test("GitHub's spacing of writes, by default: 1 s apart, 3 s between comments (they notify)", async () => {
  gh = await startGitHubStandIn()
  const n = gh.fileIssue({ author: 'octo-org', body: 'x', labels: ['dsar', 'dsar:new'] })
  const [labels, toComment, comments] = await fourWrites(undefined, n)
  expect(labels).toBeGreaterThanOrEqual(1000 - SLACK_MS)
  expect(toComment).toBeGreaterThanOrEqual(1000 - SLACK_MS)
  expect(comments).toBeGreaterThanOrEqual(3000 - SLACK_MS)
}, 30_000)

test('the write-spacing test hook (DSAR_TEST_WRITE_SPACING_MS) sets the spacing: comments three times it', async () => {
  gh = await startGitHubStandIn()
  const n = gh.fileIssue({ author: 'octo-org', body: 'x', labels: ['dsar', 'dsar:new'] })
  const [labels, toComment, comments] = await fourWrites(200, n)
  expect(labels).toBeGreaterThanOrEqual(200 - SLACK_MS)
  expect(toComment).toBeGreaterThanOrEqual(200 - SLACK_MS)
  expect(comments).toBeGreaterThanOrEqual(600 - SLACK_MS)
})

test('5xx answers are repeated; every attempt is counted; the last remaining budget kept', async () => {
  gh = await startGitHubStandIn()
  gh.addFault({ method: 'GET', times: 2, action: { type: 'status', status: 503 } })
  const c = client()
  expect(await c.repository()).toEqual({ fullName: 'octo-org/privacy-ops', visibility: 'private' })
  expect(c.calls).toMatchObject({ reads: 3, writes: 0, failedAttempts: 2, remaining: 999 })
})

test('the budget kept is what GitHub said last: calls left and when its hour starts afresh', async () => {
  const start = Date.parse('2026-12-01T06:00:00.250Z')
  gh = await startGitHubStandIn({ now: () => start, rateLimitPerHour: 5 })
  const c = client()
  await c.repository()
  await c.repository()
  // x-ratelimit-reset is in whole seconds: the window's end, rounded up.
  expect(c.calls).toMatchObject({ remaining: 3, resetAt: Date.parse('2026-12-01T07:00:01Z') })
})

test('a reset time later than any date is not kept (x-ratelimit-reset is untrusted)', async () => {
  // The stand-in's clock at the last millisecond a Date can hold: its reset header lies beyond it.
  gh = await startGitHubStandIn({ now: () => 8.64e15, rateLimitPerHour: 5 })
  const c = client()
  await c.repository()
  expect(c.calls.remaining).toBe(4)
  expect(c.calls.resetAt).toBeUndefined()
})

test('a secondary rate limit and a 429 are waited out for as long as GitHub says (retry-after)', async () => {
  gh = await startGitHubStandIn()
  const n = gh.fileIssue({ author: 'octo-org', body: 'x', labels: ['dsar'] })
  gh.addFault({ method: 'POST', times: 1, action: secondaryRateLimit(403, 4) })
  gh.addFault({ method: 'PATCH', times: 1, action: secondaryRateLimit(429, 4) })
  const lines: string[] = []
  const c = client(lines)
  const created = await c.createComment(n, 'hello')
  await c.updateComment(created.id, 'edited')
  const post = gh.log.filter(e => e.method === 'POST')
  const patch = gh.log.filter(e => e.method === 'PATCH')
  expect(post.map(e => e.status)).toEqual([403, 201])
  expect(patch.map(e => e.status)).toEqual([429, 200])
  // retry-after 4 x the 50 ms unit of this test
  expect(post[1].at - post[0].at).toBeGreaterThanOrEqual(200)
  expect(patch[1].at - patch[0].at).toBeGreaterThanOrEqual(200)
  expect(lines.filter(l => l.includes('waiting 4s as GitHub asks'))).toHaveLength(2)
  expect(gh.comments(n).map(c => c.body)).toEqual(['edited'])
})

test('a rate-limit wait longer than allowed is not waited: the call fails with the status named', async () => {
  gh = await startGitHubStandIn({ rateLimitPerHour: 1 })
  const lines: string[] = []
  const c = client(lines, 1_000)
  await c.repository()
  const started = Date.now()
  await expect(c.identity()).rejects.toThrow(GitHubError)
  await expect(c.identity()).rejects.toThrow(/HTTP 403 to GET \/user: API rate limit exceeded/)
  expect(Date.now() - started).toBeLessThan(30_000)
  expect(lines.some(l => l.includes('not waiting'))).toBe(true)
})

test('identity: GET /user for a person, github-actions[bot] for an installation token', async () => {
  gh = await startGitHubStandIn()
  expect(await client().identity()).toEqual({ login: 'github-actions[bot]', type: 'Bot' })
  gh.addToken('ghp_x', 'octo-org')
  const person = new GitHubClient({
    token: 'ghp_x',
    apiUrl: gh.url,
    owner: gh.owner,
    repo: gh.repo,
    maxRateLimitWaitMs: 0,
    log: () => undefined
  })
  expect(await person.identity()).toEqual({ login: 'octo-org', type: 'User' })
})

test('GITHUB_API_URL: https, http only for loopback, no credentials; a GHES path kept', () => {
  expect(githubApiOrigin(undefined)).toBe('https://api.github.com')
  expect(githubApiOrigin('https://ghe.example.com/api/v3/')).toBe('https://ghe.example.com/api/v3')
  expect(githubApiOrigin('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080')
  expect(() => githubApiOrigin('http://ghe.example.com')).toThrow(/https/)
  expect(() => githubApiOrigin('https://user:pw@ghe.example.com')).toThrow(/credentials/)
  expect(() => githubApiOrigin('not a url')).toThrow(/absolute/)
})

test('shapes: pull requests skipped, malformed issues and comments dropped', () => {
  const issue = {
    number: 3,
    body: null,
    user: { login: 'priya', type: 'User' },
    author_association: 'MEMBER',
    created_at: '2026-01-01T00:00:00Z',
    labels: [{ name: 'dsar' }, 'x'],
    comments: 2,
    html_url: 'https://github.com/o/r/issues/3'
  }
  expect(issueFacts(issue)).toMatchObject({ number: 3, body: '', labels: ['dsar', 'x'] })
  expect(issueFacts({ ...issue, pull_request: {} })).toBeNull()
  for (const bad of [{ number: '3' }, { labels: [{}] }, { user: null }, { created_at: 'soon' }]) {
    expect(issueFacts({ ...issue, ...bad })).toBeUndefined()
  }
  const comment = {
    id: 9,
    body: 'b',
    user: { login: 'github-actions[bot]', type: 'Bot' },
    updated_at: '2026-01-01T00:00:00Z',
    issue_url: 'https://api.github.com/repos/o/r/issues/3'
  }
  expect(commentFacts(comment)).toMatchObject({ id: 9, issueNumber: 3 })
  for (const bad of [{ issue_url: 'https://x/pulls/3' }, { body: 1 }, { id: -1 }]) {
    expect(commentFacts({ ...comment, ...bad })).toBeUndefined()
  }
})

test("the action's version constant is package.json's", () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'))
  expect(ACTION_VERSION).toBe(pkg.version)
})
