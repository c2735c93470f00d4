/**
 * Reliability matrix, every request's legal clock (issue 22, docs/desk.md): dist/index.js sweeps
 * DSAR issues against the DSAR simulator and the GitHub REST stand-in (127.0.0.1). Due dates per
 * regime from the form's `Received on` and `Regime`; `due-soon` and `overdue` each told once, not
 * every sweep; `<label>:extended` moves the due date; finishing removes the notices' labels; the
 * receipt and the job summary carry the clock.
 * Time: the action runs on the real clock, so the rows set `Received on` relative to today, each
 * in the middle of its band (a day passing during the row changes nothing they assert).
 */
import { addCalendarMonths, addDays } from '../../src/ledger/deadlines.js'
import { MARKER_PREFIX, type LedgerMarker } from '../../src/ledger/marker.js'
import { subjectFingerprint } from '../../src/run/subject-fingerprint.js'
import type { ActionRun } from '../support/action-harness.js'
import { call, PERIOD } from '../simulator-helpers.js'
import { readZipEntries, startArtifactService } from '../support/artifact-service.js'
import { startLedgerWorld, type LedgerWorld } from '../support/ledger-world.js'
import { describeRun, expectNoLeaks, Report, STACK_FRAME } from './support.js'

const report = new Report('ledger-deadlines')
report.note(
  'Test hooks in these runs (read by src/run/test-hooks.ts, unset on real runners): retry waits use ' +
    "a 20 ms unit (DSAR_TEST_BACKOFF_BASE_MS), and GitHub's spacing of writes is 10 ms instead of 1 s " +
    '(DSAR_TEST_WRITE_SPACING_MS).'
)
const SAFETY_NET_MS = 150_000
const ROW_MS = 300_000
/** Requests stay at Amplitude for the whole row (staging for many polls). */
const PENDING = { job: { pollsInStaging: 50 } }

const today = () => new Date().toISOString().slice(0, 10)
const daysAgo = (n: number) => addDays(today(), -n)

const markerOf = (w: LedgerWorld, issue: number) => {
  const comment = w.gh.comments(issue).find(c => c.body.includes(MARKER_PREFIX))!
  const line = comment.body.trimEnd().split('\n').pop()!
  return JSON.parse(line.slice(MARKER_PREFIX.length, -' -->'.length)) as LedgerMarker & {
    version: number
  }
}
const ledgerBody = (w: LedgerWorld, issue: number) =>
  w.gh.comments(issue).find(c => c.body.includes(MARKER_PREFIX))!.body
const notices = (w: LedgerWorld, issue: number, kind: 'due soon' | 'overdue') =>
  w.gh.comments(issue).filter(c => c.body.startsWith(`**DSAR ${kind}**`))
const writes = (w: LedgerWorld, from = 0) =>
  w.gh.log.slice(from).filter(e => e.method !== 'GET' && !e.path.endsWith('/labels?per_page=100'))
/** Comment text as GitHub renders it: numeric entities decoded. */
const decode = (text: string) =>
  text.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
const dsarPosts = (w: LedgerWorld) => w.sim.log.filter(e => e.method === 'POST' && e.host === 'api')

async function sweep(world: LedgerWorld, inputs: Record<string, string> = {}, env = {}) {
  const run = await world.sweep(inputs, { killAfterMs: SAFETY_NET_MS, env })
  expectNoLeaks(run, {
    inputs: { 'api-key': world.sim.apiKey, 'secret-key': world.sim.secretKey },
    sim: world.sim
  })
  expect(run.lines.join('\n')).not.toMatch(STACK_FRAME)
  expect(run.signal).toBeNull()
  return run
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

function describe(run: ActionRun): string {
  return describeRun(run, [])
}

// ---------------------------------------------------------------------------------------------
// Notices: once per threshold
// ---------------------------------------------------------------------------------------------

report.row(
  'Notices',
  'due-soon: told once across four sweeps',
  'a GDPR request received 27 days ago (due in 3-4 days), pending at Amplitude; four hourly sweeps',
  async saw => {
    await withWorld({ sim: PENDING }, async world => {
      const receivedOn = daysAgo(27)
      const due = addCalendarMonths(receivedOn, 1)
      const n = world.file({ userIds: 'alice@example.com', receivedOn })
      const first = await sweep(world)
      expect(first.exitCode).toBe(0)
      // The second sweep records Amplitude's first status answer (a write of its own).
      expect((await sweep(world)).exitCode).toBe(0)
      const after = world.gh.log.length
      for (let i = 0; i < 2; i++) expect((await sweep(world)).exitCode).toBe(0)
      const soon = notices(world, n, 'due soon')
      saw(
        `${describe(first)}; ${soon.length} due-soon comment(s) over 4 sweeps; labels ` +
          `${world.gh.issue(n).labels.join(', ')}; ${writes(world, after).length} write(s) in sweeps 3-4`
      )
      expect(soon).toHaveLength(1)
      expect(soon[0].body).toContain(`is due on ${due}`)
      expect(soon[0].body).toContain('“dsar:extended”')
      expect(notices(world, n, 'overdue')).toHaveLength(0)
      expect(world.gh.issue(n).labels.sort()).toEqual(['dsar', 'dsar:due-soon', 'dsar:submitted'])
      expect(markerOf(world, n)).toMatchObject({
        version: 3,
        deadline: { receivedOn, regime: 'GDPR', dueDate: due, dueSoon: due }
      })
      expect(ledgerBody(world, n)).toContain(`Due: **${due}** (GDPR, received ${receivedOn})`)
      expect(writes(world, after)).toEqual([])
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Notices',
  'overdue: told once across three sweeps, never due-soon after it',
  'a GDPR request received 40 days ago (due about 10 days ago), pending; three sweeps',
  async saw => {
    await withWorld({ sim: PENDING }, async world => {
      const receivedOn = daysAgo(40)
      const due = addCalendarMonths(receivedOn, 1)
      const n = world.file({ userIds: 'alice@example.com', receivedOn })
      const first = await sweep(world)
      expect((await sweep(world)).exitCode).toBe(0)
      const after = world.gh.log.length
      expect((await sweep(world)).exitCode).toBe(0)
      const late = notices(world, n, 'overdue')
      saw(
        `${describe(first)}; ${late.length} overdue and ${notices(world, n, 'due soon').length} ` +
          `due-soon comment(s); labels ${world.gh.issue(n).labels.join(', ')}`
      )
      expect(first.exitCode).toBe(0)
      expect(late).toHaveLength(1)
      expect(late[0].body).toContain(`was due on ${due}`)
      expect(notices(world, n, 'due soon')).toHaveLength(0)
      expect(world.gh.issue(n).labels.sort()).toEqual(['dsar', 'dsar:overdue', 'dsar:submitted'])
      expect(markerOf(world, n).deadline).toMatchObject({ dueDate: due, overdue: due })
      expect(markerOf(world, n).deadline?.dueSoon).toBeUndefined()
      expect(writes(world, after)).toEqual([])
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Notices',
  'extended: the due date moves once, the overdue label goes, nothing more is said',
  'an overdue GDPR request (received 40 days ago); a person adds dsar:extended; two more sweeps',
  async saw => {
    await withWorld({ sim: PENDING }, async world => {
      const receivedOn = daysAgo(40)
      const n = world.file({ userIds: 'alice@example.com', receivedOn })
      await sweep(world)
      expect(world.gh.issue(n).labels).toContain('dsar:overdue')
      world.gh.editIssue(n, { labels: [...world.gh.issue(n).labels, 'dsar:extended'] })
      const comments = world.gh.comments(n).length
      const run = await sweep(world)
      const after = world.gh.log.length
      expect((await sweep(world)).exitCode).toBe(0)
      const extendedDue = addCalendarMonths(receivedOn, 3)
      saw(
        `${describe(run)}; due ${markerOf(world, n).deadline?.dueDate}; labels ` +
          `${world.gh.issue(n).labels.join(', ')}; ${world.gh.comments(n).length - comments} new comment(s)`
      )
      expect(run.exitCode).toBe(0)
      expect(markerOf(world, n).deadline).toMatchObject({ dueDate: extendedDue, extended: true })
      expect(ledgerBody(world, n)).toContain(
        `Due: **${extendedDue}** (GDPR, received ${receivedOn}, extended)`
      )
      expect(world.gh.issue(n).labels.sort()).toEqual(['dsar', 'dsar:extended', 'dsar:submitted'])
      expect(world.gh.comments(n)).toHaveLength(comments)
      expect(writes(world, after)).toEqual([])
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Notices',
  'finishing removes due-soon and overdue; the receipt records the clock, who filed and how identity was checked',
  'an overdue CCPA request (received 50 days ago, identity checked) done at Amplitude; delivered with artifact-name',
  async saw => {
    await withWorld(
      { sim: { job: { pollsInStaging: 0, pollsInSubmitted: 1, files: 1 } } },
      async world => {
        const service = await startArtifactService()
        try {
          const receivedOn = daysAgo(50)
          const n = world.file({
            userIds: 'alice@example.com',
            receivedOn,
            regime: 'CCPA',
            identityVerified: 'reply from the address on file'
          })
          const inputs = { 'artifact-name': 'dsar-export', 'encrypt-to': 'none' }
          await sweep(world, inputs, service.env)
          expect(world.gh.issue(n).labels).toContain('dsar:overdue')
          let run = await sweep(world, inputs, service.env)
          for (let i = 0; i < 2 && world.gh.issue(n).state === 'open'; i++) {
            run = await sweep(world, inputs, service.env)
          }
          const upload = service.uploads.find(u => u.artifactName === `dsar-export-${n}`)
          const receipt = upload
            ? (JSON.parse(readZipEntries(upload.bytes).get('receipt.json')!.toString('utf8')) as {
                deadline?: Record<string, unknown>
                filedBy?: string
                identityVerified?: string | null
              })
            : undefined
          saw(
            `${describe(run)}; issue ${world.gh.issue(n).state}, labels ` +
              `${world.gh.issue(n).labels.join(', ')}; receipt deadline ${JSON.stringify(receipt?.deadline)}`
          )
          expect(world.gh.issue(n).state).toBe('closed')
          expect(world.gh.issue(n).labels).toEqual(['dsar:done'])
          const due = addDays(receivedOn, 45)
          expect(receipt?.deadline).toEqual({
            receivedOn,
            regime: 'CCPA',
            dueDate: due,
            extended: false,
            finishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/)
          })
          expect(receipt?.filedBy).toBe('priya')
          expect(receipt?.identityVerified).toBe('reply from the address on file')
          expect(markerOf(world, n).deadline).toMatchObject({
            dueDate: due,
            finishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/)
          })
        } finally {
          await service.close()
        }
      }
    )
  },
  { timeoutMs: ROW_MS }
)

// ---------------------------------------------------------------------------------------------
// The form and the summary
// ---------------------------------------------------------------------------------------------

report.row(
  'Form',
  'a bad Received on: needs-info naming the field, nothing sent',
  'Received on "last Tuesday"; one sweep',
  async saw => {
    await withWorld({}, async world => {
      const n = world.file({ userIds: 'alice@example.com', receivedOn: 'last Tuesday' })
      const run = await sweep(world)
      const comment = decode(world.gh.comments(n)[0]?.body ?? '')
      saw(
        `${describe(run)}; labels ${world.gh.issue(n).labels.join(', ')}; "${comment.split('\n')[0]}"`
      )
      expect(world.gh.issue(n).labels).toEqual(['dsar:needs-info'])
      expect(comment).toContain('Received on must be a calendar day, YYYY-MM-DD')
      expect(comment).not.toContain('last Tuesday')
      expect(dsarPosts(world)).toHaveLength(0)
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Form',
  'the job summary lists open requests by due date, soonest first',
  'four issues: GDPR 20 days ago, CCPA (ledger-regime) today, Other 5 days ago with ledger-due-days 10, GDPR 3 days ago',
  async saw => {
    await withWorld({ sim: PENDING }, async world => {
      const a = world.file({ userIds: 'a@example.com', receivedOn: daysAgo(20), regime: 'GDPR' })
      const b = world.file({ userIds: 'b@example.com' })
      const c = world.file({ userIds: 'c@example.com', receivedOn: daysAgo(5), regime: 'Other' })
      const d = world.file({ userIds: 'd@example.com', receivedOn: daysAgo(3), regime: 'GDPR' })
      const inputs = { 'ledger-regime': 'CCPA', 'ledger-due-days': '10' }
      await sweep(world, inputs)
      const run = await sweep(world, inputs)
      const section = run.summary.slice(run.summary.indexOf('Open requests by due date'))
      const order = [...section.matchAll(/<td>#(\d+)<\/td>/g)].map(m => Number(m[1]))
      saw(`${describe(run)}; summary order ${order.map(i => `#${i}`).join(', ')}`)
      expect(run.exitCode).toBe(0)
      // Other: 10 days from 5 days ago (in 5 days); GDPR 20 days ago (in ~10); CCPA today (45); GDPR
      // 3 days ago (in ~28).
      expect(order).toEqual([c, a, d, b])
      expect(markerOf(world, b).deadline).toMatchObject({
        regime: 'CCPA',
        dueDate: addDays(today(), 45)
      })
    })
  },
  { timeoutMs: ROW_MS }
)

report.row(
  'Form',
  'a version-2 state line in flight is read, and its next write carries the clock',
  'an issue submitted by the previous release (sealed version-2 line, no deadline), received 27 days ago; one sweep',
  async saw => {
    await withWorld({ sim: { job: { pollsInStaging: 0, pollsInSubmitted: 5 } } }, async world => {
      const receivedOn = daysAgo(27)
      const n = world.file({ userIds: 'alice@example.com', receivedOn }, world.member, [
        'dsar',
        'dsar:submitted'
      ])
      const created = await call(world.sim, 'POST', '/api/2/dsar/requests', {
        body: { userId: 'alice@example.com', ...PERIOD }
      })
      const requestId = String((created.json as { requestId: number }).requestId)
      world.gh.addComment(
        n,
        world.gh.botLogin,
        world.ledgerComment(n, {
          version: 2,
          state: 'submitted',
          ...PERIOD,
          requests: [
            {
              requestId,
              subject: subjectFingerprint({ kind: 'userId', userId: 'alice@example.com' }),
              status: 'staging',
              submittedAt: new Date().toISOString(),
              checkedAt: null,
              doneAt: null
            }
          ]
        })
      )
      const run = await sweep(world)
      const marker = markerOf(world, n)
      saw(
        `${describe(run)}; state line version ${marker.version}, deadline ${JSON.stringify(marker.deadline)}`
      )
      expect(marker.version).toBe(3)
      expect(marker.deadline).toMatchObject({ receivedOn, regime: 'GDPR' })
      expect(notices(world, n, 'due soon')).toHaveLength(1)
    })
  },
  { timeoutMs: ROW_MS }
)
