/**
 * The action: mask the credentials, read and check every input, then either run the requests the
 * inputs name (one workflow per request, subjects in parallel, one shared budget and concurrency
 * limit) or, with `ledger: issues`, sweep the DSAR issues (src/ledger/sweep.ts); write the outputs,
 * the job summary and one clear failure message when something is not done.
 *
 * `run()` takes optional dependencies (clock, API transport, GitHub access: see
 * src/run/api-session.ts) so benchmarks can drive the real action in virtual time; the runner
 * passes none.
 */
import * as core from '@actions/core'
import {
  type ApiSession,
  downloadRecords,
  expiringSoon,
  formatDuration,
  Inputs,
  line,
  log,
  markSharedRequestIds,
  maskCredentials,
  openApiSession,
  type PlannedRun,
  planRuns,
  reachedAmplitude,
  type RequestRecord,
  runRequest,
  uploadArtifact,
  writeRunReceiptWithDigest,
  type WrittenReceipt
} from './run/index.js'
import { systemClock } from './arazzo/index.js'
import { getSettings, type Settings } from './action/inputs/input-helper.js'
import { computeOutputs, noteTruncation, writeOutputs } from './action/reporting/output-helper.js'
import {
  failureMessage as runFailure,
  resumeHint,
  runProblems,
  submittedSummary
} from './action/reporting/conclusion.js'
import { startProgress } from './action/reporting/progress.js'
import type { DownloadedFile } from './export/index.js'
import { buildSummary, type SummaryInput } from './action/reporting/summary-helper.js'
import { runContext, runFacts } from './action/reporting/summary-facts.js'
import { loadWorkflowInput } from './action/documents/document-loading.js'
import { sweepReporter } from './action/reporting/sweep-summary.js'
import type { ErasureAccess, LedgerDependencies } from './ledger/index.js'

/** What a caller other than the runner may replace (src/run/api-session.ts, src/ledger/sweep.ts). */
export type RunDependencies = LedgerDependencies

class Cancelled extends Error {
  constructor(signal: string) {
    super(`cancelled (${signal})`)
  }
}

export async function run(deps: RunDependencies = {}): Promise<void> {
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals): void => {
    log.warning(line`Received ${signal}: stopping and writing what is known`)
    stop.abort(new Cancelled(signal))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    // First, before anything can log an input.
    maskCredentials()
    const clock = deps.clock ?? systemClock
    const settings = await getSettings({ now: () => new Date(clock.now()) })
    if (settings.ledger) {
      // Loaded only for sweeps: Octokit and the ledger stay out of the start-up of other runs.
      const { sweepLedger } = await import('./ledger/index.js')
      const loaded = await loadWorkflowInput(settings, message => log.notice(line`${message}`))
      // The deletion API's parts stay the action's; the ledger borrows them only with erasure keys.
      const erasure = settings.ledger.erasure ? await erasureAccess(settings, deps) : undefined
      await sweepLedger(settings, settings.ledger, loaded, stop, sweepReporter(settings), {
        ...deps,
        ...(erasure && { erasure })
      })
    } else if (settings.requestType === 'erasure') {
      const { runErasure } = await import('./action/erasure/erasure-run.js')
      await runErasure(settings, stop, deps)
    } else {
      await runRequests(settings, stop, deps)
    }
  } catch (error) {
    core.setFailed(failureMessage(error))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** What a sweep needs of the action's erasure run to call the deletion API. */
async function erasureAccess(settings: Settings, deps: RunDependencies): Promise<ErasureAccess> {
  const { composeRedactors, erasureTransport, loadErasureDocument } =
    await import('./action/erasure/erasure-run.js')
  return {
    load: signal => loadErasureDocument(settings, signal),
    transport: (stop, clock, deadline, redact) =>
      erasureTransport(settings, stop, deps, clock, deadline, redact),
    redactor: keys => composeRedactors(settings, keys)
  }
}

async function runRequests(
  settings: Settings,
  stop: AbortController,
  deps: RunDependencies
): Promise<void> {
  const loaded = await loadWorkflowInput(settings, message => log.notice(line`${message}`), {
    signal: stop.signal
  })
  const plans = planRuns(settings, loaded, { readStatusAfterSubmit: true })
  for (const warning of loaded.warnings) log.warning(line`${Inputs.Workflow}: ${warning}`)

  const session = openApiSession(settings, stop, deps)
  const { clock, deadline, redact, pollSchedule, maxSteps } = session

  const live = plans.length === 1
  const started: RequestRecord[] = []
  log.info(
    line`${loaded.document.info.title}: ${plural(plans.length, 'request')} to ${settings.apiUrl}, at most ${settings.maxConcurrency} in flight, timeout ${settings.timeoutSaid ?? formatDuration(settings.timeoutMs)}`
  )
  const runOne = async (plan: PlannedRun): Promise<RequestRecord> => {
    const lines: string[] = []
    if (live) log.startGroup(line`${plan.label}`)
    const record = await runRequest({
      loaded,
      plan,
      transport: session.transport,
      clock,
      pollSchedule,
      serverUrl: settings.apiUrl,
      deadline,
      maxSteps,
      signal: stop.signal,
      redact,
      mask: secret => log.secret(secret),
      onStart: record => started.push(record),
      log: text => (live ? log.untrusted(text) : lines.push(text))
    })
    const last = `${record.label}: request ${record.requestId ?? '?'} ${record.status ?? record.outcome} after ${plural(record.polls, 'poll')}, ${formatDuration((record.finishedAt ?? clock.now()) - record.startedAt)}`
    if (live) {
      log.untrusted(last)
      log.endGroup()
    } else {
      log.startGroup(line`${record.label}: ${record.status ?? record.outcome}`)
      for (const text of [...lines, last]) log.untrusted(text)
      log.endGroup()
    }
    return record
  }
  // Several requests log only when each ends: say where the run stands every few minutes.
  const progress = live
    ? undefined
    : startProgress({
        records: started,
        total: plans.length,
        clock,
        everyMs: session.hooks.progressEveryMs,
        print: text => log.untrusted(text)
      })
  let records: RequestRecord[]
  try {
    records = await Promise.all(plans.map(runOne))
  } finally {
    progress?.stop()
  }
  markSharedRequestIds(records)

  const problems = runProblems(records)
  // Write what is known now: a later download or upload failure must not lose a request id.
  writeOutputs(computeOutputs(records))

  const exported = await exportFiles(settings, records, session, stop.signal, problems, {
    workflow: loaded.document.info.title,
    now: clock.now()
  })
  const outputs = computeOutputs(records, { ...exported, receipt: exported.receipt?.path })
  const notes = await noteTruncation(writeOutputs(outputs), outputs, settings.downloadPath)
  for (const record of expiringSoon(records, clock.now())) {
    log.warning(
      line`request ${record.requestId}: its download links expire at ${record.expires}; download them before then`
    )
  }

  const stopReason = stop.signal.aborted ? (stop.signal.reason as Error) : undefined
  const ids = records.map(r => r.requestId).filter(Boolean)
  if (!settings.wait && ids.length > 0) {
    log.info(line`${submittedSummary(records)}. Collect the results in a later run with:
  request-ids: ${ids.join(',')}`)
  }
  const facts = runFacts(settings, {
    plans,
    records,
    now: clock.now(),
    ...exported,
    run: runContext(process.env)
  })
  await writeSummary({
    records,
    workflowTitle: loaded.document.info.title,
    problems,
    resumeHint: resumeHint(records),
    files: exported.files,
    now: clock.now(),
    facts,
    notes
  })

  const failure = runFailure({
    records,
    problems,
    stopReason,
    timeoutMs: settings.timeoutMs,
    deadline
  })
  if (failure) throw new Error(failure)
  if (settings.wait)
    log.info(line`All ${plural(records.length, 'request')} ${outputs.finalStatus}.`)
}

interface Exported {
  files?: DownloadedFile[]
  receipt?: WrittenReceipt
  artifact?: { id: number; url: string; expiresAt: string }
}

/**
 * Downloads the exports of done requests when asked, writes the receipt of every run that reached
 * Amplitude, and uploads files and receipt when asked; failures join `problems`.
 */
async function exportFiles(
  settings: Settings,
  records: RequestRecord[],
  session: ApiSession,
  signal: AbortSignal,
  problems: string[],
  about: { workflow: string; now: number }
): Promise<Exported> {
  const { files, failed } = await downloadFiles(settings, records, session, signal)
  problems.push(...failed)
  // The evidence of what was asked and delivered, whatever happens to the downloads and the upload.
  const receipt = await runReceipt(settings, records, files ?? [], about, problems)
  if (!settings.artifactName || !files || files.length === 0 || failed.length > 0) {
    return { files, receipt }
  }
  let artifact
  try {
    artifact = await uploadArtifact({
      name: settings.artifactName,
      files,
      extraPaths: receipt ? [receipt.path] : [],
      rootDirectory: settings.downloadPath,
      retentionDays: settings.retentionDays
    })
  } catch (error) {
    // The files are on disk and listed in the outputs; only the upload is missing.
    problems.push((error as Error).message)
    return { files, receipt }
  }
  // The service keeps it `retention-days` from the upload (or the repository's shorter limit).
  const expiresAt = new Date(Date.now() + settings.retentionDays * 86_400_000).toISOString()
  log.info(
    line`Uploaded artifact '${settings.artifactName}' (id ${artifact.id}), kept ${plural(settings.retentionDays, 'day')} (until about ${expiresAt})`
  )
  return { files, receipt, artifact: { ...artifact, expiresAt } }
}

async function downloadFiles(
  settings: Settings,
  records: RequestRecord[],
  session: ApiSession,
  signal: AbortSignal
): Promise<{ files?: DownloadedFile[]; failed: string[] }> {
  if (!settings.download || signal.aborted) return { failed: [] }
  const { files, problems: failed } = await downloadRecords(
    settings,
    session,
    records,
    settings.downloadPath,
    signal,
    text => log.untrusted(text)
  )
  const encrypted = settings.encryptTo.length > 0 ? ', encrypted with age' : ''
  log.info(line`Downloaded ${plural(files.length, 'file')}${encrypted} to ${settings.downloadPath}`)
  return { files, failed }
}

/** `receipt.json` in download-path, for every run that reached Amplitude (none when none did). */
async function runReceipt(
  settings: Settings,
  records: RequestRecord[],
  files: DownloadedFile[],
  about: { workflow: string; now: number },
  problems: string[]
): Promise<WrittenReceipt | undefined> {
  if (!reachedAmplitude(records)) return undefined
  try {
    const receipt = await writeRunReceiptWithDigest({
      dir: settings.downloadPath,
      settings,
      records,
      files,
      workflow: about.workflow,
      now: about.now,
      ...(settings.artifactName &&
        settings.download && {
          artifact: { name: settings.artifactName, retentionDays: settings.retentionDays }
        })
    })
    log.info(line`Wrote the receipt ${receipt.path} (SHA-256 ${receipt.sha256})`)
    return receipt
  } catch (error) {
    problems.push(`receipt.json could not be written: ${(error as Error).message}`)
    return undefined
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

async function writeSummary(input: SummaryInput): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await buildSummary(input).write()
  } catch (error) {
    log.warning(line`could not write the job summary: ${(error as Error).message}`)
  }
}

/** One line, no stack trace: the input, request id or HTTP status involved. */
function failureMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
