/**
 * A run of the requests the inputs name (the default mode): load the document, plan one workflow
 * per request, run them on one API session (subjects in parallel, one shared budget and
 * concurrency limit), deliver the exports through the one pipeline (src/run/delivery.ts), then
 * write the outputs, the job summary and one clear failure message when something is not done.
 */
import {
  type ApiSession,
  expiringSoon,
  formatDuration,
  Inputs,
  line,
  log,
  markSharedRequestIds,
  openApiSession,
  plural,
  type PlannedRun,
  planRuns,
  reachedAmplitude,
  type RequestRecord,
  runOnSession,
  deliver,
  type WrittenReceipt
} from '../run/index.js'
import { messageOf } from '../arazzo/index.js'
import type { Settings } from './inputs/input-helper.js'
import { computeOutputs, noteTruncation, writeOutputs } from './reporting/output-helper.js'
import {
  failureMessage as runFailure,
  resumeHint,
  runProblems,
  submittedSummary
} from './reporting/conclusion.js'
import { startProgress } from './reporting/progress.js'
import type { DownloadedFile } from '../export/index.js'
import { buildSummary, type SummaryInput } from './reporting/summary-helper.js'
import { runContext, runFacts } from './reporting/summary-facts.js'
import { loadWorkflowInput } from './documents/document-loading.js'
import type { RunDependencies } from '../run/index.js'

export async function runRequests(
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
  const { clock, deadline } = session

  const live = plans.length === 1
  const started: RequestRecord[] = []
  log.info(
    line`${loaded.document.info.title}: ${plural(plans.length, 'request')} to ${settings.apiUrl}, at most ${settings.maxConcurrency} in flight, timeout ${settings.timeoutSaid ?? formatDuration(settings.timeoutMs)}`
  )
  const runOne = async (plan: PlannedRun): Promise<RequestRecord> => {
    const lines: string[] = []
    if (live) log.startGroup(line`${plan.label}`)
    const { record } = await runOnSession(session, {
      loaded,
      plan,
      serverUrl: settings.apiUrl,
      signal: stop.signal,
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
 * Delivers through the one pipeline (src/run/delivery.ts): the exports of done requests when
 * asked, the receipt of every run that reached Amplitude, the artifact when asked; failures join
 * `problems`.
 */
async function exportFiles(
  settings: Settings,
  records: RequestRecord[],
  session: ApiSession,
  signal: AbortSignal,
  problems: string[],
  about: { workflow: string; now: number }
): Promise<Exported> {
  const delivery = await deliver({
    settings,
    session,
    records,
    dir: settings.downloadPath,
    download: settings.download && !signal.aborted,
    signal,
    log: text => log.untrusted(text),
    ...(reachedAmplitude(records) && { receipt: about }),
    ...(settings.artifactName && { artifact: { name: settings.artifactName } }),
    on: {
      downloaded: files => {
        const encrypted = settings.encryptTo.length > 0 ? ', encrypted with age' : ''
        log.info(
          line`Downloaded ${plural(files.length, 'file')}${encrypted} to ${settings.downloadPath}`
        )
      },
      receipt: receipt =>
        log.info(line`Wrote the receipt ${receipt.path} (SHA-256 ${receipt.sha256})`)
    }
  })
  problems.push(...delivery.problems)
  const { files, receipt, artifact } = delivery
  if (!artifact) return { files, receipt }
  // The service keeps it `retention-days` from the upload (or the repository's shorter limit).
  const expiresAt = new Date(Date.now() + settings.retentionDays * 86_400_000).toISOString()
  log.info(
    line`Uploaded artifact '${artifact.name}' (id ${artifact.id}), kept ${plural(settings.retentionDays, 'day')} (until about ${expiresAt})`
  )
  return { files, receipt, artifact: { id: artifact.id, url: artifact.url, expiresAt } }
}

async function writeSummary(input: SummaryInput): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await buildSummary(input).write()
  } catch (error) {
    log.warning(line`could not write the job summary: ${messageOf(error)}`)
  }
}
