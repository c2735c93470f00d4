/**
 * End to end, the ledger's safety rules (shared/reference/ledger-contract.md, "Rules that keep it
 * safe"): dist/index.js against the DSAR simulator and the GitHub REST stand-in. Private repositories
 * only; a submission is never repeated on doubt; pagination; the token's identity and permissions.
 * GitHub's faults, forged and tampered ledger comments, and a GitHub failure after Amplitude answered
 * are rows of the reliability matrix (__tests__/reliability/ledger.test.ts), not repeated here.
 */
import { subjectFingerprint } from '../src/run/subject-fingerprint.js'
import type { LedgerMarker } from '../src/ledger/marker.js'
import type { ActionRun } from './support/action-harness.js'
import { call, PERIOD } from './simulator-helpers.js'
import { startLedgerWorld, type LedgerWorld } from './support/ledger-world.js'

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
