/**
 * Chooses the Arazzo document the action runs (a built-in one or the user's), and plans the runs: which
 * workflow of it, how many times (one per subject when the workflow takes one subject), with which inputs.
 * Everything here happens before any request, so a plan that cannot work fails by input name.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ArazzoError } from '../arazzo/errors.js'
import {
  loadArazzoFile,
  workflowInputNames,
  type LoadedArazzo,
  type SourceReader
} from '../arazzo/index.js'
import type { Settings } from './input-helper.js'
import { InputError } from './input-reading.js'
import type { Subject } from './subject-inputs.js'
import { Inputs } from './input-names.js'
import { line, log } from './log.js'
import type { RemoteSourceOptions } from './remote-sources.js'
import type { RequestIdShape } from './server-values.js'
import { testHooks } from './test-hooks.js'

/** The built-in documents, and which of their workflows serves each mode. */
export const BUILTIN_WORKFLOWS = {
  amplitude: {
    file: 'amplitude.arazzo.yml',
    submitAndPoll: 'submit-and-poll',
    submit: 'submit',
    // `wait: false`: submit, then read the status once (the create answer carries none).
    submitAndCheck: 'submit-and-check',
    poll: 'poll',
    status: 'status',
    oneSubjectPerRequest: true,
    requestIdShape: 'digits'
  },
  'apis-io': {
    file: 'apis-io.arazzo.yml',
    submitAndPoll: 'submit-and-poll-dsar',
    submit: 'submit-dsar',
    // The seed contract's create answer carries the status already.
    submitAndCheck: 'submit-dsar',
    poll: 'poll-dsar',
    status: 'status-dsar',
    oneSubjectPerRequest: false,
    requestIdShape: 'token'
  }
} as const

/** Where the shipped Arazzo and OpenAPI documents are: dist/workflows when bundled, src/workflows in tests. */
export function bundledWorkflowsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [join(here, 'workflows'), join(here, '..', 'workflows')]
  const found = candidates.find(dir => existsSync(join(dir, BUILTIN_WORKFLOWS.amplitude.file)))
  if (!found)
    throw new Error(`the built-in workflows are missing (looked in ${candidates.join(', ')})`)
  return found
}

/** What loading may need besides the settings: remote descriptions are fetched on the way. */
export interface LoadChoices {
  /** Stops remote fetches (cancellation). */
  signal?: AbortSignal
  /** Per remote description, retries included (default 60 s; the DSAR_TEST_REQUEST_TIMEOUT_MS hook). */
  remoteTimeoutMs?: number
}

/** The chosen document, with a broken one reported against the `workflow` input. */
export async function loadWorkflowInput(
  settings: Settings,
  onNotice: (message: string) => void,
  choices: LoadChoices = {}
): Promise<LoadedArazzo> {
  try {
    return await loadChosenDocument(settings, onNotice, choices)
  } catch (error) {
    if (error instanceof ArazzoError) throw new InputError(Inputs.Workflow, error.message)
    throw error
  }
}

/**
 * The workflow inputs the action fills from secrets: a document may use them only in request
 * headers (the loader refuses any other use, with its JSON Pointer).
 */
export const SECRET_INPUTS = ['basicAuth'] as const

/**
 * The build (scripts/package.mjs) also writes every shipped YAML document, parsed, into one JSON file
 * beside them: reading that is much cheaper at start-up than parsing YAML (and loading `yaml`).
 */
export const PREBUILT_DOCUMENTS_FILE = 'documents.json'

/** The shipped documents as parsed at build time, by absolute path; empty when not built (tests). */
export async function prebuiltDocuments(shipped: string): Promise<Map<string, unknown>> {
  let text: string
  try {
    text = await readFile(join(shipped, PREBUILT_DOCUMENTS_FILE), 'utf8')
  } catch {
    return new Map()
  }
  const byName = JSON.parse(text) as Record<string, unknown>
  return new Map(Object.entries(byName).map(([name, parsed]) => [join(shipped, name), parsed]))
}

export async function loadChosenDocument(
  settings: Settings,
  onNotice: (message: string) => void,
  choices: LoadChoices = {}
): Promise<LoadedArazzo> {
  const shipped = bundledWorkflowsDir()
  const prebuilt = await prebuiltDocuments(shipped)
  if (settings.workflow.kind === 'builtin') {
    return loadArazzoFile(join(shipped, BUILTIN_WORKFLOWS[settings.workflow.name].file), {
      allowedRoots: [shipped],
      secretInputs: SECRET_INPUTS,
      prebuilt,
      onNotice
    })
  }
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  return loadArazzoFile(settings.workflow.path, {
    allowedRoots: [workspace, shipped],
    fallbackDescriptionDirs: [shipped],
    secretInputs: SECRET_INPUTS,
    sourceReader: lazyRemoteSourceReader({
      pins: settings.sourceIntegrity,
      timeoutMs: choices.remoteTimeoutMs ?? testHooks().requestTimeoutMs,
      log: (url, message) => log.info(line`source description ${url}: ${message}`)
    }),
    signal: choices.signal,
    prebuilt,
    onNotice
  })
}

/**
 * The remote source reader, loaded (with @actions/tool-cache and semver) on the first remote
 * description a document names: most runs name none, and their start-up need not compile it.
 */
function lazyRemoteSourceReader(options: RemoteSourceOptions): SourceReader {
  let reader: Promise<SourceReader> | undefined
  return async (url, limits) => {
    reader ??= import('./remote-sources.js').then(m => m.createRemoteSourceReader(options))
    return (await reader)(url, limits)
  }
}

/** One run of one workflow: what the action executes, logs and reports as one request. */
export interface PlannedRun {
  /** A label safe for logs: never the subject's id itself (personal data). */
  label: string
  /** The subject(s) as given, for the `requests` output. */
  subject?: string
  workflowId: string
  inputs: Record<string, unknown>
  /** True when this run only submits (`wait: false`). */
  submitOnly: boolean
  /** The request it resumes (`request-ids`), already checked. */
  requestId?: string
  /** How the server's request ids look (checked before they reach an output). */
  requestIdShape: RequestIdShape
}

export interface PlanOptions {
  /**
   * With `wait: false`, read each new request's status once after submitting it, so the run reports
   * the status it saw (the action's own runs). The ledger submits only: its sweeps read statuses.
   */
  readStatusAfterSubmit?: boolean
}

export function planRuns(
  settings: Settings,
  loaded: LoadedArazzo,
  options: PlanOptions = {}
): PlannedRun[] {
  const choice = settings.workflow
  if (choice.kind === 'builtin') return planBuiltin(settings, choice.name, options)
  return planCustom(settings, loaded)
}

function planBuiltin(
  settings: Settings,
  name: keyof typeof BUILTIN_WORKFLOWS,
  options: PlanOptions
): PlannedRun[] {
  const builtin = BUILTIN_WORKFLOWS[name]
  const { basicAuth, startDate, endDate } = settings
  const requestIdShape = builtin.requestIdShape
  if (settings.requestIds.length > 0) {
    return settings.requestIds.map(requestId => ({
      label: `request ${requestId}`,
      workflowId: builtin.poll,
      inputs: {
        basicAuth,
        requestId: name === 'amplitude' ? requestIdValue(requestId) : requestId
      },
      submitOnly: false,
      requestId,
      requestIdShape
    }))
  }
  const workflowId = settings.wait
    ? builtin.submitAndPoll
    : options.readStatusAfterSubmit
      ? builtin.submitAndCheck
      : builtin.submit
  if (builtin.oneSubjectPerRequest) {
    return settings.subjects.map((subject, index) => ({
      label: subjectLabel(subject, index),
      subject: subjectText(subject),
      workflowId,
      inputs: { basicAuth, startDate, endDate, ...subjectInputs(subject) },
      submitOnly: !settings.wait,
      requestIdShape
    }))
  }
  const amplitudeIds = settings.subjects.filter(s => s.kind === 'amplitudeId')
  if (amplitudeIds.length > 0) {
    throw new InputError(
      Inputs.AmplitudeIds,
      "the 'apis-io' workflow takes user ids only; use the default 'amplitude' workflow for Amplitude ids"
    )
  }
  const userIds = settings.subjects.map(s => (s.kind === 'userId' ? s.userId : ''))
  return [
    {
      label: `${userIds.length} user id${userIds.length === 1 ? '' : 's'}`,
      subject: userIds.join(','),
      workflowId,
      inputs: { basicAuth, userIds },
      submitOnly: !settings.wait,
      requestIdShape
    }
  ]
}

/**
 * One status check per request id, with a built-in workflow (the ledger: each sweep reads each
 * request's status once, without waiting). Labels name the request, never the subject.
 */
export function planStatusChecks(
  settings: Pick<Settings, 'workflow' | 'basicAuth'>,
  requestIds: string[]
): PlannedRun[] {
  const choice = settings.workflow
  if (choice.kind !== 'builtin') throw new Error('status checks need a built-in workflow')
  const builtin = BUILTIN_WORKFLOWS[choice.name]
  return requestIds.map(requestId => ({
    label: `request ${requestId}`,
    workflowId: builtin.status,
    inputs: {
      basicAuth: settings.basicAuth,
      requestId: choice.name === 'amplitude' ? requestIdValue(requestId) : requestId
    },
    submitOnly: false,
    requestId,
    requestIdShape: builtin.requestIdShape
  }))
}

function planCustom(settings: Settings, loaded: LoadedArazzo): PlannedRun[] {
  let workflow
  try {
    workflow = loaded.workflow(settings.workflowId)
  } catch (error) {
    throw new InputError(Inputs.WorkflowId, (error as Error).message)
  }
  const { properties, required } = workflowInputNames(workflow)
  const declared = new Set(properties)
  const common: Record<string, unknown> = {}
  const offer = (name: string, value: unknown): void => {
    if (declared.has(name) && value !== undefined) common[name] = value
  }
  offer('basicAuth', settings.basicAuth)
  offer('startDate', settings.startDate)
  offer('endDate', settings.endDate)
  // The user's own `inputs` come last: they know their workflow best.
  const base = (extra: Record<string, unknown>): Record<string, unknown> => ({
    ...common,
    ...extra,
    ...settings.extraInputs
  })

  let runs: PlannedRun[]
  const workflowId = workflow.workflowId
  // A custom contract's request ids are only known to be tokens.
  const custom = { workflowId, submitOnly: false, requestIdShape: 'token' } as const
  if (settings.requestIds.length > 0 && declared.has('requestId')) {
    runs = settings.requestIds.map(requestId => ({
      ...custom,
      label: `request ${requestId}`,
      inputs: base({ requestId }),
      requestId
    }))
  } else if (declared.has('userIds')) {
    const userIds = settings.subjects.filter(s => s.kind === 'userId').map(s => s.userId)
    runs = [
      {
        ...custom,
        label: `${userIds.length} user id${userIds.length === 1 ? '' : 's'}`,
        subject: userIds.join(','),
        inputs: base(userIds.length > 0 ? { userIds } : {})
      }
    ]
  } else if (
    (declared.has('userId') || declared.has('amplitudeId')) &&
    settings.subjects.length > 0
  ) {
    runs = settings.subjects.map((subject, index) => ({
      ...custom,
      label: subjectLabel(subject, index),
      subject: subjectText(subject),
      inputs: base(pick(subjectInputs(subject), declared))
    }))
  } else {
    runs = [{ ...custom, label: `workflow ${workflowId}`, inputs: base({}) }]
  }

  for (const run of runs) {
    const missing = required.filter(name => run.inputs[name] === undefined)
    if (missing.length > 0) {
      throw new InputError(
        Inputs.Inputs,
        `workflow '${workflowId}' requires input${missing.length === 1 ? '' : 's'} ` +
          `${missing.join(', ')}, which no action input supplies (add ${missing.length === 1 ? 'it' : 'them'} to 'inputs')`
      )
    }
  }
  return runs
}

function pick(values: Record<string, unknown>, names: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => names.has(name)))
}

function subjectInputs(subject: Subject): Record<string, unknown> {
  return subject.kind === 'userId'
    ? { userId: subject.userId }
    : { amplitudeId: subject.amplitudeId }
}

export function subjectText(subject: Subject): string {
  return subject.kind === 'userId' ? subject.userId : String(subject.amplitudeId)
}

/**
 * Subject ids are personal data and logs are read by everyone with access to the repository, so logs and
 * the summary name a subject by position and a short fingerprint, never by its id.
 */
export function subjectLabel(subject: Subject, index: number): string {
  return `subject ${index + 1} (${subjectFingerprint(subject)})`
}

/** `user #ab12cd34` or `amplitude id #ab12cd34`: how logs, the ledger and receipts name a subject. */
export function subjectFingerprint(subject: Subject): string {
  const kind = subject.kind === 'userId' ? 'user' : 'amplitude id'
  return `${kind} #${fingerprint(subjectText(subject))}`
}

function fingerprint(text: string): string {
  // The first hex digits of its SHA-256: enough to tell subjects apart, and a privacy engineer who holds
  // the id can check it (`printf %s ID | sha256sum`).
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8)
}

/** The documented API's request ids are integers: send them as such when they are. */
function requestIdValue(requestId: string): string | number {
  return /^\d{1,15}$/.test(requestId) ? Number(requestId) : requestId
}
