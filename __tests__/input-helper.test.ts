import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import {
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { getSettings, type Settings } from '../src/action/inputs/input-helper.js'
import { InputError } from '../src/run/input-error.js'
import { Inputs } from '../src/run/input-names.js'
import { captureRunnerCommands } from './support/runner-commands.js'
import { tempDir } from './support/temp.js'

const NOW = (): Date => new Date('2025-06-15T12:00:00Z')
const BASE: Record<string, string> = {
  'user-ids': 'alice',
  'api-key': 'key',
  'secret-key': 'secret'
}
const KEY_SECRET_TOKEN = Buffer.from('key:secret').toString('base64')

interface Dirs {
  root: string // holds the three below, so "outside" paths are still cleaned up
  workspace: string
  temp: string
  outside: string
}

let dirs: Dirs
let recipient: string
let otherRecipient: string
const savedEnv = { ...process.env }
/** What the action wrote to stdout (its warnings), kept out of the test's own output. */
let written: string[] = []
const realWrite = process.stdout.write.bind(process.stdout)

function setInputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    process.env[`INPUT_${name.toUpperCase()}`] = value
  }
}

function write(file: string, content: string): string {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, content)
  return file
}

async function settingsFor(values: Record<string, string>): Promise<Settings> {
  setInputs(values)
  return getSettings({ now: NOW })
}

async function inputErrorFor(values: Record<string, string>): Promise<InputError> {
  setInputs(values)
  try {
    await getSettings({ now: NOW })
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error(`getSettings accepted ${JSON.stringify(values)}`)
}

/** Settings for BASE with nothing else given: every default. */
function defaults(): Settings {
  return {
    subjects: [{ kind: 'userId', userId: 'alice' }],
    requestIds: [],
    apiKey: 'key',
    secretKey: 'secret',
    basicAuth: KEY_SECRET_TOKEN,
    region: 'us',
    apiUrl: 'https://amplitude.com',
    credentialOrigins: [],
    startDate: '2012-01-01',
    endDate: '2025-06-15',
    wait: true,
    pollIntervalMs: 60_000,
    timeoutMs: 19_800_000,
    maxConcurrency: 4,
    download: false,
    downloadPath: path.join(dirs.temp, 'amplitude-dsar'),
    retentionDays: 1,
    encryptTo: [],
    workflow: { kind: 'builtin', name: 'amplitude' },
    extraInputs: {},
    sourceIntegrity: new Map()
  }
}

beforeAll(async () => {
  recipient = await identityToRecipient(await generateX25519Identity())
  otherRecipient = await identityToRecipient(await generateX25519Identity())
})

beforeEach(() => {
  written = []
  process.stdout.write = (chunk: string | Uint8Array): boolean => {
    written.push(String(chunk))
    return true
  }
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  // realpath: the settings hold real paths, and os.tmpdir() may itself be a symlink
  const root = realpathSync(tempDir('input-helper-'))
  dirs = {
    root,
    workspace: path.join(root, 'workspace'),
    temp: path.join(root, 'runner-temp'),
    outside: path.join(root, 'outside')
  }
  for (const dir of [dirs.workspace, dirs.temp, dirs.outside]) mkdirSync(dir)
  process.env.GITHUB_WORKSPACE = dirs.workspace
  process.env.RUNNER_TEMP = dirs.temp
})

afterEach(() => {
  process.stdout.write = realWrite
  rmSync(dirs.root, { recursive: true, force: true })
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
})

describe('input names', () => {
  test('the enum lists exactly the inputs of action.yml', () => {
    const action = parseYaml(
      readFileSync(path.join(import.meta.dirname, '..', 'action.yml'), 'utf8')
    ) as { inputs: Record<string, unknown> }
    expect(Object.values(Inputs).sort()).toEqual(Object.keys(action.inputs).sort())
  })
})

describe('InputError', () => {
  test('names the input and formats its message', () => {
    const error = new InputError('region', 'bad')
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('InputError')
    expect(error.input).toBe('region')
    expect(error.message).toBe("Input 'region': bad")
  })
})

describe('getSettings: valid inputs', () => {
  const commands = captureRunnerCommands()

  test('defaults', async () => {
    expect(await settingsFor(BASE)).toStrictEqual(defaults())
  })

  test('every input set', async () => {
    write(path.join(dirs.workspace, 'ids', 'users.txt'), '# people\nbob\n\n  carol#1  \r\nalice\n')
    const flow = write(path.join(dirs.workspace, 'flows', 'custom.arazzo.yaml'), 'arazzo: 1.0.1\n')
    const settings = await settingsFor({
      'user-ids': 'alice, bob\n\nalice,',
      'amplitude-ids': '123\n 456 ,123, 007',
      'user-ids-file': 'ids/users.txt',
      'api-key': '',
      'secret-key': '',
      'basic-auth': `Basic ${Buffer.from('org-key:org:secret').toString('base64')}`,
      region: 'EU',
      'api-url': 'http://127.0.0.1:8080/',
      'start-date': '2024-02-29',
      'end-date': '2025-06-16',
      wait: 'True',
      'poll-interval': '0.05',
      timeout: '1h30m',
      'max-concurrency': '32',
      download: 'FALSE',
      'download-path': 'out/exports',
      'artifact-name': 'dsar export (1)',
      'retention-days': '90',
      'encrypt-to': `# the DPO\n${recipient}\n\n${otherRecipient}\n${recipient}\n`,
      workflow: 'flows/custom.arazzo.yaml',
      'workflow-id': 'my_flow-1',
      inputs: '{"tenant": "acme", "ids": [1, 2]}',
      'credential-origins':
        'https://dsar-proxy.example.com,\nhttp://127.0.0.3:9000/\nHTTPS://Dsar-Proxy.Example.com',
      'source-integrity': `# shared flows\nhttps://flows.example.com/a.arazzo.yaml sha256:${'A'.repeat(64)}`
    })
    expect(settings).toStrictEqual({
      subjects: [
        { kind: 'userId', userId: 'alice' },
        { kind: 'userId', userId: 'bob' },
        { kind: 'amplitudeId', amplitudeId: 123 },
        { kind: 'amplitudeId', amplitudeId: 456 },
        { kind: 'amplitudeId', amplitudeId: 7 },
        { kind: 'userId', userId: 'carol#1' }
      ],
      requestIds: [],
      apiKey: 'org-key',
      secretKey: 'org:secret',
      basicAuth: Buffer.from('org-key:org:secret').toString('base64'),
      region: 'eu',
      apiUrl: 'http://127.0.0.1:8080',
      credentialOrigins: ['https://dsar-proxy.example.com', 'http://127.0.0.3:9000'],
      startDate: '2024-02-29',
      endDate: '2025-06-16',
      wait: true,
      pollIntervalMs: 50,
      timeoutMs: 5_400_000,
      maxConcurrency: 32,
      download: true,
      downloadPath: path.join(dirs.workspace, 'out', 'exports'),
      artifactName: 'dsar export (1)',
      retentionDays: 90,
      encryptTo: [recipient, otherRecipient],
      workflow: { kind: 'file', path: flow },
      workflowId: 'my_flow-1',
      extraInputs: { tenant: 'acme', ids: [1, 2] },
      sourceIntegrity: new Map([['https://flows.example.com/a.arazzo.yaml', 'a'.repeat(64)]])
    })
    // A region beside api-url is a warning on the runner's log, not silence.
    expect(commands).toEqual([
      expect.stringMatching(
        /^::warning::Input 'region': eu is ignored for API calls because api-url is set/
      )
    ])
  })

  test('resume by request ids', async () => {
    const settings = await settingsFor({
      'api-key': 'key',
      'secret-key': 'secret',
      'request-ids': 'abc-1, 42\n42\nX_9'
    })
    expect(settings).toStrictEqual({
      ...defaults(),
      subjects: [],
      requestIds: ['abc-1', '42', 'X_9']
    })
  })

  test('erasure: the project keys alone; the DSAR keys are not needed', async () => {
    const actor = process.env.GITHUB_ACTOR
    process.env.GITHUB_ACTOR = 'octocat'
    try {
      const settings = await settingsFor({
        'user-ids': 'alice',
        'request-type': 'erasure',
        'erasure-api-key': 'project-key',
        'erasure-secret-key': 'project-secret'
      })
      expect(settings).toStrictEqual({
        ...defaults(),
        apiKey: '',
        secretKey: '',
        basicAuth: '',
        requestType: 'erasure',
        erasure: {
          apiKey: 'project-key',
          secretKey: 'project-secret',
          basicAuth: Buffer.from('project-key:project-secret').toString('base64'),
          requester: 'octocat'
        }
      })
    } finally {
      if (actor === undefined) delete process.env.GITHUB_ACTOR
      else process.env.GITHUB_ACTOR = actor
    }
  })

  test('submit only', async () => {
    const settings = await settingsFor({ ...BASE, wait: 'false' })
    expect(settings).toStrictEqual({ ...defaults(), wait: false })
  })

  test('eu region picks the EU host; download-path may be absolute inside RUNNER_TEMP', async () => {
    const settings = await settingsFor({
      ...BASE,
      region: 'eu',
      download: 'true',
      'download-path': path.join(dirs.temp, 'x', 'y')
    })
    expect(settings).toStrictEqual({
      ...defaults(),
      region: 'eu',
      apiUrl: 'https://analytics.eu.amplitude.com',
      download: true,
      downloadPath: path.join(dirs.temp, 'x', 'y')
    })
  })

  test.each([
    ['https://proxy.example.com', 'https://proxy.example.com'],
    ['https://proxy.example.com:8443/', 'https://proxy.example.com:8443'],
    ['http://[::1]:3000/', 'http://[::1]:3000'],
    ['http://127.10.0.1', 'http://127.10.0.1'],
    ['HTTPS://Amplitude.COM', 'https://amplitude.com']
  ])('api-url %s gives origin %s', async (apiUrl, origin) => {
    expect((await settingsFor({ ...BASE, 'api-url': apiUrl })).apiUrl).toBe(origin)
  })

  test('user-ids-file as a JSON array (absolute path, blanks dropped, duplicates merged)', async () => {
    const file = write(path.join(dirs.workspace, 'ids.json'), '\uFEFF ["u1", " u2 ", "", "u1"]')
    const settings = await settingsFor({ ...BASE, 'user-ids': '', 'user-ids-file': file })
    expect(settings.subjects).toEqual([
      { kind: 'userId', userId: 'u1' },
      { kind: 'userId', userId: 'u2' }
    ])
  })

  test('user-ids and amplitude-ids as JSON arrays, like user-ids-file', async () => {
    const settings = await settingsFor({
      ...BASE,
      'user-ids': ' ["u1", " u2 ", "", "u1"]',
      'amplitude-ids': '[123, "456"]'
    })
    expect(settings.subjects).toEqual([
      { kind: 'userId', userId: 'u1' },
      { kind: 'userId', userId: 'u2' },
      { kind: 'amplitudeId', amplitudeId: 123 },
      { kind: 'amplitudeId', amplitudeId: 456 }
    ])
  })

  test('encrypt-to: none is plaintext on purpose, and lets artifact-name upload (with a warning)', async () => {
    const settings = await settingsFor({ ...BASE, 'artifact-name': 'x', 'encrypt-to': ' None ' })
    expect(settings).toMatchObject({ encryptTo: [], plaintextOnPurpose: true, download: true })
    expect(commands.join('\n')).toContain(
      "::warning::Input 'encrypt-to': no recipient, so the export (personal data) is stored in plaintext on the runner and in the artifact 'x' on GitHub"
    )
  })

  test('without encrypt-to: none, nothing is plaintext on purpose', async () => {
    expect((await settingsFor(BASE)).plaintextOnPurpose).toBeUndefined()
    expect([...written, ...commands]).toEqual([])
  })

  test('a timeout under one poll-interval is refused only for a run that waits between polls', async () => {
    const short = { timeout: '5s', 'poll-interval': '10s' }
    await expect(settingsFor({ ...BASE, ...short })).rejects.toThrow(
      "Input 'timeout': '5s' is shorter than one poll-interval (10 s)"
    )
    // wait: false submits and reads each status once; a ledger sweep moves each issue one step.
    expect((await settingsFor({ ...BASE, ...short, wait: 'false' })).timeoutMs).toBe(5000)
    const ledger = { ledger: 'issues', 'github-token': 'ghs_x', 'user-ids': '', wait: 'true' }
    expect((await settingsFor({ ...ledger, ...short })).timeoutMs).toBe(5000)
  })

  test('a bare-number timeout is said in seconds; a duration with a unit is not', async () => {
    expect((await settingsFor({ ...BASE, timeout: '90' })).timeoutSaid).toBe('90 s')
    expect((await settingsFor({ ...BASE, timeout: '90s' })).timeoutSaid).toBeUndefined()
  })

  test('user-ids-file may also be in RUNNER_TEMP (a step can keep the ids out of the checkout)', async () => {
    const file = write(path.join(dirs.temp, 'ids.txt'), 'u1\nu2\n')
    const settings = await settingsFor({ ...BASE, 'user-ids': '', 'user-ids-file': file })
    expect(settings.subjects).toEqual([
      { kind: 'userId', userId: 'u1' },
      { kind: 'userId', userId: 'u2' }
    ])
  })

  test('a workflow file in RUNNER_TEMP is refused: a document is code, kept in the repository', async () => {
    const flow = write(path.join(dirs.temp, 'flow.arazzo.yaml'), 'arazzo: 1.0.1\n')
    const error = await inputErrorFor({ ...BASE, workflow: flow })
    expect(error.input).toBe('workflow')
    expect(error.message).toMatch(/is outside the workspace \(GITHUB_WORKSPACE\)/)
  })

  test('a custom workflow whose inputs carry the subject needs no user-ids', async () => {
    const flow = write(path.join(dirs.workspace, 'flow.json'), '{}')
    const settings = await settingsFor({
      'api-key': 'key',
      'secret-key': 'secret',
      workflow: './flow.json',
      inputs: '{"userIds": ["x"]}'
    })
    expect(settings).toStrictEqual({
      ...defaults(),
      subjects: [],
      workflow: { kind: 'file', path: flow },
      extraInputs: { userIds: ['x'] }
    })
  })

  test('built-in workflow names are case-insensitive', async () => {
    expect((await settingsFor({ ...BASE, workflow: 'APIS-IO' })).workflow).toEqual({
      kind: 'builtin',
      name: 'apis-io'
    })
  })

  test('a workspace symlink to a file inside the workspace is followed', async () => {
    const real = write(path.join(dirs.workspace, 'data', 'ids.txt'), 'zed\n')
    symlinkSync(real, path.join(dirs.workspace, 'link.txt'))
    const settings = await settingsFor({ ...BASE, 'user-ids': '', 'user-ids-file': 'link.txt' })
    expect(settings.subjects).toEqual([{ kind: 'userId', userId: 'zed' }])
  })

  test('end-date may be tomorrow (UTC) and start-date may equal end-date', async () => {
    const settings = await settingsFor({
      ...BASE,
      'start-date': '2025-06-16',
      'end-date': '2025-06-16'
    })
    expect([settings.startDate, settings.endDate]).toEqual(['2025-06-16', '2025-06-16'])
  })

  test('"today" comes from the clock when no now is given', async () => {
    setInputs(BASE)
    const before = new Date().toISOString().slice(0, 10)
    const { endDate } = await getSettings()
    const after = new Date().toISOString().slice(0, 10)
    expect([before, after]).toContain(endDate)
  })
})

type Setup = (d: Dirs) => Record<string, string>
interface Invalid {
  title: string
  inputs: Record<string, string> | Setup
  input: string
  message: RegExp
}

const invalid: Invalid[] = [
  // subjects
  {
    title: 'user id with a control character',
    inputs: { 'user-ids': 'ok,bad\u0007id' },
    input: 'user-ids',
    message: /entry 2 contains control characters/
  },
  {
    title: 'user id over 1024 characters',
    inputs: { 'user-ids': 'x'.repeat(1025) },
    input: 'user-ids',
    message: /entry 1 is longer than 1024 characters/
  },
  ...['12a', '1.5', '-3', '1e5', '0', '9007199254740993', '0x10'].map(value => ({
    title: `amplitude id ${value}`,
    inputs: { 'amplitude-ids': `5, ${value}` },
    input: 'amplitude-ids',
    message: /entry 2 is not a positive integer/
  })),
  {
    title: 'user-ids-file missing',
    inputs: { 'user-ids-file': 'nope.txt' },
    input: 'user-ids-file',
    message: /'nope.txt' does not exist/
  },
  {
    title: 'user-ids-file outside the workspace',
    inputs: d => {
      write(path.join(d.outside, 'ids.txt'), 'x\n')
      return { 'user-ids-file': '../outside/ids.txt' }
    },
    input: 'user-ids-file',
    message: /is outside GITHUB_WORKSPACE and RUNNER_TEMP/
  },
  {
    title: 'user-ids-file symlink escaping the workspace',
    inputs: d => {
      symlinkSync(write(path.join(d.outside, 'ids.txt'), 'x\n'), path.join(d.workspace, 'ids.txt'))
      return { 'user-ids-file': 'ids.txt' }
    },
    input: 'user-ids-file',
    message: /'ids.txt' is outside GITHUB_WORKSPACE and RUNNER_TEMP/
  },
  {
    title: 'user-ids-file is a directory',
    inputs: d => {
      mkdirSync(path.join(d.workspace, 'dir'))
      return { 'user-ids-file': 'dir' }
    },
    input: 'user-ids-file',
    message: /'dir' is not a regular file/
  },
  {
    title: 'user-ids-file over 10 MiB',
    inputs: d => {
      truncateSync(write(path.join(d.workspace, 'big.txt'), ''), 10 * 1024 * 1024 + 1)
      return { 'user-ids-file': 'big.txt' }
    },
    input: 'user-ids-file',
    message: /larger than 10 MiB \(10485761 bytes\)/
  },
  {
    title: 'user-ids-file with broken JSON',
    inputs: d => {
      write(path.join(d.workspace, 'ids.json'), '[\n  "a",\n  "b"\n  "c"\n]')
      return { 'user-ids-file': 'ids.json' }
    },
    input: 'user-ids-file',
    message: /not valid JSON: at line 4, column 3, expected ',' or '\]'/
  },
  {
    title: 'user-ids-file JSON with a non-string',
    inputs: d => {
      write(path.join(d.workspace, 'ids.json'), '["a", 5]')
      return { 'user-ids-file': 'ids.json' }
    },
    input: 'user-ids-file',
    message: /array element 2 is not a string/
  },
  {
    title: 'user-ids-file with a control character on a line',
    inputs: d => {
      write(path.join(d.workspace, 'ids.txt'), '# c\nfine\nbad\u0000id\n')
      return { 'user-ids-file': 'ids.txt' }
    },
    input: 'user-ids-file',
    message: /line 3 contains control characters/
  },
  {
    title: 'user-ids-file with only comments',
    inputs: d => {
      write(path.join(d.workspace, 'ids.txt'), '# nobody\n\n')
      return { 'user-ids-file': 'ids.txt' }
    },
    input: 'user-ids-file',
    message: /'ids.txt' contains no user IDs/
  },
  // credentials
  {
    title: 'no credentials at all',
    inputs: { 'api-key': '', 'secret-key': '' },
    input: 'api-key',
    message: /no credentials: set api-key and secret-key .* or basic-auth/
  },
  {
    title: 'api-key without secret-key',
    inputs: { 'secret-key': '' },
    input: 'secret-key',
    message: /missing \(api-key is set/
  },
  {
    title: 'secret-key without api-key',
    inputs: { 'api-key': '' },
    input: 'api-key',
    message: /missing \(secret-key is set/
  },
  {
    title: 'both credential forms',
    inputs: { 'basic-auth': KEY_SECRET_TOKEN },
    input: 'basic-auth',
    message: /ambiguous credentials/
  },
  {
    title: 'basic-auth beside api-key alone',
    inputs: { 'secret-key': '', 'basic-auth': KEY_SECRET_TOKEN },
    input: 'basic-auth',
    message: /ambiguous credentials/
  },
  {
    title: 'basic-auth beside secret-key alone',
    inputs: { 'api-key': '', 'basic-auth': KEY_SECRET_TOKEN },
    input: 'basic-auth',
    message: /ambiguous credentials/
  },
  {
    title: 'basic-auth not base64',
    inputs: { 'api-key': '', 'secret-key': '', 'basic-auth': 'key:secret' },
    input: 'basic-auth',
    message: /not base64/
  },
  {
    title: 'basic-auth without a colon',
    inputs: { 'api-key': '', 'secret-key': '', 'basic-auth': Buffer.from('k').toString('base64') },
    input: 'basic-auth',
    message: /does not decode to `api_key:secret_key`/
  },
  {
    title: 'basic-auth with an empty secret',
    inputs: { 'api-key': '', 'secret-key': '', 'basic-auth': Buffer.from('k:').toString('base64') },
    input: 'basic-auth',
    message: /secret key .* is empty/
  },
  {
    title: 'api-key with a colon',
    inputs: { 'api-key': 'a:b' },
    input: 'api-key',
    message: /must not contain a colon/
  },
  {
    // A control character in a key would split the Authorization header or a log line.
    title: 'api-key with a control character',
    inputs: { 'api-key': 'ke\u0007y' },
    input: 'api-key',
    message: /^Input 'api-key': contains control characters$/
  },
  {
    title: 'secret-key with a control character',
    inputs: { 'secret-key': 'sec\u001bret' },
    input: 'secret-key',
    message: /^Input 'secret-key': contains control characters$/
  },
  // region and origin
  {
    title: 'unknown region',
    inputs: { region: 'asia' },
    input: 'region',
    message: /'asia' is not a region \(expected 'us' or 'eu'\)/
  },
  {
    title: 'http to a remote host',
    inputs: { 'api-url': 'http://example.com' },
    input: 'api-url',
    message: /http is allowed only for loopback IP literals/
  },
  {
    title: 'api-url with a path',
    inputs: { 'api-url': 'https://amplitude.com/api/2' },
    input: 'api-url',
    message: /origin only, without a path/
  },
  {
    title: 'api-url with a query',
    inputs: { 'api-url': 'https://amplitude.com/?a=1' },
    input: 'api-url',
    message: /no query or fragment/
  },
  {
    title: 'api-url with credentials',
    inputs: { 'api-url': 'https://user:hunter2@amplitude.com' },
    input: 'api-url',
    message: /must not contain credentials/
  },
  {
    title: 'api-url not a URL',
    inputs: { 'api-url': 'amplitude dot com' },
    input: 'api-url',
    message: /is not an absolute URL/
  },
  {
    title: 'api-url with another scheme',
    inputs: { 'api-url': 'ftp://amplitude.com' },
    input: 'api-url',
    message: /must use https \(got 'ftp:'\)/
  },
  {
    title: 'a host that merely starts with 127',
    inputs: { 'api-url': 'http://127.0.0.1.example.com' },
    input: 'api-url',
    message: /loopback/
  },
  {
    title: 'credential-origins with plain http to a remote host',
    inputs: { 'credential-origins': 'https://ok.example.com\nhttp://analytics.amplitude.com' },
    input: 'credential-origins',
    message: /entry 2 http is allowed only for loopback IP literals/
  },
  {
    title: 'source-integrity pinning a plain http URL',
    inputs: { 'source-integrity': `http://flows.example.com/a.yaml sha256:${'a'.repeat(64)}` },
    input: 'source-integrity',
    message: /line 1: only https URLs can be pinned/
  },
  {
    title: 'source-integrity with a short digest',
    inputs: { 'source-integrity': 'https://flows.example.com/a.yaml sha256:abc' },
    input: 'source-integrity',
    message: /line 1: the digest must be sha256:<64 hex digits> or sha256-<base64>/
  },
  {
    title: 'credential-origins with a path',
    inputs: { 'credential-origins': 'https://analytics.amplitude.com/api/2/dsar' },
    input: 'credential-origins',
    message: /entry 1 must be an origin only, without a path/
  },
  {
    title: 'credential-origins with a wildcard',
    inputs: { 'credential-origins': 'https://*.amplitude.com' },
    input: 'credential-origins',
    message: /entry 1 /
  },
  {
    title: 'credential-origins with credentials',
    inputs: { 'credential-origins': 'https://user:hunter2@proxy.example.com' },
    input: 'credential-origins',
    message: /entry 1 must not contain credentials/
  },
  // dates
  {
    title: 'date in another format',
    inputs: { 'start-date': '2024/01/01' },
    input: 'start-date',
    message: /'2024\/01\/01' is not a date in the form YYYY-MM-DD/
  },
  {
    title: 'month 13',
    inputs: { 'start-date': '2024-13-01' },
    input: 'start-date',
    message: /2024-13-01 is not a real calendar date/
  },
  {
    title: '29 February of a common year',
    inputs: { 'end-date': '2023-02-29' },
    input: 'end-date',
    message: /2023-02-29 is not a real calendar date/
  },
  {
    title: 'start-date before 2000',
    inputs: { 'start-date': '1999-12-31' },
    input: 'start-date',
    message: /1999-12-31 is before 2000-01-01/
  },
  {
    title: 'end-date two days ahead',
    inputs: { 'end-date': '2025-06-17' },
    input: 'end-date',
    message: /2025-06-17 is in the future \(today is 2025-06-15 UTC\)/
  },
  {
    title: 'start-date after end-date',
    inputs: { 'start-date': '2025-01-02', 'end-date': '2025-01-01' },
    input: 'start-date',
    message: /2025-01-02 is after end-date 2025-01-01; the range would be empty/
  },
  {
    title: 'end-date before the default start-date',
    inputs: { 'end-date': '2011-12-31' },
    input: 'start-date',
    message: /2012-01-01 is after end-date 2011-12-31/
  },
  // request ids and modes
  {
    title: 'request id with a slash',
    inputs: { 'user-ids': '', 'request-ids': 'ok, ../admin' },
    input: 'request-ids',
    message: /entry 2 is not a request id/
  },
  {
    title: 'request id over 128 characters',
    inputs: { 'user-ids': '', 'request-ids': 'a'.repeat(129) },
    input: 'request-ids',
    message: /entry 1 is not a request id/
  },
  {
    title: 'request ids and subjects together',
    inputs: { 'request-ids': '42' },
    input: 'request-ids',
    message: /ambiguous: give request-ids .* or subjects/
  },
  {
    title: 'request ids with wait false',
    inputs: { 'user-ids': '', 'request-ids': '42', wait: 'false' },
    input: 'request-ids',
    message: /resuming needs wait: true/
  },
  {
    title: 'no subject at all',
    inputs: { 'user-ids': ' , \n' },
    input: 'user-ids',
    message: /no subject: set user-ids, amplitude-ids or user-ids-file/
  },
  {
    title: 'a file workflow without inputs still needs a subject',
    inputs: d => {
      write(path.join(d.workspace, 'flow.yml'), 'x: 1\n')
      return { 'user-ids': '', workflow: 'flow.yml', inputs: '{}' }
    },
    input: 'user-ids',
    message: /no subject/
  },
  {
    title: 'inputs alone do not excuse a built-in workflow',
    inputs: { 'user-ids': '', inputs: '{"userIds": ["x"]}' },
    input: 'user-ids',
    message: /no subject/
  },
  // booleans, durations, integers
  {
    title: 'wait yes',
    inputs: { wait: 'yes' },
    input: 'wait',
    message: /'yes' is not a boolean \(expected true \| True/
  },
  {
    title: 'download 1',
    inputs: { download: '1' },
    input: 'download',
    message: /'1' is not a boolean/
  },
  {
    title: 'poll-interval under 1s against the real API',
    inputs: { 'poll-interval': '0.5' },
    input: 'poll-interval',
    message: /must be at least 1s \(shorter intervals are allowed only with a loopback api-url\)/
  },
  {
    title: 'poll-interval not a duration',
    inputs: { 'poll-interval': '5x' },
    input: 'poll-interval',
    message: /invalid duration '5x'/
  },
  {
    title: 'poll-interval zero even on loopback',
    inputs: { 'poll-interval': '0', 'api-url': 'http://127.0.0.1:1' },
    input: 'poll-interval',
    message: /must be longer than 0/
  },
  {
    title: 'timeout over the 6-hour job limit',
    inputs: { timeout: '6h1s' },
    input: 'timeout',
    message: /at most 6h: a GitHub job is stopped after 6 hours/
  },
  {
    title: 'timeout zero',
    inputs: { timeout: '0s' },
    input: 'timeout',
    message: /must be longer than 0/
  },
  {
    title: 'timeout negative',
    inputs: { timeout: '-1h' },
    input: 'timeout',
    message: /is negative/
  },
  ...['0', '33', '2.5', 'four', '-1'].map(value => ({
    title: `max-concurrency ${value}`,
    inputs: { 'max-concurrency': value },
    input: 'max-concurrency',
    message: /is not an integer from 1 to 32/
  })),
  ...['0', '91', '1e1'].map(value => ({
    title: `retention-days ${value}`,
    inputs: { 'retention-days': value },
    input: 'retention-days',
    message: /is not an integer from 1 to 90/
  })),
  // downloads
  {
    title: 'download-path outside both roots',
    inputs: d => ({ 'download-path': path.join(d.outside, 'x') }),
    input: 'download-path',
    message: /is outside GITHUB_WORKSPACE and RUNNER_TEMP/
  },
  {
    title: 'download-path escaping with ..',
    inputs: { 'download-path': '../outside/x' },
    input: 'download-path',
    message: /is outside GITHUB_WORKSPACE and RUNNER_TEMP/
  },
  {
    title: 'download-path through a symlink that escapes',
    inputs: d => {
      symlinkSync(d.outside, path.join(d.workspace, 'exports'))
      return { 'download-path': 'exports/new' }
    },
    input: 'download-path',
    message: /is outside GITHUB_WORKSPACE and RUNNER_TEMP/
  },
  {
    title: 'download-path is a file',
    inputs: d => {
      write(path.join(d.workspace, 'file'), '')
      return { 'download-path': 'file/sub' }
    },
    input: 'download-path',
    message: /exists and is not a directory/
  },
  {
    title: 'download-path is a dangling symlink',
    inputs: d => {
      symlinkSync(path.join(d.outside, 'gone'), path.join(d.workspace, 'dangling'))
      return { 'download-path': 'dangling' }
    },
    input: 'download-path',
    message: /is a symbolic link to nothing/
  },
  ...['a/b', 'a\\b', 'a:b', 'a*b', 'a?b', 'a|b', 'a<b', 'a"b'].map(value => ({
    title: `artifact-name ${value}`,
    inputs: { 'artifact-name': value },
    input: 'artifact-name',
    message: /contains a character artifact names refuse/
  })),
  {
    title: 'artifact-name with wait false',
    inputs: { 'artifact-name': 'x', wait: 'false' },
    input: 'artifact-name',
    message: /downloading needs wait: true/
  },
  {
    title: 'download with wait false',
    inputs: { download: 'true', wait: 'false' },
    input: 'download',
    message: /downloading needs wait: true/
  },
  // encryption
  {
    title: 'encrypt-to with a malformed age1 key',
    inputs: { 'encrypt-to': '# team\nage1notarealkey' },
    input: 'encrypt-to',
    message: /line 2 is not a valid age recipient/
  },
  {
    title: 'encrypt-to with an ssh key',
    inputs: { 'encrypt-to': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB' },
    input: 'encrypt-to',
    message: /line 1 is not a valid age recipient \(unrecognized recipient type\)/
  },
  {
    title: 'encrypt-to with a private key',
    inputs: { 'encrypt-to': 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ' },
    input: 'encrypt-to',
    message: /line 1 is an age identity \(a private key\)/
  },
  // workflow
  {
    title: 'workflow neither built-in nor a document path',
    inputs: { workflow: 'seed' },
    input: 'workflow',
    message: /'seed' is neither 'amplitude', 'apis-io' nor a path/
  },
  {
    title: 'workflow with the wrong extension',
    inputs: d => {
      write(path.join(d.workspace, 'flow.txt'), '')
      return { workflow: 'flow.txt' }
    },
    input: 'workflow',
    message: /\(.yml, .yaml or .json\)/
  },
  {
    title: 'workflow file missing',
    inputs: { workflow: 'flows/missing.yml' },
    input: 'workflow',
    message: /'flows\/missing.yml' does not exist/
  },
  {
    title: 'workflow file outside the workspace',
    inputs: d => {
      write(path.join(d.outside, 'flow.yml'), '')
      return { workflow: path.join(d.outside, 'flow.yml') }
    },
    input: 'workflow',
    message: /is outside the workspace/
  },
  {
    title: 'workflow path is a directory',
    inputs: d => {
      mkdirSync(path.join(d.workspace, 'flow.yml'))
      return { workflow: 'flow.yml' }
    },
    input: 'workflow',
    message: /is not a regular file/
  },
  {
    title: 'workflow-id with a space',
    inputs: { 'workflow-id': 'my flow' },
    input: 'workflow-id',
    message: /'my flow' is not a workflowId/
  },
  // inputs
  {
    title: 'inputs as an array',
    inputs: { inputs: '[1, 2]' },
    input: 'inputs',
    message: /must be a JSON object, not an array/
  },
  {
    title: 'inputs as a string',
    inputs: { inputs: '"x"' },
    input: 'inputs',
    message: /must be a JSON object, not string/
  },
  {
    title: 'inputs null',
    inputs: { inputs: 'null' },
    input: 'inputs',
    message: /must be a JSON object, not null/
  },
  {
    title: 'inputs with a bare word',
    inputs: { inputs: '{"a": x}' },
    input: 'inputs',
    message: /is not valid JSON: at line 1, column 7, expected a value/
  },
  {
    title: 'inputs with a trailing comma',
    inputs: { inputs: '{\n  "a": 1,\n}' },
    input: 'inputs',
    message: /at line 3, column 1, expected a property name in double quotes/
  },
  {
    title: 'inputs cut short',
    inputs: { inputs: '{"a": [1, 2' },
    input: 'inputs',
    message: /is not valid JSON: at the end of the input, expected ',' or '\]'/
  },
  {
    title: 'inputs with single quotes',
    inputs: { inputs: "{'a': 1}" },
    input: 'inputs',
    message: /at line 1, column 2, expected a property name in double quotes/
  },
  {
    title: 'inputs with text after the object',
    inputs: { inputs: '{} {}' },
    input: 'inputs',
    message: /at line 1, column 4, expected nothing more/
  },
  // the ledger
  {
    title: 'ledger neither none nor issues',
    inputs: { ledger: 'github' },
    input: 'ledger',
    message: /must be 'none' or 'issues'/
  },
  {
    title: 'ledger-label with a comma (the issues list reads commas as several labels)',
    inputs: { ledger: 'issues', 'ledger-label': 'dsar,privacy', 'github-token': 'ghs_x' },
    input: 'ledger-label',
    message: /without commas/
  },
  {
    title: 'ledger-regime not one of GDPR, CCPA, Other',
    inputs: { ledger: 'issues', 'ledger-regime': 'LGPD', 'github-token': 'ghs_x' },
    input: 'ledger-regime',
    message: /must be one of GDPR, CCPA, Other/
  },
  {
    title: 'ledger-due-days not a whole number of days',
    inputs: { ledger: 'issues', 'ledger-due-days': '30.5', 'github-token': 'ghs_x' },
    input: 'ledger-due-days',
    message: /must be a whole number of days from 1 to 3650/
  },
  {
    title: 'ledger-label too long for its state labels',
    inputs: { ledger: 'issues', 'ledger-label': 'x'.repeat(33), 'github-token': 'ghs_x' },
    input: 'ledger-label',
    message: /1 to 32 characters/
  },
  {
    title: 'github-token empty in ledger mode',
    inputs: { ledger: 'issues', 'github-token': '' },
    input: 'github-token',
    message: /needs a token with `issues: write`/
  },
  {
    title: 'close-on-done not a boolean',
    inputs: { ledger: 'issues', 'github-token': 'ghs_x', 'close-on-done': 'yes' },
    input: 'close-on-done',
    message: /is not a boolean/
  },
  {
    title: 'ledger with user ids as well',
    inputs: { ledger: 'issues', 'github-token': 'ghs_x', 'user-ids': 'alice' },
    input: 'user-ids',
    message: /must be empty with ledger: issues/
  },
  {
    title: 'request-type neither access nor erasure',
    inputs: { 'request-type': 'delete' },
    input: 'request-type',
    message: /not a request type/
  },
  {
    title: 'erasure without the erasure keys',
    inputs: { 'request-type': 'erasure' },
    input: 'erasure-api-key',
    message: /needs a project's keys/
  },
  {
    title: 'erasure-secret-key without erasure-api-key',
    inputs: { 'request-type': 'erasure', 'erasure-secret-key': 'project-secret' },
    input: 'erasure-api-key',
    message: /missing/
  },
  {
    title: 'erasure-api-key without erasure-secret-key',
    inputs: { 'request-type': 'erasure', 'erasure-api-key': 'project-key' },
    input: 'erasure-secret-key',
    message: /missing/
  },
  {
    title: 'erasure-requester with a line break',
    inputs: {
      'request-type': 'erasure',
      'erasure-api-key': 'project-key',
      'erasure-secret-key': 'project-secret',
      'erasure-requester': 'a\nb'
    },
    input: 'erasure-requester',
    message: /control characters/
  }
]

describe('getSettings: invalid inputs', () => {
  test('the table covers every input', () => {
    expect(new Set(invalid.map(({ input }) => input))).toEqual(new Set(Object.values(Inputs)))
    expect(invalid.length).toBeGreaterThanOrEqual(30)
  })

  test.each(invalid)('$title', async ({ inputs, input, message }) => {
    const values = typeof inputs === 'function' ? inputs(dirs) : inputs
    const error = await inputErrorFor({ ...BASE, ...values })
    expect(error.input).toBe(input)
    expect(error.message.startsWith(`Input '${input}': `)).toBe(true)
    expect(error.message).toMatch(message)
  })
})

describe('getSettings: which error, and what it shows', () => {
  test('the first bad input in action.yml order is reported', async () => {
    const error = await inputErrorFor({ ...BASE, region: 'mars', timeout: 'never', workflow: 'x' })
    expect(error.input).toBe('region')
  })

  test('messages quote neither credentials nor personal identifiers', async () => {
    const secretToken = Buffer.from('TOPSECRETKEY').toString('base64')
    const cases: Record<string, string>[] = [
      { 'api-key': '', 'secret-key': '', 'basic-auth': secretToken },
      { 'api-key': 'TOPSECRET:KEY' },
      { 'api-url': 'https://user:TOPSECRET@amplitude.com/path' },
      { 'user-ids': 'jane.doe@TOPSECRET.example\u0001' },
      { 'amplitude-ids': 'TOPSECRET' },
      { inputs: '{"password": TOPSECRET}' }
    ]
    for (const values of cases) {
      const error = await inputErrorFor({ ...BASE, ...values })
      expect(error.message).not.toMatch(/TOPSECRET/)
      expect(error.message).not.toContain(secretToken)
    }
  })
})
