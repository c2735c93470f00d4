/**
 * End to end, the export: dist/index.js downloads, verifies, stores (optionally encrypted) and uploads
 * the files of done requests, against the DSAR simulator and a stand-in of the artifact service.
 */
import { MANIFEST_NAME } from '../src/export/resume.js'
import { Decrypter, generateIdentity, identityToRecipient } from 'age-encryption'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type JobPlan, type Simulator } from '../src/simulator/index.js'
import { baseInputs, runAction, type ActionRun } from './support/action-harness.js'
import { readZipEntries, startArtifactService } from './support/artifact-service.js'

let sim: Simulator

afterEach(async () => {
  await sim?.close()
})

async function simulator(job: JobPlan) {
  sim = await startSimulator({ job })
  return sim
}

function inputs(extra: Record<string, string>): Record<string, string> {
  return baseInputs(sim, { timeout: '60s', 'user-ids': 'u-1', ...extra })
}

interface FileOutput {
  path: string
  bytes: number
  sha256: string
  events: number
  encrypted: boolean
}
const filesOf = (run: ActionRun): FileOutput[] => JSON.parse(run.outputs.files)
const errorText = (run: ActionRun) => run.lines.filter(l => l.startsWith('::error::')).join('\n')
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

test('three files land with the right bytes, sha256 and events, mode 0600, and no credential reached storage', async () => {
  await simulator({ pollsInStaging: 1, pollsInSubmitted: 0, files: 3, linesPerFile: 25 })
  const run = await runAction(inputs({ download: 'true' }))
  expect(run.exitCode).toBe(0)
  const id = String(sim.requests()[0].requestId)
  const files = filesOf(run)
  expect(files).toHaveLength(3)
  for (const [n, file] of files.entries()) {
    const expected = await sim.expectedFile(id, n)
    const bytes = readFileSync(file.path)
    expect(file).toMatchObject({
      bytes: expected.bytes,
      sha256: expected.sha256,
      events: 25,
      encrypted: false
    })
    expect(bytes.length).toBe(expected.bytes)
    expect(sha256(bytes)).toBe(expected.sha256)
    expect(statSync(file.path).mode & 0o777).toBe(0o600)
    expect(file.path.startsWith(join(run.runnerTemp, 'amplitude-dsar', id))).toBe(true)
  }
  expect(statSync(join(run.runnerTemp, 'amplitude-dsar', id)).mode & 0o777).toBe(0o700)
  const storage = sim.log.filter(e => e.host === 'storage')
  expect(storage).toHaveLength(3)
  expect(storage.every(e => !e.authorization)).toBe(true)
  expect(
    sim.log
      .filter(e => e.host === 'api' && e.path.includes('/outputs/'))
      .every(e => e.authorization)
  ).toBe(true)
  expect(run.summary).toContain('Downloaded files')
  // The summary names files relative to download-path, never by the runner's temporary path, and
  // says where the requests went and what range they asked for.
  expect(run.summary).toContain(`<td>${id}/output-001.json.gz</td>`)
  expect(run.summary).not.toContain(run.runnerTemp)
  expect(run.summary).toContain(`<code>${new URL(sim.url).host}</code>`)
  expect(run.summary).toMatch(/<td>Date range asked<\/td><td>2012-01-01 to \d{4}-\d\d-\d\d<\/td>/)
  // Presigned URLs are bearer credentials: never in the log.
  expect(run.stdout).not.toContain(sim.storageUrl)
})

test('a truncated gzip fails that file clearly, keeps the request id, and leaves no file that looks complete', async () => {
  await simulator({ pollsInStaging: 0, pollsInSubmitted: 0, files: 2 })
  sim.addFault({ host: 'storage', skip: 1, times: 3, action: { type: 'truncatedGzip' } })
  const run = await runAction(inputs({ download: 'true' }))
  expect(run.exitCode).toBe(1)
  const id = String(sim.requests()[0].requestId)
  expect(run.outputs.requestId).toBe(id)
  expect(errorText(run)).toMatch(new RegExp(`request ${id}: .*output 2`))
  const left = readdirSync(join(run.runnerTemp, 'amplitude-dsar', id))
  // The verified file stays (and is listed), beside the manifest that lets a re-run resume.
  expect(left.sort()).toEqual([MANIFEST_NAME, 'output-001.json.gz'])
  expect((JSON.parse(run.outputs.files) as { path: string }[]).map(f => f.path)).toEqual([
    join(run.runnerTemp, 'amplitude-dsar', id, 'output-001.json.gz')
  ])
})

test('an expired link (403 from storage) fails clearly, naming the request and output, not the URL', async () => {
  // The simulator's clock jumps three days ahead once the action has asked for the output link, so
  // the presigned URL it was given has expired by the time it reaches the storage host.
  let skew = 0
  sim = await startSimulator({
    job: { pollsInStaging: 0, pollsInSubmitted: 0, files: 1 },
    now: () => Date.now() + skew,
    onLog: entry => {
      if (entry.host === 'api' && entry.path.includes('/outputs/')) skew = 3 * 86_400_000
    }
  })
  const run = await runAction(inputs({ download: 'true' }))
  expect(run.exitCode).toBe(1)
  const id = String(sim.requests()[0].requestId)
  expect(sim.log.filter(e => e.host === 'storage').map(e => e.status)).toEqual([403])
  expect(errorText(run)).toMatch(new RegExp(`request ${id}: output 1 of 1: .*403`))
  expect(errorText(run)).not.toContain(sim.storageUrl)
})

test('encrypted files decrypt with the matching identity, and no plaintext file is left', async () => {
  await simulator({ pollsInStaging: 0, pollsInSubmitted: 0, files: 2, linesPerFile: 7 })
  const identity = await generateIdentity()
  const recipient = await identityToRecipient(identity)
  const run = await runAction(
    inputs({ download: 'true', 'encrypt-to': `# the privacy team\n${recipient}\n` })
  )
  expect(run.exitCode).toBe(0)
  const id = String(sim.requests()[0].requestId)
  const files = filesOf(run)
  expect(files.map(f => f.path.split('/').pop())).toEqual([
    'output-001.json.gz.age',
    'output-002.json.gz.age'
  ])
  const decrypter = new Decrypter()
  decrypter.addIdentity(identity)
  for (const [n, file] of files.entries()) {
    expect(file.encrypted).toBe(true)
    const stored = readFileSync(file.path)
    expect(stored.subarray(0, 21).toString()).toBe('age-encryption.org/v1')
    const plain = await decrypter.decrypt(stored)
    const expected = await sim.expectedFile(id, n)
    expect(sha256(plain)).toBe(expected.sha256)
    expect(file.sha256).toBe(expected.sha256)
  }
  expect(
    readdirSync(join(run.runnerTemp, 'amplitude-dsar', id))
      .filter(n => n !== MANIFEST_NAME) // sizes and hashes only
      .every(n => n.endsWith('.age'))
  ).toBe(true)
})

test('the artifact reaches the results service with the requested retention, and the outputs carry its id', async () => {
  await simulator({ pollsInStaging: 0, pollsInSubmitted: 0, files: 2 })
  const service = await startArtifactService()
  try {
    // Plaintext on GitHub only when asked for by name (encrypt-to: none), and said so.
    const run = await runAction(
      inputs({ 'artifact-name': 'dsar-export', 'retention-days': '3', 'encrypt-to': 'none' }),
      { env: service.env }
    )
    expect(run.exitCode).toBe(0)
    expect(run.lines).toContain(
      "::warning::Input 'encrypt-to': no recipient, so the export (personal data) is stored in plaintext on the runner and in the artifact 'dsar-export' on GitHub (encrypt-to: none)"
    )
    const [artifact] = service.artifacts
    expect(artifact).toBeDefined()
    expect(run.outputs.artifactId).toBe(String(artifact.id))
    expect(run.outputs.artifactUrl).toBe(
      `https://github.com/octo-org/privacy-ops/actions/runs/4242/artifacts/${artifact.id}`
    )
    const create = service.calls.find(c => c.rpc === 'CreateArtifact')!
    const body = create.body as { name: string; expires_at: string }
    expect(body.name).toBe('dsar-export')
    const days = (Date.parse(body.expires_at) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(2.9)
    expect(days).toBeLessThan(3.1)
    const zip = readZipEntries(service.uploads[0].bytes)
    const id = String(sim.requests()[0].requestId)
    expect([...zip.keys()].sort()).toEqual([
      `${id}/output-001.json.gz`,
      `${id}/output-002.json.gz`,
      'receipt.json'
    ])
    // The receipt inside the artifact: what was asked and delivered, no subject id, no secret.
    const receipt = JSON.parse(zip.get('receipt.json')!.toString('utf8'))
    expect(receipt).toMatchObject({
      receiptVersion: 1,
      action: { name: 'amplitude-dsar-action' },
      apiHost: sim.url,
      run: { repository: 'octo-org/privacy-ops', runId: '4242' },
      requests: [{ requestId: id, startDate: '2012-01-01', statuses: [{ status: 'done' }] }],
      files: [
        {
          name: `${id}/output-001.json.gz`,
          requestId: id,
          encrypted: false,
          // Stored as served: both hashes are the same.
          storedSha256: (await sim.expectedFile(id, 0)).sha256
        },
        { name: `${id}/output-002.json.gz`, requestId: id, encrypted: false }
      ],
      encryption: null,
      artifact: { name: 'dsar-export', retentionDays: 3 }
    })
    expect(receipt.requests[0].subject).toMatch(/^subject 1 \(user #[0-9a-f]{8}\)$/)
    expect(JSON.stringify(receipt)).not.toContain('u-1')
    expect(JSON.stringify(receipt)).not.toContain(sim.secretKey)
    expect(sha256(zip.get(`${id}/output-001.json.gz`)!)).toBe(
      (await sim.expectedFile(id, 0)).sha256
    )
    // The summary names the artifact, links it and says how long it is kept.
    expect(run.summary).toContain(
      `<a href="${run.outputs.artifactUrl}">dsar-export</a> (id ${artifact.id}), kept 3 days`
    )
  } finally {
    await service.close()
  }
})
