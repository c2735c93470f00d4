/**
 * `request-type: erasure`: the subjects' ids go to Amplitude's deletion API in batches of at most
 * 100, one call at a time, at most one a second (src/run/erasure-pacer.ts), with the project's
 * keys only (the 'erasure' scope of src/policy/credentials.ts). Then, with `wait: true`, each job
 * is read by its day until it is done, at most once a day against Amplitude. Every call is one the
 * Arazzo document describes (built-in `amplitude-erasure`, or a file with the same workflows), run
 * by the engine. Resuming (`request-ids`) reads the jobs of those days.
 */
import { join } from 'node:path'
import {
  ArazzoError,
  type Clock,
  type EngineEvent,
  type HttpTransport,
  loadArazzoFile,
  type LoadedArazzo,
  runWorkflow,
  systemClock
} from '../../arazzo/index.js'
import { isLoopbackHost } from '../../policy/index.js'
import {
  createActionTransport,
  credentialRedactor,
  type ErasureSettings,
  formatDuration,
  InputError,
  Inputs,
  IntervalPacer,
  line,
  log,
  type RunDependencies,
  subjectLabel,
  testHooks,
  TransportError
} from '../../run/index.js'
import {
  batches,
  batchInputs,
  erasurePollSchedule,
  ERASURE_STATUSES,
  listedSubjects,
  placeSubjects,
  readJobs,
  type ErasureJob
} from '../../run/index.js'
import {
  buildErasureSummary,
  erasureFailure,
  isAbsent,
  writeErasureOutputs,
  type ErasureReport
} from '../reporting/erasure-report.js'
import type { Settings } from '../inputs/input-helper.js'
import {
  bundledWorkflowsDir,
  loadChosenDocument,
  prebuiltDocuments,
  SECRET_INPUTS
} from '../documents/document-loading.js'

export const ERASURE_DOCUMENT = 'amplitude-erasure.arazzo.yml'
/** The workflows a document must have to serve erasure (the built-in one's ids). */
export const ERASURE_WORKFLOWS = { submit: 'submit', poll: 'poll', status: 'status' } as const

interface Context {
  settings: Settings
  erasure: ErasureSettings
  loaded: LoadedArazzo
  transport: HttpTransport
  clock: Clock
  deadline: number
  signal: AbortSignal
  redact: (text: string) => string
}

export async function runErasure(
  settings: Settings,
  stop: AbortController,
  deps: RunDependencies = {}
): Promise<void> {
  const erasure = settings.erasure
  if (!erasure) throw new Error('an erasure run needs the erasure settings')
  const loaded = await loadErasureDocument(settings, stop.signal)
  const clock = deps.clock ?? systemClock
  const deadline = clock.now() + settings.timeoutMs
  const redact = composeRedactors(settings, erasure)
  const transport = erasureTransport(settings, stop, deps, clock, deadline, redact)
  const ctx: Context = {
    settings,
    erasure,
    loaded,
    transport,
    clock,
    deadline,
    signal: stop.signal,
    redact
  }

  const problems: string[] = []
  const jobs = new Map<string, ErasureJob>()
  const notSubmitted = new Set<number>()
  const resuming = settings.requestIds.length > 0
  const subjects = settings.subjects
  log.info(
    line`${loaded.document.info.title}: ${resuming ? `reading the jobs of ${settings.requestIds.length} day(s)` : `${subjects.length} subject(s) in ${Math.ceil(subjects.length / 100)} batch(es)`} at ${settings.apiUrl}, at most 1 call a second, requester ${erasure.requester}`
  )
  if (!resuming) await submitBatches(ctx, jobs, notSubmitted, problems)

  const days = resuming ? settings.requestIds : [...jobs.keys()]
  if (settings.wait && !stop.signal.aborted) {
    await Promise.all(days.map(day => pollJob(ctx, day, jobs, problems)))
  }
  const finalJobs = [...jobs.values()].sort((a, b) => a.day.localeCompare(b.day))
  const placed = placeSubjects(resuming ? listedSubjects(finalJobs) : subjects, finalJobs)
  const report: ErasureReport = {
    placed,
    jobs: finalJobs,
    notSubmitted,
    problems,
    // Every day a later run should read: all of them after a submit, else those not seen done
    // (timed out, cancelled, or not read at all because the run stopped first).
    resumeDays: settings.wait ? days.filter(day => jobs.get(day)?.status !== 'done') : days,
    requester: erasure.requester,
    apiUrl: settings.apiUrl,
    wait: settings.wait
  }
  placed.forEach((p, index) => {
    if (!isAbsent(report, index)) return
    log.info(
      line`${subjectLabel(p.subject, index)}: absent from the job Amplitude answered (it does not know this id in the project), so there is nothing to erase`
    )
  })
  for (const job of finalJobs) {
    log.info(
      line`job ${job.day}: ${job.status}, ${job.entries.length} id(s)${job.activeScrubDoneDate ? `, live data scrubbed on ${job.activeScrubDoneDate}` : ''}`
    )
  }
  writeErasureOutputs(report)
  if (!settings.wait && days.length > 0) {
    log.info(line`Submitted. Read the jobs in a later run (request-type: erasure) with:
  request-ids: ${days.join(',')}`)
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await buildErasureSummary(report).write()
    } catch (error) {
      log.warning(line`could not write the job summary: ${(error as Error).message}`)
    }
  }
  const stopReason = stop.signal.aborted ? (stop.signal.reason as Error) : undefined
  const failure = erasureFailure(report, stopReason)
  if (failure) throw new Error(failure)
}

/** One call per batch of at most 100 ids; a batch that fails leaves the others going. */
async function submitBatches(
  ctx: Context,
  jobs: Map<string, ErasureJob>,
  notSubmitted: Set<number>,
  problems: string[]
): Promise<void> {
  const all = ctx.settings.subjects.map((subject, index) => ({ subject, index }))
  const groups = batches(all)
  for (const [n, group] of groups.entries()) {
    if (ctx.signal.aborted) {
      group.forEach(g => notSubmitted.add(g.index))
      continue
    }
    const what = `batch ${n + 1} of ${groups.length} (${group.length} id${group.length === 1 ? '' : 's'})`
    const result = await runWorkflow(ctx.loaded, {
      workflowId: ERASURE_WORKFLOWS.submit,
      inputs: {
        basicAuth: ctx.erasure.basicAuth,
        requester: ctx.erasure.requester,
        ...batchInputs(group.map(g => g.subject))
      },
      ...engineOptions(ctx)
    })
    if (result.status !== 'succeeded') {
      group.forEach(g => notSubmitted.add(g.index))
      if (result.status !== 'aborted') {
        problems.push(`${what}: not taken (${ctx.redact(result.error?.message ?? result.status)})`)
      }
      continue
    }
    const { jobs: answered, refused } = readJobs(result.outputs.jobs)
    for (const problem of refused) problems.push(`${what}: ${problem}`)
    for (const job of answered) jobs.set(job.day, job)
    const where = answered.map(j => `job ${j.day} (${j.status})`).join(', ') || 'no job'
    log.info(line`${what} sent: ${where}`)
  }
}

/** Reads the job of one day until it is done (or the run's time is up). */
async function pollJob(
  ctx: Context,
  day: string,
  jobs: Map<string, ErasureJob>,
  problems: string[]
): Promise<void> {
  const { settings } = ctx
  const loopback = isLoopbackHost(new URL(settings.apiUrl).hostname)
  let reads = 0
  const result = await runWorkflow(ctx.loaded, {
    workflowId: ERASURE_WORKFLOWS.poll,
    inputs: { basicAuth: ctx.erasure.basicAuth, day },
    ...engineOptions(ctx),
    pollSchedule: erasurePollSchedule(settings.pollIntervalMs, loopback),
    maxSteps: 10_000,
    onEvent: (event: EngineEvent) => {
      if (event.type === 'waiting') {
        const status = jobs.get(day)?.status ?? 'unknown'
        const next = new Date(event.until).toISOString().replace(/\.\d{3}Z$/, 'Z')
        log.info(line`job ${day} is ${status} after ${reads} read(s); next read at ${next}`)
      }
      if (event.type === 'stepOutputs') {
        reads++
        const found = readJobs(event.outputs.jobs).jobs.find(j => j.day === day)
        if (found) jobs.set(day, found)
      }
    }
  })
  const { jobs: answered, refused } = readJobs(result.outputs.jobs)
  for (const problem of refused) problems.push(`job ${day}: ${problem}`)
  const job = answered.find(j => j.day === day) ?? jobs.get(day)
  if (job) jobs.set(day, job)
  const still = job ? `still ${job.status}` : 'not read'
  const outOfTime =
    result.status === 'timedOut' ||
    (result.error instanceof TransportError && result.error.kind === 'deadline')
  if (outOfTime) {
    problems.push(
      `job ${day}: ${still} after ${reads} read(s); the next read would come after the timeout`
    )
  } else if (result.status === 'aborted') {
    return // the stop reason is reported once, for the whole run
  } else if (result.status !== 'succeeded') {
    problems.push(`job ${day}: ${ctx.redact(result.error?.message ?? result.status)}`)
  } else if (!job) {
    problems.push(`job ${day}: Amplitude lists no deletion job on that day`)
  } else if (!(ERASURE_STATUSES as readonly string[]).includes(job.status)) {
    problems.push(`job ${day}: unknown status '${job.status}'`)
  } else if (job.status !== 'done') {
    problems.push(`job ${day}: the workflow ended while the job was still ${job.status}`)
  }
}

function engineOptions(ctx: Context) {
  return {
    transport: ctx.transport,
    clock: ctx.clock,
    deadline: ctx.deadline,
    signal: ctx.signal,
    serverUrl: ctx.settings.apiUrl,
    sensitiveHeaders: ['authorization'],
    maxSteps: 100
  }
}

/** The built-in document, or the user's file with the same workflows (e.g. for the v2 API). */
export async function loadErasureDocument(
  settings: Settings,
  signal: AbortSignal
): Promise<LoadedArazzo> {
  const notice = (message: string) => log.notice(line`${message}`)
  let loaded: LoadedArazzo
  try {
    if (settings.workflow.kind === 'file') {
      loaded = await loadChosenDocument(settings, notice, { signal })
    } else {
      const shipped = bundledWorkflowsDir()
      loaded = await loadArazzoFile(join(shipped, ERASURE_DOCUMENT), {
        allowedRoots: [shipped],
        secretInputs: SECRET_INPUTS,
        prebuilt: await prebuiltDocuments(shipped),
        onNotice: notice
      })
    }
    for (const id of Object.values(ERASURE_WORKFLOWS)) loaded.workflow(id)
  } catch (error) {
    if (error instanceof ArazzoError) throw new InputError(Inputs.Workflow, error.message)
    throw error
  }
  return loaded
}

/** Both key pairs' every form, out of anything the run reports. */
export function composeRedactors(
  settings: Settings,
  erasure: ErasureSettings
): (text: string) => string {
  const project = credentialRedactor({ ...erasure, basicAuth: erasure.basicAuth })
  const org = credentialRedactor({
    apiKey: settings.apiKey ?? '',
    secretKey: settings.secretKey ?? '',
    basicAuth: settings.basicAuth
  })
  return text => org(project(text))
}

/** The deletion API's transport: erasure scope, one call at a time, 1 a second, 429s waited out. */
export function erasureTransport(
  settings: Settings,
  stop: AbortController,
  deps: RunDependencies,
  clock: Clock,
  deadline: number,
  redact: (text: string) => string
): HttpTransport {
  const hooks = testHooks()
  const { transport } = createActionTransport({
    apiOrigin: settings.apiUrl,
    scope: 'erasure',
    clock,
    pacer: new IntervalPacer(clock),
    maxConcurrency: 1,
    deadline,
    requestTimeoutMs: hooks.requestTimeoutMs,
    backoffBaseMs: hooks.backoffBaseMs,
    backoffMaxMs: hooks.backoffMaxMs,
    rateLimitMaxMs: hooks.backoffMaxMs,
    ...(deps.sendToApi && { send: deps.sendToApi }),
    ...(deps.random && { random: deps.random }),
    onRetry: n =>
      log.info(
        line`${n.reason} on ${n.method} ${redact(n.path)}; attempt ${n.attempt + 1} in ${formatDuration(n.delayMs)}`
      )
  })
  return async (request, signal) => {
    try {
      return await transport(request, signal)
    } catch (error) {
      if (error instanceof TransportError && error.kind === 'auth') {
        // Refused keys would be refused for every batch: stop, naming the right keys.
        const method = request.method.toUpperCase()
        const refused = new TransportError(
          'auth',
          `HTTP ${error.status} from ${method} ${new URL(request.url).pathname}: the API refused the erasure keys (a project's API key and secret key are required)`,
          error.status
        )
        stop.abort(refused)
        throw refused
      }
      throw error
    }
  }
}
