/**
 * Reliability matrix 5, no leaks: full runs with faults in every phase, with and without
 * ACTIONS_STEP_DEBUG, with both ways of giving credentials, failing and succeeding, and with a document
 * that tries to copy the credentials out. In every log line, the job summary, the step outputs and the
 * state file, no credential appears in any form (raw, base64, base64url, URL-encoded) outside the
 * `::add-mask::` commands; no presigned storage URL appears in the log; the storage host never receives
 * credentials. (Every row of the other reliability suites applies the same check to its own run.)
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type JobPlan, type Simulator } from '../../src/simulator/index.js'
import {
  baseInputs,
  makeWorkspace,
  repoRoot,
  runAction,
  type ActionRun
} from '../support/action-harness.js'
import {
  credentialForms,
  describeRun,
  errorText,
  expectMasked,
  expectNoLeaks,
  Report,
  STACK_FRAME
} from './support.js'

const report = new Report('no-leaks')

// Characters that make every encoding differ: base64 has '+' and '/', base64url does not, and the
// URL-encoded form escapes '+', '/', '=', '%', '&' and ':'.
const API_KEY = 'org-key+9f8e/7d6c=5b4a_'
const SECRET_KEY = 'sec/ret+Key=with%25chars&more~'
const DEBUG = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }
/** Test hook read by src/run/test-hooks.ts: a 20 ms first back-off instead of 1 s. */
const HOOKS = { DSAR_TEST_BACKOFF_BASE_MS: '20' }
const SEED = join(repoRoot, '__tests__', 'fixtures', 'seed', 'amplitude-dsar-request-workflow.yml')

interface LeakRow {
  name: string
  did: string
  job: JobPlan
  debug: boolean
  faults?: boolean
  /** 'keys': api-key + secret-key; 'basic': basic-auth. */
  credentials: 'keys' | 'basic'
  inputs?: (workspace: string, sim: Simulator) => Record<string, string>
  exitCode: 0 | 1
  /** The document is refused before any request, with this message (secret-flow.ts). */
  refusedAtLoad?: RegExp
}

/** One transient fault in each phase: submit, poll, outputs link, storage download. */
function faultEveryPhase(sim: Simulator): void {
  sim.addFault({ host: 'api', method: 'POST', times: 1, action: { type: 'status', status: 429 } })
  const status = /^\/api\/2\/dsar\/requests\/[^/]+$/
  sim.addFault({
    host: 'api',
    method: 'GET',
    path: status,
    times: 1,
    action: { type: 'status', status: 503 }
  })
  sim.addFault({ host: 'api', method: 'GET', path: status, times: 1, action: { type: 'reset' } })
  sim.addFault({
    host: 'api',
    path: /\/outputs\//,
    times: 1,
    action: { type: 'status', status: 500 }
  })
  sim.addFault({ host: 'storage', times: 1, action: { type: 'reset' } })
}

/** A document that copies the credentials into its outputs, a status and a request path. */
function echoingDocument(workspace: string): string {
  copyFileSync(
    join(repoRoot, 'src', 'workflows', 'amplitude-dsar.openapi.yml'),
    join(workspace, 'amplitude-dsar.openapi.yml')
  )
  const auth = { name: 'Authorization', in: 'header', value: 'Basic {$inputs.basicAuth}' }
  const document = {
    arazzo: '1.0.1',
    info: { title: 'copies the credentials', version: '1.0.0' },
    sourceDescriptions: [{ name: 'api', url: './amplitude-dsar.openapi.yml', type: 'openapi' }],
    workflows: [
      {
        workflowId: 'echo',
        inputs: {
          type: 'object',
          properties: { basicAuth: { type: 'string' }, userId: { type: 'string' } }
        },
        steps: [
          {
            stepId: 'probe',
            operationId: 'getDataRequest',
            parameters: [auth, { name: 'requestId', in: 'path', value: '$inputs.basicAuth' }],
            successCriteria: [{ condition: '$statusCode == 200' }],
            outputs: { status: '$response.body#/status' }
          }
        ],
        outputs: {
          requestId: '$inputs.basicAuth',
          status: 'Basic {$inputs.basicAuth}',
          copy: '$inputs.basicAuth'
        }
      }
    ]
  }
  writeFileSync(join(workspace, 'echo.arazzo.json'), JSON.stringify(document))
  return 'echo.arazzo.json'
}

const done: JobPlan = { pollsInStaging: 1, pollsInSubmitted: 1, files: 2, linesPerFile: 5 }

const ROWS: LeakRow[] = [
  {
    name: 'documented API, faults in every phase, downloads',
    did: 'api-key + secret-key; a 429, a 503, a reset, an outputs-link 500 and a storage reset along the way',
    job: done,
    debug: false,
    faults: true,
    credentials: 'keys',
    inputs: () => ({ download: 'true' }),
    exitCode: 0
  },
  {
    name: 'the same with ACTIONS_STEP_DEBUG',
    did: 'as above, with ACTIONS_STEP_DEBUG=true and RUNNER_DEBUG=1',
    job: done,
    debug: true,
    faults: true,
    credentials: 'keys',
    inputs: () => ({ download: 'true' }),
    exitCode: 0
  },
  {
    name: 'apis-io workflow with basic-auth, presigned download_url, debug',
    did: 'basic-auth; the seed contract hands out the presigned storage URL itself; downloads; step debug on',
    job: done,
    debug: true,
    faults: false,
    credentials: 'basic',
    inputs: () => ({ workflow: 'apis-io', download: 'true' }),
    exitCode: 0
  },
  {
    name: 'the verbatim seed document with basic-auth, debug',
    did: 'the seed Arazzo document as `workflow:`, basic-auth, step debug on',
    job: done,
    debug: true,
    faults: false,
    credentials: 'basic',
    inputs: workspace => {
      mkdirSync(join(workspace, 'arazzo'))
      copyFileSync(SEED, join(workspace, 'arazzo', 'seed.yml'))
      return { workflow: 'arazzo/seed.yml' }
    },
    exitCode: 0
  },
  {
    name: 'refused credentials, debug',
    did: 'a secret-key the API refuses (401), step debug on',
    job: done,
    debug: true,
    credentials: 'keys',
    inputs: () => ({ 'secret-key': 'wrong+secret/value=123' }),
    exitCode: 1
  },
  {
    name: 'timeout with three requests and a resume hint, debug',
    did: 'three subjects that never finish, timeout 1s, step debug on',
    job: { pollsInStaging: 1_000_000 },
    debug: true,
    credentials: 'keys',
    inputs: () => ({ 'user-ids': 'subject-1, subject-2, subject-3', timeout: '1s' }),
    exitCode: 1
  },
  {
    name: 'a document that copies the credentials into outputs and a path, debug: refused at load',
    did: 'a custom workflow outputs $inputs.basicAuth (as requestId, status and an output) and sends it as a path parameter',
    job: done,
    debug: true,
    credentials: 'keys',
    inputs: workspace => ({ workflow: echoingDocument(workspace) }),
    exitCode: 1,
    refusedAtLoad:
      /Input 'workflow': workflows\/0\/steps\/0\/parameters\/1\/value: the secret input 'basicAuth' would reach the path parameter 'requestId'/
  }
]

async function runRow(row: LeakRow, saw: (got: string) => void): Promise<void> {
  const sim = await startSimulator({ job: row.job, apiKey: API_KEY, secretKey: SECRET_KEY })
  try {
    if (row.faults) faultEveryPhase(sim)
    const workspace = makeWorkspace()
    const credentials: Record<string, string> =
      row.credentials === 'keys'
        ? { 'api-key': sim.apiKey, 'secret-key': sim.secretKey }
        : { 'basic-auth': sim.basicAuth }
    const inputs: Record<string, string> = {
      ...baseInputs(sim, { 'api-key': '', 'secret-key': '' }),
      ...credentials,
      ...row.inputs?.(workspace, sim)
    }
    const run: ActionRun = await runAction(inputs, {
      workspace,
      env: { ...HOOKS, ...(row.debug ? DEBUG : {}) }
    })
    const masks = run.lines.filter(line => line.startsWith('::add-mask::')).length
    saw(
      describeRun(run, [
        // Every log line is checked; how many there are depends on the machine in the timeout
        // row, so docs/reliability.md does not count them.
        `${masks} masks registered; every log line and ${Object.keys(run.outputs).length} outputs ` +
          'checked: no credential, no storage URL in the log'
      ])
    )

    expect(run.exitCode).toBe(row.exitCode)
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    // The check looks for something: the credentials in every form, across a real log.
    expect(credentialForms(inputs).length).toBeGreaterThanOrEqual(10)
    if (row.refusedAtLoad) {
      expect(errorText(run)).toMatch(row.refusedAtLoad)
      expect(sim.log).toHaveLength(0)
    } else expect(run.lines.length - masks).toBeGreaterThan(3)
    expectNoLeaks(run, { inputs, sim })
    // The runner hides only what it was told about: every form of the credentials, registered.
    expectMasked(run, inputs)
    // The API host saw the credentials on every request; the storage host on none.
    expect(sim.log.filter(e => e.host === 'api').every(e => e.authorization)).toBe(true)
    if (row.faults) expect(sim.log.filter(e => e.fault !== undefined)).toHaveLength(5)
  } finally {
    await sim.close()
  }
}

describe('no credential and no presigned URL leaks', () => {
  for (const row of ROWS) {
    report.row('No leaks', row.name, row.did, saw => runRow(row, saw), { concurrent: true })
  }
})

// ---------------------------------------------------------------------------------------------
// Containment of the tests themselves
// ---------------------------------------------------------------------------------------------

report.row(
  'No leaks',
  'the connect guard stops a run that reaches beyond loopback',
  "api-url: https://10.255.255.1 (a private address the user's own api-url may name; the action " +
    'connects there by design) with the connect guard every test run is preloaded with',
  async saw => {
    const inputs = {
      'api-url': 'https://10.255.255.1',
      'api-key': API_KEY,
      'secret-key': SECRET_KEY,
      'user-ids': 'subject-1@example.com',
      'poll-interval': '5s',
      timeout: '20s'
    }
    const run = await runAction(inputs, { reportGuarded: true, env: HOOKS })
    saw(describeRun(run, [`connect guard refused: ${run.guarded.join(', ')}`]))
    // The fault fired: the action tried, and the guard refused before any packet left.
    expect(run.guarded.map(line => JSON.parse(line))).toContainEqual({
      kind: 'address',
      target: '10.255.255.1'
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    expectNoLeaks(run, { inputs })
  },
  { timeoutMs: 90_000 }
)
