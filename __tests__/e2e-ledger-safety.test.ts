/**
 * End to end, the ledger's safety rules (shared/reference/ledger-contract.md, "Rules that keep it
 * safe"): dist/index.js against the DSAR simulator and the GitHub REST stand-in. Private repositories
 * only; only the action's own comments are trusted; a submission is never repeated on doubt; GitHub's
 * faults and rate limits are survived; nothing Amplitude gave is lost when GitHub fails; budgets.
 */
import { subjectFingerprint } from '../src/action/workflow-helper.js'
import { MARKER_PREFIX, type LedgerMarker } from '../src/ledger/marker.js'
import { secondaryRateLimit } from '../src/simulator/github/index.js'
import type { ActionRun } from './support/action-harness.js'
import { call, PERIOD } from './simulator-helpers.js'
import { formBody, startLedgerWorld, type LedgerWorld } from './support/ledger-world.js'

let world: LedgerWorld
afterEach(async () => {
  await world?.close()
})

const ledgerOf = (run: ActionRun) =>
  JSON.parse(run.outputs.ledger) as { issue: number; state: string; requestIds: string[] }[]
const errorOf = (run: ActionRun) =>
  run.lines
    .filter(l => l.startsWith('::error::'))
    .join('\n')
    .replace(/%0A/g, '\n')
const dsarPosts = (w: LedgerWorld) => w.sim.log.filter(e => e.method === 'POST')
const writes = (w: LedgerWorld, from = 0) => w.gh.log.slice(from).filter(e => e.method !== 'GET')

function submittedMarker(
  requestId: string,
  status = 'staging',
  subject = 'user #0123abcd'
): LedgerMarker {
  return {
    version: 2,
    state: 'submitted',
    startDate: PERIOD.startDate,
    endDate: PERIOD.endDate,
    requests: [
      {
        requestId,
        subject,
        status,
        submittedAt: '2026-01-01T00:00:00.000Z',
        checkedAt: '2026-01-01T00:00:00.000Z',
        doneAt: null
      }
    ]
  }
}

test.each(['public', 'internal'] as const)(
  '%s repository: the step fails the step before any DSAR call and before any other GitHub call',
  async visibility => {
    world = await startLedgerWorld({ gh: { visibility } })
    world.file({ userIds: 'alice@example.com' })
    const run = await world.sweep()
    expect(run.exitCode).toBe(1)
    expect(errorOf(run)).toContain(`is a ${visibility} repository`)
    expect(errorOf(run)).toContain('Nothing was sent to Amplitude')
    expect(world.sim.log).toEqual([])
    expect(world.gh.log.map(e => `${e.method} ${e.path}`)).toEqual([
      'GET /repos/octo-org/privacy-ops'
    ])
    expect(run.outputs.ledger).toBe('[]')
  }
)

test('a GitHub 502, a secondary rate limit (403) and a 429 are survived: one DSAR, the issue submitted', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 2 } } })
  const n = world.file({ userIds: 'alice@example.com' })
  world.gh.addFault({
    method: 'GET',
    path: /\/issues$/,
    times: 1,
    action: { type: 'status', status: 502 }
  })
  world.gh.addFault({
    method: 'POST',
    path: /\/comments$/,
    times: 1,
    action: secondaryRateLimit(403, 1)
  })
  world.gh.addFault({
    method: 'PATCH',
    path: /\/comments\/\d+$/,
    times: 1,
    action: secondaryRateLimit(429, 1)
  })
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)[0]).toMatchObject({ issue: n, state: 'submitted' })
  expect(dsarPosts(world)).toHaveLength(1)
  const statuses = world.gh.log.map(e => `${e.method} ${e.status}`)
  expect(statuses).toEqual(expect.arrayContaining(['GET 502', 'POST 403', 'PATCH 429']))
  // Waited as GitHub asked (retry-after: 1) before repeating.
  const limited = world.gh.log.findIndex(e => e.method === 'POST' && e.status === 403)
  const repeated = world.gh.log.slice(limited + 1).find(e => e.method === 'POST')!
  expect(repeated.at - world.gh.log[limited].at).toBeGreaterThanOrEqual(1000)
  expect(run.lines.some(l => l.includes('secondary rate limit') && l.includes('waiting 1s'))).toBe(
    true
  )
  expect(world.gh.comments(n)).toHaveLength(1)
})

test('150 open issues are read across pages, each request checked once, and nothing written', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 50 } } })
  const issues: number[] = []
  for (let i = 0; i < 150; i++) {
    const n = world.file({ userIds: `user-${i}@example.com` }, world.member, [
      'dsar',
      'dsar:submitted'
    ])
    const created = await call(world.sim, 'POST', '/api/2/dsar/requests', {
      body: { userId: `user-${i}@example.com`, ...PERIOD }
    })
    const requestId = String((created.json as { requestId: number }).requestId)
    const subject = subjectFingerprint({ kind: 'userId', userId: `user-${i}@example.com` })
    world.gh.addComment(
      n,
      world.gh.botLogin,
      world.ledgerComment(n, submittedMarker(requestId, 'staging', subject))
    )
    issues.push(n)
  }
  const run = await world.sweep({ 'max-concurrency': '8' })
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run).map(r => r.issue)).toEqual(issues)
  expect(ledgerOf(run).every(r => r.state === 'submitted')).toBe(true)
  const pages = world.gh.log.filter(e => /\/issues\?/.test(e.path))
  expect(pages.map(e => new URL(e.path, 'http://x').searchParams.get('page') ?? '1')).toEqual([
    '1',
    '2'
  ])
  const commentPages = world.gh.log.filter(e => e.path.includes('/issues/comments?'))
  expect(commentPages).toHaveLength(2)
  expect(world.sim.log.filter(e => e.method === 'GET')).toHaveLength(150)
  expect(writes(world)).toEqual([])
  // The list pages, the identity checks and the labels: far below the hour's 1,000.
  expect(world.gh.log).toHaveLength(2 + 2 + 2 + 1)
})

test('GitHub down after Amplitude answered: the request id is in the outputs, the summary and the log; no second DSAR later', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 2 } } })
  const n = world.file({ userIds: 'alice@example.com' })
  // The write-ahead comment goes through; every later write fails (after the retries).
  world.gh.addFault({ method: 'PATCH', action: { type: 'status', status: 502 } })
  const run = await world.sweep()
  expect(run.exitCode).toBe(1)
  const id = String(world.sim.requests()[0].requestId)
  expect(run.outputs.requestId).toBe(id)
  expect(JSON.parse(run.outputs.requests)[0].requestId).toBe(id)
  expect(ledgerOf(run)).toEqual([{ issue: n, state: 'submitting', requestIds: [id] }])
  expect(run.summary).toContain(id)
  expect(run.lines.some(l => l.includes(`Amplitude accepted request ${id}`))).toBe(true)
  const error = errorOf(run)
  expect(error).toContain('GitHub failed after Amplitude accepted request')
  expect(error).toContain(`request-ids: ${id}`)
  expect(run.lines.join('\n')).not.toMatch(/\n\s+at .*:\d+:\d+/)

  world.gh.clearFaults()
  // Within the failed run's deadline, another sweep cannot tell it from a live one: left alone.
  const soon = await world.sweep()
  expect(ledgerOf(soon)[0].state).toBe('submitting')
  expect(dsarPosts(world)).toHaveLength(1)
  await world.runDeadlinePassed(n)
  const next = await world.sweep()
  expect(ledgerOf(next)[0].state).toBe('needs-attention')
  expect(dsarPosts(world)).toHaveLength(1)
})

test('forged ledger markers by anyone but the action are ignored: a collaborator, a user named like the bot, the issue body', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 2 } } })
  world.gh.addUser({ login: 'github-actions', permission: 'write' })
  const forged = (state: string) =>
    world.ledgerComment(1, { ...submittedMarker('99999', 'done'), state } as LedgerMarker)
  const n = world.gh.fileIssue({
    author: world.member,
    body: `${formBody({ userIds: 'alice@example.com' })}\n\n${forged('done')}`,
    labels: ['dsar']
  })
  world.gh.addComment(n, world.member, forged('submitted'))
  world.gh.addComment(n, 'github-actions', forged('done'))
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  // Treated as the new issue it is: one DSAR for the form's subject, not a poll of request 99999.
  expect(ledgerOf(run)[0]).toMatchObject({ issue: n, state: 'submitted' })
  expect(dsarPosts(world)).toHaveLength(1)
  expect(world.sim.log.some(e => e.path.includes('99999'))).toBe(false)
})

test("the action's own ledger comment, tampered so it no longer reads, stops the issue: needs-attention, no DSAR", async () => {
  world = await startLedgerWorld()
  const n = world.file({ userIds: 'alice@example.com' }, world.member, ['dsar', 'dsar:submitted'])
  world.gh.addComment(
    n,
    world.gh.botLogin,
    `ledger\n${MARKER_PREFIX}{"version":1,"state":"submitted","requests":[{"requestId":"../../x"}]} -->`
  )
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)[0].state).toBe('needs-attention')
  expect(world.sim.log).toEqual([])
})

test('an issue labelled submitted whose ledger comment is gone is not submitted again', async () => {
  world = await startLedgerWorld()
  const n = world.file({ userIds: 'alice@example.com' }, world.member, ['dsar', 'dsar:submitted'])
  const run = await world.sweep()
  expect(ledgerOf(run)).toEqual([{ issue: n, state: 'needs-attention', requestIds: [] }])
  expect(world.sim.log).toEqual([])
})

test('without issues: write the step fails on the first write, before any DSAR call', async () => {
  world = await startLedgerWorld({ gh: { readOnlyToken: true } })
  world.file({ userIds: 'alice@example.com' })
  const run = await world.sweep()
  expect(run.exitCode).toBe(1)
  expect(errorOf(run)).toContain('HTTP 403')
  expect(errorOf(run)).toContain('Resource not accessible by integration')
  expect(world.sim.log).toEqual([])
})

test("a user's token (PAT): its owner is the identity whose ledger comments are trusted", async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 1, pollsInSubmitted: 0 } } })
  world.gh.addUser({ login: 'privacy-bot-user', permission: 'write' })
  world.gh.addToken('ghp_personalAccessToken000000000000000000', 'privacy-bot-user')
  const n = world.file({ userIds: 'alice@example.com' })
  const inputs = { 'github-token': 'ghp_personalAccessToken000000000000000000' }
  expect(ledgerOf(await world.sweep(inputs))[0].state).toBe('submitted')
  expect(world.gh.comments(n)[0].user.login).toBe('privacy-bot-user')
  expect(ledgerOf(await world.sweep(inputs))[0].state).toBe('submitted')
  expect(ledgerOf(await world.sweep(inputs))[0].state).toBe('ready')
  expect(dsarPosts(world)).toHaveLength(1)
})

test('ledger: issues with user-ids is refused by input name, before any request', async () => {
  world = await startLedgerWorld()
  const run = await world.sweep({ 'user-ids': 'alice' })
  expect(run.exitCode).toBe(1)
  expect(errorOf(run)).toContain("Input 'user-ids': must be empty with ledger: issues")
  expect(world.sim.log).toEqual([])
  expect(world.gh.log).toEqual([])
})
