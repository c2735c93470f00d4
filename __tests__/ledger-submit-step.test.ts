/**
 * The ledger's submit step (src/ledger/submit-step.ts) in-process: `run()` of src/main.ts sweeps
 * DSAR issues against the DSAR simulator (HTTP on loopback, with its faults) and the GitHub
 * stand-in (through its in-process fetch, without GitHub's real-time write spacing). The same
 * behaviour runs through the bundle in reliability/ledger.test.ts; here each mutant of the step is
 * seen (`npx stryker run --mutate src/ledger/submit-step.ts`).
 *
 * The rule above all: a DSAR POST that may have reached Amplitude is never sent again; the issue
 * asks a person (`needs-attention`) instead.
 */
import { readFileSync } from 'node:fs'
import { run } from '../src/main.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { startGitHubStandIn, type GitHubStandIn } from '../src/simulator/github/index.js'
import { formBody, type FormFields } from '../src/ledger/form.js'
import { ledgerComment } from '../src/ledger/comments.js'
import { ledgerLabels } from '../src/ledger/labels.js'
import { MARKER_PREFIX, type LedgerMarker } from '../src/ledger/marker.js'
import { ledgerKey, sealFor } from '../src/ledger/seal.js'
import { credentialMaskForms, encodeBasicAuth } from '../src/run/secret-helper.js'
import { mayAsk } from '../src/ledger/submit-step.js'
import type { SweepContext } from '../src/ledger/sweep-context.js'
import type { IssueFacts } from '../src/ledger/github-shapes.js'
import { parseCommandFile, prepareRunner } from './support/action-harness.js'

interface Sweep {
  failed: boolean
  outputs: Record<string, string>
  log: string
  ledger: { issue: number; state: string; requestIds: string[] }[]
}

let sim: Simulator
let gh: GitHubStandIn
const member = 'priya'

beforeEach(async () => {
  sim = await startSimulator({ job: { pollsInStaging: 2 } })
  gh = await startGitHubStandIn()
  gh.addUser({ login: member, permission: 'write' })
  for (const l of ledgerLabels('dsar')) gh.addLabel(l.name, l.color, l.description)
})

afterEach(async () => {
  await Promise.all([sim.close(), gh.close()])
})

/** One sweep of `ledger: issues`, in this process, as the runner would start it. */
async function sweep(
  inputs: Record<string, string> = {},
  githubFetch: typeof fetch = gh.fetch
): Promise<Sweep> {
  const { env, files } = prepareRunner(
    {
      ledger: 'issues',
      'github-token': gh.token,
      'api-url': sim.url,
      'api-key': sim.apiKey,
      'secret-key': sim.secretKey,
      timeout: '2m',
      ...inputs
    },
    { env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: gh.repository } }
  )
  const saved = { ...process.env }
  const written: string[] = []
  const write = process.stdout.write
  const exitCode = process.exitCode
  Object.assign(process.env, env, { DSAR_TEST_BACKOFF_BASE_MS: '20' })
  // Everything the run logs (workflow commands included) stays in `written`, off Jest's stdout.
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const callback = rest.find(arg => typeof arg === 'function') as (() => void) | undefined
    callback?.()
    return true
  }
  try {
    await run({ github: { fetch: githubFetch, realTimeWaits: false } })
  } finally {
    process.stdout.write = write
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  }
  const failed = process.exitCode === 1
  process.exitCode = exitCode
  const outputs = parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'))
  return {
    failed,
    outputs,
    log: written.join(''),
    ledger: JSON.parse(outputs.ledger ?? '[]') as Sweep['ledger']
  }
}

const form = (fields: Partial<FormFields> = {}): FormFields => ({
  userIds: 'alice@example.com',
  ...fields
})
const file = (fields: Partial<FormFields> = {}, author = member): number =>
  gh.fileIssue({ author, body: formBody(form(fields)), labels: ['dsar'] })
const dsarPosts = (): number => sim.log.filter(e => e.method === 'POST').length
const ownComments = (n: number) => gh.comments(n).filter(c => c.user.login === gh.botLogin)

/** The ledger comment's state line on issue `n` (the action's own comment). */
function markerOf(n: number): LedgerMarker {
  const comment = ownComments(n).find(c => c.body.includes(MARKER_PREFIX))
  if (!comment) throw new Error(`issue #${n} has no ledger comment`)
  const line = comment.body.trimEnd().split('\n').pop()!
  return JSON.parse(line.slice(MARKER_PREFIX.length, -' -->'.length)) as LedgerMarker
}

test('the sweep registers every form of the credentials and the token as masks before it logs anything', async () => {
  file()
  const { log } = await sweep()
  const lines = log.split('\n')
  const firstOther = lines.findIndex(line => !line.startsWith('::add-mask::'))
  // The runner reads a command's value with %25, %0D and %0A decoded (@actions/core escapes them).
  const unescape = (value: string) =>
    value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
  const masks = new Set(
    lines.slice(0, firstOther).map(line => unescape(line.slice('::add-mask::'.length)))
  )
  const forms = [
    ...credentialMaskForms({ apiKey: sim.apiKey, secretKey: sim.secretKey, basicAuth: '' }),
    gh.token
  ]
  expect(forms.length).toBeGreaterThan(4)
  expect(forms.filter(form => !masks.has(form))).toEqual([])
})

describe('who may ask', () => {
  test('a collaborator’s issue is submitted: one DSAR, the ledger comment records its id', async () => {
    const n = file()
    const result = await sweep()
    expect(result.failed).toBe(false)
    expect(dsarPosts()).toBe(1)
    const id = String(sim.requests()[0].requestId)
    expect(result.ledger).toEqual([{ issue: n, state: 'submitted', requestIds: [id] }])
    expect(result.log).toContain(`issue #${n}: new -> submitted: submitted ${id}\n`)
    expect(gh.issue(n).labels).toEqual(['dsar', 'dsar:submitted'])
    const marker = markerOf(n)
    expect(marker.state).toBe('submitted')
    expect(marker.until).toBeUndefined()
    expect(marker.requests).toEqual([
      expect.objectContaining({
        requestId: id,
        subject: expect.stringMatching(/^user #[0-9a-f]{8}$/),
        status: null,
        submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        checkedAt: null,
        doneAt: null
      })
    ])
    expect(result.log).toContain(`Amplitude accepted request ${id} (user #`)
    expect(result.log).toMatch(/ledger says submitting; submitting 1 request\(s\)/)
  })

  test.each(['read', 'triage'])(
    'someone GitHub shows as NONE but with %s permission may ask (a private org member)',
    async permission => {
      gh.addUser({ login: 'sam', permission: permission as 'read' })
      const n = gh.fileIssue({
        author: 'sam',
        body: formBody(form()),
        labels: ['dsar'],
        association: 'NONE'
      })
      const result = await sweep()
      expect(result.ledger).toMatchObject([{ issue: n, state: 'submitted' }])
      expect(dsarPosts()).toBe(1)
    }
  )

  test('an outsider’s issue is refused: a comment, the refused label, nothing sent', async () => {
    gh.addUser({ login: 'mallory', permission: 'none' })
    const n = gh.fileIssue({
      author: 'mallory',
      body: formBody(form()),
      labels: ['dsar'],
      association: 'NONE'
    })
    const result = await sweep()
    expect(result.ledger).toEqual([{ issue: n, state: 'refused', requestIds: [] }])
    expect(result.log).toContain(
      `issue #${n}: new -> refused: the author is not an owner, member or collaborator`
    )
    expect(dsarPosts()).toBe(0)
    expect(gh.issue(n).labels).toEqual(['dsar:refused'])
    expect(ownComments(n)).toHaveLength(1)
    expect(ownComments(n)[0].body).not.toContain(MARKER_PREFIX)
  })

  test('an owner’s issue is taken without looking up a permission', async () => {
    const n = gh.fileIssue({
      author: 'octo-owner',
      body: formBody(form()),
      labels: ['dsar'],
      association: 'OWNER'
    })
    const result = await sweep()
    expect(result.ledger).toMatchObject([{ issue: n, state: 'submitted' }])
    expect(gh.log.some(e => e.path.includes('/permission'))).toBe(false)
  })
})

test('a form that cannot be read asks for the field: needs-info, nothing sent', async () => {
  const n = file({ userIds: '' })
  const result = await sweep()
  expect(result.ledger).toMatchObject([{ issue: n, state: 'needs-info' }])
  expect(result.log).toContain(`issue #${n}: new -> needs-info: the form: `)
  expect(dsarPosts()).toBe(0)
  expect(gh.issue(n).labels).toEqual(['dsar:needs-info'])
  expect(ownComments(n)).toHaveLength(1)
})

describe('never resubmitting on doubt', () => {
  test('the DSAR POST handled but its answer lost (reset): needs-attention, and the next sweep sends nothing', async () => {
    sim.addFault({
      host: 'api',
      method: 'POST',
      times: 1,
      action: { type: 'reset', afterHandling: true }
    })
    const n = file()
    const first = await sweep()
    expect(sim.faultsInjected).toBe(1)
    expect(first.ledger).toMatchObject([{ issue: n, state: 'needs-attention', requestIds: [] }])
    expect(first.log).toContain(
      `issue #${n}: new -> needs-attention: some requests may have been created without an answer`
    )
    expect(first.failed).toBe(true)
    expect(first.log).not.toContain('Amplitude accepted request')
    const marker = markerOf(n)
    expect(marker.state).toBe('needs-attention')
    expect(marker.requests).toEqual([
      expect.objectContaining({ requestId: null, sent: 'uncertain' })
    ])
    expect(gh.issue(n).labels).toEqual(['dsar:needs-attention'])
    const attention = ownComments(n).find(c => !c.body.includes(MARKER_PREFIX))
    expect(attention?.body).toContain('Amplitude accepted 0 of 1 requests; 0 were never sent;')
    expect(attention?.body).toContain('it is unknown whether Amplitude created it')

    const second = await sweep()
    // One DSAR at Amplitude, one POST ever: the doubt went to a person, not to a second submit.
    expect(sim.requests()).toHaveLength(1)
    expect(dsarPosts()).toBe(1)
    expect(gh.issue(n).labels).toEqual(['dsar:needs-attention'])
    expect(second.ledger.every(r => r.state !== 'submitted')).toBe(true)
  })

  test('Amplitude never took the POST (503 "not processed"): the write-ahead comment goes, the next sweep submits once', async () => {
    sim.addFault({ host: 'api', method: 'POST', action: { type: 'status', status: 503 } })
    const n = file()
    const first = await sweep({ timeout: '20s' })
    expect(sim.faultsInjected).toBeGreaterThan(0)
    expect(first.ledger).toMatchObject([{ issue: n, state: 'new', requestIds: [] }])
    expect(first.log).toContain(`issue #${n}: new -> new: nothing submitted`)
    expect(first.failed).toBe(true)
    expect(first.outputs['error-message'] ?? first.log).toMatch(
      new RegExp(`issue #${n}: nothing was submitted \\(`)
    )
    expect(ownComments(n)).toEqual([])
    expect(gh.issue(n).labels).toEqual(['dsar'])
    expect(sim.requests()).toHaveLength(0)

    sim.clearFaults()
    const second = await sweep()
    expect(second.ledger).toMatchObject([{ issue: n, state: 'submitted' }])
    expect(sim.requests()).toHaveLength(1)
  })

  test('refused credentials (401): nothing submitted, nothing left on the issue', async () => {
    const n = file()
    const result = await sweep({ 'secret-key': 'wrong-secret' })
    expect(result.ledger).toMatchObject([{ issue: n, state: 'new' }])
    expect(result.log).toContain(`issue #${n}: new -> new: nothing submitted`)
    expect(result.failed).toBe(true)
    expect(ownComments(n)).toEqual([])
    expect(sim.requests()).toHaveLength(0)
  })

  test('an unusable request id in the answer is doubt too: needs-attention, never kept', async () => {
    sim.addFault({
      host: 'api',
      method: 'POST',
      times: 1,
      action: { type: 'status', status: 200, body: '{"requestId": "../../etc"}' }
    })
    const n = file()
    const result = await sweep()
    expect(sim.faultsInjected).toBe(1)
    expect(result.ledger).toMatchObject([{ issue: n, state: 'needs-attention', requestIds: [] }])
    expect(markerOf(n).requests).toEqual([
      expect.objectContaining({ requestId: null, sent: 'uncertain' })
    ])
    // The request runner refuses the id first (src/run/server-values.ts): never in the ledger.
    expect(JSON.stringify(markerOf(n))).not.toContain('etc')
  })
})

describe('several subjects', () => {
  test('one DSAR per subject, each id recorded against its subject', async () => {
    const n = file({ userIds: 'alice@example.com\nbob@example.com' })
    const result = await sweep()
    expect(dsarPosts()).toBe(2)
    const ids = sim.requests().map(r => String(r.requestId))
    expect(result.ledger).toMatchObject([{ issue: n, state: 'submitted' }])
    expect([...result.ledger[0].requestIds].sort()).toEqual([...ids].sort())
    const marker = markerOf(n)
    expect(marker.requests.map(r => r.requestId).sort()).toEqual([...ids].sort())
    expect(new Set(marker.requests.map(r => r.subject)).size).toBe(2)
  })

  test('asked again after needs-attention: the accepted request is kept, only the doubtful one is sent', async () => {
    // The second subject's POST is handled but its answer lost.
    sim.addFault({
      host: 'api',
      method: 'POST',
      skip: 1,
      times: 1,
      action: { type: 'reset', afterHandling: true }
    })
    const n = file({ userIds: 'alice@example.com\nbob@example.com' })
    const first = await sweep({ 'max-concurrency': '1' })
    expect(sim.faultsInjected).toBe(1)
    expect(first.ledger).toMatchObject([{ issue: n, state: 'needs-attention' }])
    const accepted = markerOf(n).requests.filter(r => r.requestId !== null)
    expect(accepted).toHaveLength(1)
    const attention = ownComments(n).find(c => !c.body.includes(MARKER_PREFIX))
    expect(attention?.body).toContain(
      `Amplitude accepted 1 of 2 requests &#40;${accepted[0].requestId}, in the ledger comment&#41;; 0 were never sent; for user &#35;`
    )

    // A person checked Amplitude and asks again: the ledger label goes back on.
    gh.editIssue(n, { labels: ['dsar:needs-attention', 'dsar'] })
    const seen = gh.log.length
    const again = await sweep({ 'max-concurrency': '1' })
    // The old person state goes first, before the ledger comment is rewritten.
    const writes = gh.log.slice(seen).filter(e => e.method !== 'GET')
    expect(writes[0].path).toMatch(/\/labels/)
    expect(again.ledger).toMatchObject([{ issue: n, state: 'submitted' }])
    expect(again.log).toContain(`issue #${n}: retry -> submitted: submitted `)
    expect(dsarPosts()).toBe(3)
    const marker = markerOf(n)
    expect(marker.requests).toHaveLength(2)
    expect(marker.requests.find(r => r.subject === accepted[0].subject)?.requestId).toBe(
      accepted[0].requestId
    )
    expect(marker.requests.every(r => r.requestId !== null)).toBe(true)
    expect(again.ledger[0].requestIds).toHaveLength(2)
    expect(gh.issue(n).labels).toEqual(['dsar', 'dsar:submitted'])
  })
})

test('another sweep wrote its write-ahead comment first: this one takes its own back and submits nothing', async () => {
  const n = file()
  // A sweep started at the same moment (outside one concurrency group) writes its own ledger
  // comment just before this one's: GitHub gives it the lower id.
  const key = ledgerKey(encodeBasicAuth(sim.apiKey, sim.secretKey))
  const other: LedgerMarker = {
    version: 2,
    state: 'submitting',
    startDate: '2026-01-01',
    endDate: '2026-12-01',
    until: new Date(Date.now() + 3_600_000).toISOString(),
    requests: [
      {
        requestId: null,
        subject: 'user #00000000',
        status: null,
        submittedAt: null,
        checkedAt: null,
        doneAt: null
      }
    ]
  }
  let otherId = 0
  const racing: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    if (otherId === 0 && init?.method === 'POST' && url.endsWith(`/issues/${n}/comments`)) {
      otherId = gh.addComment(n, gh.botLogin, ledgerComment(other, sealFor(key, gh.repository, n)))
    }
    return gh.fetch(input, init)
  }
  const result = await sweep({}, racing)
  expect(otherId).toBeGreaterThan(0)
  expect(dsarPosts()).toBe(0)
  expect(result.log).toContain(`issue #${n}: new -> new: another sweep is submitting it`)
  // Only the other sweep's comment is left: this sweep deleted the one it wrote.
  expect(ownComments(n).map(c => c.id)).toEqual([otherId])
  expect(gh.log.filter(e => e.method === 'DELETE')).toHaveLength(1)
})

test.each(['User', 'Bot'] as const)(
  'a ledger line in a comment of another %s is not a sweep: this one submits',
  async type => {
    const author = type === 'Bot' ? 'other-app[bot]' : member
    if (type === 'Bot') gh.addUser({ login: author, type })
    const n = file()
    let added = false
    const racing: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input)
      if (!added && init?.method === 'POST' && url.endsWith(`/issues/${n}/comments`)) {
        added = true
        gh.addComment(n, author, `quoting: ${MARKER_PREFIX}{} -->`)
      }
      return gh.fetch(input, init)
    }
    const result = await sweep({}, racing)
    expect(added).toBe(true)
    expect(result.ledger).toMatchObject([{ issue: n, state: 'submitted' }])
    expect(dsarPosts()).toBe(1)
  }
)

describe('mayAsk: the associations and permissions that may file a DSAR', () => {
  const ask = (association: string, permission = 'none') =>
    mayAsk(
      { github: { permission: () => Promise.resolve(permission) } } as unknown as SweepContext,
      {
        association,
        author: 'someone'
      } as IssueFacts
    )

  test.each(['OWNER', 'MEMBER', 'COLLABORATOR'])('%s may ask, whatever the permission', async a => {
    expect(await ask(a)).toBe(true)
  })

  test.each(['admin', 'maintain', 'write', 'triage', 'read'])(
    'NONE with %s permission may ask (a private member)',
    async p => {
      expect(await ask('NONE', p)).toBe(true)
    }
  )

  test.each([
    ['CONTRIBUTOR', 'none'],
    ['NONE', 'none'],
    ['FIRST_TIMER', ''],
    ['', 'admin ']
  ])('%s with permission %j may not', async (a, p) => {
    expect(await ask(a, p)).toBe(false)
  })
})

test('some sent, one not taken (503): submitted with the rest for the next sweep, and the step says why', async () => {
  sim.addFault({
    host: 'api',
    method: 'POST',
    skip: 1,
    action: { type: 'status', status: 503 }
  })
  const n = file({ userIds: 'alice@example.com\nbob@example.com' })
  const result = await sweep({ 'max-concurrency': '1', timeout: '20s' })
  expect(sim.faultsInjected).toBeGreaterThan(0)
  const id = String(sim.requests()[0].requestId)
  expect(sim.requests()).toHaveLength(1)
  expect(result.ledger).toMatchObject([{ issue: n, state: 'submitted', requestIds: [id] }])
  expect(result.log).toContain(
    `issue #${n}: new -> submitted: submitted ${id}; 1 not sent yet (the next sweep)\n`
  )
  expect(result.failed).toBe(true)
  // The step fails naming the issue and the request that was not taken, with the server's answer.
  expect(result.log).toMatch(
    new RegExp(`::error::.*issue #${n}: issue #${n} subject 2 \\(user #[0-9a-f]{8}\\): .*503`)
  )
  expect(markerOf(n).requests).toEqual([
    expect.objectContaining({ requestId: id }),
    expect.objectContaining({ requestId: null, sent: 'not-sent' })
  ])
})

test('the write-ahead comment says submitting before any DSAR is sent', async () => {
  const n = file()
  await sweep()
  const writes = gh.log.filter(e => e.method !== 'GET' && e.path.includes(`/issues/${n}/comments`))
  expect(writes[0].body).toContain('\\"state\\":\\"submitting\\"')
  expect(writes[0].at).toBeLessThanOrEqual(sim.log.find(e => e.method === 'POST')!.at)
})

describe('the deadline cut a request before it was sent: no fault, the next sweep submits it', () => {
  // Every DSAR POST from `skip` on is told to come back in an hour, past the sweep's timeout.
  const tooLate = (skip: number) =>
    sim.addFault({
      host: 'api',
      method: 'POST',
      skip,
      action: { type: 'status', status: 429, headers: { 'retry-after': '3600' } }
    })

  test('nothing sent: the write-ahead comment goes, the issue stays new, the step does not fail', async () => {
    tooLate(0)
    const n = file()
    const result = await sweep({ timeout: '20s' })
    expect(sim.log.some(e => e.method === 'POST' && e.status === 429)).toBe(true)
    expect(result.ledger).toEqual([{ issue: n, state: 'new', requestIds: [] }])
    expect(result.log).toContain(`issue #${n}: new -> new: nothing submitted\n`)
    expect(result.failed).toBe(false)
    expect(result.log).not.toContain('nothing was submitted')
    expect(ownComments(n)).toEqual([])
    expect(sim.requests()).toHaveLength(0)
  })

  test('one accepted, one cut: submitted, the rest for the next sweep, the step does not fail', async () => {
    tooLate(1)
    const n = file({ userIds: 'alice@example.com\nbob@example.com' })
    const result = await sweep({ timeout: '20s', 'max-concurrency': '1' })
    expect(sim.faultsInjected).toBeGreaterThan(0)
    const id = String(sim.requests()[0].requestId)
    expect(result.ledger).toEqual([{ issue: n, state: 'submitted', requestIds: [id] }])
    expect(result.log).toContain(
      `issue #${n}: new -> submitted: submitted ${id}; 1 not sent yet (the next sweep)\n`
    )
    expect(result.failed).toBe(false)
    expect(markerOf(n).requests).toEqual([
      expect.objectContaining({ requestId: id }),
      expect.objectContaining({ requestId: null, sent: 'not-sent' })
    ])
  })
})

test('GitHub fails to record the id Amplitude gave: the id reaches the outputs and the failure, the ledger still says submitting', async () => {
  const n = file()
  gh.addFault({ method: 'PATCH', action: { type: 'status', status: 502 } })
  const result = await sweep()
  expect(gh.faultsInjected).toBeGreaterThan(0)
  const id = String(sim.requests()[0].requestId)
  expect(sim.requests()).toHaveLength(1)
  expect(result.failed).toBe(true)
  expect(result.ledger).toEqual([{ issue: n, state: 'submitting', requestIds: [id] }])
  expect(result.log).toContain(
    `issue #${n}: new -> submitting: submitted; GitHub failed to record the request ids`
  )
  expect(result.log).toContain(
    `issue #${n}: GitHub failed after Amplitude accepted request ${id} (`
  )
  expect(result.log).toContain(
    '); the ledger comment still says submitting, so the next sweep asks a person (needs-attention) instead of submitting again'
  )
  expect(result.outputs.requestId).toBe(id)
  expect(markerOf(n).state).toBe('submitting')
})

test("workflow: apis-io (the seed's contract): one request for all of the issue's user ids", async () => {
  const n = file({ userIds: 'alice@example.com, alice-2@example.com' })
  const result = await sweep({ workflow: 'apis-io' })
  expect(result.failed).toBe(false)
  expect(sim.requests()).toHaveLength(1)
  const [request] = sim.requests()
  expect(request.subject.userIds).toEqual(['alice@example.com', 'alice-2@example.com'])
  expect(result.ledger).toEqual([
    { issue: n, state: 'submitted', requestIds: [String(request.requestId)] }
  ])
  expect(markerOf(n).requests).toEqual([
    expect.objectContaining({
      requestId: String(request.requestId),
      subject: expect.stringMatching(/^user #[0-9a-f]{8}, user #[0-9a-f]{8}$/)
    })
  ])
})

describe('an erasure is taken up only when its form allows it', () => {
  test('an erasure without "Identity verified": needs-info naming that field, nothing sent', async () => {
    const n = file({ request: 'Erasure' })
    const result = await sweep()
    expect(result.ledger).toEqual([{ issue: n, state: 'needs-info', requestIds: [] }])
    expect(result.log).toContain(
      `issue #${n}: new -> needs-info: the form: Identity verified is empty: an erasure is submitted only for a person whose identity was verified (say how it was checked)\n`
    )
    expect(sim.log).toEqual([])
    expect(gh.issue(n).labels).toEqual(['dsar:needs-info'])
  })

  test('access, then erasure, where no export is delivered (no artifact-name): needs-info naming "Request"', async () => {
    const n = file({ request: 'Access, then erasure', identityVerified: 'signed in with SSO' })
    const result = await sweep()
    expect(result.ledger).toEqual([{ issue: n, state: 'needs-info', requestIds: [] }])
    expect(result.log).toContain(
      `issue #${n}: new -> needs-info: the form: Request asks for the export before the erasure, but this workflow does not deliver exports (no artifact-name): the erasure would destroy what the export reads. Ask for 'Erasure' alone, or set artifact-name\n`
    )
    expect(sim.log).toEqual([])
    expect(gh.issue(n).labels).toEqual(['dsar:needs-info'])
  })
})

describe('what an erasure asks of the submit step', () => {
  test('an erasure alone sends no DSAR: it waits for approval', async () => {
    const n = file({ request: 'Erasure', identityVerified: 'passport checked in person' })
    const result = await sweep()
    expect(result.ledger).toEqual([{ issue: n, state: 'awaiting-approval', requestIds: [] }])
    expect(sim.log).toEqual([])
    const marker = markerOf(n)
    expect(marker.request).toBe('erasure')
    expect(marker.requests).toEqual([])
  })

  test('access, then erasure, with an export delivered: the DSAR is submitted and the ledger keeps the erasure to come', async () => {
    const n = file({ request: 'Access, then erasure', identityVerified: 'signed in with SSO' })
    const result = await sweep({ 'artifact-name': 'dsar-export', 'encrypt-to': 'none' })
    const id = String(sim.requests()[0].requestId)
    expect(result.ledger).toEqual([{ issue: n, state: 'submitted', requestIds: [id] }])
    const marker = markerOf(n)
    expect(marker.request).toBe('access-then-erasure')
    expect(marker.erasure).toEqual(
      expect.objectContaining({
        requester: member,
        subjects: [expect.objectContaining({ subject: marker.requests[0].subject })]
      })
    )
  })
})

describe('several requests named in one text', () => {
  const two = 'alice@example.com\nbob@example.com'

  test('the sweep log names every id submitted', async () => {
    const n = file({ userIds: two })
    const result = await sweep()
    const ids = markerOf(n).requests.map(r => r.requestId)
    expect(ids).toHaveLength(2)
    expect(result.log).toContain(`issue #${n}: new -> submitted: submitted ${ids.join(', ')}\n`)
  })

  test('nothing taken: the failure names each request’s reason', async () => {
    sim.addFault({ host: 'api', method: 'POST', action: { type: 'status', status: 503 } })
    const n = file({ userIds: two })
    const result = await sweep({ timeout: '20s', 'max-concurrency': '1' })
    expect(sim.faultsInjected).toBeGreaterThan(0)
    expect(result.failed).toBe(true)
    expect(result.log).toMatch(
      new RegExp(
        `issue #${n}: nothing was submitted \\(issue #${n} subject 1 \\(user #[0-9a-f]{8}\\): [^;]*503[^;]*; issue #${n} subject 2 \\(user #[0-9a-f]{8}\\): `
      )
    )
  })

  test('GitHub fails to record two ids: the failure names both', async () => {
    const n = file({ userIds: two })
    gh.addFault({ method: 'PATCH', action: { type: 'status', status: 502 } })
    const result = await sweep({ 'max-concurrency': '1' })
    const ids = sim.requests().map(r => String(r.requestId))
    expect(ids).toHaveLength(2)
    expect(result.log).toContain(
      `issue #${n}: GitHub failed after Amplitude accepted request ${ids.join(', ')} (`
    )
  })

  test('two accepted, two in doubt: the needs-attention comment lists each and says what adding the label does', async () => {
    sim.addFault({
      host: 'api',
      method: 'POST',
      times: 2,
      action: { type: 'reset', afterHandling: true }
    })
    const n = file({ userIds: `${two}\ncarol@example.com\ndave@example.com` })
    const result = await sweep({ 'max-concurrency': '1' })
    expect(sim.faultsInjected).toBe(2)
    expect(result.ledger).toMatchObject([{ issue: n, state: 'needs-attention' }])
    const requests = markerOf(n).requests
    const ids = requests.flatMap(r => (r.requestId === null ? [] : [r.requestId]))
    const doubtful = requests.filter(r => r.sent === 'uncertain').map(r => r.subject)
    expect(ids).toHaveLength(2)
    expect(doubtful).toHaveLength(2)
    const attention = ownComments(n).find(c => !c.body.includes(MARKER_PREFIX))
    const subjects = doubtful.map(s => s.replace('#', '&#35;')).join(', ')
    expect(attention?.body).toContain(
      `Amplitude accepted 2 of 4 requests &#40;${ids.join(', ')}, in the ledger comment&#41;; 0 were never sent; for ${subjects} a request was sent without a usable answer, so it is unknown whether Amplitude created it&#46; Adding the label again keeps the accepted requests and submits only the others&#46;`
    )
  })
})
