/**
 * End to end: a user's workflow whose work is done by a workflow of a remote Arazzo document
 * (`type: arazzo`, https), itself using a remote OpenAPI description given by a relative URL. The
 * bundled dist/index.js runs as the runner does; the documents come from a loopback HTTPS server
 * whose throwaway certificate the action trusts through NODE_EXTRA_CA_CERTS, and the API is the
 * DSAR simulator. With RUNNER_TOOL_CACHE kept between runs, the second run fetches nothing.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { repoRoot } from './support/action-harness.js'
import { startDescriptionServer, type DescriptionServer } from './support/description-server.js'
import { runWithSharedFlows } from './support/shared-flows.js'
import { tempDir } from './support/temp.js'

const shipped = (name: string): string =>
  readFileSync(join(repoRoot, 'src', 'workflows', name), 'utf8')
const FLOWS = shipped('amplitude.arazzo.yml')
const API = shipped('amplitude-dsar.openapi.yml')
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

let sim: Simulator
let server: DescriptionServer

beforeEach(async () => {
  sim = await startSimulator({ job: { pollsInStaging: 1, pollsInSubmitted: 1, files: 1 } })
  server = await startDescriptionServer({
    '/shared/amplitude.arazzo.yml': { kind: 'document', body: FLOWS },
    '/shared/amplitude-dsar.openapi.yml': { kind: 'document', body: API }
  })
})
afterEach(async () => {
  await sim.close()
  await server.close()
})

function run(toolCache: string, extra: Record<string, string> = {}) {
  return runWithSharedFlows({
    sim,
    server,
    flowsPath: '/shared/amplitude.arazzo.yml',
    inputs: extra,
    env: { RUNNER_TOOL_CACHE: toolCache }
  }).then(({ run }) => run)
}

test('a remote arazzo source runs end to end; unpinned, it is fetched again on the next run', async () => {
  const toolCache = tempDir('dsar-tool-cache-')
  const first = await run(toolCache)
  expect(first.exitCode).toBe(0)
  const [created] = sim.requests()
  expect(first.outputs.requestId).toBe(String(created.requestId))
  expect(first.outputs.finalStatus).toBe('done')
  expect(server.requests.map(r => r.path)).toEqual([
    '/shared/amplitude.arazzo.yml',
    '/shared/amplitude-dsar.openapi.yml'
  ])
  expect(first.stdout).toContain(
    `source description ${server.url('/shared/amplitude.arazzo.yml')}: fetched ${Buffer.byteLength(FLOWS)} bytes, sha256 ${sha256(FLOWS)}; not pinned, so fetched on every run and never cached: pin it with 'source-integrity'`
  )

  // Unpinned: nothing was cached, the next run fetches both again.
  const second = await run(toolCache)
  expect(second.exitCode).toBe(0)
  expect(server.requests).toHaveLength(4)
  expect(second.stdout).not.toContain("from the runner's tool cache")
  expect(sim.requests()).toHaveLength(2)
})

test('pinned with source-integrity, the fetched descriptions are checked and run', async () => {
  const pins = [
    `${server.url('/shared/amplitude.arazzo.yml')} sha256:${sha256(FLOWS)}`,
    `${server.url('/shared/amplitude-dsar.openapi.yml')} sha256-${createHash('sha256').update(API).digest('base64')}`
  ].join('\n')
  const toolCache = tempDir('dsar-tool-cache-')
  const pinned = await run(toolCache, { 'source-integrity': pins })
  expect(pinned.exitCode).toBe(0)
  expect(pinned.outputs.finalStatus).toBe('done')
  expect(pinned.stdout).toContain('(matches its pin)')
  // Pinned: the next run takes both from the tool cache, their pins checked again.
  const fetched = server.requests.length
  const second = await run(toolCache, { 'source-integrity': pins })
  expect(second.exitCode).toBe(0)
  expect(server.requests).toHaveLength(fetched)
  expect(second.stdout).toContain(
    `source description ${server.url('/shared/amplitude-dsar.openapi.yml')}: from the runner's tool cache (sha256 ${sha256(API)}, matches its pin)`
  )
})
