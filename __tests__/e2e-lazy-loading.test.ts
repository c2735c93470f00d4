/**
 * Start-up: the bundle keeps libraries a run may not need in chunks of their own, and a run loads
 * only what its document and inputs need. Checked on dist/ with a module-load hook: the built-in
 * workflows load none of yaml, re2js and jsonpath-rfc9535 (they ship prebuilt as JSON and use simple
 * criteria); a YAML document loads yaml; a jsonpath criterion loads jsonpath-rfc9535 and a regex
 * one re2js; @actions/tool-cache (and semver) load only when a document names a remote (https)
 * source. The hook must see a chunk when one is loaded, or "not loaded" would prove nothing.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { makeWorkspace, repoRoot, runAction } from './support/action-harness.js'
import { startDescriptionServer } from './support/description-server.js'
import { distChunks, moduleLog, type LazyLibrary } from './support/module-log.js'
import { runWithSharedFlows } from './support/shared-flows.js'

const SEED = join(import.meta.dirname, 'fixtures', 'seed', 'amplitude-dsar-request-workflow.yml')
const WORKFLOWS = join(repoRoot, 'src', 'workflows')

let sim: Simulator

beforeEach(async () => {
  sim = await startSimulator({ job: { pollsInStaging: 0, pollsInSubmitted: 0 } })
})
afterEach(async () => {
  await sim.close()
})

async function librariesLoaded(
  inputs: Record<string, string>,
  workspace = makeWorkspace()
): Promise<LazyLibrary[]> {
  const log = moduleLog()
  const run = await runAction(
    { 'api-url': sim.url, 'poll-interval': '0.05s', timeout: '30s', ...inputs },
    { workspace, nodeArgs: log.nodeArgs, env: log.env }
  )
  expect({ exit: run.exitCode, errors: run.lines.filter(l => l.startsWith('::error')) }).toEqual({
    exit: 0,
    errors: []
  })
  const loaded = log.read()
  expect(loaded.distFiles).toContain('index.js')
  return loaded.libraries
}

const keys = () => ({ 'api-key': sim.apiKey, 'secret-key': sim.secretKey })

test('every lazy library sits in a chunk of its own, outside dist/index.js', () => {
  const held = distChunks().flatMap(c => c.holds)
  for (const library of ['yaml', 're2js', 'jsonpath-rfc9535', '@actions/tool-cache'] as const) {
    expect(held).toContain(library)
  }
  const entry = readFileSync(join(repoRoot, 'dist', 'index.js'), 'utf8')
  expect(entry).not.toContain('class Composer') // yaml
  expect(entry).not.toContain('RE2JS.compile') // re2js
  expect(entry).not.toContain('node_modules/@actions/tool-cache/')
  expect(entry).not.toContain('node_modules/semver/') // only tool-cache needs it
})

test('the built-in workflows load none of yaml, re2js and jsonpath-rfc9535', async () => {
  expect(await librariesLoaded({ ...keys(), 'user-ids': 'u-1' })).toEqual([])
  expect(await librariesLoaded({ ...keys(), 'user-ids': 'u-1', workflow: 'apis-io' })).toEqual([])
})

test('the seed document (YAML, jsonpath criteria) loads yaml and jsonpath-rfc9535, not re2js', async () => {
  const workspace = makeWorkspace()
  mkdirSync(join(workspace, 'arazzo'))
  copyFileSync(SEED, join(workspace, 'arazzo', 'seed.yml'))
  const libraries = await librariesLoaded(
    { 'basic-auth': sim.basicAuth, 'user-ids': 'u-1', workflow: 'arazzo/seed.yml' },
    workspace
  )
  expect(libraries).toEqual(expect.arrayContaining(['yaml', 'jsonpath-rfc9535']))
  expect(libraries).not.toContain('re2js')
})

test('a document with a regex criterion loads re2js', async () => {
  const workspace = makeWorkspace()
  copyFileSync(
    join(WORKFLOWS, 'amplitude-dsar.openapi.yml'),
    join(workspace, 'amplitude-dsar.openapi.yml')
  )
  const simple = '          - condition: $statusCode == 202\n'
  const document = readFileSync(join(WORKFLOWS, 'amplitude.arazzo.yml'), 'utf8')
  expect(document).toContain(simple)
  writeFileSync(
    join(workspace, 'regex.arazzo.yml'),
    // (a function replacer: the pattern's `$'` would mean something to a replacement string)
    document.replace(
      simple,
      () =>
        `${simple}          - context: $statusCode\n            condition: '^20[0-9]$'\n            type: regex\n`
    )
  )
  const libraries = await librariesLoaded(
    {
      ...keys(),
      'user-ids': 'u-1',
      workflow: 'regex.arazzo.yml',
      'workflow-id': 'submit-and-poll'
    },
    workspace
  )
  expect(libraries).toEqual(expect.arrayContaining(['yaml', 're2js']))
  expect(libraries).not.toContain('jsonpath-rfc9535')
})

test('a download loads the export chunk, and age only when it encrypts', async () => {
  const plain = await librariesLoaded({ ...keys(), 'user-ids': 'u-1', download: 'true' })
  expect(plain).toContain('export downloader')
  expect(plain).not.toContain('age-encryption')
  const age = await import('age-encryption')
  const recipient = await age.identityToRecipient(await age.generateIdentity())
  const encrypted = await librariesLoaded({
    ...keys(),
    'user-ids': 'u-1',
    download: 'true',
    'encrypt-to': recipient
  })
  expect(encrypted).toEqual(expect.arrayContaining(['export downloader', 'age-encryption']))
  expect(encrypted).not.toContain('@actions/artifact')
})

test('a document naming a remote source loads @actions/tool-cache; one that does not, does not', async () => {
  const server = await startDescriptionServer({
    '/shared/amplitude.arazzo.yml': {
      kind: 'document',
      body: readFileSync(join(WORKFLOWS, 'amplitude.arazzo.yml'), 'utf8')
    },
    '/shared/amplitude-dsar.openapi.yml': {
      kind: 'document',
      body: readFileSync(join(WORKFLOWS, 'amplitude-dsar.openapi.yml'), 'utf8')
    }
  })
  try {
    const log = moduleLog()
    const { run } = await runWithSharedFlows({
      sim,
      server,
      flowsPath: '/shared/amplitude.arazzo.yml',
      nodeArgs: log.nodeArgs,
      env: log.env
    })
    expect(run.exitCode).toBe(0)
    expect(server.requests.map(r => r.path)).toContain('/shared/amplitude.arazzo.yml')
    expect(log.read().libraries).toContain('@actions/tool-cache')
  } finally {
    await server.close()
  }
  // A user's document with local descriptions only (the copy of a built-in one).
  const workspace = makeWorkspace()
  for (const name of ['amplitude.arazzo.yml', 'amplitude-dsar.openapi.yml']) {
    copyFileSync(join(WORKFLOWS, name), join(workspace, name))
  }
  const local = await librariesLoaded(
    { ...keys(), 'user-ids': 'u-1', workflow: 'amplitude.arazzo.yml' },
    workspace
  )
  expect(local).not.toContain('@actions/tool-cache')
})
