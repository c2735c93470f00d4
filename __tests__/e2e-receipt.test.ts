/**
 * End to end, the receipt (receipt.json) of every run that reached Amplitude, on dist/index.js
 * against the DSAR simulator: dates as sent or as Amplitude's status answer gives them (never the
 * inputs' defaults), written when every request failed and when the run only submits, both hashes
 * of an encrypted file, the `receipt` output, and the job summary naming the receipt and its SHA-256,
 * the run, who started it, when it was submitted and when the artifact is deleted.
 */
import { generateIdentity, identityToRecipient } from 'age-encryption'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { startSimulator, type JobPlan, type Simulator } from '../src/simulator/index.js'
import { runAction, type ActionRun } from './support/action-harness.js'
import { readZipEntries, startArtifactService } from './support/artifact-service.js'

let sim: Simulator
const runs: ActionRun[] = []

afterEach(async () => {
  await sim?.close()
  for (const run of runs.splice(0)) {
    rmSync(run.workspace, { recursive: true, force: true })
    rmSync(dirname(run.runnerTemp), { recursive: true, force: true })
  }
})

async function simulator(job: JobPlan): Promise<Simulator> {
  sim = await startSimulator({ job })
  return sim
}

async function action(extra: Record<string, string>, env?: Record<string, string>) {
  const run = await runAction(
    {
      'api-url': sim.url,
      'api-key': sim.apiKey,
      'secret-key': sim.secretKey,
      'poll-interval': '0.05s',
      timeout: '60s',
      ...extra
    },
    { env }
  )
  runs.push(run)
  return run
}

interface ReceiptJson {
  requests: {
    requestId: string | null
    startDate: string
    endDate: string
    datesFrom?: string
    submittedAt?: string
    outcome?: string
    failReason?: string
    statuses: { status: string }[]
  }[]
  files: {
    name: string
    bytes: number
    sha256: string
    storedBytes: number
    storedSha256: string
  }[]
  encryption: { recipients: string[] } | null
  note: string
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')
const receiptOf = (run: ActionRun): ReceiptJson =>
  JSON.parse(readFileSync(run.outputs.receipt, 'utf8')) as ReceiptJson
const defaultReceipt = (run: ActionRun): string =>
  join(run.runnerTemp, 'amplitude-dsar', 'receipt.json')

test('two-job flow: the submit run (wait: false) writes a receipt with the dates it sent; the resumed run records the dates of Amplitude’s answer, not the defaults', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 0, files: 1 })
  const submit = await action({
    'user-ids': 'u-1',
    'start-date': '2024-01-01',
    'end-date': '2024-06-30',
    wait: 'false'
  })
  expect(submit.exitCode).toBe(0)
  // A submit-only run writes one too, in the default download-path, and names it as an output.
  expect(submit.outputs.receipt).toBe(defaultReceipt(submit))
  const submitted = receiptOf(submit).requests[0]
  expect(submitted).toMatchObject({
    requestId: submit.outputs.requestId,
    startDate: '2024-01-01',
    endDate: '2024-06-30',
    outcome: 'submitted'
  })
  expect(Date.parse(submitted.submittedAt!)).toBeGreaterThan(Date.now() - 600_000)

  const collect = await action({ 'request-ids': submit.outputs.requestId, download: 'true' })
  expect(collect.exitCode).toBe(0)
  const resumed = receiptOf(collect).requests[0]
  expect(resumed).toMatchObject({
    requestId: submit.outputs.requestId,
    startDate: '2024-01-01',
    endDate: '2024-06-30',
    datesFrom: 'amplitude',
    outcome: 'done'
  })
  // Submitted by the earlier run, not this one.
  expect(resumed.submittedAt).toBeUndefined()
  expect(collect.summary).toContain('<td>Submitted</td><td>before this run (resumed by request id)')
})

test('a resumed request whose status answer gives no dates is recorded as not known, never as a default', async () => {
  // The seed's contract (apis-io) answers statuses without a date range.
  await simulator({ pollsInStaging: 0, pollsInSubmitted: 0 })
  const submit = await action({ 'user-ids': 'u-1', workflow: 'apis-io', wait: 'false' })
  expect(submit.exitCode).toBe(0)
  const collect = await action({ 'request-ids': submit.outputs.requestId, workflow: 'apis-io' })
  expect(collect.exitCode).toBe(0)
  const [request] = receiptOf(collect).requests
  expect(request.startDate).toBe('not known in this run')
  expect(request.endDate).toBe('not known in this run')
  expect(request.datesFrom).toBeUndefined()
  expect(JSON.stringify(receiptOf(collect))).not.toContain('2012-01-01')
})

test('every request failed, default download-path: the receipt is written, with Amplitude’s failReason', async () => {
  await simulator({
    pollsInStaging: 0,
    pollsInSubmitted: 0,
    outcome: 'failed',
    failReason: 'no data'
  })
  const run = await action({ 'user-ids': 'u-1, u-2', download: 'true' })
  expect(run.exitCode).toBe(1)
  expect(run.stdout).not.toContain('could not be written')
  expect(run.outputs.receipt).toBe(defaultReceipt(run))
  const receipt = receiptOf(run)
  expect(receipt.requests).toHaveLength(2)
  for (const request of receipt.requests) {
    expect(request).toMatchObject({ outcome: 'failed', failReason: 'no data' })
    expect(request.statuses.at(-1)?.status).toBe('failed')
  }
  expect(receipt.files).toEqual([])
})

test('a run that never reached Amplitude writes no receipt: there is nothing to attest', async () => {
  await simulator({})
  const url = sim.url
  await sim.close()
  const run = await runAction(
    {
      'api-url': url,
      'api-key': 'k',
      'secret-key': 's',
      'user-ids': 'u-1',
      'poll-interval': '0.05s',
      timeout: '2s'
    },
    { env: { DSAR_TEST_BACKOFF_BASE_MS: '50', DSAR_TEST_BACKOFF_MAX_MS: '100' } }
  )
  runs.push(run)
  expect(run.exitCode).toBe(1)
  expect(run.outputs.receipt).toBeUndefined()
  expect(existsSync(defaultReceipt(run))).toBe(false)
})

test('encrypt-to and artifact-name: both hashes of each file, and the summary names the receipt, its SHA-256, the run, the actor, the submission and the deletion', async () => {
  await simulator({ pollsInStaging: 0, pollsInSubmitted: 0, files: 2 })
  const recipient = await identityToRecipient(await generateIdentity())
  const service = await startArtifactService()
  try {
    const run = await action(
      {
        'user-ids': 'u-1',
        'encrypt-to': recipient,
        'artifact-name': 'dsar-export',
        'retention-days': '3'
      },
      { ...service.env, GITHUB_ACTOR: 'dpo-octocat' }
    )
    expect(run.exitCode).toBe(0)
    const id = String(sim.requests()[0].requestId)
    const receipt = receiptOf(run)
    expect(receipt.encryption?.recipients).toEqual([recipient])
    for (const [n, file] of receipt.files.entries()) {
      const served = await sim.expectedFile(id, n)
      const stored = readFileSync(join(run.runnerTemp, 'amplitude-dsar', file.name))
      expect(file.name).toMatch(/\.json\.gz\.age$/)
      // As Amplitude served it, and as stored (the .age file an auditor can hash without the key).
      expect(file).toMatchObject({ bytes: served.bytes, sha256: served.sha256 })
      expect(file.storedSha256).toBe(sha256(stored))
      expect(file.storedBytes).toBe(stored.length)
      expect(file.storedSha256).not.toBe(file.sha256)
    }
    // The artifact's copy is the one on disk, whose digest the summary gives.
    const zip = readZipEntries(service.uploads[0].bytes)
    const digest = sha256(readFileSync(run.outputs.receipt))
    expect(sha256(zip.get('receipt.json')!)).toBe(digest)
    expect(sha256(zip.get(receipt.files[0].name)!)).toBe(receipt.files[0].storedSha256)

    const row = (name: string): string =>
      new RegExp(`<tr><td>${name}</td><td>(.*?)</td></tr>`).exec(run.summary)?.[1] ?? ''
    expect(row('Receipt')).toBe(
      `<code>receipt.json</code> (in download-path), SHA-256 <code>${digest}</code>`
    )
    expect(row('Run')).toContain('https://github.com/octo-org/privacy-ops/actions/runs/4242')
    expect(row('Started by')).toBe('dpo-octocat')
    const submittedAt = receipt.requests[0].submittedAt!
    expect(row('Submitted')).toBe(submittedAt)
    const deleted = Date.parse(row('Artifact deleted').replace(/^about /, ''))
    const days = (deleted - Date.parse(submittedAt)) / 86_400_000
    expect(days).toBeGreaterThan(2.9)
    expect(days).toBeLessThan(3.1)
  } finally {
    await service.close()
  }
})
