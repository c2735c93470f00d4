/**
 * Reliability matrix 3, hostile or broken Arazzo documents given as `workflow:`. Loops must end
 * (poll pacing and the deadline, max steps, the nesting limit), parsing must be bounded (alias bombs,
 * size), regex criteria must not backtrack without bound, files outside the workspace and remote
 * descriptions are refused, and a broken reference fails at load time with its JSON Pointer, before
 * any request.
 */
import { copyFileSync, symlinkSync, writeFileSync } from 'node:fs'
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
  describeRun,
  errorText,
  expectNoLeaks,
  Report,
  STACK_FRAME,
  visibleText
} from './support.js'
import { tempDir } from '../support/temp.js'

const report = new Report('hostile-documents')

const DESCRIPTION = 'amplitude-dsar.openapi.yml'
const DESCRIPTION_SOURCE = join(repoRoot, 'src', 'workflows', DESCRIPTION)

// ---------------------------------------------------------------------------------------------
// Document pieces (documented API: createDataRequest, getDataRequest)
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>

const auth = { name: 'Authorization', in: 'header', value: 'Basic {$inputs.basicAuth}' }
const subjectInputs = {
  type: 'object',
  required: ['basicAuth', 'userId', 'startDate', 'endDate'],
  properties: {
    basicAuth: { type: 'string' },
    userId: { type: 'string' },
    startDate: { type: 'string' },
    endDate: { type: 'string' }
  }
}
const resumeInputs = {
  type: 'object',
  required: ['basicAuth', 'requestId'],
  properties: { basicAuth: { type: 'string' }, requestId: { type: 'integer' } }
}
const submitStep = {
  stepId: 'submit',
  operationId: 'createDataRequest',
  parameters: [auth],
  requestBody: {
    contentType: 'application/json',
    payload: {
      userId: '$inputs.userId',
      startDate: '$inputs.startDate',
      endDate: '$inputs.endDate'
    }
  },
  successCriteria: [{ condition: '$statusCode == 202' }],
  outputs: { requestId: '$response.body#/requestId' }
}
const pollStep = (extra: Json = {}, requestId = '$steps.submit.outputs.requestId'): Json => ({
  stepId: 'poll',
  operationId: 'getDataRequest',
  parameters: [auth, { name: 'requestId', in: 'path', value: requestId }],
  outputs: { status: '$response.body#/status' },
  ...extra
})
const submitAndPoll = (poll: Json): Json => ({
  workflowId: 'submit-and-poll',
  inputs: subjectInputs,
  steps: [submitStep, poll],
  outputs: { requestId: '$steps.submit.outputs.requestId', status: '$steps.poll.outputs.status' }
})
const arazzo = (workflows: Json[], source: Json = {}): Json => ({
  arazzo: '1.0.1',
  info: { title: 'A hostile document', version: '1.0.0' },
  sourceDescriptions: [
    { name: 'amplitudeDsar', url: `./${DESCRIPTION}`, type: 'openapi', ...source }
  ],
  workflows
})

/** A billion-laughs document: nine levels of nine aliases, under an extension of a valid document. */
function aliasBomb(): string {
  const lines = [
    'x-laughs:',
    '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
  ]
  const names = 'abcdefghi'
  for (let i = 1; i < names.length; i++) {
    const previous = `*${names[i - 1]}`
    lines.push(`  ${names[i]}: &${names[i]} [${Array(9).fill(previous).join(', ')}]`)
  }
  return yamlAfter(`${lines.join('\n')}\n`)
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

interface Setup {
  sim: Simulator
  workspace: string
  /** A directory outside the workspace holding a copy of the API description. */
  outside: string
}

interface HostileRow {
  name: string
  did: string
  /** The document's text (YAML or JSON), written to the workspace as `hostile.arazzo.yml`. */
  document: (setup: Setup) => string
  job?: JobPlan
  inputs?: Record<string, string>
  /** Resume an existing request instead of submitting (for documents taking `requestId`). */
  resume?: boolean
  message: RegExp
  /** Requests the simulator may have seen: 0 for load-time refusals. */
  requests: (count: number) => void
  /**
   * How docs/reliability.md states the request count when it depends on the machine's speed (a
   * deadline-bound row): the bound checked, not the count of this run, so the document does not
   * change from run to run.
   */
  requestsReported?: string
  check?: (run: ActionRun, setup: Setup) => void
  timeoutMs?: number
}

const none = (count: number) => expect(count).toBe(0)
const endlessPoll: JobPlan = { pollsInStaging: 1_000_000 }

const ROWS: HostileRow[] = [
  {
    name: 'endless goto, ended by the deadline (paced)',
    did: 'a poll step whose onSuccess always goes back to itself; timeout: 2s, poll-interval: 0.05s',
    document: () =>
      JSON.stringify(
        arazzo([
          submitAndPoll(pollStep({ onSuccess: [{ name: 'again', type: 'goto', stepId: 'poll' }] }))
        ])
      ),
    job: endlessPoll,
    inputs: { timeout: '2s' },
    message:
      /Timed out \(timeout 2s, deadline \S+Z\): request \d+: still staging (after [\d.]+s, and its next poll would come after the timeout|when the timeout ran out)/,
    // Paced: the interval grows 1.5x per poll, so 2 s holds about a dozen polls, not thousands.
    requests: count => expect(count).toBeLessThan(20),
    requestsReported: 'fewer than 20 requests sent'
  },
  {
    name: 'endless zero-delay retry, ended by max steps',
    // Max steps is timeout / poll-interval + 100: a long interval keeps that small, so the zero-delay
    // retries reach it in a second or two, well inside the timeout even on a slow, loaded machine
    // (10 s with 0.05 s, i.e. 300 steps in 10 s, timed out under load).
    did: 'a poll step that never succeeds, with a failure action retry (retryAfter: 0, retryLimit: 100000); timeout 60s, poll-interval 30s (max steps 102)',
    document: () =>
      JSON.stringify(
        arazzo([
          submitAndPoll(
            pollStep({
              successCriteria: [{ condition: '$statusCode == 299' }],
              onFailure: [{ name: 'again', type: 'retry', retryAfter: 0, retryLimit: 100_000 }]
            })
          )
        ])
      ),
    job: endlessPoll,
    inputs: { timeout: '60s', 'poll-interval': '30s' },
    message: /request \d+: stopped after the maximum number of steps/,
    requests: count => expect(count).toBe(102)
  },
  {
    name: 'recursive workflowId step',
    did: 'a workflow whose first step runs the same workflow',
    document: () =>
      JSON.stringify(
        arazzo([
          {
            workflowId: 'loop',
            inputs: subjectInputs,
            steps: [
              {
                stepId: 'again',
                workflowId: 'loop',
                parameters: ['basicAuth', 'userId', 'startDate', 'endDate'].map(name => ({
                  name,
                  value: `$inputs.${name}`
                }))
              },
              submitStep
            ]
          }
        ])
      ),
    message: /workflow 'loop' is nested deeper than 16 levels/,
    requests: none
  },
  {
    name: 'mutually recursive workflowId steps, each level sending a request',
    did: "workflow 'a' polls, then runs 'b', which runs 'a' again (resuming an existing request)",
    resume: true,
    document: () => {
      const pass = ['basicAuth', 'requestId'].map(name => ({ name, value: `$inputs.${name}` }))
      return JSON.stringify(
        arazzo([
          {
            workflowId: 'a',
            inputs: resumeInputs,
            steps: [
              pollStep({}, '$inputs.requestId'),
              { stepId: 'b', workflowId: 'b', parameters: pass }
            ]
          },
          {
            workflowId: 'b',
            inputs: resumeInputs,
            steps: [{ stepId: 'a', workflowId: 'a', parameters: pass }]
          }
        ])
      )
    },
    message: /workflow '[ab]' is nested deeper than 16 levels/,
    requests: count => expect(count).toBeLessThanOrEqual(17)
  },
  {
    name: 'YAML alias bomb',
    did: 'nine levels of nine aliases (9^9 strings once expanded) in an extension of a valid document',
    document: () => aliasBomb(),
    message: /Input 'workflow': the document was refused: .*alias/i,
    requests: none
  },
  {
    name: '10 MB document',
    did: 'a valid document padded with a 10 MB extension string',
    document: () =>
      JSON.stringify({
        ...arazzo([submitAndPoll(pollStep())]),
        'x-padding': 'x'.repeat(10 * 1024 * 1024)
      }),
    message: /Input 'workflow': .* is \d+ bytes, over the 5242880 byte limit/,
    requests: none
  },
  {
    name: 'catastrophically backtracking regex criterion (bounded)',
    did: "a poll criterion '^(a+)+$' (type regex) tested against a failReason of 64 'a's and a '!' (2^64 steps for a backtracking engine)",
    document: () =>
      JSON.stringify(
        arazzo([
          submitAndPoll(
            pollStep({
              successCriteria: [
                { context: '$response.body#/failReason', condition: '^(a+)+$', type: 'regex' }
              ]
            })
          )
        ])
      ),
    job: {
      pollsInStaging: 0,
      pollsInSubmitted: 0,
      outcome: 'failed',
      failReason: `${'a'.repeat(64)}!`
    },
    message:
      /step 'poll' failed: GET \/api\/2\/dsar\/requests\/\d+ returned 200; failed criteria: \^\(a\+\)\+\$/,
    requests: count => expect(count).toBe(2)
  },
  {
    name: 'source description outside the workspace (absolute path)',
    did: 'sourceDescriptions[0].url is the absolute path of a copy of the API description outside the workspace',
    document: ({ outside }) =>
      JSON.stringify(arazzo([submitAndPoll(pollStep())], { url: join(outside, DESCRIPTION) })),
    message: /Input 'workflow': sourceDescriptions\/0\/url: .* is outside the allowed directories/,
    requests: none
  },
  {
    name: 'source description outside the workspace (../ path)',
    did: "sourceDescriptions[0].url climbs out of the workspace with '../'",
    document: ({ outside }) =>
      JSON.stringify(
        arazzo([submitAndPoll(pollStep())], {
          url: `../${outside.split('/').pop()}/${DESCRIPTION}`
        })
      ),
    message: /Input 'workflow': sourceDescriptions\/0\/url: .* is outside the allowed directories/,
    requests: none
  },
  {
    name: 'source description symlinked out of the workspace',
    did: 'the workspace holds a symlink to a description outside it',
    document: ({ workspace, outside }) => {
      symlinkSync(join(outside, DESCRIPTION), join(workspace, 'linked.openapi.yml'))
      return JSON.stringify(arazzo([submitAndPoll(pollStep())], { url: './linked.openapi.yml' }))
    },
    message: /Input 'workflow': sourceDescriptions\/0\/url: .* is outside the allowed directories/,
    requests: none
  },
  {
    name: 'source description as a file: URL to /etc/passwd',
    did: 'sourceDescriptions[0].url is file:///etc/passwd',
    document: () =>
      JSON.stringify(arazzo([submitAndPoll(pollStep())], { url: 'file:///etc/passwd' })),
    message:
      /Input 'workflow': sourceDescriptions\/0\/url: \/etc\/passwd is outside the allowed directories/,
    requests: none
  },
  {
    name: 'remote https source description not pinned while source-integrity is set',
    did: 'sourceDescriptions[0].url is https://example.com/openapi.yml; source-integrity pins another URL (more remote rows: the Remote sources matrix)',
    document: () =>
      JSON.stringify(
        arazzo([submitAndPoll(pollStep())], { url: 'https://example.com/openapi.yml' })
      ),
    inputs: { 'source-integrity': `https://example.com/other.yml sha256:${'0'.repeat(64)}` },
    message:
      /Input 'workflow': sourceDescriptions\/0\/url: https:\/\/example\.com\/openapi\.yml refused: 'source-integrity' is set/,
    requests: none
  },
  {
    name: 'remote http source description on the API host itself',
    did: "sourceDescriptions[0].url is the simulator's own http URL (it would log a fetch)",
    document: ({ sim }) =>
      JSON.stringify(arazzo([submitAndPoll(pollStep())], { url: `${sim.url}/openapi.yml` })),
    message:
      /Input 'workflow': sourceDescriptions\/0\/url: remote source description http:\/\/127\.0\.0\.1:\d+\/openapi\.yml refused/,
    requests: none
  },
  {
    name: 'unknown operationId (load-time error with pointer)',
    did: "the poll step names operationId 'getDataRequests' (the description has getDataRequest)",
    document: () =>
      JSON.stringify(arazzo([submitAndPoll(pollStep({ operationId: 'getDataRequests' }))])),
    message:
      /Input 'workflow': workflows\/0\/steps\/1\/operationId: unknown operationId 'getDataRequests'/,
    requests: none
  },
  {
    name: 'credentials moved into the URL query by the document (refused at load)',
    did: 'the poll step also sends basicAuth as a query parameter, then fails its criteria',
    document: () =>
      JSON.stringify(
        arazzo([
          submitAndPoll(
            pollStep({
              parameters: [
                auth,
                { name: 'requestId', in: 'path', value: '$steps.submit.outputs.requestId' },
                { name: 'key', in: 'query', value: '$inputs.basicAuth' }
              ],
              successCriteria: [{ condition: '$statusCode == 299' }]
            })
          )
        ])
      ),
    message:
      /Input 'workflow': workflows\/0\/steps\/1\/parameters\/2\/value: the secret input 'basicAuth' would reach the query parameter 'key'/,
    requests: none,
    check: run => expect(visibleText(run)).not.toMatch(/[?&]key=/)
  },
  {
    name: 'credentials read out by regex criteria, one goto per character (refused at load)',
    did:
      'the poll step has success actions with regex criteria on $inputs.basicAuth, one goto per candidate ' +
      'first character, each target step emitting that character as an output',
    document: () => JSON.stringify(arazzo([extractionWorkflow()])),
    message:
      /Input 'workflow': workflows\/0\/steps\/1\/onSuccess\/0\/criteria\/0\/context: the secret input 'basicAuth' would reach criteria/,
    requests: none
  },
  {
    name: 'credentials read through an unusual workflow id, `$workflows.sub:x.inputs` (refused at load)',
    did:
      "the document passes basicAuth on to a workflow 'sub:x' (allowed), which reads " +
      '$workflows.sub:x.inputs.basicAuth in a regex criterion and returns its length as an output',
    document: () => JSON.stringify(arazzo(unusualIdWorkflows())),
    message:
      /Input 'workflow': workflows\/1\/steps\/1\/onSuccess\/0\/criteria\/0\/context: the secret input 'basicAuth' would reach criteria/,
    requests: none,
    check: run => expect(run.outputs.workflowOutputs ?? '').not.toMatch(/length|\d{2}/)
  },
  {
    name: 'lookahead regex that backtracks for hours (refused at load)',
    did: "a poll criterion '^(?=a)a*a*a*a*a*b' (type regex) against a failReason of 1,000 'a's",
    document: () =>
      JSON.stringify(
        arazzo([
          submitAndPoll(
            pollStep({
              successCriteria: [
                {
                  context: '$response.body#/failReason',
                  condition: '^(?=a)a*a*a*a*a*b',
                  type: 'regex'
                }
              ]
            })
          )
        ])
      ),
    job: {
      pollsInStaging: 0,
      pollsInSubmitted: 0,
      outcome: 'failed',
      failReason: 'a'.repeat(1000)
    },
    message:
      /Input 'workflow': workflows\/0\/steps\/1\/successCriteria\/0\/condition: Regular expression refused: the pattern is not one the linear-time engine \(RE2\) runs/,
    requests: none
  },
  {
    name: 'JSONPath search() that backtracks exponentially (runs on RE2)',
    did: "a poll criterion $[?search(@, '^(a|a)*c$')] (type jsonpath, over every member of the answer) against a failReason of 40 'a's (2^40 steps for a backtracking engine)",
    document: () =>
      JSON.stringify(
        arazzo([
          submitAndPoll(
            pollStep({
              successCriteria: [
                {
                  context: '$response.body',
                  condition: "$[?search(@, '^(a|a)*c$')]",
                  type: 'jsonpath'
                }
              ]
            })
          )
        ])
      ),
    job: { pollsInStaging: 0, pollsInSubmitted: 0, outcome: 'failed', failReason: 'a'.repeat(40) },
    message:
      /step 'poll' failed: GET \/api\/2\/dsar\/requests\/\d+ returned 200; failed criteria: \$\[\?search/,
    requests: count => expect(count).toBe(2)
  },
  {
    name: '4 MB document: one 300,000-key mapping with a duplicate key (linear check)',
    did: 'a valid document with an x- extension mapping of 300,000 keys, the last one repeating the first (the quadratic check would take about ten minutes)',
    document: () => {
      const keys = Array.from({ length: 300_000 }, (_, i) => `  k${i}: ${i}`)
      return yamlAfter(`x-keys:\n${keys.join('\n')}\n  k0: again\n`)
    },
    message:
      /Input 'workflow': the document is not valid YAML or JSON: Map keys must be unique: 'k0' appears more than once \(at x-keys\)/,
    requests: none,
    timeoutMs: 180_000
  }
]

/**
 * The extraction attack: regex criteria on the credentials, a goto per candidate first character,
 * each target step emitting its character as an output (repeated per position, it rebuilds them).
 */
function extractionWorkflow(): Json {
  const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/']
  const stepOf = (c: string) => `char${c.charCodeAt(0)}`
  const probe = pollStep({
    onSuccess: alphabet.map(c => ({
      name: `first${c.charCodeAt(0)}`,
      type: 'goto',
      stepId: stepOf(c),
      criteria: [
        { context: '$inputs.basicAuth', condition: `^${c === '+' ? '\\+' : c}`, type: 'regex' }
      ]
    }))
  })
  const emit = alphabet.map(c => ({
    ...pollStep({ outputs: { char: c }, onSuccess: [{ name: 'done', type: 'end' }] }),
    stepId: stepOf(c)
  }))
  return { ...submitAndPoll(probe), steps: [submitStep, probe, ...emit] }
}

/**
 * The second review's bypass: `sub:x` is an id the expression parser accepts (only a naming
 * warning), and a regex over the text that knew only `[A-Za-z0-9_-]+` ids let its secret through.
 */
function unusualIdWorkflows(): Json[] {
  const pass = ['basicAuth', 'userId', 'startDate', 'endDate'].map(name => ({
    name,
    value: `$inputs.${name}`
  }))
  const secret = '$workflows.sub:x.inputs.basicAuth'
  const sub = submitAndPoll(
    pollStep({
      onSuccess: [
        {
          name: 'probe',
          type: 'goto',
          stepId: 'poll',
          criteria: [{ context: secret, condition: '^Q', type: 'regex' }]
        }
      ]
    })
  )
  return [
    {
      workflowId: 'main',
      inputs: subjectInputs,
      steps: [{ stepId: 'call', workflowId: 'sub:x', parameters: pass }],
      outputs: { length: '$workflows.sub:x.outputs.length' }
    },
    {
      ...sub,
      workflowId: 'sub:x',
      outputs: { ...(sub.outputs as Json), length: `${secret}.length` }
    }
  ]
}

/** A valid document written as YAML lines (one JSON value per top-level key), after `prefix`. */
function yamlAfter(prefix: string): string {
  const valid = arazzo([submitAndPoll(pollStep())])
  const lines = Object.entries(valid).map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
  return `${prefix}${lines.join('\n')}\n`
}

async function runRow(row: HostileRow, saw: (got: string) => void): Promise<void> {
  const sim = await startSimulator({ job: row.job ?? { pollsInStaging: 1, pollsInSubmitted: 0 } })
  try {
    const workspace = makeWorkspace()
    const outside = tempDir('dsar-outside-')
    copyFileSync(DESCRIPTION_SOURCE, join(outside, DESCRIPTION))
    copyFileSync(DESCRIPTION_SOURCE, join(workspace, DESCRIPTION))
    const setup: Setup = { sim, workspace, outside }
    writeFileSync(join(workspace, 'hostile.arazzo.yml'), row.document(setup))

    let resume: Record<string, string> = {}
    if (row.resume) {
      const created = await fetch(`${sim.url}/api/2/dsar/requests`, {
        method: 'POST',
        headers: { authorization: `Basic ${sim.basicAuth}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          userId: 'subject-1',
          startDate: '2024-01-01',
          endDate: '2024-01-31'
        })
      })
      const { requestId } = (await created.json()) as { requestId: number }
      resume = { 'user-ids': '', 'request-ids': String(requestId) }
    }
    const before = sim.log.length
    const inputs: Record<string, string> = {
      ...baseInputs(sim),
      workflow: 'hostile.arazzo.yml',
      ...row.inputs,
      ...resume
    }
    const run = await runAction(inputs, { workspace })
    const requests = sim.log.length - before
    saw(
      describeRun(run, [
        row.requestsReported ?? `${requests} request${requests === 1 ? '' : 's'} sent`
      ])
    )

    expect(run.exitCode).toBe(1)
    expect(errorText(run)).toMatch(row.message)
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    row.requests(requests)
    // Whatever the document did, requests went to the API host with the credentials, nowhere else.
    expect(sim.log.every(e => e.host === 'api')).toBe(true)
    const created = sim.requests()
    if (created.length > 0 && !row.resume) {
      expect(run.outputs.requestId).toBe(String(created[0].requestId))
    }
    expectNoLeaks(run, { inputs, sim })
    row.check?.(run, setup)
  } finally {
    await sim.close()
  }
}

describe('hostile or broken documents', () => {
  for (const row of ROWS) {
    report.row('Hostile documents', row.name, row.did, saw => runRow(row, saw), {
      concurrent: true,
      timeoutMs: row.timeoutMs
    })
  }
})
