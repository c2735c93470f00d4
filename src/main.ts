/**
 * The action: mask the credentials, read and check every input, load the Arazzo document, run one
 * workflow per request (subjects in parallel, one shared budget and concurrency limit), then write the
 * outputs, the job summary and one clear failure message when something is not done.
 */
import * as core from '@actions/core'
import { ArazzoError } from './arazzo/errors.js'
import { backoffPollSchedule, systemClock } from './arazzo/pacing.js'
import type { HttpTransport } from './arazzo/types.js'
import { BudgetPacer, DOCUMENTED_BUDGET_PER_HOUR } from './budget.js'
import { createActionTransport, TransportError } from './http-transport.js'
import { getSettings, InputError, type Settings } from './input-helper.js'
import { Inputs } from './input-names.js'
import { computeOutputs, writeOutputs } from './output-helper.js'
import { formatDuration, runRequest, type RequestRecord } from './request-runner.js'
import { maskCredentials } from './secret-helper.js'
import { buildSummary } from './summary-helper.js'
import { loadChosenDocument, planRuns, type PlannedRun } from './workflow-helper.js'

/** The share of the organisation's hourly DSAR budget one run may use: other jobs need the rest. */
export const BUDGET_SHARE = 0.5
/** The poll interval grows by this factor after each poll, up to POLL_INTERVAL_CAP_MS. */
const POLL_GROWTH = 1.5
const POLL_INTERVAL_CAP_MS = 8 * 60_000

class Cancelled extends Error {
  constructor(signal: string) {
    super(`cancelled (${signal})`)
  }
}

export async function run(): Promise<void> {
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    core.warning(`Received ${signal}: stopping and writing what is known`)
    stop.abort(new Cancelled(signal))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // First, before anything can log an input.
    maskCredentials()
    const settings = await getSettings()
    refuseUnimplemented(settings)
    await runRequests(settings, stop)
  } catch (error) {
    core.setFailed(failureMessage(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

async function runRequests(settings: Settings, stop: AbortController): Promise<void> {
  const notices: string[] = []
  let loaded
  try {
    loaded = await loadChosenDocument(settings, message => {
      notices.push(message)
      core.notice(message)
    })
  } catch (error) {
    if (error instanceof ArazzoError) throw new InputError(Inputs.Workflow, error.message)
    throw error
  }
  const plans = planRuns(settings, loaded)
  for (const warning of loaded.warnings) core.warning(`${Inputs.Workflow}: ${warning}`)

  const clock = systemClock
  const startedAt = clock.now()
  const deadline = startedAt + settings.timeoutMs
  const pacer = new BudgetPacer({
    limitPerHour: Math.floor(DOCUMENTED_BUDGET_PER_HOUR * BUDGET_SHARE),
    clock
  })
  const { transport } = createActionTransport({
    apiOrigin: settings.apiUrl,
    clock,
    pacer,
    maxConcurrency: settings.maxConcurrency,
    onRetry: n =>
      core.info(
        `${n.reason} on ${n.method} ${n.path}; attempt ${n.attempt + 1} in ${formatDuration(n.delayMs)}`
      )
  })
  // Refused credentials would be refused for every subject: stop them all at once.
  const guarded: HttpTransport = async (request, signal) => {
    try {
      return await transport(request, signal)
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'auth') stop.abort(error)
      throw error
    }
  }
  const pollSchedule = backoffPollSchedule({
    initialMs: settings.pollIntervalMs,
    factor: POLL_GROWTH,
    maxMs: Math.max(settings.pollIntervalMs, POLL_INTERVAL_CAP_MS)
  })
  const maxSteps = Math.min(
    1_000_000,
    Math.ceil(settings.timeoutMs / settings.pollIntervalMs) + 100
  )

  const live = plans.length === 1
  core.info(
    `${loaded.document.info.title}: ${plans.length} request${plans.length === 1 ? '' : 's'} ` +
      `to ${settings.apiUrl}, at most ${settings.maxConcurrency} in flight, timeout ${formatDuration(settings.timeoutMs)}`
  )
  const runOne = async (plan: PlannedRun): Promise<RequestRecord> => {
    const lines: string[] = []
    if (live) core.startGroup(plan.label)
    const record = await runRequest({
      loaded,
      plan,
      transport: guarded,
      clock,
      pollSchedule,
      serverUrl: settings.apiUrl,
      deadline,
      maxSteps,
      signal: stop.signal,
      log: line => (live ? core.info(line) : lines.push(line))
    })
    const last = `${record.label}: request ${record.requestId ?? '?'} ${record.status ?? record.outcome} after ${record.polls} poll${record.polls === 1 ? '' : 's'}, ${formatDuration((record.finishedAt ?? clock.now()) - record.startedAt)}`
    if (live) {
      core.info(last)
      core.endGroup()
    } else {
      core.startGroup(`${record.label}: ${record.status ?? record.outcome}`)
      for (const line of [...lines, last]) core.info(line)
      core.endGroup()
    }
    return record
  }
  const records = await Promise.all(plans.map(runOne))

  const outputs = computeOutputs(records)
  writeOutputs(outputs)

  const stopReason = stop.signal.aborted ? (stop.signal.reason as Error) : undefined
  const problems = records.map(r => r.problem).filter((p): p is string => Boolean(p))
  const unfinished = records.filter(
    r => r.requestId && r.outcome !== 'done' && r.outcome !== 'failed'
  )
  const resumable = unfinished.filter(r => r.outcome === 'timedOut' || r.outcome === 'aborted')
  const resumeHint =
    resumable.length > 0 ? `request-ids: ${resumable.map(r => r.requestId).join(',')}` : undefined
  if (!settings.wait) {
    const ids = records.map(r => r.requestId).filter(Boolean)
    if (ids.length > 0)
      core.info(
        `Submitted. Collect the results in a later run with:\n  request-ids: ${ids.join(',')}`
      )
  }
  await writeSummary(records, loaded.document.info.title, problems, resumeHint)

  if (stopReason) {
    throw stopReason instanceof TransportError
      ? stopReason
      : new Error(
          `${stopReason.message}; request ids so far: ${records.map(r => r.requestId ?? '-').join(', ')}` +
            (resumeHint ? `\nResume them with:\n  ${resumeHint}` : '')
        )
  }
  if (problems.length > 0) {
    const timedOut = records.filter(r => r.outcome === 'timedOut')
    let message =
      timedOut.length > 0
        ? `Timed out after ${formatDuration(settings.timeoutMs)}: ${problems.join('; ')}`
        : problems.join('; ')
    if (resumeHint) message += `\nResume them in a later run with:\n  ${resumeHint}`
    throw new Error(message)
  }
  core.info(
    `All ${records.length} request${records.length === 1 ? '' : 's'} ${outputs.finalStatus}.`
  )
}

async function writeSummary(
  records: RequestRecord[],
  title: string,
  problems: string[],
  resumeHint: string | undefined
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await buildSummary({
      records,
      workflowTitle: title,
      now: Date.now(),
      problems,
      resumeHint
    }).write()
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`)
  }
}

/** Inputs of the contract whose features have not landed yet: refuse them rather than ignore them. */
function refuseUnimplemented(settings: Settings): void {
  const pending: [boolean, string][] = [
    [settings.download && !settings.artifactName, Inputs.Download],
    [Boolean(settings.artifactName), Inputs.ArtifactName],
    [settings.encryptTo.length > 0, Inputs.EncryptTo]
  ]
  for (const [given, input] of pending) {
    if (given)
      throw new InputError(input, 'not implemented yet (the export download is a later release)')
  }
}

/** One line, no stack trace: the input, request id or HTTP status involved. */
function failureMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
