/**
 * The one delivery pipeline (src/run/delivery.ts), against the artifact-service stand-in on
 * loopback: the receipt goes into the artifact, and a receipt that cannot be written stops the
 * delivery before the upload (no artifact without its receipt).
 */
import { jest } from '@jest/globals'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { VirtualClock } from '../src/arazzo/pacing.js'
import { BudgetPacer } from '../src/run/budget.js'
import { deliver, type DeliveryOptions } from '../src/run/delivery.js'
import type { RequestRecord } from '../src/run/request-runner.js'
import { testHooks } from '../src/run/test-hooks.js'
import { startArtifactService, type ArtifactService } from './support/artifact-service.js'
import { tempDir } from './support/temp.js'

let service: ArtifactService
let root: string
let savedEnv: NodeJS.ProcessEnv

beforeAll(async () => {
  service = await startArtifactService()
  root = tempDir('dsar-delivery-')
})
afterAll(async () => {
  await service.close()
  rmSync(root, { recursive: true, force: true })
})
beforeEach(() => {
  savedEnv = { ...process.env }
  Object.assign(process.env, service.env)
  // @actions/artifact logs workflow commands on stdout; the runner would read them, a test need not.
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})
afterEach(() => {
  jest.restoreAllMocks()
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
})

// A done request whose export had no files: nothing to download, the receipt still says so.
const record: RequestRecord = {
  label: 'issue #7 subject 1',
  requestId: '123',
  status: 'done',
  urls: [],
  lastHttpStatus: 200,
  polls: 1,
  startedAt: 0,
  workflowOutputs: {}
}

function options(dir: string): DeliveryOptions {
  const clock = new VirtualClock(0)
  return {
    settings: {
      apiUrl: 'http://127.0.0.1:9',
      region: 'us',
      credentialOrigins: [],
      basicAuth: 'a2V5OnNlY3JldA==',
      encryptTo: [],
      maxConcurrency: 1,
      timeoutMs: 60_000,
      download: true,
      retentionDays: 1
    },
    session: {
      pacer: new BudgetPacer({ limitPerHour: 7200, clock }),
      hooks: testHooks(),
      clock,
      deadline: 60_000
    },
    records: [record],
    dir,
    download: true,
    signal: new AbortController().signal,
    log: () => undefined,
    receipt: { workflow: 'test', now: 0 },
    artifact: { name: `delivery-${Math.random().toString(36).slice(2)}`, evenWithoutFiles: true }
  }
}

test('the artifact holds the receipt the pipeline wrote', async () => {
  const dir = join(root, 'ok')
  mkdirSync(dir)
  const uploads = service.uploads.length
  const delivery = await deliver(options(dir))
  expect(delivery.problems).toEqual([])
  expect(delivery.receipt?.path).toBe(join(dir, 'receipt.json'))
  expect(JSON.parse(readFileSync(join(dir, 'receipt.json'), 'utf8')).artifact).toMatchObject({
    retentionDays: 1
  })
  expect(delivery.artifact).toMatchObject({ retentionDays: 1 })
  expect(service.uploads.length).toBe(uploads + 1)
})

test('a receipt that cannot be written stops the delivery: nothing is uploaded', async () => {
  // The delivery folder is a file: receipt.json cannot be written in it.
  const dir = join(root, 'not-a-folder')
  writeFileSync(dir, 'x')
  const calls = service.calls.length
  const delivery = await deliver(options(dir))
  expect(delivery.problems).toEqual([expect.stringMatching(/^receipt\.json could not be written/)])
  expect(delivery.receipt).toBeUndefined()
  expect(delivery.artifact).toBeUndefined()
  expect(service.calls.length).toBe(calls)
})
