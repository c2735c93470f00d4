/**
 * End to end, the ledger's state table (shared/reference/ledger-contract.md): dist/index.js with
 * `ledger: issues`, one process per sweep, against the DSAR simulator and the GitHub REST stand-in.
 * Each test walks issues through their states and checks what reached GitHub (comments, labels,
 * open/closed), what reached Amplitude (requests created, never twice) and the step's outputs.
 */
import { Decrypter, generateIdentity, identityToRecipient } from 'age-encryption'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MARKER_PREFIX } from '../src/ledger/marker.js'
import type { ActionRun } from './support/action-harness.js'
import { readZipEntries, startArtifactService } from './support/artifact-service.js'
import { startLedgerWorld, type LedgerWorld } from './support/ledger-world.js'

let world: LedgerWorld
afterEach(async () => {
  await world?.close()
})

const ledgerOf = (run: ActionRun) =>
  JSON.parse(run.outputs.ledger) as { issue: number; state: string; requestIds: string[] }[]
const writes = (w: LedgerWorld, from = 0) => w.gh.log.slice(from).filter(e => e.method !== 'GET')
const dsarPosts = (w: LedgerWorld) => w.sim.log.filter(e => e.method === 'POST')
const markerOf = (w: LedgerWorld, issue: number) => {
  const comment = w.gh.comments(issue).find(c => c.body.includes(MARKER_PREFIX))!
  const line = comment.body.trimEnd().split('\n').pop()!
  return JSON.parse(line.slice(MARKER_PREFIX.length, -' -->'.length)) as {
    state: string
    requests: { requestId: string | null; status: string | null; subject: string }[]
  }
}
const errorOf = (run: ActionRun) =>
  run.lines
    .filter(l => l.startsWith('::error::'))
    .join('\n')
    .replace(/%0A/g, '\n')

test('new -> submitted -> ready: one DSAR per subject, the ledger comment edited in place; without artifact-name not called delivered, left open', async () => {
  world = await startLedgerWorld({
    sim: { job: { pollsInStaging: 0, pollsInSubmitted: 1, files: 2, linesPerFile: 7 } }
  })
  const n = world.file({ userIds: 'alice@example.com', amplitudeIds: '4242', reference: 'T-17' })

  const first = await world.sweep({ download: 'true' })
  expect(first.exitCode).toBe(0)
  expect(dsarPosts(world)).toHaveLength(2)
  const ids = world.sim.requests().map(r => String(r.requestId))
  expect(ledgerOf(first)).toEqual([{ issue: n, state: 'submitted', requestIds: ids }])
  expect(world.gh.issue(n).labels.sort()).toEqual(['dsar', 'dsar:submitted'])
  expect(markerOf(world, n)).toMatchObject({
    state: 'submitted',
    requests: ids.map(requestId => ({ requestId, status: null }))
  })
  // The write-ahead record came before the first DSAR call.
  const markerPost = world.gh.log.find(e => e.method === 'POST' && e.path.endsWith('/comments'))!
  expect(markerPost.at).toBeLessThanOrEqual(dsarPosts(world)[0].at)

  const second = await world.sweep({ download: 'true' })
  expect(second.exitCode).toBe(0)
  expect(ledgerOf(second)[0].state).toBe('submitted')
  expect(markerOf(world, n).requests.map(r => r.status)).toEqual(['submitted', 'submitted'])

  const third = await world.sweep({ download: 'true' })
  expect(third.exitCode).toBe(0)
  // No artifact-name: the files stay on the runner, so nothing is called delivered and the issue
  // stays open, ready to collect by request id before the links expire.
  expect(ledgerOf(third)).toEqual([{ issue: n, state: 'ready', requestIds: ids }])
  expect(dsarPosts(world)).toHaveLength(2) // never submitted again
  const issue = world.gh.issue(n)
  expect(issue.state).toBe('open')
  expect(issue.labels).toEqual(['dsar:ready'])
  const comments = world.gh.comments(n)
  expect(comments).toHaveLength(2) // the ledger comment (edited) and the ready comment
  expect(comments.every(c => c.user.login === 'github-actions[bot]')).toBe(true)
  const ready = comments[1].body
  expect(ready).toContain('DSAR ready to collect (not delivered)')
  expect(ready).not.toContain('DSAR delivered')
  expect(ready).toContain(`request-ids: ${ids.join(',')}`)
  expect(ready).toMatch(/before \d{4}-\d\d-\d\dT/)
  expect(ready).toContain('T&#45;17')
  expect(JSON.parse(third.outputs.files)).toHaveLength(4)
  // Raw subject ids never appear in anything the action wrote.
  for (const c of comments) {
    expect(c.body).not.toContain('alice@example.com')
    expect(c.body).not.toContain('4242')
  }
  // A later sweep leaves it as it is: nothing written, nothing asked.
  const before = world.gh.log.length
  expect((await world.sweep({ download: 'true' })).exitCode).toBe(0)
  expect(writes(world, before)).toEqual([])
  expect(third.summary).toContain('Ledger sweep')
})

test('done with encrypt-to and artifact-name: one artifact per issue, encrypted files, receipt.json inside, close-on-done false keeps it open', async () => {
  world = await startLedgerWorld({
    sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1, linesPerFile: 5 } }
  })
  const service = await startArtifactService()
  try {
    const identity = await generateIdentity()
    const recipient = await identityToRecipient(identity)
    const a = world.file({ userIds: 'alice@example.com' })
    const b = world.file({ userIds: 'bob@example.com', reference: 'T-2' })
    const inputs = {
      'artifact-name': 'dsar-export',
      'encrypt-to': recipient,
      'close-on-done': 'false'
    }
    expect((await world.sweep(inputs, { env: service.env })).exitCode).toBe(0)
    const run = await world.sweep(inputs, { env: service.env })
    expect(run.exitCode).toBe(0)
    expect(ledgerOf(run).map(r => r.state)).toEqual(['done', 'done'])
    expect(service.artifacts.map(x => x.name).sort()).toEqual([
      `dsar-export-${a}`,
      `dsar-export-${b}`
    ])
    for (const issue of [a, b]) {
      expect(world.gh.issue(issue).state).toBe('open')
      expect(world.gh.issue(issue).labels).toEqual(['dsar:done'])
      const delivery = world.gh.comments(issue)[1].body
      expect(delivery).toContain(`dsar&#45;export&#45;${issue}`)
      expect(delivery).toContain('/actions/runs/4242/artifacts/')
      expect(delivery).toContain('Encrypted with age')
    }
    const upload = service.uploads.find(u => u.artifactName === `dsar-export-${b}`)!
    const zip = readZipEntries(upload.bytes)
    const requestId = String(world.sim.requests()[1].requestId)
    expect([...zip.keys()].sort()).toEqual([`${requestId}/output-001.json.gz.age`, 'receipt.json'])
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    const plain = await decrypter.decrypt(
      new Uint8Array(zip.get(`${requestId}/output-001.json.gz.age`)!)
    )
    const expected = await world.sim.expectedFile(requestId, 0)
    expect(createHash('sha256').update(plain).digest('hex')).toBe(expected.sha256)
    const receipt = JSON.parse(zip.get('receipt.json')!.toString('utf8'))
    expect(receipt).toMatchObject({
      receiptVersion: 1,
      issue: { number: b, reference: 'T-2' },
      apiHost: world.sim.url,
      requests: [{ requestId, statuses: [{ status: 'requested' }, { status: 'done' }] }],
      files: [
        { name: `${requestId}/output-001.json.gz.age`, sha256: expected.sha256, encrypted: true }
      ],
      encryption: { format: 'age', recipients: [recipient] },
      artifact: { name: `dsar-export-${b}`, retentionDays: 1 }
    })
    expect(JSON.stringify(receipt)).not.toContain('bob@example.com')
    expect(JSON.stringify(receipt)).not.toContain(world.sim.secretKey)
  } finally {
    await service.close()
  }
})

test('failed: the comment quotes failReason (escaped), failed label, left open, nothing resubmitted', async () => {
  world = await startLedgerWorld({
    sim: {
      job: {
        pollsInStaging: 0,
        pollsInSubmitted: 0,
        outcome: 'failed',
        failReason: 'Too many events <img src=x> @everyone'
      }
    }
  })
  const n = world.file({ userIds: 'alice@example.com' })
  expect((await world.sweep()).exitCode).toBe(0)
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)[0].state).toBe('failed')
  const issue = world.gh.issue(n)
  expect(issue.state).toBe('open')
  expect(issue.labels).toEqual(['dsar:failed'])
  const comment = world.gh.comments(n)[1].body
  expect(comment).toContain('DSAR failed')
  expect(comment).toContain('Too many events &#60;img src=x&#62; &#64;everyone')
  expect(comment).not.toContain('<img')
  expect(markerOf(world, n).state).toBe('failed')
  // Not listed any more (no `dsar` label): a further sweep touches nothing.
  const before = world.gh.log.length
  const again = await world.sweep()
  expect(ledgerOf(again)).toEqual([])
  expect(writes(world, before)).toEqual([])
  expect(dsarPosts(world)).toHaveLength(1)
})

test.each([
  ['no subject', { startDate: '2024-01-01' }, 'User IDs / Amplitude IDs'],
  ['a bad date', { userIds: 'alice', startDate: '2024-02-30' }, 'Start date'],
  [
    'an end before the start',
    { userIds: 'alice', startDate: '2024-05-01', endDate: '2024-04-01' },
    'Start date'
  ],
  ['an Amplitude ID that is not a number', { amplitudeIds: '12a' }, 'Amplitude IDs']
])(
  'needs-info on %s: the comment names the field, nothing is submitted',
  async (_name, form, field) => {
    world = await startLedgerWorld()
    const n = world.file(form)
    const run = await world.sweep()
    expect(run.exitCode).toBe(0)
    expect(ledgerOf(run)).toEqual([{ issue: n, state: 'needs-info', requestIds: [] }])
    expect(world.gh.issue(n).labels).toEqual(['dsar:needs-info'])
    const comment = world.gh.comments(n)[0].body
    expect(comment).toContain('DSAR needs information')
    expect(
      comment.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)))
    ).toContain(field)
    expect(world.sim.log).toEqual([])
  }
)

test('needs-info, then the issue is edited and the label added again: submitted', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 1 } } })
  const n = world.file('I need my data please')
  expect(ledgerOf(await world.sweep())[0].state).toBe('needs-info')
  world.gh.editIssue(n, {
    body: (await import('./support/ledger-world.js')).formBody({ userIds: 'alice@example.com' }),
    labels: ['dsar:needs-info', 'dsar']
  })
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)[0].state).toBe('submitted')
  expect(world.gh.issue(n).labels.sort()).toEqual(['dsar', 'dsar:submitted'])
  expect(dsarPosts(world)).toHaveLength(1)
})

test('refused: an outsider gets a comment that says nothing about the subject; no DSAR call', async () => {
  world = await startLedgerWorld()
  world.gh.addUser({ login: 'outsider', permission: 'none' })
  const n = world.file(
    { userIds: 'victim@example.com', reference: 'victim@example.com' },
    'outsider'
  )
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)).toEqual([{ issue: n, state: 'refused', requestIds: [] }])
  expect(world.gh.issue(n).labels).toEqual(['dsar:refused'])
  const [comment] = world.gh.comments(n)
  expect(comment.body).toContain('DSAR refused')
  expect(comment.body).not.toMatch(/victim|#[0-9a-f]{8}/)
  expect(world.sim.log).toEqual([])
  expect(world.gh.log.some(e => e.path.endsWith('/collaborators/outsider/permission'))).toBe(true)
})

test('a private org member shown as CONTRIBUTOR is asked about by permission, and may ask', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 1 } } })
  world.gh.addUser({ login: 'quiet-member', permission: 'read', association: 'CONTRIBUTOR' })
  const n = world.file({ userIds: 'alice@example.com' }, 'quiet-member')
  const run = await world.sweep()
  expect(ledgerOf(run)).toEqual([
    { issue: n, state: 'submitted', requestIds: [String(world.sim.requests()[0].requestId)] }
  ])
})

test('submitting with no request id (a run died mid-submit): needs-attention, never resubmitted', async () => {
  world = await startLedgerWorld()
  const n = world.file({ userIds: 'alice@example.com' })
  // The write-ahead record of a run that died before Amplitude answered.
  world.gh.addComment(
    n,
    world.gh.botLogin,
    world.ledgerComment(n, {
      version: 2,
      state: 'submitting',
      startDate: '2024-01-01',
      endDate: '2024-12-31',
      requests: [
        {
          requestId: null,
          subject: 'user #0123abcd',
          status: null,
          submittedAt: null,
          checkedAt: null,
          doneAt: null
        }
      ]
    })
  )
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)[0].state).toBe('needs-attention')
  expect(world.sim.log).toEqual([])
  expect(world.gh.issue(n).labels).toEqual(['dsar:needs-attention'])
  expect(world.gh.comments(n).at(-1)!.body).toContain('DSAR needs attention')
  expect(markerOf(world, n).state).toBe('needs-attention')
  // A person decides to submit: adding the label again is the way.
  world.gh.editIssue(n, { labels: ['dsar:needs-attention', 'dsar'] })
  expect(ledgerOf(await world.sweep())[0].state).toBe('submitted')
  expect(dsarPosts(world)).toHaveLength(1)
})

test('links expired before delivery: expired label and a comment telling the team to resubmit', async () => {
  world = await startLedgerWorld({
    sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0 }, linkTtlMs: 0 }
  })
  const n = world.file({ userIds: 'alice@example.com' })
  expect((await world.sweep({ download: 'true' })).exitCode).toBe(0)
  const run = await world.sweep({ download: 'true' })
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)[0].state).toBe('expired')
  expect(world.gh.issue(n).labels).toEqual(['dsar:expired'])
  expect(world.gh.comments(n).at(-1)!.body).toContain('DSAR expired')
  expect(world.sim.log.filter(e => e.host === 'storage')).toEqual([])
})

test('without the write-spacing test hook a sweep spaces its GitHub writes as GitHub asks, 1 s apart', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 0, pollsInSubmitted: 5 } } })
  world.file({ userIds: 'alice@example.com' })
  // '' is unset for the hooks (src/run/test-hooks.ts): the production spacing.
  const run = await world.sweep({}, { env: { DSAR_TEST_WRITE_SPACING_MS: '' } })
  expect(run.exitCode).toBe(0)
  // The issue taken up: its ledger comment, the comment's record, its labels.
  const sent = writes(world)
  expect(sent.length).toBeGreaterThanOrEqual(3)
  // Each write takes a slot 1 s after the previous one's (the throttling plugin; 3 s between
  // comments is ledger-github-client.test.ts's), so n writes span at least n - 1 s. Measured where
  // the requests arrive, a little after the client let them go: some slack below, none above (a
  // slower machine only widens the gaps).
  expect(sent[sent.length - 1].at - sent[0].at).toBeGreaterThanOrEqual(
    (sent.length - 1) * 1000 - 200
  )
}, 60_000)

test('a sweep in which no status changed makes no write call to GitHub', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 10 } } })
  world.file({ userIds: 'alice@example.com' })
  world.file({ userIds: 'bob@example.com' })
  await world.sweep() // submits both
  await world.sweep() // first status seen: staging (a change: the ledger comments are edited)
  const before = world.gh.log.length
  const polls = world.sim.log.length
  const run = await world.sweep()
  expect(run.exitCode).toBe(0)
  expect(world.sim.log.length - polls).toBe(2) // each request checked once
  expect(writes(world, before)).toEqual([])
  expect(run.summary).toContain('still staging (nothing written)')
})

test('downloads go beside receipt.json in download-path/issue-N, and the files output lists them', async () => {
  world = await startLedgerWorld({
    sim: { job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1 } }
  })
  const n = world.file({ userIds: 'alice@example.com' })
  await world.sweep({ download: 'true' })
  const run = await world.sweep({ download: 'true' })
  const [file] = JSON.parse(run.outputs.files) as { path: string }[]
  const dir = join(run.runnerTemp, 'amplitude-dsar', `issue-${n}`)
  expect(file.path.startsWith(dir)).toBe(true)
  const receipt = JSON.parse(readFileSync(join(dir, 'receipt.json'), 'utf8'))
  expect(receipt.files[0].name).toBe(file.path.slice(dir.length + 1))
  expect(JSON.stringify(receipt)).not.toContain('alice@example.com')
  expect(errorOf(run)).toBe('')
})

test('a run started by an issue event takes up new issues at once and leaves requests in progress to the schedule', async () => {
  world = await startLedgerWorld({ sim: { job: { pollsInStaging: 5 } } })
  const first = world.file({ userIds: 'alice@example.com' })
  await world.sweep()
  const second = world.file({ userIds: 'bob@example.com' })
  const ghBefore = world.gh.log.length
  const simBefore = world.sim.log.length
  const run = await world.sweep({}, { env: { GITHUB_EVENT_NAME: 'issues' } })
  expect(run.exitCode).toBe(0)
  expect(ledgerOf(run)).toEqual([
    { issue: second, state: 'submitted', requestIds: [String(world.sim.requests()[1].requestId)] }
  ])
  // Amplitude saw the new DSAR only; GitHub was not asked about the first issue's comments.
  expect(world.sim.log.slice(simBefore).map(e => e.method)).toEqual(['POST'])
  expect(world.gh.log.slice(ghBefore).some(e => e.path.includes(`/issues/${first}/`))).toBe(false)
  // The next scheduled sweep checks both.
  const scheduled = await world.sweep()
  expect(ledgerOf(scheduled).map(r => r.issue)).toEqual([first, second])
})

test("workflow: apis-io (the seed's contract): one request for the issue's user ids, checked and delivered", async () => {
  world = await startLedgerWorld({
    sim: { job: { pollsInStaging: 0, pollsInSubmitted: 1, files: 1 } }
  })
  const n = world.file({ userIds: 'alice@example.com, alice-2@example.com' })
  const inputs = { workflow: 'apis-io', download: 'true' }
  const first = await world.sweep(inputs)
  expect(first.exitCode).toBe(0)
  const [request] = world.sim.requests()
  expect(world.sim.requests()).toHaveLength(1)
  expect(request.subject.userIds).toEqual(['alice@example.com', 'alice-2@example.com'])
  expect(markerOf(world, n).requests).toEqual([
    expect.objectContaining({
      requestId: String(request.requestId),
      subject: expect.stringMatching(/^user #[0-9a-f]{8}, user #[0-9a-f]{8}$/)
    })
  ])
  await world.sweep(inputs)
  const last = await world.sweep(inputs)
  expect(last.exitCode).toBe(0)
  expect(ledgerOf(last)).toEqual([
    { issue: n, state: 'ready', requestIds: [String(request.requestId)] }
  ])
  // The seed's download_url is a presigned link: it never reaches a comment.
  for (const c of world.gh.comments(n)) expect(c.body).not.toMatch(/X-Amz|https?:\/\/127\.0\.0\.2/)
})
