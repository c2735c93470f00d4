/**
 * Reliability matrix, the ledger under pressure (issue 19): bursts, deadlines, edited comments and
 * overlapping sweeps. dist/index.js sweeps DSAR issues against the DSAR simulator and the GitHub
 * REST stand-in (127.0.0.1). Each row holds the ledger to its promises: never asked twice by
 * accident, nothing lost, the timeout stops the run, delivered means delivered.
 * Times: `killAfterMs` is a safety net far above every timeout; no row asserts a wall-clock bound.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { subjectFingerprint } from '../../src/run/subject-fingerprint.js'
import { MARKER_PREFIX, type LedgerMarker } from '../../src/ledger/marker.js'
import { ledgerLabels } from '../../src/ledger/labels.js'
import type { ActionRun, ActionRunOptions } from '../support/action-harness.js'
import { call, PERIOD } from '../simulator-helpers.js'
import { closedPort, startLedgerWorld, type LedgerWorld } from '../support/ledger-world.js'
import {
  describeRun,
  errorText,
  expectNoLeaks,
  Report,
  STACK_FRAME,
  visibleText
} from './support.js'

const report = new Report('ledger-pressure')
report.note(
  'Test hooks in these runs (read by src/run/test-hooks.ts, unset on real runners): retry waits use ' +
    "a 20 ms unit (DSAR_TEST_BACKOFF_BASE_MS), and GitHub's spacing of writes is 10 ms instead of 1 s " +
    '(DSAR_TEST_WRITE_SPACING_MS).'
)
const SAFETY_NET_MS = 150_000
const ROW_MS = 300_000

type LedgerRow = { issue: number; state: string; requestIds: string[] }
const ledgerOf = (run: ActionRun) => JSON.parse(run.outputs.ledger ?? '[]') as LedgerRow[]
const dsarPosts = (w: LedgerWorld) => w.sim.log.filter(e => e.method === 'POST' && e.host === 'api')
const states = (run: ActionRun) =>
  ledgerOf(run)
    .map(r => `#${r.issue} ${r.state}`)
    .join(', ') || 'none'
const markerOf = (w: LedgerWorld, issue: number) => {
  const comment = w.gh.comments(issue).find(c => c.body.includes(MARKER_PREFIX))!
  const line = comment.body.trimEnd().split('\n').pop()!
  return JSON.parse(line.slice(MARKER_PREFIX.length, -' -->'.length)) as LedgerMarker
}
const user = (userId: string) => subjectFingerprint({ kind: 'userId', userId })
/** Comment text as GitHub renders it: numeric entities decoded. */
const decode = (text: string) =>
  text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))

/** A sweep, checked for what every row must hold (no leaks, no stack trace, not killed). */
async function sweep(
  world: LedgerWorld,
  inputs: Record<string, string> = {},
  options: ActionRunOptions = {}
): Promise<ActionRun> {
  const run = await world.sweep(inputs, { killAfterMs: SAFETY_NET_MS, ...options })
  expectNoLeaks(run, {
    inputs: { 'api-key': world.sim.apiKey, 'secret-key': world.sim.secretKey },
    sim: world.sim
  })
  expect(visibleText(run)).not.toContain(world.gh.token)
  expect(run.lines.join('\n')).not.toMatch(STACK_FRAME)
  // The timeout stops the run: it ends by itself, never by the safety net's kill.
  expect(run.signal).toBeNull()
  return run
}

function describe(run: ActionRun, world: LedgerWorld): string {
  return describeRun(run, [`ledger ${states(run)}`, `${dsarPosts(world).length} DSAR(s) created`])
}

async function withWorld(
  options: Parameters<typeof startLedgerWorld>[0],
  body: (world: LedgerWorld) => Promise<void>
): Promise<void> {
  const world = await startLedgerWorld(options)
  try {
    await body(world)
  } finally {
    await world.close()
  }
}

/** Every open issue is either submitted with one DSAR per subject or untouched. */
function submittedOrUntouched(world: LedgerWorld, issues: number[], run: ActionRun): number {
  const rows = new Map(ledgerOf(run).map(r => [r.issue, r]))
  let submitted = 0
  for (const n of issues) {
    const row = rows.get(n)
    if (row) {
      expect(row.state).toBe('submitted')
      submitted++
    } else {
      expect(world.gh.comments(n)).toEqual([])
      expect(world.gh.issue(n).labels).toEqual(['dsar'])
    }
  }
  return submitted
}

// ---------------------------------------------------------------------------------------------
// The deadline binds the sweep
// ---------------------------------------------------------------------------------------------

report.row(
  'Deadline',
  'a burst of 40 new issues, timeout 12 s',
  '40 issues filed at once, one subject each; one sweep with timeout: 12s',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 5 } } }, async world => {
      const issues = Array.from({ length: 40 }, (_, i) =>
        world.file({ userIds: `burst-${i}@example.com` })
      )
      const run = await sweep(world, { timeout: '12s' })
      const submitted = submittedOrUntouched(world, issues, run)
      const note = run.lines.find(l => /new issue\(s\) left for the next sweep/.test(l))
      saw(
        `${describe(run, world)}; ${submitted} submitted, ${40 - submitted} untouched; log: "${note}"`
      )
      expect(run.exitCode).toBe(0)
      expect(submitted).toBeGreaterThan(0)
      expect(submitted).toBeLessThan(40)
      expect(dsarPosts(world)).toHaveLength(submitted)
      expect(ledgerOf(run).some(r => r.state === 'needs-attention')).toBe(false)
      expect(note).toBeDefined()
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Deadline',
  'cut before its POST was sent: the issue stays new',
  'every DSAR POST answers 429 with retry-after: 3600 (nothing created); timeout: 20s',
  async saw => {
    await withWorld({}, async world => {
      world.sim.addFault({
        host: 'api',
        method: 'POST',
        action: { type: 'status', status: 429, headers: { 'retry-after': '3600' } }
      })
      const n = world.file({ userIds: 'alice@example.com' })
      const run = await sweep(world, { timeout: '20s' })
      saw(describe(run, world))
      expect(world.sim.log.some(e => e.method === 'POST' && e.status === 429)).toBe(true)
      expect(world.sim.requests()).toHaveLength(0)
      // The write-ahead comment is taken back: nothing to ask a person about.
      expect(world.gh.comments(n)).toEqual([])
      expect(world.gh.issue(n).labels).toEqual(['dsar'])
      expect(ledgerOf(run)).toEqual([{ issue: n, state: 'new', requestIds: [] }])
    })
  }
)

report.row(
  'Deadline',
  'per request: accepted ids kept, the rest not sent, submitted later',
  '3 subjects, max-concurrency 1: the first POST accepted, then 429 retry-after 3600; timeout 20s; a second sweep',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 5 } } }, async world => {
      world.sim.addFault({
        host: 'api',
        method: 'POST',
        skip: 1,
        action: { type: 'status', status: 429, headers: { 'retry-after': '3600' } }
      })
      const ids = ['a@example.com', 'b@example.com', 'c@example.com']
      const n = world.file({ userIds: ids.join('\n') })
      const inputs = { timeout: '20s', 'max-concurrency': '1' }
      const first = await sweep(world, inputs)
      const marker = markerOf(world, n)
      expect(first.exitCode).toBe(0)
      expect(ledgerOf(first)).toMatchObject([{ issue: n, state: 'submitted' }])
      expect(world.sim.requests()).toHaveLength(1)
      expect(marker.requests.map(r => (r.requestId === null ? r.sent : 'accepted'))).toEqual([
        'accepted',
        'not-sent',
        'not-sent'
      ])
      world.sim.clearFaults()
      const next = await sweep(world, inputs)
      saw(`${describe(first, world)}; next sweep: ${states(next)}`)
      expect(next.exitCode).toBe(0)
      const requests = world.sim.requests()
      expect(requests).toHaveLength(3)
      // One DSAR per subject: the accepted one was not asked again.
      expect(new Set(requests.map(r => r.subject.userId))).toEqual(new Set(ids))
      expect(markerOf(world, n).requests.every(r => r.requestId !== null)).toBe(true)
      expect(ledgerOf(next)[0].requestIds).toHaveLength(3)
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Deadline',
  'per request: only the uncertain one needs a person',
  "3 subjects, max-concurrency 1: the first POST's connection is reset after it was sent; then a person adds the label again",
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 5 } } }, async world => {
      world.sim.addFault({ host: 'api', method: 'POST', times: 1, action: { type: 'reset' } })
      const ids = ['a@example.com', 'b@example.com', 'c@example.com']
      const n = world.file({ userIds: ids.join('\n') })
      const first = await sweep(world, { 'max-concurrency': '1' })
      expect(ledgerOf(first)).toMatchObject([{ issue: n, state: 'needs-attention' }])
      const accepted = world.sim.requests().map(r => String(r.requestId))
      expect(accepted).toHaveLength(2)
      expect(ledgerOf(first)[0].requestIds).toEqual(accepted)
      const marker = markerOf(world, n)
      expect(marker.requests.map(r => r.requestId ?? r.sent)).toEqual(['uncertain', ...accepted])
      const attention = decode(world.gh.comments(n).at(-1)!.body)
      for (const id of accepted) expect(attention).toContain(id)
      expect(attention).toContain(user('a@example.com'))
      // A person checked Amplitude and asks again: only the uncertain subject is submitted.
      world.gh.editIssue(n, { labels: ['dsar:needs-attention', 'dsar'] })
      const retry = await sweep(world, { 'max-concurrency': '1' })
      saw(`${describe(first, world)}; after the label was added again: ${states(retry)}`)
      expect(ledgerOf(retry)).toMatchObject([{ issue: n, state: 'submitted' }])
      const requests = world.sim.requests()
      expect(requests).toHaveLength(3)
      expect(new Set(requests.map(r => r.subject.userId))).toEqual(new Set(ids))
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Deadline',
  'GitHub never answers',
  'GET /issues stalls for 10 minutes; timeout: 8s',
  async saw => {
    await withWorld({}, async world => {
      world.file({ userIds: 'alice@example.com' })
      world.gh.addFault({
        method: 'GET',
        path: /\/issues$/,
        action: { type: 'stall', ms: 600_000 }
      })
      const run = await sweep(world, { timeout: '8s' })
      saw(describe(run, world))
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toContain("cut: the run's timeout ran out")
      expect(world.sim.log).toEqual([])
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Deadline',
  'an endless rel="next" chain',
  'GET /issues always answers [] with a Link to a next page',
  async saw => {
    await withWorld({}, async world => {
      world.file({ userIds: 'alice@example.com' })
      const next = `<${world.gh.url}/repos/${world.gh.repository}/issues?page=2>; rel="next"`
      world.gh.addFault({
        method: 'GET',
        path: /\/issues$/,
        action: { type: 'status', status: 200, headers: { link: next }, body: '[]' }
      })
      const run = await sweep(world)
      const pages = world.gh.log.filter(e => /\/issues(\?|$)/.test(e.path)).length
      saw(`${describe(run, world)}; ${pages} page request(s)`)
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toMatch(/kept answering with a next page after 100 pages/)
      expect(pages).toBeLessThanOrEqual(101)
      expect(world.sim.log).toEqual([])
    })
  },
  { timeoutMs: ROW_MS }
)

// ---------------------------------------------------------------------------------------------
// A changed ledger comment is noticed
// ---------------------------------------------------------------------------------------------

report.row(
  'Integrity',
  "the state line's request id edited by a person",
  "after the submit, the bot's ledger comment is edited (PATCH) to name a request made outside the ledger; the next sweep",
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0 } } }, async world => {
      const n = world.file({ userIds: 'alice@example.com' })
      await sweep(world)
      const own = String(world.sim.requests()[0].requestId)
      const outside = await call(world.sim, 'POST', '/api/2/dsar/requests', {
        body: { userId: 'someone-else@example.com', ...PERIOD }
      })
      const foreign = String((outside.json as { requestId: number }).requestId)
      const comment = world.gh.comments(n).find(c => c.body.includes(MARKER_PREFIX))!
      const edited = await fetch(
        `${world.gh.url}/repos/${world.gh.repository}/issues/comments/${comment.id}`,
        {
          method: 'PATCH',
          headers: { authorization: `token ${world.gh.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            body: comment.body.replace(`"requestId":"${own}"`, `"requestId":"${foreign}"`)
          })
        }
      )
      expect(edited.status).toBe(200)
      const before = world.sim.log.length
      const run = await sweep(world, { download: 'true' })
      saw(describe(run, world))
      expect(ledgerOf(run)).toMatchObject([{ issue: n, state: 'needs-attention' }])
      // Nothing polled or downloaded, nothing called delivered.
      expect(world.sim.log.slice(before)).toEqual([])
      const bodies = world.gh.comments(n).map(c => c.body)
      expect(bodies.some(b => b.includes('DSAR delivered'))).toBe(false)
      expect(bodies.at(-1)).toContain('integrity check')
    })
  }
)

report.row(
  'Integrity',
  'a status answer names another subject',
  "a correctly sealed state line points at a request for someone else's user id (a key that leaked, or a bug)",
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0 } } }, async world => {
      const outside = await call(world.sim, 'POST', '/api/2/dsar/requests', {
        body: { userId: 'someone-else@example.com', ...PERIOD }
      })
      const foreign = String((outside.json as { requestId: number }).requestId)
      const n = world.file({ userIds: 'alice@example.com' }, world.member, [
        'dsar',
        'dsar:submitted'
      ])
      world.gh.addComment(
        n,
        world.gh.botLogin,
        world.ledgerComment(n, {
          version: 2,
          state: 'submitted',
          ...PERIOD,
          requests: [
            {
              requestId: foreign,
              subject: user('alice@example.com'),
              status: 'staging',
              submittedAt: '2026-01-01T00:00:00.000Z',
              checkedAt: null,
              doneAt: null
            }
          ]
        })
      )
      const run = await sweep(world, { download: 'true' })
      saw(describe(run, world))
      expect(ledgerOf(run)).toMatchObject([{ issue: n, state: 'needs-attention' }])
      expect(world.sim.log.filter(e => e.host === 'storage')).toEqual([])
      const last = decode(world.gh.comments(n).at(-1)!.body)
      expect(last).toContain("not a subject of this issue's form")
      expect(last).not.toContain('someone-else')
      expect(run.outputs.files ?? '[]').toBe('[]')
    })
  }
)

// ---------------------------------------------------------------------------------------------
// Overlapping sweeps
// ---------------------------------------------------------------------------------------------

report.row(
  'Overlap',
  'two ledger comments on one issue',
  'the issue carries two sealed ledger comments of the action, each naming a request',
  async saw => {
    await withWorld({}, async world => {
      const n = world.file({ userIds: 'alice@example.com' }, world.member, [
        'dsar',
        'dsar:submitted'
      ])
      const marker = (requestId: string): LedgerMarker => ({
        version: 2,
        state: 'submitted',
        ...PERIOD,
        requests: [
          {
            requestId,
            subject: user('alice@example.com'),
            status: null,
            submittedAt: '2026-01-01T00:00:00.000Z',
            checkedAt: null,
            doneAt: null
          }
        ]
      })
      world.gh.addComment(n, world.gh.botLogin, world.ledgerComment(n, marker('53001')))
      world.gh.addComment(n, world.gh.botLogin, world.ledgerComment(n, marker('53002')))
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toEqual([
        { issue: n, state: 'needs-attention', requestIds: ['53001', '53002'] }
      ])
      const last = world.gh.comments(n).at(-1)!.body
      expect(last).toContain('53001')
      expect(last).toContain('53002')
      expect(world.sim.log).toEqual([])
    })
  }
)

report.row(
  'Overlap',
  "GitHub's comments count at 0 beside a submitting comment",
  "issues report comments: 0; the issue has the action's write-ahead comment (submitting, no request id)",
  async saw => {
    await withWorld({ gh: { staleCommentCounts: true } }, async world => {
      const n = world.file({ userIds: 'alice@example.com' })
      world.gh.addComment(
        n,
        world.gh.botLogin,
        world.ledgerComment(n, {
          version: 2,
          state: 'submitting',
          ...PERIOD,
          requests: [
            {
              requestId: null,
              subject: user('alice@example.com'),
              status: null,
              submittedAt: null,
              checkedAt: null,
              doneAt: null
            }
          ]
        })
      )
      const run = await sweep(world)
      saw(describe(run, world))
      expect(ledgerOf(run)).toMatchObject([{ issue: n, state: 'needs-attention' }])
      expect(dsarPosts(world)).toHaveLength(0)
    })
  }
)

report.row(
  'Overlap',
  'two sweeps at once (outside one concurrency group)',
  'two sweeps started together on one new issue; then a third',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 5 } } }, async world => {
      const n = world.file({ userIds: 'alice@example.com' })
      const [a, b] = await Promise.all([sweep(world), sweep(world)])
      const third = await sweep(world)
      saw(`${describe(a, world)}; the other: ${states(b)}; the third: ${states(third)}`)
      expect(dsarPosts(world)).toHaveLength(1)
      const own = world.gh.comments(n).filter(c => c.body.includes(MARKER_PREFIX))
      expect(own).toHaveLength(1)
      expect(ledgerOf(third)).toMatchObject([{ issue: n, state: 'submitted' }])
    })
  }
)

// ---------------------------------------------------------------------------------------------
// First use, delivery, messages
// ---------------------------------------------------------------------------------------------

report.row(
  'First use',
  'an empty repository',
  'no labels, no issues; a sweep started by hand (workflow_dispatch), then a second',
  async saw => {
    await withWorld({ emptyRepository: true }, async world => {
      const env = { GITHUB_EVENT_NAME: 'workflow_dispatch' }
      const run = await sweep(world, {}, { env })
      const made = world.gh.labels()
      saw(`${describe(run, world)}; labels: ${made.map(l => l.name).join(', ')}`)
      expect(run.exitCode).toBe(0)
      const wanted = ledgerLabels('dsar')
      expect(made.map(l => l.name).sort()).toEqual(wanted.map(l => l.name).sort())
      for (const label of made) {
        expect(label.description).toBeTruthy()
        expect(label.color).not.toBe('ededed')
      }
      const before = world.gh.log.length
      await sweep(world, {}, { env })
      expect(world.gh.log.slice(before).filter(e => e.method !== 'GET')).toEqual([])
    })
  }
)

report.row(
  'Delivery',
  'no artifact-name: ready to collect, not delivered',
  'download: true, no artifact-name; the requests finish',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0 } } }, async world => {
      const n = world.file({ userIds: 'alice@example.com' })
      await sweep(world, { download: 'true' })
      const run = await sweep(world, { download: 'true' })
      const id = String(world.sim.requests()[0].requestId)
      const last = world.gh.comments(n).at(-1)!.body
      saw(`${describe(run, world)}; comment: "${last.split('\n')[0]}"`)
      expect(ledgerOf(run)).toEqual([{ issue: n, state: 'ready', requestIds: [id] }])
      expect(world.gh.issue(n).state).toBe('open')
      expect(last).not.toContain('delivered**')
      expect(last).toContain(`request-ids: ${id}`)
      expect(last).toMatch(/before \d{4}-\d\d-\d\dT/)
    })
  }
)

report.row(
  'Messages',
  'GitHub refuses the connection',
  'GITHUB_API_URL points at a loopback port nothing listens on',
  async saw => {
    await withWorld({}, async world => {
      world.file({ userIds: 'alice@example.com' })
      const api = `http://127.0.0.1:${await closedPort()}`
      const run = await sweep(world, {}, { env: { GITHUB_API_URL: api } })
      saw(describe(run, world).replace(api, 'http://127.0.0.1:<port>'))
      expect(run.exitCode).toBe(1)
      expect(errorText(run)).toContain(`cannot reach GitHub at ${api}: connection refused`)
      expect(errorText(run)).not.toContain('HTTP 500')
    })
  }
)

report.row(
  'Delivery',
  'a symbolic link planted at the issue folder',
  'download-path/issue-1 is a link to a folder outside the workspace; the requests finish',
  async saw => {
    const workspace = mkdtempSync(join(tmpdir(), 'dsar-ws-'))
    const outside = mkdtempSync(join(tmpdir(), 'dsar-outside-'))
    try {
      await withWorld({ sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0 } } }, async world => {
        const n = world.file({ userIds: 'alice@example.com' })
        mkdirSync(join(workspace, 'exports'))
        symlinkSync(outside, join(workspace, 'exports', `issue-${n}`))
        const inputs = { download: 'true', 'download-path': 'exports' }
        await sweep(world, inputs, { workspace })
        const run = await sweep(world, inputs, { workspace })
        saw(describe(run, world))
        expect(readdirSync(outside)).toEqual([])
        expect(ledgerOf(run)).toMatchObject([{ issue: n, state: 'submitted' }])
        expect(errorText(run)).toContain(`issue-${n} is a symbolic link`)
        expect(world.sim.log.filter(e => e.host === 'storage')).toEqual([])
      })
    } finally {
      rmSync(workspace, { recursive: true, force: true })
      rmSync(outside, { recursive: true, force: true })
    }
  }
)
