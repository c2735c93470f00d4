/**
 * Plans the runs of a loaded document: which workflow of it, how many times (one per subject when
 * the workflow takes one subject), with which inputs. Everything here happens before any request,
 * so a plan that cannot work fails by input name.
 */
import { workflowInputNames, type LoadedArazzo } from '../arazzo/index.js'
import { BUILTIN_WORKFLOWS } from './builtin-workflows.js'
import { InputError } from './input-error.js'
import { Inputs } from './input-names.js'
import type { RequestIdShape } from './server-values.js'
import type { RunSettings } from './settings.js'
import { subjectLabel, subjectText } from './subject-fingerprint.js'
import type { Subject } from './subjects.js'

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
  settings: RunSettings,
  loaded: LoadedArazzo,
  options: PlanOptions = {}
): PlannedRun[] {
  const choice = settings.workflow
  if (choice.kind === 'builtin') return planBuiltin(settings, choice.name, options)
  return planCustom(settings, loaded)
}

function planBuiltin(
  settings: RunSettings,
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
  settings: Pick<RunSettings, 'workflow' | 'basicAuth'>,
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

function planCustom(settings: RunSettings, loaded: LoadedArazzo): PlannedRun[] {
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

/** The documented API's request ids are integers: send them as such when they are. */
function requestIdValue(requestId: string): string | number {
  return /^\d{1,15}$/.test(requestId) ? Number(requestId) : requestId
}
