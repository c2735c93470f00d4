/**
 * Reliability matrix: remote (https) and `type: arazzo` source descriptions that must be refused.
 * The user's document runs a workflow of a remote Arazzo document served by a loopback HTTPS server
 * (a throwaway certificate the action trusts through NODE_EXTRA_CA_CERTS); each row breaks one
 * thing: size, nesting depth, a cycle, integrity, parsing, time, local files. Every refusal must
 * come at load time, naming the source description's JSON Pointer, before any API request.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { arch, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSimulator } from '../../src/simulator/index.js'
import { repoRoot } from '../support/action-harness.js'
import {
  startDescriptionServer,
  type DescriptionServer,
  type Route
} from '../support/description-server.js'
import { runWithSharedFlows } from '../support/shared-flows.js'
import { describeRun, errorText, expectNoLeaks, Report, STACK_FRAME } from './support.js'

const report = new Report('remote-sources')

const MAX_BYTES = 5 * 1024 * 1024
const FLOWS = readFileSync(join(repoRoot, 'src', 'workflows', 'amplitude.arazzo.yml'), 'utf8')
const API = readFileSync(join(repoRoot, 'src', 'workflows', 'amplitude-dsar.openapi.yml'), 'utf8')
const doc = (route: Route | string): Route =>
  typeof route === 'string' ? { kind: 'document', body: route } : route

/** An Arazzo document whose workflow `w` runs workflow `w` of the arazzo source at `url`. */
function relay(url: string): string {
  return JSON.stringify({
    arazzo: '1.0.1',
    info: { title: 'relay', version: '1' },
    sourceDescriptions: [{ name: 'next', url, type: 'arazzo' }],
    workflows: [
      { workflowId: 'w', steps: [{ stepId: 'go', workflowId: '$sourceDescriptions.next.w' }] }
    ]
  })
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

interface RemoteRow {
  name: string
  did: string
  /** Routes of the description server; the user's document calls `/flows`'s `workflowId`
   *  (default submit-and-poll). */
  routes: (url: (path: string) => string) => Record<string, Route | string>
  workflowId?: string
  inputs?: (url: (path: string) => string) => Record<string, string>
  env?: Record<string, string>
  message: RegExp
  check?: (server: DescriptionServer) => void
}

const ROWS: RemoteRow[] = [
  {
    name: 'remote description over the size limit (endless body)',
    did: 'the shared Arazzo document is an endless stream of YAML comments (no Content-Length)',
    routes: () => ({ '/flows': { kind: 'endless', chunk: `# ${'x'.repeat(8190)}\n` } }),
    message:
      /sourceDescriptions\/0\/url: https:\/\/127\.0\.0\.1:\d+\/flows is over the 5242880 byte limit/,
    check: server => {
      const [served] = server.requests
      expect(served.cutOff).toBe(true)
      // Cut off near the limit by the file watch (every 50 ms), far below a runaway transfer.
      expect(served.bytesSent).toBeLessThan(40 * MAX_BYTES)
    }
  },
  {
    name: 'remote description declaring a size over the limit',
    did: 'the shared document answers with Content-Length: 104857600',
    routes: () => ({ '/flows': { kind: 'declares', length: 100 * 1024 * 1024 } }),
    message: /is over the 5242880 byte limit \(it declares 104857600 bytes\)/
  },
  {
    name: 'arazzo sources nested deeper than 8 levels',
    did: 'the shared document runs a workflow of another remote document, and so on, 9 levels deep',
    routes: url => {
      const routes: Record<string, string> = { '/flows': relay(url('/d1')) }
      for (let i = 1; i <= 9; i++) routes[`/d${i}`] = relay(url(`/d${i + 1}`))
      return routes
    },
    workflowId: 'w',
    message: /nested deeper than 8 levels/
  },
  {
    name: 'cycle of arazzo sources',
    did: 'the shared document (/flows) uses /other as a source, which uses /flows again',
    routes: url => ({ '/flows': relay(url('/other')), '/other': relay(url('/flows')) }),
    workflowId: 'w',
    message:
      /circular source descriptions: https:\/\/127\.0\.0\.1:\d+\/flows -> https:\/\/127\.0\.0\.1:\d+\/other -> https:\/\/127\.0\.0\.1:\d+\/flows/,
    check: server => expect(server.requests.map(r => r.path)).toEqual(['/flows', '/other'])
  },
  {
    name: 'integrity mismatch',
    did: 'source-integrity pins /flows to a digest; the server sends a document with one byte changed',
    routes: () => ({
      '/flows': FLOWS.replace('1.0.0', '1.0.1'),
      '/amplitude-dsar.openapi.yml': API
    }),
    inputs: url => ({
      'source-integrity': `${url('/flows')} sha256:${sha256(FLOWS)}\n${url('/amplitude-dsar.openapi.yml')} sha256:${sha256(API)}`
    }),
    message:
      /integrity mismatch for https:\/\/127\.0\.0\.1:\d+\/flows: 'source-integrity' pins sha256 [0-9a-f]{64}, the server sent [0-9a-f]{64}/
  },
  {
    name: 'remote description not pinned while source-integrity is set',
    did: 'source-integrity pins /flows only; /flows refers to the OpenAPI description at another URL',
    routes: () => ({
      '/flows': FLOWS.replace('./amplitude-dsar.openapi.yml', './api.yml'),
      '/api.yml': API
    }),
    inputs: url => ({
      'source-integrity': `${url('/flows')} sha256:${sha256(FLOWS.replace('./amplitude-dsar.openapi.yml', './api.yml'))}`
    }),
    message:
      /\/api\.yml refused: 'source-integrity' is set, and every remote source description must be pinned there/,
    check: server => expect(server.requests.map(r => r.path)).toEqual(['/flows'])
  },
  {
    name: 'YAML alias bomb in a remote description',
    did: 'the shared document hides nine levels of nine aliases in an extension',
    routes: () => {
      const lines = [
        'x-laughs:',
        '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
      ]
      const names = 'abcdefghi'
      for (let i = 1; i < names.length; i++) {
        lines.push(
          `  ${names[i]}: &${names[i]} [${Array(9)
            .fill(`*${names[i - 1]}`)
            .join(', ')}]`
        )
      }
      return { '/flows': `${lines.join('\n')}\n${FLOWS}` }
    },
    message: /source description 'shared' was refused: .*alias/i
  },
  {
    name: 'remote description that stalls',
    did: 'the shared document answers with headers and then nothing (remote timeout shortened to 1 s)',
    routes: () => ({ '/flows': { kind: 'stall' } }),
    env: { DSAR_TEST_REQUEST_TIMEOUT_MS: '1000' },
    message: /https:\/\/127\.0\.0\.1:\d+\/flows: no complete answer within 1000 ms/
  },
  {
    name: 'remote document pointing at a local file',
    did: 'the shared document names file:///etc/passwd as its OpenAPI source description',
    routes: () => ({
      '/flows': FLOWS.replace('./amplitude-dsar.openapi.yml', 'file:///etc/passwd')
    }),
    message:
      /file:\/\/\/etc\/passwd refused: a remote document may only refer to https URLs, never to local files/
  },
  {
    name: 'remote description answered with an HTTP error',
    did: 'the shared document URL answers 404',
    routes: () => ({}),
    message: /https:\/\/127\.0\.0\.1:\d+\/flows: HTTP 404/,
    check: server => expect(server.requests).toHaveLength(1)
  },
  // The rows below name internal addresses: the connect guard (support/network-guard.ts) fails
  // the row if the action tries to reach one, so a regressed build reaches nothing.
  {
    name: 'remote description on a private address',
    did: 'the shared document runs a workflow of https://10.99.0.1:8443/meta',
    routes: () => ({ '/flows': relay('https://10.99.0.1:8443/meta') }),
    workflowId: 'w',
    message:
      /https:\/\/10\.99\.0\.1:8443\/meta refused: refusing a private address: downloads and remote source descriptions never go to/,
    check: server => expect(server.requests.map(r => r.path)).toEqual(['/flows'])
  },
  {
    name: 'remote description redirected to the cloud metadata address',
    did: 'the shared document URL answers 302 to https://169.254.169.254/latest/meta-data/iam/security-credentials/',
    routes: () => ({
      '/flows': {
        kind: 'redirect',
        location: 'https://169.254.169.254/latest/meta-data/iam/security-credentials/'
      }
    }),
    message:
      /\/flows: a redirect refused: refusing a link-local \(cloud metadata\) address: downloads and remote source descriptions never go to/
  },
  {
    name: 'remote description shaped like Arazzo, quoting secrets in its fields',
    did:
      'the shared document is an Arazzo document whose ids and fields carry credential-like text ' +
      '(an internal service answer); its step names an unknown operationId',
    routes: () => ({
      '/flows': JSON.stringify({
        arazzo: '1.0.1',
        info: { title: 'AccessKeyId ASIAEXAMPLEKEY', version: '1' },
        sourceDescriptions: [{ name: 'api', url: './amplitude-dsar.openapi.yml', type: 'openapi' }],
        workflows: [
          {
            workflowId: 'w',
            'SecretAccessKey-wJalrXUtnFEMI': true,
            steps: [{ stepId: 'Token-IQoJb3JpZ2lu', operationId: 'SecretAccessKey-wJalrXUtnFEMI' }]
          }
        ]
      }),
      '/amplitude-dsar.openapi.yml': API
    }),
    workflowId: 'w',
    message:
      /source description 'shared' \(https:\/\/127\.0\.0\.1:\d+\/flows\): .*what the fetched document says is not repeated here/,
    check: () => undefined
  }
]

async function runRow(row: RemoteRow, saw: (got: string) => void): Promise<void> {
  const sim = await startSimulator({ job: { pollsInStaging: 0, pollsInSubmitted: 0 } })
  const server = await startDescriptionServer()
  try {
    for (const [path, route] of Object.entries(row.routes(server.url))) {
      server.routes.set(path, doc(route))
    }
    const { run, inputs } = await runWithSharedFlows({
      sim,
      server,
      flowsPath: '/flows',
      workflowId: row.workflowId,
      inputs: row.inputs?.(server.url),
      env: row.env
    })
    saw(describeRun(run, [`${sim.log.length} API requests`, `${server.requests.length} fetches`]))
    expect(run.exitCode).toBe(1)
    expect(errorText(run)).toMatch(/^Input 'workflow': sourceDescriptions\/0\/url: /)
    expect(errorText(run)).toMatch(row.message)
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    expect(sim.log).toHaveLength(0)
    expectNoLeaks(run, { inputs, sim })
    // What a remote answer says (or where it redirects) never reaches the log.
    expect(run.lines.join('\n')).not.toMatch(
      /wJalrXUtnFEMI|IQoJb3JpZ2lu|ASIAEXAMPLEKEY|security-credentials/
    )
    row.check?.(server)
  } finally {
    await server.close()
    await sim.close()
  }
}

describe('remote and arazzo source descriptions that must be refused', () => {
  for (const row of ROWS) {
    report.row('Remote sources', row.name, row.did, saw => runRow(row, saw), {
      concurrent: true,
      // Long enough for a regressed build's retries to end at the connect guard, not at a timeout.
      timeoutMs: 120_000
    })
  }
})

// ---------------------------------------------------------------------------------------------
// The tool cache
// ---------------------------------------------------------------------------------------------

report.row(
  'Remote sources',
  "description planted in the runner's tool cache, no pin set",
  "before the run, the runner's tool cache holds, under the OpenAPI description URL's key, a copy " +
    'whose getDataRequest path is /api/2/TAMPERED/{requestId}; no source-integrity',
  async saw => {
    const sim = await startSimulator({ job: { pollsInStaging: 0, pollsInSubmitted: 0 } })
    const server = await startDescriptionServer({
      '/flows': { kind: 'document', body: FLOWS },
      '/amplitude-dsar.openapi.yml': { kind: 'document', body: API }
    })
    const toolCache = mkdtempSync(join(tmpdir(), 'dsar-tool-cache-'))
    try {
      const tampered = API.replace(
        '/api/2/dsar/requests/{requestId}:',
        '/api/2/TAMPERED/{requestId}:'
      )
      expect(tampered).not.toBe(API)
      plantInToolCache(toolCache, server.url('/amplitude-dsar.openapi.yml'), tampered)
      const { run, inputs } = await runWithSharedFlows({
        sim,
        server,
        flowsPath: '/flows',
        env: { RUNNER_TOOL_CACHE: toolCache }
      })
      const tamperedCalls = sim.log.filter(e => e.path.includes('TAMPERED')).length
      saw(
        describeRun(run, [
          `${server.requests.length} fetches`,
          `${tamperedCalls} requests to the planted path`
        ])
      )
      expect(run.exitCode).toBe(0)
      expect(tamperedCalls).toBe(0)
      // Unpinned descriptions are fetched on every run, and the log says so.
      expect(server.requests.map(r => r.path)).toEqual(['/flows', '/amplitude-dsar.openapi.yml'])
      expect(run.stdout).toContain('not pinned, so fetched on every run and never cached')
      expectNoLeaks(run, { inputs, sim })
    } finally {
      rmSync(toolCache, { recursive: true, force: true })
      await server.close()
      await sim.close()
    }
  }
)

/**
 * Writes `text` where @actions/tool-cache's find() looks for this action's copy of `url` (the key
 * the action used for unpinned descriptions until they stopped being cached).
 */
function plantInToolCache(toolCache: string, url: string, text: string): void {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 32)
  const versionDir = join(toolCache, 'amplitude-dsar-arazzo-source', `0.0.0-u${key}`)
  mkdirSync(join(versionDir, arch()), { recursive: true })
  writeFileSync(join(versionDir, arch(), 'description'), text)
  writeFileSync(`${join(versionDir, arch())}.complete`, '')
}
