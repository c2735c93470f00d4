/**
 * End to end: the bundled dist/index.js, run as the GitHub runner runs it, against the DSAR simulator
 * over HTTP on 127.0.0.1. These are the acceptance checks of the action's contract.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type JobPlan, type Simulator } from '../src/simulator/index.js'
import { baseInputs, makeWorkspace, runAction, type ActionRun } from './support/action-harness.js'

// A verbatim copy of shared/seed/amplitude-dsar-request-workflow.yml.
const SEED = join(import.meta.dirname, 'fixtures', 'seed', 'amplitude-dsar-request-workflow.yml')

let sim: Simulator

async function simulator(job?: JobPlan | ((subject: unknown, index: number) => JobPlan)) {
  sim = await startSimulator({ job: job as JobPlan })
  return sim
}

afterEach(async () => {
  await sim?.close()
})

/** No subject unless a test names one ('no subject' is one of the refused inputs). */
function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return baseInputs(sim, { 'user-ids': '', ...extra })
}

const api = () => sim.log.filter(e => e.host === 'api')
const posts = () => api().filter(e => e.method === 'POST')
const gets = () => api().filter(e => e.method === 'GET')
const requestsOutput = (run: ActionRun) => JSON.parse(run.outputs.requests)
const errorLines = (run: ActionRun) => run.lines.filter(l => l.startsWith('::error::'))

test('one user id: submitted, polled through staging and submitted to done, with the exact poll count', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 2, files: 3 })
  const run = await runAction(inputs({ 'user-ids': 'alice@example.com' }))
  expect(run.exitCode).toBe(0)
  expect(posts()).toHaveLength(1)
  expect(JSON.parse(posts()[0].body!)).toEqual({
    userId: 'alice@example.com',
    startDate: '2012-01-01',
    endDate: new Date().toISOString().slice(0, 10)
  })
  // staging, submitted, submitted, done
  expect(gets()).toHaveLength(4)
  const [record] = sim.requests()
  expect(run.outputs.requestId).toBe(String(record.requestId))
  expect(run.outputs.finalStatus).toBe('done')
  expect(JSON.parse(run.outputs.downloadUrls)).toHaveLength(3)
  expect(run.outputs.downloadUrl).toBe(
    `${sim.url}/api/2/dsar/requests/${record.requestId}/outputs/0`
  )
  expect(run.outputs.expires).toBe(new Date(record.expiresAt!).toISOString())
  expect(requestsOutput(run)).toEqual([
    expect.objectContaining({
      subject: 'alice@example.com',
      requestId: String(record.requestId),
      status: 'done'
    })
  ])
  expect(run.summary).toContain(String(record.requestId))
  expect(run.summary).not.toContain('alice@example.com')
  expect(run.stdout).not.toContain('alice@example.com')
})

test('three user ids fan out: one POST each, all done', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 1 })
  const run = await runAction(inputs({ 'user-ids': 'u-1\nu-2, u-3\n\n', 'max-concurrency': '2' }))
  expect(run.exitCode).toBe(0)
  expect(
    posts()
      .map(p => JSON.parse(p.body!).userId)
      .sort()
  ).toEqual(['u-1', 'u-2', 'u-3'])
  expect(sim.maxInFlight).toBeLessThanOrEqual(2)
  expect(run.outputs.finalStatus).toBe('done')
  expect(requestsOutput(run).map((r: { status: string }) => r.status)).toEqual([
    'done',
    'done',
    'done'
  ])
  const groups = run.lines.filter(l => l.startsWith('::group::'))
  expect(groups).toHaveLength(3)
})

test('amplitude ids are sent as integers', async () => {
  await simulator({ pollsInStaging: 0, pollsInSubmitted: 0 })
  const run = await runAction(inputs({ 'amplitude-ids': '123456789, 42' }))
  expect(run.exitCode).toBe(0)
  expect(
    posts()
      .map(p => JSON.parse(p.body!).amplitudeId)
      .sort()
  ).toEqual([123456789, 42].sort())
})

test('a failed job fails the step with its failReason and keeps the request id', async () => {
  await simulator({ outcome: 'failed', failReason: 'user has more than 100k events per month' })
  const run = await runAction(inputs({ 'user-ids': 'heavy-user' }))
  expect(run.exitCode).toBe(1)
  const id = String(sim.requests()[0].requestId)
  expect(run.outputs.requestId).toBe(id)
  expect(run.outputs.finalStatus).toBe('failed')
  expect(errorLines(run).join('\n')).toContain(
    `request ${id} failed: user has more than 100k events per month`
  )
})

test('an unknown status stops at once', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 0, outcome: 'archived' })
  const run = await runAction(inputs({ 'user-ids': 'u-1' }))
  expect(run.exitCode).toBe(1)
  expect(gets()).toHaveLength(2)
  expect(run.outputs.requestId).toBe(String(sim.requests()[0].requestId))
  expect(errorLines(run).join('\n')).toMatch(/unknown status 'archived'/)
})

test('a 429 with Retry-After: 1 is waited out, then the run succeeds', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 0 })
  sim.addFault({
    method: 'GET',
    host: 'api',
    times: 1,
    action: { type: 'status', status: 429, headers: { 'Retry-After': '1' } }
  })
  const run = await runAction(inputs({ 'user-ids': 'u-1' }))
  expect(run.exitCode).toBe(0)
  const limited = api().findIndex(e => e.status === 429)
  expect(limited).toBeGreaterThan(0)
  const next = api()[limited + 1]
  expect(next.at - api()[limited].at).toBeGreaterThanOrEqual(1000)
})

test('transient 503s and a connection reset on polls are survived', async () => {
  await simulator({ pollsInStaging: 2, pollsInSubmitted: 1 })
  sim.addFault({ method: 'GET', host: 'api', times: 2, action: { type: 'status', status: 503 } })
  sim.addFault({ method: 'GET', host: 'api', times: 1, action: { type: 'reset' } })
  // Survival is the point here, not the back-off's length (from 1 s, growing: http-transport.test.ts
  // checks it in virtual time): the test hook shortens it.
  const run = await runAction(inputs({ 'user-ids': 'u-1' }), {
    env: { DSAR_TEST_BACKOFF_BASE_MS: '20' }
  })
  expect(run.exitCode).toBe(0)
  expect(run.outputs.finalStatus).toBe('done')
  expect(api().filter(e => e.status === 503)).toHaveLength(2)
  expect(api().filter(e => e.fault === 'reset')).toHaveLength(1)
})

test('malformed JSON from a poll is a clear error, and the request id is kept', async () => {
  await simulator({ pollsInStaging: 3 })
  sim.addFault({ method: 'GET', host: 'api', skip: 1, times: 1, action: { type: 'malformedJson' } })
  const run = await runAction(inputs({ 'user-ids': 'u-1' }))
  expect(run.exitCode).toBe(1)
  expect(errorLines(run).join('\n')).toMatch(
    /HTTP 200 from GET \/api\/2\/dsar\/requests\/\d+ had a malformed JSON body/
  )
  expect(run.outputs.requestId).toBe(String(sim.requests()[0].requestId))
  expect(run.stderr + run.stdout).not.toMatch(/\n\s+at .*\.js:\d+/)
})

test('refused credentials stop everything within two requests', async () => {
  await simulator()
  const run = await runAction(
    inputs({ 'user-ids': 'u-1, u-2, u-3', 'secret-key': 'wrong-secret', 'max-concurrency': '1' })
  )
  expect(run.exitCode).toBe(1)
  expect(api().length).toBeLessThanOrEqual(2)
  expect(errorLines(run).join('\n')).toMatch(/HTTP 401 .*refused the credentials/)
})

test('a timeout keeps the request ids and prints the line that resumes them', async () => {
  await simulator({ pollsInStaging: 100000 })
  const run = await runAction(
    inputs({ 'user-ids': 'u-1, u-2', timeout: '1s', 'poll-interval': '0.1s' })
  )
  expect(run.exitCode).toBe(1)
  const ids = sim.requests().map(r => String(r.requestId))
  expect(ids).toHaveLength(2)
  expect(
    requestsOutput(run)
      .map((r: { requestId: string }) => r.requestId)
      .sort()
  ).toEqual([...ids].sort())
  const message = errorLines(run).join('\n')
  expect(message).toMatch(/Timed out/)
  expect(message).toContain('request-ids: ')
  for (const id of ids) expect(message).toContain(id)
  expect(run.summary).toContain('request-ids: ')
})

test('wait: false reports the status it saw; request-ids resume it, naming the subject from the answer', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 1 })
  const subject = 'resumed-subject@example.com'
  const first = await runAction(inputs({ 'user-ids': subject, wait: 'false' }))
  expect(first.exitCode).toBe(0)
  const id = first.outputs.requestId
  expect(posts()).toHaveLength(1)
  // One status read, no loop: the run reports what it saw.
  expect(gets()).toHaveLength(1)
  expect(first.outputs.finalStatus).toBe('staging')
  expect(first.stdout).toContain(`Submitted 1 request; 1 staging. Collect the results`)
  expect(first.stdout).toContain(`request-ids: ${id}`)
  expect(first.stdout).not.toMatch(/All 1 request/)

  const resumed = await runAction(inputs({ 'request-ids': id }))
  expect(resumed.exitCode).toBe(0)
  expect(posts()).toHaveLength(1)
  expect(gets()).toHaveLength(3)
  expect(resumed.outputs.finalStatus).toBe('done')
  expect(resumed.outputs.requestId).toBe(id)
  // The status answer names the subject: in the outputs as is, in logs and summary fingerprinted.
  expect(requestsOutput(resumed)[0].subject).toBe(subject)
  const tag = createHash('sha256').update(subject).digest('hex').slice(0, 8)
  expect(resumed.stdout).toContain(`request ${id} (user #${tag})`)
  expect(resumed.summary).toContain(`request ${id} (user #${tag})`)
  expect(resumed.stdout + resumed.summary).not.toContain(subject)
})

test('the seed document, verbatim, as `workflow:` reaches complete (with the bundled description)', async () => {
  await simulator({ pollsInStaging: 2, pollsInSubmitted: 1 })
  const workspace = makeWorkspace()
  mkdirSync(join(workspace, 'arazzo'))
  copyFileSync(SEED, join(workspace, 'arazzo', 'amplitude-dsar-request-workflow.yml'))
  const run = await runAction(
    {
      'api-url': sim.url,
      'basic-auth': sim.basicAuth,
      'poll-interval': '0.05s',
      timeout: '30s',
      'user-ids': 'u-1, u-2',
      workflow: 'arazzo/amplitude-dsar-request-workflow.yml'
    },
    { workspace }
  )
  expect(run.exitCode).toBe(0)
  expect(run.outputs.finalStatus).toBe('complete')
  expect(run.outputs.requestId).toBe(String(sim.requests()[0].requestId))
  expect(run.outputs.downloadUrl).toMatch(/^http/)
  expect(JSON.parse(posts()[0].body!)).toEqual({ user_ids: ['u-1', 'u-2'] })
  expect(gets()).toHaveLength(4)
  expect(run.stdout).toMatch(/amplitude-dsar-api-openapi\.yml/)
})

test('the built-in apis-io workflow reaches complete with one request for all user ids', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 1 })
  const run = await runAction(inputs({ 'user-ids': 'u-1, u-2, u-3', workflow: 'apis-io' }))
  expect(run.exitCode).toBe(0)
  expect(posts()).toHaveLength(1)
  expect(JSON.parse(posts()[0].body!)).toEqual({ user_ids: ['u-1', 'u-2', 'u-3'] })
  expect(run.outputs.finalStatus).toBe('complete')
  expect(run.outputs.downloadUrl).toMatch(/^http/)
})

describe('invalid input is refused by name, with zero requests sent', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['no subject', {}, 'user-ids'],
    ['a non-integer amplitude id', { 'amplitude-ids': '12a' }, 'amplitude-ids'],
    ['a bad region', { 'user-ids': 'u', region: 'mars' }, 'region'],
    [
      'an http api-url that is not loopback',
      { 'user-ids': 'u', 'api-url': 'http://example.com' },
      'api-url'
    ],
    ['an impossible date', { 'user-ids': 'u', 'start-date': '2024-02-30' }, 'start-date'],
    [
      'start after end',
      { 'user-ids': 'u', 'start-date': '2024-05-01', 'end-date': '2024-04-01' },
      'start-date'
    ],
    ['a bad duration', { 'user-ids': 'u', timeout: '5 parsecs' }, 'timeout'],
    ['a bad boolean', { 'user-ids': 'u', wait: 'maybe' }, 'wait'],
    ['a concurrency of zero', { 'user-ids': 'u', 'max-concurrency': '0' }, 'max-concurrency'],
    ['inputs that are not JSON', { 'user-ids': 'u', inputs: '{nope' }, 'inputs'],
    ['a missing workflow file', { 'user-ids': 'u', workflow: 'missing.yml' }, 'workflow'],
    ['missing secret key', { 'user-ids': 'u', 'secret-key': '' }, 'secret-key']
  ]
  test.each(cases)('%s', async (_name, extra, input) => {
    await simulator()
    const run = await runAction(inputs(extra))
    expect(run.exitCode).toBe(1)
    expect(errorLines(run).join('\n')).toContain(`'${input}'`)
    expect(sim.log).toHaveLength(0)
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/)
  })
})
