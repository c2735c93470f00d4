/**
 * End to end: `request-type: erasure` in the bundled dist/index.js, run as the runner runs it,
 * against the simulator's deletion API on 127.0.0.1. The simulator's clock moves two days at each
 * read of the job list, so a job's weeks pass in a few reads; the 1 request/s pacing is checked on
 * the simulator's own arrival times (never a wall-clock bound on the run).
 */
import { jest } from '@jest/globals'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  DAY_MS,
  startSimulator,
  type RequestLogEntry,
  type Simulator,
  type SimulatorOptions
} from '../src/simulator/index.js'
import { makeWorkspace, runAction, type ActionRun } from './support/action-harness.js'

jest.setTimeout(120_000)

let sim: Simulator
let offset = 0

async function simulator(options: SimulatorOptions = {}, daysPerRead = 2): Promise<Simulator> {
  offset = 0
  sim = await startSimulator({
    now: () => Date.now() + offset,
    deletions: { leadDays: 4, scrubDays: 0, unknownUserIds: ['ghost-user'], ...options.deletions },
    // Two virtual days pass at each answered read of the job list.
    onLog: entry => {
      if (entry.method === 'GET' && isDeletion(entry) && entry.status === 200)
        offset += daysPerRead * DAY_MS
    },
    ...options
  })
  return sim
}

afterEach(async () => {
  await sim?.close()
})

const isDeletion = (e: RequestLogEntry) => e.path.startsWith('/api/2/deletions/users')
const deletionCalls = () => sim.log.filter(e => e.host === 'api' && isDeletion(e))

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'request-type': 'erasure',
    'api-url': sim.url,
    'erasure-api-key': sim.erasureApiKey,
    'erasure-secret-key': sim.erasureSecretKey,
    'poll-interval': '0.05s',
    timeout: '90s',
    ...extra
  }
}

const env = { GITHUB_ACTOR: 'privacy-officer' }
const fingerprint = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 8)

/** No two deletion calls (refused ones included) arrived within a second of each other. */
function expectPacedAtOnePerSecond(): void {
  const times = deletionCalls().map(e => e.at)
  expect(times.length).toBeGreaterThan(1)
  for (let i = 1; i < times.length; i++)
    expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1000)
}

function expectNoRawIds(run: ActionRun, ids: string[]): void {
  for (const id of ids) {
    expect(run.summary).not.toContain(id)
    expect(run.stdout).not.toContain(id)
    expect(run.stderr).not.toContain(id)
  }
}

test('250 subjects: 3 batches of at most 100, paced at 1/s, read by day until done; absent ids named', async () => {
  await simulator()
  const userIds = Array.from({ length: 200 }, (_, i) => `erase-user-${i}@example.com`)
  const amplitudeIds = Array.from({ length: 49 }, (_, i) => String(9_000_000 + i))
  const run = await runAction(
    inputs({
      'user-ids': [...userIds, 'ghost-user'].join('\n'),
      'amplitude-ids': amplitudeIds.join(',')
    }),
    { env }
  )
  expect(run.exitCode).toBe(0)

  const posts = deletionCalls().filter(e => e.method === 'POST')
  const bodies = posts.map(p => JSON.parse(p.body!) as Record<string, unknown[]>)
  expect(bodies.map(b => (b.user_ids?.length ?? 0) + (b.amplitude_ids?.length ?? 0))).toEqual([
    100, 100, 50
  ])
  for (const body of bodies) {
    expect(body).toMatchObject({ requester: 'privacy-officer', ignore_invalid_id: true })
  }
  expectPacedAtOnePerSecond()
  expect(sim.log.some(e => e.path.startsWith('/api/2/dsar/'))).toBe(false)

  const [job] = sim.deletionJobs()
  expect(sim.deletionJobs()).toHaveLength(1)
  expect(job.status).toBe('done')
  expect(job.entries).toHaveLength(249)
  const reads = deletionCalls().filter(e => e.method === 'GET')
  expect(reads.length).toBeGreaterThan(1)
  expect(
    reads.every(r => r.path === `/api/2/deletions/users?start_day=${job.day}&end_day=${job.day}`)
  ).toBe(true)

  expect(run.outputs.requestId).toBe(job.day)
  expect(run.outputs.finalStatus).toBe('done')
  const requests = JSON.parse(run.outputs.requests) as Record<string, unknown>[]
  expect(requests).toHaveLength(250)
  expect(requests[0]).toEqual({
    subject: userIds[0],
    requestId: job.day,
    day: job.day,
    status: 'done',
    requester: 'privacy-officer',
    requestedOnDay: job.entries[0].requested_on_day,
    activeScrubDoneDate: job.activeScrubDoneDate
  })
  expect(requests.find(r => r.subject === 'ghost-user')).toMatchObject({
    status: 'absent',
    day: null
  })
  expect(JSON.parse(run.outputs.absentIds)).toEqual(['ghost-user'])

  // The absent id is named by fingerprint in the log and the summary, never by itself.
  expect(run.stdout).toContain(`user #${fingerprint('ghost-user')}): absent from the job`)
  expect(run.summary).toContain(`user #${fingerprint('ghost-user')}`)
  expect(run.summary).toContain(job.day)
  expectNoRawIds(run, [...userIds.slice(0, 5), 'ghost-user', amplitudeIds[0]])
})

test('wait: false submits and returns the job day; request-ids resumes by day until done', async () => {
  await simulator()
  const submitted = await runAction(inputs({ 'user-ids': 'leaver-1\nleaver-2', wait: 'false' }), {
    env
  })
  expect(submitted.exitCode).toBe(0)
  expect(deletionCalls().map(e => e.method)).toEqual(['POST'])
  const [job] = sim.deletionJobs()
  expect(submitted.outputs.requestId).toBe(job.day)
  expect(submitted.outputs.finalStatus).toBe('staging')
  expect(submitted.stdout).toContain(`request-ids: ${job.day}`)
  expect(submitted.summary).toContain('Cancellable until')

  const resumed = await runAction(inputs({ 'request-ids': job.day }), { env })
  expect(resumed.exitCode).toBe(0)
  expect(resumed.outputs.finalStatus).toBe('done')
  expect(deletionCalls().filter(e => e.method === 'POST')).toHaveLength(1) // nothing sent again
  const requests = JSON.parse(resumed.outputs.requests) as Record<string, unknown>[]
  expect(requests.map(r => [r.subject, r.status])).toEqual([
    ['leaver-1', 'done'],
    ['leaver-2', 'done']
  ])
  expectNoRawIds(resumed, ['leaver-1', 'leaver-2'])
})

test('a 429 is waited out, and even then no two calls arrive within a second', async () => {
  await simulator()
  sim.addFault({
    method: 'POST',
    path: '/api/2/deletions/users',
    times: 2,
    action: { type: 'status', status: 429 }
  })
  const ids = Array.from({ length: 150 }, (_, i) => `paced-${i}`)
  const run = await runAction(inputs({ 'user-ids': ids.join(','), wait: 'false' }), { env })
  expect(run.exitCode).toBe(0)
  expect(deletionCalls().map(e => e.status)).toEqual([429, 429, 200, 200])
  expect(deletionCalls().filter(e => e.fault === 'status')).toHaveLength(2)
  expectPacedAtOnePerSecond()
  expect(sim.deletionJobs()[0].entries).toHaveLength(150)
})

test('a job not done by the timeout fails the step, keeping its day and the line that resumes it', async () => {
  await simulator({}, 0) // the clock stands still: the job stays staging
  const run = await runAction(inputs({ 'user-ids': 'slow-1', timeout: '4s' }), { env })
  expect(run.exitCode).toBe(1)
  const [job] = sim.deletionJobs()
  expect(run.outputs.requestId).toBe(job.day)
  expect(run.outputs.finalStatus).toBe('staging')
  const error = run.lines.find(l => l.startsWith('::error::'))!
  expect(error).toContain(`job ${job.day}: still staging`)
  expect(error).toContain(`request-ids: ${job.day}`)
  expect(run.summary).toContain(`request-ids: ${job.day}`)
  expect(deletionCalls().filter(e => e.method === 'POST')).toHaveLength(1)
  expectNoRawIds(run, ['slow-1'])
})

test("refused erasure keys stop the run, naming the call and the project's keys", async () => {
  await simulator()
  const run = await runAction(
    inputs({ 'user-ids': 'someone', 'erasure-secret-key': 'not-the-secret-0000' }),
    { env }
  )
  expect(run.exitCode).toBe(1)
  const error = run.lines.find(l => l.startsWith('::error::'))!
  expect(error).toContain('HTTP 401 from POST /api/2/deletions/users')
  expect(error).toContain("project's API key and secret key")
  // Masked first; then never printed.
  expect(run.lines).toContain('::add-mask::not-the-secret-0000')
  const printed = run.lines.filter(l => !l.startsWith('::add-mask::'))
  expect(printed.some(l => l.includes('not-the-secret-0000'))).toBe(false)
})

test.each([
  [{ 'erasure-api-key': '', 'erasure-secret-key': '' }, 'erasure-api-key'],
  [{ 'erasure-secret-key': '' }, 'erasure-secret-key'],
  [{ 'request-ids': '2026-13-01' }, 'request-ids'],
  [{ download: 'true' }, 'download'],
  [{ 'request-type': 'erase' }, 'request-type']
])('bad input %o fails naming %s, before any call', async (extra, name) => {
  await simulator()
  const run = await runAction(inputs({ 'user-ids': 'someone', ...extra }), { env })
  expect(run.exitCode).toBe(1)
  expect(run.lines.find(l => l.startsWith('::error::'))).toContain(name)
  expect(sim.log).toHaveLength(0)
})

test('a document sending the erasure keys to a DSAR endpoint is refused before the request', async () => {
  await simulator()
  const workspace = makeWorkspace()
  writeHostileDocument(workspace, '/api/2/dsar/requests')
  const run = await runAction(
    inputs({
      'user-ids': 'someone',
      workflow: 'erasure.arazzo.yml',
      'api-key': sim.apiKey,
      'secret-key': sim.secretKey
    }),
    { env, workspace }
  )
  expect(run.exitCode).toBe(1)
  expect(run.lines.find(l => l.startsWith('::error::'))).toContain(
    'refused to send the erasure keys to /api/2/dsar/requests/submit'
  )
  expect(sim.log).toHaveLength(0)
  // Both key pairs are masked from the start.
  for (const secret of [sim.erasureSecretKey, sim.secretKey]) {
    expect(run.stdout).toContain(`::add-mask::${secret}`)
  }
})

/**
 * An erasure document (and its OpenAPI description) whose three workflows each POST the erasure
 * keys to `${path}/${workflowId}` on the API origin.
 */
function writeHostileDocument(workspace: string, path: string): void {
  const ids = ['submit', 'status', 'poll']
  const workflow = (id: string) => `  - workflowId: ${id}
    inputs:
      type: object
      properties:
        basicAuth: { type: string }
        requester: { type: string }
        day: { type: string }
        userIds: { type: array }
        amplitudeIds: { type: array }
    steps:
      - stepId: call
        operationId: ${id}Call
        parameters:
          - name: Authorization
            in: header
            value: Basic {$inputs.basicAuth}`
  const operation = (id: string) => `  ${path}/${id}:
    post:
      operationId: ${id}Call
      responses: { '200': { description: ok } }`
  writeFileSync(
    join(workspace, 'api.openapi.yml'),
    `openapi: 3.1.0
info: { title: hostile, version: '1' }
servers: [{ url: 'https://amplitude.com' }]
paths:
${ids.map(operation).join('\n')}
`
  )
  writeFileSync(
    join(workspace, 'erasure.arazzo.yml'),
    `arazzo: 1.0.1
info: { title: hostile erasure, version: '1' }
sourceDescriptions:
  - { name: api, url: ./api.openapi.yml, type: openapi }
workflows:
${ids.map(workflow).join('\n')}
`
  )
}
