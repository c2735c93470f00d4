/**
 * End to end on dist/index.js, the defaults that keep personal data from leaving by accident and the
 * inputs that look right but used to be read wrong: plaintext exports on the runner warned about,
 * encryption or a folder given without a download warned about by naming `download`; JSON arrays in
 * user-ids and amplitude-ids; a bare-number timeout said in seconds; subjects the run never sent
 * counted and listed (fingerprints in the summary, values in the `requests` output); a resumed id
 * Amplitude does not know said as such. (Refusals before any call are rows of
 * reliability/bad-input.test.ts.)
 */
import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { startSimulator, type JobPlan, type Simulator } from '../src/simulator/index.js'
import { runAction, type ActionRun } from './support/action-harness.js'

let sim: Simulator
const runs: ActionRun[] = []

afterEach(async () => {
  await sim?.close()
  for (const run of runs.splice(0)) {
    rmSync(run.workspace, { recursive: true, force: true })
    rmSync(dirname(run.runnerTemp), { recursive: true, force: true })
  }
})

async function simulator(job: JobPlan = { pollsInStaging: 0, pollsInSubmitted: 0 }) {
  sim = await startSimulator({ job })
  return sim
}

async function action(extra: Record<string, string>): Promise<ActionRun> {
  const run = await runAction({
    'api-url': sim.url,
    'api-key': sim.apiKey,
    'secret-key': sim.secretKey,
    'poll-interval': '0.05s',
    timeout: '60s',
    ...extra
  })
  runs.push(run)
  return run
}

const warnings = (run: ActionRun): string[] => run.lines.filter(l => l.startsWith('::warning::'))
const errorText = (run: ActionRun): string =>
  run.lines.filter(l => l.startsWith('::error::')).join('\n')
const fingerprint = (id: string): string =>
  createHash('sha256').update(id).digest('hex').slice(0, 8)
const subjectsSent = (): unknown[] =>
  sim
    .requests()
    .map(r => r.subject.userId ?? r.subject.amplitudeId)
    .sort()

interface RequestOutput {
  subject: string | null
  requestId: string | null
  status: string | null
}

describe('plaintext personal data never leaves the runner by accident', () => {
  test('a download without a recipient stays on the runner, with a warning annotation saying it is plaintext', async () => {
    await simulator()
    const run = await action({ 'user-ids': 'u-1', download: 'true' })
    expect(run.exitCode).toBe(0)
    expect(warnings(run)).toEqual([
      "::warning::Input 'encrypt-to': no recipient, so the export (personal data) is stored in plaintext on the runner (in download-path, until the job ends)"
    ])
  })

  test.each([
    [
      'encrypt-to',
      { 'encrypt-to': 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq' }
    ],
    ['download-path', { 'download-path': 'exports' }]
  ])('%s without a download: a warning naming download', async (name, extra) => {
    await simulator()
    const run = await action({ 'user-ids': 'u-1', ...extra })
    expect(run.exitCode).toBe(0)
    expect(warnings(run)).toEqual([
      `::warning::Input '${name}' is set, but 'download' is not true: nothing is downloaded (set download: true or artifact-name to download the export)`
    ])
  })
})

describe('inputs that look right are read right', () => {
  test('user-ids as a JSON array: the subjects are its strings, not its brackets and quotes', async () => {
    await simulator()
    const run = await action({ 'user-ids': '["u1", "u2"]' })
    expect(run.exitCode).toBe(0)
    expect(subjectsSent()).toEqual(['u1', 'u2'])
  })

  test('amplitude-ids as a JSON array of integers (or digit strings)', async () => {
    await simulator()
    const run = await action({ 'amplitude-ids': '[123456, "789"]' })
    expect(run.exitCode).toBe(0)
    expect(subjectsSent()).toEqual([123456, 789])
  })

  test('a bare-number timeout is said in seconds in the first log line', async () => {
    await simulator()
    const run = await action({ 'user-ids': 'u-1', timeout: '90' })
    expect(run.exitCode).toBe(0)
    const first = run.lines.find(l => !l.startsWith('::add-mask::'))
    expect(first).toMatch(/, timeout 90 s$/)
  })

  test('subjects never sent are counted apart and listed: by fingerprint in the summary, by value with status not-sent in the requests output', async () => {
    await simulator({ pollsInStaging: 5, pollsInSubmitted: 0 })
    // Amplitude takes two submits, then answers every later one 429 for an hour: no later subject
    // can be sent before the timeout.
    sim.addFault({
      method: 'POST',
      skip: 2,
      action: { type: 'status', status: 429, headers: { 'retry-after': '3600' } }
    })
    const ids = ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6']
    const run = await action({
      'user-ids': ids.join(','),
      wait: 'false',
      timeout: '20s',
      'max-concurrency': '1'
    })
    expect(run.exitCode).toBe(1)
    const created = sim.requests()
    expect(created).toHaveLength(2)
    const sent = created.map(r => r.subject.userId!)
    const unsent = ids.filter(id => !sent.includes(id))
    expect(unsent).toHaveLength(4)

    const requests = JSON.parse(run.outputs.requests) as RequestOutput[]
    expect(
      requests
        .filter(r => r.status === 'not-sent')
        .map(r => r.subject)
        .sort()
    ).toEqual(unsent)
    expect(requests.filter(r => r.status === 'not-sent').every(r => r.requestId === null)).toBe(
      true
    )
    // The log counts what was sent, and the summary names the rest by fingerprint only.
    expect(run.stdout).toContain('Submitted 2 of 6 subjects; ')
    expect(run.stdout).toContain('4 not-sent')
    expect(errorText(run)).toContain(
      '4 subjects were not sent (nothing was taken by Amplitude for them before the run stopped; the first: POST /api/2/dsar/requests failed (last: HTTP 429)'
    )
    expect(run.summary).toContain('4 subjects were not sent')
    for (const id of unsent) expect(run.summary).toContain(`(user #${fingerprint(id)})`)
    for (const id of ids) expect(run.summary).not.toContain(`${id}<`)
  })

  test('resuming an id Amplitude does not know says so, with the HTTP status', async () => {
    await simulator()
    const run = await action({ 'request-ids': '99999' })
    expect(run.exitCode).toBe(1)
    expect(errorText(run)).toBe('::error::request 99999: Amplitude has no such request (HTTP 404)')
  })
})
