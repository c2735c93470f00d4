/**
 * Reads and checks every input of action.yml (the role of actions/checkout's input-helper.ts).
 * Each bad value is refused with an InputError naming the input, before any request is sent.
 * Inputs are checked one by one in action.yml's order, then against each other; the first
 * problem found is thrown. Messages never quote credentials or user/Amplitude IDs (personal
 * data): they point at the entry or line instead.
 */
import * as core from '@actions/core'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseDuration } from './duration.js'
import { Inputs } from './input-names.js'
import { line, log } from './log.js'
import { parseSourceIntegrity } from './remote-sources.js'
import { AMPLITUDE_ORIGINS, parseOrigin, type Region } from '../policy/credentials.js'
import { describeJsonError } from '../policy/json-text.js'
import { decodeBasicAuth, encodeBasicAuth, hasControlCharacter } from './secret-helper.js'
import { runSizeProblem } from './run-limits.js'
import { REQUEST_ID_PATTERN, REQUEST_ID_RULE } from './server-values.js'
import { parseLedgerInputs, type LedgerSettings } from '../ledger/ledger-inputs.js'

export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly detail: string
  ) {
    super(`Input '${input}': ${detail}`)
    this.name = 'InputError'
  }
}

export type Subject =
  { kind: 'userId'; userId: string } | { kind: 'amplitudeId'; amplitudeId: number }
export type WorkflowChoice =
  { kind: 'builtin'; name: 'amplitude' | 'apis-io' } | { kind: 'file'; path: string }

export interface Settings {
  subjects: Subject[]
  requestIds: string[]
  apiKey?: string
  secretKey?: string
  basicAuth: string
  region: Region
  apiUrl: string
  /** More origins whose output links may receive the credentials (`credential-origins`). */
  credentialOrigins: string[]
  startDate: string
  endDate: string
  wait: boolean
  pollIntervalMs: number
  timeoutMs: number
  maxConcurrency: number
  download: boolean
  downloadPath: string
  artifactName?: string
  retentionDays: number
  encryptTo: string[]
  workflow: WorkflowChoice
  workflowId?: string
  extraInputs: Record<string, unknown>
  /** Ledger mode (`ledger: issues`): subjects come from issues, not from the inputs above. */
  ledger?: LedgerSettings
  /** `source-integrity`: remote source description URL -> pinned sha256 (hex). */
  sourceIntegrity: Map<string, string>
}

const DEFAULT_START_DATE = '2012-01-01'
// Amplitude was founded in 2012; anything before 2000 is a typo such as 0202-01-01.
const EARLIEST_START_DATE = '2000-01-01'
const MAX_ID_LENGTH = 1024
const MAX_USER_IDS_FILE_BYTES = 10 * 1024 * 1024
const DEFAULT_POLL_INTERVAL = '60s'
const MIN_POLL_INTERVAL_MS = 1_000
const DEFAULT_TIMEOUT = '5h30m'
const MAX_TIMEOUT_MS = 6 * 3_600_000
const WORKFLOW_ID = /^[A-Za-z0-9_-]+$/
// The characters @actions/artifact refuses in names, plus path separators.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\\/\r\n]/
const ARTIFACT_NAME_FORBIDDEN_LIST = `" : < > | * ? \\ / CR LF`

/**
 * Reads every input and returns the checked settings. `now` fixes "today" (UTC) for tests.
 * Async because checking `encrypt-to` loads the age library, and files are read without
 * blocking.
 */
export async function getSettings(env: { now?: () => Date } = {}): Promise<Settings> {
  const workspace = path.resolve(process.env.GITHUB_WORKSPACE || process.cwd())
  const runnerTemp = path.resolve(process.env.RUNNER_TEMP || os.tmpdir())
  const today = (env.now?.() ?? new Date()).toISOString().slice(0, 10)

  const userIds = parseUserIds(read(Inputs.UserIds))
  const amplitudeIds = parseAmplitudeIds(read(Inputs.AmplitudeIds))
  const fileUserIds = await readUserIdsFile(read(Inputs.UserIdsFile), workspace, runnerTemp)
  const credentials = parseCredentials()
  const region = parseRegion(read(Inputs.Region))
  const api = parseApiUrl(read(Inputs.ApiUrl), region)
  if (read(Inputs.ApiUrl) !== '' && region !== 'us') {
    // The runner passes action.yml's default (us) when region is not given: only eu was chosen.
    log.warning(
      line`Input '${Inputs.Region}': ${region} is ignored for API calls because api-url is set (they go to ${api.origin}); it still chooses which Amplitude hosts may receive the credentials for output links`
    )
  }
  const { startDate, endDate } = parseDates(read(Inputs.StartDate), read(Inputs.EndDate), today)
  const requestIds = parseRequestIds(read(Inputs.RequestIds))
  const wait = parseBoolean(Inputs.Wait, true)
  const pollIntervalMs = parsePollInterval(read(Inputs.PollInterval), api.loopback)
  const timeoutMs = parseTimeout(read(Inputs.Timeout))
  const maxConcurrency = parseInteger(Inputs.MaxConcurrency, 4, 1, 32)
  const downloadWanted = parseBoolean(Inputs.Download, false)
  const downloadPath = await parseDownloadPath(read(Inputs.DownloadPath), workspace, runnerTemp)
  const artifactName = parseArtifactName(read(Inputs.ArtifactName))
  const retentionDays = parseInteger(Inputs.RetentionDays, 1, 1, 90)
  const encryptTo = await parseRecipients(read(Inputs.EncryptTo))
  const workflow = await parseWorkflow(read(Inputs.Workflow), workspace)
  const workflowId = parseWorkflowId(read(Inputs.WorkflowId))
  const extraInputs = parseExtraInputs(read(Inputs.Inputs))
  const credentialOrigins = parseCredentialOrigins(read(Inputs.CredentialOrigins))
  const ledger = parseLedgerInputs({
    read,
    boolean: parseBoolean,
    fail: (name, detail) => new InputError(name, detail)
  })
  const sourceIntegrity = parseSourcePins(read(Inputs.SourceIntegrity))

  const subjects = uniqueSubjects([
    ...userIds.map(userId => ({ kind: 'userId', userId }) as const),
    ...amplitudeIds.map(amplitudeId => ({ kind: 'amplitudeId', amplitudeId }) as const),
    ...fileUserIds.map(userId => ({ kind: 'userId', userId }) as const)
  ])
  checkRunSize({ userIds, amplitudeIds, fileUserIds, subjects, requestIds })
  const download = downloadWanted || artifactName !== undefined
  if (ledger) checkLedgerCombination({ workflow })
  else
    checkCombination({ subjects, requestIds, wait, download, artifactName, workflow, extraInputs })

  return {
    subjects,
    requestIds,
    ...credentials,
    region,
    apiUrl: api.origin,
    credentialOrigins,
    startDate,
    endDate,
    wait,
    pollIntervalMs,
    timeoutMs,
    maxConcurrency,
    download,
    downloadPath,
    ...(artifactName !== undefined && { artifactName }),
    retentionDays,
    encryptTo,
    workflow,
    ...(workflowId !== undefined && { workflowId }),
    extraInputs,
    sourceIntegrity,
    ...(ledger && { ledger })
  }
}

function read(name: Inputs): string {
  return core.getInput(name)
}

// ---------------------------------------------------------------------------------------------
// Subjects and request ids
// ---------------------------------------------------------------------------------------------

/** Entries separated by newlines and/or commas; blanks dropped; numbered from 1 for messages. */
function splitList(text: string): { entry: string; number: number }[] {
  return text
    .split(/[\n,]/)
    .map(entry => entry.trim())
    .filter(entry => entry !== '')
    .map((entry, index) => ({ entry, number: index + 1 }))
}

function userIdProblem(id: string): string | undefined {
  if ([...id].length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`
  if (hasControlCharacter(id)) return 'contains control characters'
  return undefined
}

export function parseUserIds(text: string): string[] {
  return splitList(text).map(({ entry, number }) => {
    const problem = userIdProblem(entry)
    if (problem) throw new InputError(Inputs.UserIds, `entry ${number} ${problem}`)
    return entry
  })
}

export function parseAmplitudeIds(text: string): number[] {
  return splitList(text).map(({ entry, number }) => {
    const value = Number(entry)
    if (!/^\d+$/.test(entry) || !Number.isSafeInteger(value) || value <= 0) {
      throw new InputError(
        Inputs.AmplitudeIds,
        `entry ${number} is not a positive integer (digits only, at most ${Number.MAX_SAFE_INTEGER})`
      )
    }
    return value
  })
}

function parseRequestIds(text: string): string[] {
  const ids = splitList(text).map(({ entry, number }) => {
    if (!REQUEST_ID_PATTERN.test(entry)) {
      throw new InputError(
        Inputs.RequestIds,
        `entry ${number} is not a request id (${REQUEST_ID_RULE})`
      )
    }
    return entry
  })
  return [...new Set(ids)]
}

export function uniqueSubjects(subjects: Subject[]): Subject[] {
  const seen = new Set<string>()
  return subjects.filter(subject => {
    const key =
      subject.kind === 'userId' ? `u:${subject.userId}` : `a:${String(subject.amplitudeId)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * A JSON array of strings when the content starts with '[', otherwise one ID per line. Only
 * whole lines starting with '#' are comments: an ID may itself contain '#'.
 */
async function readUserIdsFile(
  text: string,
  workspace: string,
  runnerTemp: string
): Promise<string[]> {
  if (text === '') return []
  const input = Inputs.UserIdsFile
  // RUNNER_TEMP too: a step may write the ids there to keep personal data out of the checkout
  // (the runner empties it after every job).
  const file = await resolveWorkspaceFile(input, text, workspace, runnerTemp)
  const handle = await fs.open(file, 'r')
  let content: string
  try {
    const { size } = await handle.stat()
    if (size > MAX_USER_IDS_FILE_BYTES) {
      throw new InputError(input, `'${text}' is larger than 10 MiB (${size} bytes)`)
    }
    content = (await handle.readFile('utf8')).replace(/^\uFEFF/, '')
  } finally {
    await handle.close()
  }

  const ids = content.trimStart().startsWith('[')
    ? idsFromJson(input, content)
    : idsFromLines(input, content)
  if (ids.length === 0) throw new InputError(input, `'${text}' contains no user IDs`)
  return ids
}

function idsFromJson(input: string, content: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(content)
  } catch {
    throw new InputError(input, describeJsonError(content))
  }
  if (!Array.isArray(parsed)) throw new InputError(input, 'is not a JSON array of strings')
  const ids: string[] = []
  parsed.forEach((item: unknown, index) => {
    if (typeof item !== 'string') {
      throw new InputError(input, `array element ${index + 1} is not a string`)
    }
    const id = item.trim()
    if (id === '') return
    const problem = userIdProblem(id)
    if (problem) throw new InputError(input, `array element ${index + 1} ${problem}`)
    ids.push(id)
  })
  return ids
}

function idsFromLines(input: string, content: string): string[] {
  const ids: string[] = []
  content.split('\n').forEach((raw, index) => {
    const id = raw.trim()
    if (id === '' || id.startsWith('#')) return
    const problem = userIdProblem(id)
    if (problem) throw new InputError(input, `line ${index + 1} ${problem}`)
    ids.push(id)
  })
  return ids
}

// ---------------------------------------------------------------------------------------------
// Credentials, region, API origin, dates
// ---------------------------------------------------------------------------------------------

function parseCredentials(): { apiKey: string; secretKey: string; basicAuth: string } {
  const apiKey = read(Inputs.ApiKey)
  const secretKey = read(Inputs.SecretKey)
  const basicAuth = read(Inputs.BasicAuth)
  if (basicAuth !== '') {
    if (apiKey !== '' || secretKey !== '') {
      throw new InputError(
        Inputs.BasicAuth,
        'ambiguous credentials: give either basic-auth or api-key and secret-key, not both'
      )
    }
    const decoded = decodeBasicAuth(basicAuth)
    if (!decoded.ok) throw new InputError(Inputs.BasicAuth, decoded.reason)
    return {
      apiKey: decoded.apiKey,
      secretKey: decoded.secretKey,
      basicAuth: encodeBasicAuth(decoded.apiKey, decoded.secretKey)
    }
  }
  if (apiKey === '' && secretKey === '') {
    throw new InputError(
      Inputs.ApiKey,
      'no credentials: set api-key and secret-key (organization-level keys), or basic-auth'
    )
  }
  if (apiKey === '')
    throw new InputError(Inputs.ApiKey, 'missing (secret-key is set; both are needed)')
  if (secretKey === '') {
    throw new InputError(Inputs.SecretKey, 'missing (api-key is set; both are needed)')
  }
  if (apiKey.includes(':')) {
    throw new InputError(
      Inputs.ApiKey,
      'must not contain a colon (HTTP Basic uses it as separator)'
    )
  }
  if (hasControlCharacter(apiKey))
    throw new InputError(Inputs.ApiKey, 'contains control characters')
  if (hasControlCharacter(secretKey)) {
    throw new InputError(Inputs.SecretKey, 'contains control characters')
  }
  return { apiKey, secretKey, basicAuth: encodeBasicAuth(apiKey, secretKey) }
}

function parseRegion(text: string): Region {
  const region = (text || 'us').toLowerCase()
  if (region !== 'us' && region !== 'eu') {
    throw new InputError(Inputs.Region, `${quote(text)} is not a region (expected 'us' or 'eu')`)
  }
  return region
}

/** The API origin, and whether it is a loopback host (which permits http and fast polling). */
function parseApiUrl(text: string, region: Region): { origin: string; loopback: boolean } {
  if (text === '') return { origin: AMPLITUDE_ORIGINS[region].api, loopback: false }
  const parsed = parseOrigin(text)
  if (!parsed.ok) throw new InputError(Inputs.ApiUrl, parsed.reason)
  return { origin: parsed.origin, loopback: parsed.loopback }
}

/** Origins separated by newlines and/or commas; each checked like api-url. */
function parseCredentialOrigins(text: string): string[] {
  const origins = splitList(text).map(({ entry, number }) => {
    const parsed = parseOrigin(entry)
    if (!parsed.ok)
      throw new InputError(Inputs.CredentialOrigins, `entry ${number} ${parsed.reason}`)
    return parsed.origin
  })
  return [...new Set(origins)]
}

function parseSourcePins(text: string): Map<string, string> {
  try {
    return parseSourceIntegrity(text)
  } catch (error) {
    throw new InputError(Inputs.SourceIntegrity, (error as Error).message)
  }
}

/**
 * Dates are calendar days in UTC. end-date may be up to one day after today (UTC), since a
 * runner's "today" can be behind the user's; start-date must not be before 2000-01-01.
 */
export function parseDates(
  startText: string,
  endText: string,
  today: string
): { startDate: string; endDate: string } {
  const startDate = parseDate(Inputs.StartDate, startText || DEFAULT_START_DATE)
  const endDate = endText === '' ? today : parseDate(Inputs.EndDate, endText)
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000)
    .toISOString()
    .slice(0, 10)
  if (endDate > tomorrow) {
    throw new InputError(Inputs.EndDate, `${endDate} is in the future (today is ${today} UTC)`)
  }
  if (startDate < EARLIEST_START_DATE) {
    throw new InputError(Inputs.StartDate, `${startDate} is before ${EARLIEST_START_DATE}`)
  }
  if (startDate > endDate) {
    const origin = endText === '' ? ' (today, UTC)' : ''
    throw new InputError(
      Inputs.StartDate,
      `${startDate} is after end-date ${endDate}${origin}; the range would be empty`
    )
  }
  return { startDate, endDate }
}

function parseDate(input: Inputs, text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new InputError(input, `${quote(text)} is not a date in the form YYYY-MM-DD`)
  }
  const time = Date.parse(`${text}T00:00:00Z`)
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
    throw new InputError(input, `${text} is not a real calendar date`)
  }
  return text
}

// ---------------------------------------------------------------------------------------------
// Waiting, concurrency, downloads
// ---------------------------------------------------------------------------------------------

/** Booleans per the YAML 1.2 core schema, as core.getBooleanInput reads them. */
export function parseBoolean(input: Inputs, fallback: boolean): boolean {
  const text = read(input)
  if (text === '') return fallback
  if (['true', 'True', 'TRUE'].includes(text)) return true
  if (['false', 'False', 'FALSE'].includes(text)) return false
  throw new InputError(
    input,
    `${quote(text)} is not a boolean (expected true | True | TRUE | false | False | FALSE)`
  )
}

function parseDurationInput(input: Inputs, text: string): number {
  try {
    return parseDuration(text)
  } catch (error) {
    throw new InputError(input, (error as Error).message)
  }
}

function parsePollInterval(text: string, loopback: boolean): number {
  const ms = parseDurationInput(Inputs.PollInterval, text || DEFAULT_POLL_INTERVAL)
  if (ms <= 0) throw new InputError(Inputs.PollInterval, 'must be longer than 0')
  // Every poll spends the organization's shared DSAR budget; only a local test server may be
  // polled faster than once a second.
  if (ms < MIN_POLL_INTERVAL_MS && !loopback) {
    throw new InputError(
      Inputs.PollInterval,
      'must be at least 1s (shorter intervals are allowed only with a loopback api-url)'
    )
  }
  return ms
}

function parseTimeout(text: string): number {
  const ms = parseDurationInput(Inputs.Timeout, text || DEFAULT_TIMEOUT)
  if (ms <= 0) throw new InputError(Inputs.Timeout, 'must be longer than 0')
  if (ms > MAX_TIMEOUT_MS) {
    throw new InputError(
      Inputs.Timeout,
      'must be at most 6h: a GitHub job is stopped after 6 hours; for longer waits submit with ' +
        'wait: false and collect later with request-ids'
    )
  }
  return ms
}

function parseInteger(input: Inputs, fallback: number, min: number, max: number): number {
  const text = read(input)
  if (text === '') return fallback
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new InputError(input, `${quote(text)} is not an integer from ${min} to ${max}`)
  }
  return value
}

/** Absolute, or relative to the workspace; must resolve (symlinks too) inside it or RUNNER_TEMP. */
async function parseDownloadPath(
  text: string,
  workspace: string,
  runnerTemp: string
): Promise<string> {
  const input = Inputs.DownloadPath
  if (hasControlCharacter(text)) throw new InputError(input, 'contains control characters')
  const target =
    text === '' ? path.join(runnerTemp, 'amplitude-dsar') : path.resolve(workspace, text)
  const nearest = await nearestExisting(target)
  if (nearest.danglingLink) {
    throw new InputError(input, `'${nearest.path}' is a symbolic link to nothing`)
  }
  if (!(await fs.stat(nearest.path)).isDirectory()) {
    throw new InputError(input, `'${nearest.path}' exists and is not a directory`)
  }
  const real = path.join(await fs.realpath(nearest.path), ...nearest.missing)
  const roots = await Promise.all([workspace, runnerTemp].map(realpathOrSelf))
  if (!roots.some(root => isInside(real, root))) {
    throw new InputError(input, `'${target}' is outside GITHUB_WORKSPACE and RUNNER_TEMP`)
  }
  return target
}

/** The deepest existing ancestor of `target` (or itself), and the missing parts below it. */
async function nearestExisting(
  target: string
): Promise<{ path: string; missing: string[]; danglingLink: boolean }> {
  const missing: string[] = []
  let current = target
  for (;;) {
    try {
      await fs.stat(current)
      return { path: current, missing, danglingLink: false }
    } catch (error) {
      if (!isMissing(error)) throw error
      if (await isSymlink(current)) return { path: current, missing, danglingLink: true }
    }
    const parent = path.dirname(current)
    if (parent === current) return { path: current, missing, danglingLink: false }
    missing.unshift(path.basename(current))
    current = parent
  }
}

function parseArtifactName(text: string): string | undefined {
  if (text === '') return undefined
  if (ARTIFACT_NAME_FORBIDDEN.test(text) || hasControlCharacter(text)) {
    throw new InputError(
      Inputs.ArtifactName,
      `${quote(text)} contains a character artifact names refuse (${ARTIFACT_NAME_FORBIDDEN_LIST} or control characters)`
    )
  }
  return text
}

/** One age recipient per line; blank lines and '#' comments ignored; duplicates dropped. */
async function parseRecipients(text: string): Promise<string[]> {
  const lines = text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
  if (lines.length === 0) return []
  // Loaded only when needed: the library is sizeable and most runs do not encrypt.
  const { Encrypter } = await import('age-encryption')
  for (const { line, number } of lines) {
    if (/^age-secret-key-/i.test(line)) {
      throw new InputError(
        Inputs.EncryptTo,
        `line ${number} is an age identity (a private key), not a recipient: give its public ` +
          'key (age1...) instead, and treat this private key as exposed'
      )
    }
    try {
      new Encrypter().addRecipient(line)
    } catch (error) {
      throw new InputError(
        Inputs.EncryptTo,
        `line ${number} is not a valid age recipient (${(error as Error).message}); expected age1...`
      )
    }
  }
  return [...new Set(lines.map(({ line }) => line))]
}

// ---------------------------------------------------------------------------------------------
// Workflow choice and its extra inputs
// ---------------------------------------------------------------------------------------------

async function parseWorkflow(text: string, workspace: string): Promise<WorkflowChoice> {
  const name = (text || 'amplitude').toLowerCase()
  if (name === 'amplitude' || name === 'apis-io') return { kind: 'builtin', name }
  if (!/\.(ya?ml|json)$/i.test(text)) {
    throw new InputError(
      Inputs.Workflow,
      `${quote(text)} is neither 'amplitude', 'apis-io' nor a path to an Arazzo document ` +
        '(.yml, .yaml or .json)'
    )
  }
  return { kind: 'file', path: await resolveWorkspaceFile(Inputs.Workflow, text, workspace) }
}

function parseWorkflowId(text: string): string | undefined {
  if (text === '') return undefined
  if (!WORKFLOW_ID.test(text)) {
    throw new InputError(Inputs.WorkflowId, `${quote(text)} is not a workflowId (A-Z a-z 0-9 _ -)`)
  }
  return text
}

function parseExtraInputs(text: string): Record<string, unknown> {
  if (text === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new InputError(Inputs.Inputs, describeJsonError(text))
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed
    throw new InputError(Inputs.Inputs, `must be a JSON object, not ${kind}`)
  }
  return parsed as Record<string, unknown>
}

/** At most MAX_SUBJECTS subjects, or request ids, per run (run-limits.ts), refused by input name. */
function checkRunSize(given: {
  userIds: string[]
  amplitudeIds: number[]
  fileUserIds: string[]
  subjects: Subject[]
  requestIds: string[]
}): void {
  const requestIds = runSizeProblem(given.requestIds.length, 'request ids')
  if (requestIds) throw new InputError(Inputs.RequestIds, requestIds)
  const subjects = runSizeProblem(given.subjects.length, 'subjects')
  if (!subjects) return
  // Named by the input that gave the most of them.
  const inputs: [Inputs, number][] = [
    [Inputs.UserIds, given.userIds.length],
    [Inputs.AmplitudeIds, given.amplitudeIds.length],
    [Inputs.UserIdsFile, given.fileUserIds.length]
  ]
  const [largest] = inputs.sort((a, b) => b[1] - a[1])[0]
  throw new InputError(largest, subjects)
}

function checkCombination(settings: {
  subjects: Subject[]
  requestIds: string[]
  wait: boolean
  download: boolean
  artifactName?: string
  workflow: WorkflowChoice
  extraInputs: Record<string, unknown>
}): void {
  const { subjects, requestIds, wait, download, artifactName, workflow, extraInputs } = settings
  if (requestIds.length > 0 && subjects.length > 0) {
    throw new InputError(
      Inputs.RequestIds,
      'ambiguous: give request-ids (to resume) or subjects (user-ids, amplitude-ids, ' +
        'user-ids-file), not both'
    )
  }
  if (requestIds.length > 0 && !wait) {
    throw new InputError(
      Inputs.RequestIds,
      'resuming needs wait: true (with wait: false there would be nothing to do)'
    )
  }
  // A custom workflow may take its subject through `inputs`; the caller checks its required
  // inputs against the document.
  const customInputsGiven = workflow.kind === 'file' && Object.keys(extraInputs).length > 0
  if (requestIds.length === 0 && subjects.length === 0 && !customInputsGiven) {
    throw new InputError(
      Inputs.UserIds,
      'no subject: set user-ids, amplitude-ids or user-ids-file (or request-ids to resume)'
    )
  }
  if (download && !wait) {
    throw new InputError(
      artifactName !== undefined ? Inputs.ArtifactName : Inputs.Download,
      'downloading needs wait: true (with wait: false the exports are not ready yet)'
    )
  }
}

/**
 * Ledger mode takes its subjects from issues: the inputs that name subjects or requests must be
 * empty (a subject given both ways would be asked twice), and the workflow must be a built-in one
 * (the ledger submits, and later checks the status once, with the workflows it knows).
 */
function checkLedgerCombination(settings: { workflow: WorkflowChoice }): void {
  for (const name of [Inputs.UserIds, Inputs.AmplitudeIds, Inputs.UserIdsFile, Inputs.RequestIds]) {
    if (read(name) !== '') {
      throw new InputError(
        name,
        `must be empty with ledger: issues (the subjects come from the issues carrying the ledger label)`
      )
    }
  }
  if (settings.workflow.kind !== 'builtin') {
    throw new InputError(
      Inputs.Workflow,
      "ledger: issues works with the built-in workflows ('amplitude' or 'apis-io')"
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Files and paths
// ---------------------------------------------------------------------------------------------

/**
 * Resolves a path given relative to the workspace (or absolute) to the real path of a regular
 * file inside the workspace (or `runnerTemp`, when given). Checking the real path refuses symlinks
 * (and '..') that escape.
 */
async function resolveWorkspaceFile(
  input: Inputs,
  text: string,
  workspace: string,
  runnerTemp?: string
): Promise<string> {
  if (hasControlCharacter(text)) throw new InputError(input, 'contains control characters')
  const candidate = path.resolve(workspace, text)
  let real: string
  try {
    real = await fs.realpath(candidate)
  } catch (error) {
    if (isMissing(error)) throw new InputError(input, `'${text}' does not exist`)
    throw new InputError(input, `'${text}' cannot be read (${(error as Error).message})`)
  }
  const roots = await Promise.all([workspace, runnerTemp ?? workspace].map(realpathOrSelf))
  if (!roots.some(root => isInside(real, root))) {
    const allowed = runnerTemp
      ? 'GITHUB_WORKSPACE and RUNNER_TEMP'
      : 'the workspace (GITHUB_WORKSPACE)'
    throw new InputError(input, `'${text}' is outside ${allowed}`)
  }
  if (!(await fs.stat(real)).isFile()) {
    throw new InputError(input, `'${text}' is not a regular file`)
  }
  return real
}

async function realpathOrSelf(directory: string): Promise<string> {
  try {
    return await fs.realpath(directory)
  } catch {
    return directory
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  )
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

async function isSymlink(file: string): Promise<boolean> {
  try {
    return (await fs.lstat(file)).isSymbolicLink()
  } catch {
    return false
  }
}

/** A user-supplied value for a message: JSON-escaped and bounded (never used for secrets). */
function quote(text: string): string {
  const json = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)
  return `'${json.slice(1, -1)}'`
}
