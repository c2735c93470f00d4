/**
 * Reads and checks every input of action.yml (the role of actions/checkout's input-helper.ts),
 * composing the checked values into the one typed Settings object. Each bad value is refused
 * with an InputError naming the input, before any request is sent. Inputs are checked one by one
 * in action.yml's order, then against each other; the first problem found is thrown. The checks
 * of each kind of input live in their own modules (subject-, credential-, scalar-, path-,
 * export- and workflow-inputs.ts); what is checked here is only how inputs combine.
 */
import os from 'node:os'
import path from 'node:path'
import {
  parseCredentialOrigins,
  parseApiUrl,
  parseCredentials,
  parseRegion
} from './credential-inputs.js'
import { checkJobDays, parseErasureInputs, parseRequestType } from './erasure-inputs.js'
import { isPlaintextChoice, parseArtifactName, parseRecipients } from './export-inputs.js'
import {
  InputError,
  Inputs,
  line,
  log,
  parseAmplitudeIds,
  parseDates,
  parseRequestIds,
  parseUserIds,
  type RunSettings,
  runSizeProblem,
  type Subject,
  uniqueSubjects,
  type WorkflowChoice
} from '../../run/index.js'
import { read } from './input-reading.js'
import { parseDownloadPath } from './path-inputs.js'
import {
  parseBoolean,
  parseInteger,
  parsePollInterval,
  parseTimeout,
  checkTimeoutHoldsOnePoll
} from './scalar-inputs.js'
import { readUserIdsFile } from './user-ids-file.js'
import {
  parseExtraInputs,
  parseSourcePins,
  parseWorkflow,
  parseWorkflowId
} from './workflow-inputs.js'
import type { LedgerSettings } from '../../ledger/index.js'
import { parseLedgerInputs } from './ledger-inputs.js'

/** The run's settings, and the ledger's when `ledger: issues` (src/ledger/settings.ts). */
export interface Settings extends RunSettings {
  /** Ledger mode (`ledger: issues`): subjects come from issues, not from the inputs above. */
  ledger?: LedgerSettings
}

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
  const requestType = parseRequestType(read(Inputs.RequestType))
  // An erasure needs only the project's keys; the org's DSAR keys are checked when given.
  const dsarKeysGiven = [Inputs.ApiKey, Inputs.SecretKey, Inputs.BasicAuth].some(
    n => read(n) !== ''
  )
  const credentials =
    requestType === 'erasure' && !dsarKeysGiven
      ? { apiKey: '', secretKey: '', basicAuth: '' }
      : parseCredentials()
  const erasure = requestType === 'erasure' ? parseErasureInputs() : undefined
  // The ledger erases when an issue asks for it: the project's keys are optional until then.
  const ledgerErasureKeys = [Inputs.ErasureApiKey, Inputs.ErasureSecretKey].some(
    n => read(n) !== ''
  )
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
  const timeoutSaid = bareSeconds(read(Inputs.Timeout))
  const maxConcurrency = parseInteger(Inputs.MaxConcurrency, 4, 1, 32)
  const downloadWanted = parseBoolean(Inputs.Download, false)
  const downloadPath = await parseDownloadPath(read(Inputs.DownloadPath), workspace, runnerTemp)
  const artifactName = parseArtifactName(read(Inputs.ArtifactName))
  const retentionDays = parseInteger(Inputs.RetentionDays, 1, 1, 90)
  const encryptTo = await parseRecipients(read(Inputs.EncryptTo))
  const plaintextOnPurpose = isPlaintextChoice(read(Inputs.EncryptTo))
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
  if (wait && !ledger) checkTimeoutHoldsOnePoll(read(Inputs.Timeout), timeoutMs, pollIntervalMs)

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
  if (erasure) checkErasureCombination({ requestIds, download, artifactName, workflow, ledger })
  else checkEncryption({ download, artifactName, encryptTo, plaintextOnPurpose })

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
    ...(timeoutSaid !== undefined && { timeoutSaid }),
    maxConcurrency,
    download,
    downloadPath,
    ...(artifactName !== undefined && { artifactName }),
    retentionDays,
    encryptTo,
    ...(plaintextOnPurpose && { plaintextOnPurpose: true as const }),
    workflow,
    ...(workflowId !== undefined && { workflowId }),
    extraInputs,
    sourceIntegrity,
    ...(ledger && {
      ledger: {
        ...ledger,
        ...(requestType !== 'erasure' && ledgerErasureKeys && { erasure: parseErasureInputs() })
      }
    }),
    // Absent means access: only an erasure says its type.
    ...(erasure && { requestType, erasure })
  }
}

/** `90` -> `90 s`: a bare number is seconds, said so in the first log line (not 90 minutes). */
function bareSeconds(text: string): string | undefined {
  const value = text.trim()
  // Digits with at most one inner dot, read by index (no regex on input text: linear-regex-rule).
  const parts = value.split('.')
  const digits = (part: string): boolean =>
    part.length > 0 && [...part].every(c => c >= '0' && c <= '9')
  return parts.length <= 2 && parts.every(digits) ? `${value} s` : undefined
}

/**
 * Personal data leaves the runner encrypted unless the workflow says otherwise: `artifact-name`
 * with no recipient is refused before any call (an unset `vars.` variable or a misspelt input reads
 * as empty), unless `encrypt-to: none` chooses plaintext on purpose. Plaintext that stays on the
 * runner is allowed, with a warning; encryption or a folder given for a run that downloads nothing
 * gets a warning naming `download`.
 */
function checkEncryption(given: {
  download: boolean
  artifactName?: string
  encryptTo: string[]
  plaintextOnPurpose: boolean
}): void {
  const { download, artifactName, encryptTo, plaintextOnPurpose } = given
  if (artifactName !== undefined && encryptTo.length === 0 && !plaintextOnPurpose) {
    throw new InputError(
      Inputs.EncryptTo,
      `is empty, and artifact-name would upload the export (personal data) to GitHub unencrypted: ` +
        `give the age recipient(s) to encrypt to (age1...; an unset repository variable reads as ` +
        `empty), or set encrypt-to: none to store it in plaintext on GitHub on purpose`
    )
  }
  if (download && encryptTo.length === 0) {
    const where =
      artifactName !== undefined
        ? `on the runner and in the artifact '${artifactName}' on GitHub (encrypt-to: none)`
        : 'on the runner (in download-path, until the job ends)'
    log.warning(
      line`Input '${Inputs.EncryptTo}': no recipient, so the export (personal data) is stored in plaintext ${where}`
    )
  }
  if (!download) {
    for (const name of [Inputs.EncryptTo, Inputs.DownloadPath]) {
      if (read(name) === '') continue
      log.warning(
        line`Input '${name}' is set, but '${Inputs.Download}' is not true: nothing is downloaded (set ${Inputs.Download}: true or artifact-name to download the export)`
      )
    }
  }
}

/**
 * An erasure exports nothing (so nothing to download), runs the built-in `amplitude-erasure`
 * document or a file with the same workflows (not apis-io's DSAR contract), is resumed by job day,
 * and is not (yet) taken from ledger issues.
 */
function checkErasureCombination(settings: {
  requestIds: string[]
  download: boolean
  artifactName?: string
  workflow: WorkflowChoice
  ledger?: LedgerSettings
}): void {
  if (settings.ledger) {
    throw new InputError(
      Inputs.RequestType,
      'request-type: erasure takes its subjects from user-ids/amplitude-ids, not from ledger issues'
    )
  }
  if (settings.download) {
    throw new InputError(
      settings.artifactName !== undefined ? Inputs.ArtifactName : Inputs.Download,
      'an erasure has nothing to download (set request-type: access for the export)'
    )
  }
  if (settings.workflow.kind === 'builtin' && settings.workflow.name !== 'amplitude') {
    throw new InputError(
      Inputs.Workflow,
      "request-type: erasure runs the built-in 'amplitude-erasure' document (keep workflow: amplitude) or a file with its workflows"
    )
  }
  checkJobDays(settings.requestIds)
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
