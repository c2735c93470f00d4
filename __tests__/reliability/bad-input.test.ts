/**
 * Reliability matrix 2, bad input: every input of the contract given invalid values. Each row must be
 * refused by the input's name, with zero requests sent (the simulator sees nothing), one clear message
 * and no stack trace, and without echoing a credential. (e2e-action.test.ts checks a first dozen
 * cases; these are others.)
 */
import { generateIdentity } from 'age-encryption'
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSimulator, type Simulator } from '../../src/simulator/index.js'
import { baseInputs, makeWorkspace, repoRoot, runAction } from '../support/action-harness.js'
import {
  describeRun,
  errorText,
  expectNoLeaks,
  Report,
  STACK_FRAME,
  visibleText,
  type Saw
} from './support.js'
import { tempDir } from '../support/temp.js'

const report = new Report('bad-input')

interface BadInputRow {
  /** The input the message must name. */
  input: string
  name: string
  /** Inputs on top of a valid base (an empty string removes a base input). */
  inputs: (setup: Setup) => Record<string, string> | Promise<Record<string, string>>
  /** Text the message must contain besides the input's name (e.g. the way out). */
  mentions?: string[]
  /** Text the visible log must not contain (a value that may be secret). */
  notShown?: (setup: Setup) => string[]
}

interface Setup {
  sim: Simulator
  workspace: string
  /** A directory outside the workspace, with a file `outside.txt` of user ids. */
  outside: string
}

const WORKFLOWS = join(repoRoot, 'src', 'workflows')

function file(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text)
  return name
}

/** A custom document (with the API description beside it) whose workflow requires `ticket`. */
function ticketWorkflow(workspace: string): string {
  copyFileSync(
    join(WORKFLOWS, 'amplitude-dsar.openapi.yml'),
    join(workspace, 'amplitude-dsar.openapi.yml')
  )
  return file(
    workspace,
    'ticket.arazzo.yml',
    [
      'arazzo: 1.0.1',
      'info: { title: needs a ticket, version: 1.0.0 }',
      'sourceDescriptions:',
      '  - { name: amplitudeDsar, url: ./amplitude-dsar.openapi.yml, type: openapi }',
      'workflows:',
      '  - workflowId: with-ticket',
      '    inputs:',
      '      type: object',
      '      required: [basicAuth, ticket]',
      '      properties: { basicAuth: { type: string }, ticket: { type: string } }',
      '    steps:',
      '      - stepId: poll',
      '        operationId: getDataRequest',
      '        parameters:',
      "          - { name: Authorization, in: header, value: 'Basic {$inputs.basicAuth}' }",
      '          - { name: requestId, in: path, value: $inputs.ticket }',
      ''
    ].join('\n')
  )
}

const ROWS: BadInputRow[] = [
  // Subjects
  {
    input: 'user-ids',
    name: 'a control character inside a user id',
    inputs: () => ({ 'user-ids': 'alice\u0007bob' })
  },
  {
    input: 'user-ids',
    name: 'a user id of 1025 characters',
    inputs: () => ({ 'user-ids': 'u'.repeat(1025) })
  },
  {
    input: 'user-ids',
    name: 'a quoted list read as plain ids ("u1", "u2")',
    inputs: () => ({ 'user-ids': '"u1", "u2"' })
  },
  {
    input: 'user-ids',
    name: 'an id ending with a bracket (u1])',
    inputs: () => ({ 'user-ids': 'u0, u1]' })
  },
  {
    input: 'user-ids',
    name: 'a JSON array that does not parse ([u1, u2])',
    inputs: () => ({ 'user-ids': '[u1, u2]' })
  },
  {
    input: 'user-ids',
    name: 'a JSON array holding a number',
    inputs: () => ({ 'user-ids': '["u1", 2]' })
  },
  {
    input: 'amplitude-ids',
    name: 'a JSON array holding a word',
    inputs: () => ({ 'user-ids': '', 'amplitude-ids': '[123, "abc"]' })
  },
  {
    input: 'amplitude-ids',
    name: 'amplitude id 0',
    inputs: () => ({ 'user-ids': '', 'amplitude-ids': '0' })
  },
  {
    input: 'amplitude-ids',
    name: 'a negative amplitude id',
    inputs: () => ({ 'user-ids': '', 'amplitude-ids': '-7' })
  },
  {
    input: 'amplitude-ids',
    name: 'an amplitude id past 2^53',
    inputs: () => ({ 'user-ids': '', 'amplitude-ids': '9007199254740993' })
  },
  {
    input: 'user-ids-file',
    name: 'a user-ids-file that does not exist',
    inputs: () => ({ 'user-ids': '', 'user-ids-file': 'missing.txt' })
  },
  {
    input: 'user-ids-file',
    name: 'a user-ids-file outside the workspace',
    inputs: ({ outside }) => ({ 'user-ids': '', 'user-ids-file': join(outside, 'outside.txt') })
  },
  {
    input: 'user-ids-file',
    name: 'a user-ids-file symlinked to a file outside the workspace',
    inputs: ({ workspace, outside }) => {
      symlinkSync(join(outside, 'outside.txt'), join(workspace, 'ids.txt'))
      return { 'user-ids': '', 'user-ids-file': 'ids.txt' }
    }
  },
  {
    input: 'user-ids-file',
    name: 'more subjects than one run may submit (4,951; the cap is 4,950)',
    inputs: ({ workspace }) => ({
      'user-ids': 'subject-0@example.com',
      timeout: '5s',
      'user-ids-file': file(
        workspace,
        'many.txt',
        Array.from({ length: 4950 }, (_, i) => `subject-${i + 1}@example.com`).join('\n')
      )
    })
  },
  {
    input: 'request-ids',
    name: 'more request ids than one run may resume (4,951; the cap is 4,950)',
    inputs: () => ({
      'user-ids': '',
      timeout: '5s',
      'request-ids': Array.from({ length: 4951 }, (_, i) => String(60000 + i)).join(',')
    })
  },
  {
    input: 'user-ids-file',
    name: 'a JSON user-ids-file with a number in it',
    inputs: ({ workspace }) => ({
      'user-ids': '',
      'user-ids-file': file(workspace, 'ids.json', '["a", 5]')
    })
  },
  {
    input: 'user-ids-file',
    name: 'a user-ids-file of comments only',
    inputs: ({ workspace }) => ({
      'user-ids': '',
      'user-ids-file': file(workspace, 'ids.txt', '# none\n\n')
    })
  },
  {
    input: 'user-ids-file',
    name: 'a user-ids-file that is a directory',
    inputs: ({ workspace }) => {
      mkdirSync(join(workspace, 'ids'))
      return { 'user-ids': '', 'user-ids-file': 'ids' }
    }
  },
  // Credentials
  {
    input: 'api-key',
    name: 'an api-key with a colon',
    inputs: () => ({ 'api-key': 'key:with-colon-123' })
  },
  { input: 'api-key', name: 'a secret-key without an api-key', inputs: () => ({ 'api-key': '' }) },
  {
    input: 'secret-key',
    name: 'a control character inside the secret-key',
    inputs: ({ sim }) => ({ 'secret-key': `${sim.secretKey}\u0001x` })
  },
  {
    input: 'basic-auth',
    name: 'basic-auth that is not base64',
    inputs: () => ({ 'api-key': '', 'secret-key': '', 'basic-auth': '%%not-base64-at-all%%' }),
    notShown: () => ['not-base64-at-all']
  },
  {
    input: 'basic-auth',
    name: 'basic-auth whose decoded value has no colon',
    inputs: () => ({
      'api-key': '',
      'secret-key': '',
      'basic-auth': Buffer.from('no-colon-credentials').toString('base64')
    }),
    notShown: () => ['no-colon-credentials']
  },
  {
    input: 'basic-auth',
    name: 'basic-auth together with api-key and secret-key',
    inputs: ({ sim }) => ({ 'basic-auth': sim.basicAuth })
  },
  // Where the API is
  {
    input: 'region',
    name: "region 'eu-west-1'",
    inputs: () => ({ region: 'eu-west-1', 'api-url': '' })
  },
  { input: 'api-url', name: 'an ftp api-url', inputs: () => ({ 'api-url': 'ftp://127.0.0.1:21' }) },
  {
    input: 'api-url',
    name: 'an api-url with a path',
    inputs: ({ sim }) => ({ 'api-url': `${sim.url}/api/2` })
  },
  {
    input: 'api-url',
    name: 'an api-url with a query',
    inputs: ({ sim }) => ({ 'api-url': `${sim.url}/?debug=1` })
  },
  {
    input: 'api-url',
    name: 'an api-url carrying user:password',
    inputs: () => ({ 'api-url': 'https://someone:hunter2-password@amplitude.example' }),
    notShown: () => ['hunter2-password']
  },
  // Dates
  {
    input: 'start-date',
    name: 'a start-date before 2000',
    inputs: () => ({ 'start-date': '1999-12-31' })
  },
  { input: 'start-date', name: 'month 13', inputs: () => ({ 'start-date': '2024-13-01' }) },
  {
    input: 'end-date',
    name: 'an end-date far in the future',
    inputs: () => ({ 'end-date': '2999-01-01' })
  },
  {
    input: 'end-date',
    name: 'an end-date written 01/02/2024',
    inputs: () => ({ 'end-date': '01/02/2024' })
  },
  // Resuming and waiting
  {
    input: 'request-ids',
    name: 'a request id with a space',
    inputs: () => ({ 'user-ids': '', 'request-ids': '533 67' })
  },
  {
    input: 'request-ids',
    name: 'request-ids together with user-ids',
    inputs: () => ({ 'request-ids': '53367' })
  },
  {
    input: 'request-ids',
    name: 'request-ids with wait: false',
    inputs: () => ({ 'user-ids': '', 'request-ids': '53367', wait: 'false' })
  },
  { input: 'wait', name: "wait: 'yes'", inputs: () => ({ wait: 'yes' }) },
  {
    input: 'poll-interval',
    name: 'a poll-interval of 0',
    inputs: () => ({ 'poll-interval': '0' })
  },
  {
    input: 'poll-interval',
    name: 'a sub-second poll-interval against a non-loopback API',
    inputs: () => ({ 'api-url': 'https://amplitude.example', 'poll-interval': '0.5s' })
  },
  {
    input: 'timeout',
    name: 'a timeout of 7h (longer than a job)',
    inputs: () => ({ timeout: '7h' })
  },
  { input: 'timeout', name: 'a negative timeout', inputs: () => ({ timeout: '-5m' }) },
  {
    input: 'timeout',
    name: 'a timeout shorter than one poll-interval (5 with poll-interval 10)',
    mentions: ['shorter than one poll-interval (10 s)'],
    inputs: () => ({ timeout: '5', 'poll-interval': '10' })
  },
  {
    input: 'max-concurrency',
    name: 'max-concurrency 33',
    inputs: () => ({ 'max-concurrency': '33' })
  },
  {
    input: 'max-concurrency',
    name: 'max-concurrency 2.5',
    inputs: () => ({ 'max-concurrency': '2.5' })
  },
  // Downloads and artifacts
  { input: 'download', name: "download: 'on'", inputs: () => ({ download: 'on' }) },
  {
    input: 'download',
    name: 'download with wait: false',
    inputs: () => ({ download: 'true', wait: 'false' })
  },
  {
    input: 'download-path',
    name: 'a download-path outside the workspace and RUNNER_TEMP',
    inputs: () => ({ 'download-path': '/etc/dsar' })
  },
  {
    input: 'download-path',
    name: 'a download-path that is a file',
    inputs: ({ workspace }) => ({ 'download-path': file(workspace, 'exports', 'not a directory') })
  },
  {
    input: 'download-path',
    name: 'a download-path symlinked out of the workspace',
    inputs: ({ workspace, outside }) => {
      symlinkSync(outside, join(workspace, 'exports'))
      return { 'download-path': 'exports/dsar' }
    }
  },
  {
    input: 'artifact-name',
    name: 'an artifact-name with a slash',
    inputs: () => ({ 'artifact-name': 'exports/dsar' })
  },
  { input: 'retention-days', name: 'retention-days 0', inputs: () => ({ 'retention-days': '0' }) },
  {
    input: 'retention-days',
    name: 'retention-days 91',
    inputs: () => ({ 'retention-days': '91' })
  },
  {
    input: 'encrypt-to',
    name: 'artifact-name with no recipient (plaintext on GitHub needs encrypt-to: none)',
    mentions: ['encrypt-to: none', 'plaintext on GitHub'],
    inputs: () => ({ 'artifact-name': 'dsar-export' })
  },
  {
    input: 'encrypt-to',
    name: 'artifact-name with an empty encrypt-to (an unset repository variable)',
    mentions: ['encrypt-to: none', 'plaintext on GitHub'],
    inputs: () => ({ 'artifact-name': 'dsar-export', 'encrypt-to': '' })
  },
  {
    input: 'encrypt-to',
    name: 'artifact-name with the recipient under a misspelt input (encrypt_to)',
    mentions: ['encrypt-to: none', 'plaintext on GitHub'],
    inputs: () => ({
      'artifact-name': 'dsar-export',
      encrypt_to: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq'
    })
  },
  {
    input: 'encrypt-to',
    name: 'an age identity (private key) as recipient',
    inputs: async () => ({ 'encrypt-to': await generateIdentity() }),
    notShown: () => ['AGE-SECRET-KEY-']
  },
  {
    input: 'encrypt-to',
    name: 'a recipient that is not age1...',
    inputs: () => ({ 'encrypt-to': 'age1notarecipient' })
  },
  // The workflow document
  {
    input: 'workflow',
    name: 'a workflow file that is not YAML or JSON by name',
    inputs: ({ workspace }) => ({ workflow: file(workspace, 'notes.txt', 'hello') })
  },
  {
    input: 'workflow',
    name: 'a workflow file outside the workspace',
    inputs: ({ outside }) => ({ workflow: join(outside, 'outside.arazzo.yml') })
  },
  {
    input: 'workflow',
    name: 'a workflow file that is not an Arazzo document',
    inputs: ({ workspace }) => ({ workflow: file(workspace, 'empty.yml', 'just: a map\n') })
  },
  {
    input: 'workflow-id',
    name: 'a workflow-id with a space',
    inputs: () => ({ 'workflow-id': 'has space' })
  },
  {
    input: 'workflow-id',
    name: 'a workflow-id the document does not have',
    inputs: ({ workspace }) => ({ workflow: ticketWorkflow(workspace), 'workflow-id': 'nope' })
  },
  {
    input: 'source-integrity',
    name: 'a source-integrity pin with an md5 digest',
    inputs: () => ({
      'source-integrity':
        'https://flows.example.com/dsar.arazzo.yml md5:9e107d9d372bb6826bd81d3542a419d6'
    })
  },
  {
    input: 'source-integrity',
    name: 'a source-integrity pin for a plain http URL',
    inputs: () => ({
      'source-integrity': `http://flows.example.com/a.yml sha256:${'a'.repeat(64)}`
    })
  },
  { input: 'inputs', name: 'inputs that are a JSON array', inputs: () => ({ inputs: '[1, 2]' }) },
  {
    input: 'inputs',
    name: 'inputs that end mid-object',
    inputs: () => ({ inputs: '{"reason": ' })
  },
  {
    input: 'inputs',
    name: 'a custom workflow input no action input supplies',
    inputs: ({ workspace }) => ({ workflow: ticketWorkflow(workspace) })
  }
]

async function runRow(row: BadInputRow, saw: Saw): Promise<void> {
  const sim = await startSimulator()
  try {
    const workspace = makeWorkspace()
    const outside = tempDir('dsar-outside-')
    file(outside, 'outside.txt', 'someone@example.com\n')
    file(outside, 'outside.arazzo.yml', 'arazzo: 1.0.1\n')
    const setup: Setup = { sim, workspace, outside }
    const given = await row.inputs(setup)
    const inputs = baseInputs(sim, given)
    const run = await runAction(inputs, { workspace })
    const shown = Object.entries(given).map(([name, value]) => `${name}: ${show(value, sim)}`)
    saw(describeRun(run), shown.join(', '))
    expect(run.exitCode).toBe(1)
    const message = errorText(run)
    expect(message).toContain(`Input '${row.input}'`)
    for (const text of row.mentions ?? []) expect(message).toContain(text)
    expect(run.lines.filter(line => line.startsWith('::error::'))).toHaveLength(1)
    expect(sim.log).toHaveLength(0)
    expect(run.stdout + run.stderr).not.toMatch(STACK_FRAME)
    expectNoLeaks(run, { inputs, sim })
    const visible = visibleText(run)
    for (const secret of row.notShown?.(setup) ?? []) expect(visible).not.toContain(secret)
  } finally {
    await sim.close()
  }
}

/** A given value for the report: credentials named, not shown; long values cut. */
function show(value: string, sim: Simulator): string {
  if (value === '') return '(unset)'
  if (/^AGE-SECRET-KEY-/i.test(value)) return '"AGE-SECRET-KEY-1…" (a generated identity)'
  const named = value
    .split(sim.basicAuth)
    .join('<basic-auth>')
    .split(sim.secretKey)
    .join('<secret-key>')
    .split(sim.url)
    .join('<api-url>')
  return JSON.stringify(
    named.length > 48 ? `${named.slice(0, 24)}… (${named.length} chars)` : named
  )
}

describe('bad input is refused by name, with zero requests sent', () => {
  for (const row of ROWS) {
    report.row('Bad input', `${row.input}: ${row.name}`, row.name, saw => runRow(row, saw), {
      concurrent: true
    })
  }
})
