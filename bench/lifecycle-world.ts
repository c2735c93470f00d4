/**
 * The world of the lifecycle benchmark (bench/lifecycle.ts), in virtual time:
 * - `AmplitudeModel`: the documented DSAR API as a function of time (staging for 10 minutes, then
 *   submitted until the job's seeded finish, then done with links valid two days), behind the
 *   documented budget (14,400 cost per sliding hour, POST 8, GET 1, 429 with Retry-After past it),
 *   which another consumer of the organisation drains at a steady share (60%: one GET every 417 ms);
 * - `pacedGitHub`: the GitHub REST stand-in's in-process fetch with GitHub's latency and the
 *   throttling plugin's spacing of writes (1 s, 3 s between new comments) in virtual time;
 * - `runSweep`: the real `run()` of src/main.ts, in this process, with the runner's environment
 *   (INPUT_*, GITHUB_OUTPUT...) for the call and its log kept off the console: a fresh run each
 *   time, as on a runner, with the clock, the API transport and GitHub access injected. Several may
 *   be live at once (overlapping scheduled runs): each sees only its own environment and log.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock, HttpRequest, HttpResponse } from '../src/arazzo/types.js'
import { DOCUMENTED_BUDGET_PER_HOUR, HOUR_MS, requestCost } from '../src/run/budget.js'
import { run } from '../src/main.js'
import type { GitHubStandIn } from '../src/simulator/github/index.js'
import { SlidingWindowBudget } from '../src/simulator/budget.js'
import { parseCommandFile, prepareRunner } from '../__tests__/support/action-harness.js'

export const MINUTE_MS = 60_000
export const DAY_MS = 24 * HOUR_MS
const STAGING_MS = 10 * MINUTE_MS
const LINK_TTL_MS = 2 * DAY_MS
export const API_ORIGIN = 'https://amplitude.com'

interface Job {
  subject: string
  submittedAt: number
  finishAt: number
}

export class AmplitudeModel {
  private readonly budget = new SlidingWindowBudget(DOCUMENTED_BUDGET_PER_HOUR)
  private readonly jobs = new Map<number, Job>()
  private nextId = 53367
  private nextBackground: number
  private readonly backgroundEveryMs: number
  /** When each job was first answered `done` (its id -> time): when the action saw it. */
  private readonly seen = new Map<number, number>()
  /** Our admitted requests (time, cost), for the peak-hour share. */
  readonly admitted: { at: number; cost: number }[] = []
  /** Every request of ours, admitted or refused (time, cost): what the action asked for. */
  readonly asked: { at: number; cost: number }[] = []
  readonly refused = { post: 0, get: 0 }
  /** DSARs created per subject: more than one would be a duplicate. */
  readonly created = new Map<string, number>()
  /** Told each time a status answer says `done` (the desk then expects a delivery). */
  onDone?: () => void

  constructor(
    private readonly clock: Clock,
    /** How long the job of `subject` takes, from its submission. */
    private readonly jobLength: (subject: string) => number,
    backgroundShare: number,
    start: number,
    /** Where the output links point (the desk serves them on loopback: bench/export-world.ts). */
    private readonly outputOrigin: () => string = () => API_ORIGIN
  ) {
    this.backgroundEveryMs = HOUR_MS / (DOCUMENTED_BUDGET_PER_HOUR * backgroundShare)
    this.nextBackground = start
  }

  send = async (request: HttpRequest): Promise<HttpResponse> => {
    const now = this.clock.now()
    const refusal = this.pay(request.method)
    if (refusal) return refusal
    const url = new URL(request.url)
    if (request.method === 'POST') {
      const subject = subjectOf(request.body)
      const id = this.nextId++
      this.jobs.set(id, { subject, submittedAt: now, finishAt: now + this.jobLength(subject) })
      this.created.set(subject, (this.created.get(subject) ?? 0) + 1)
      return json(202, { requestId: id })
    }
    const id = Number(url.pathname.split('/').pop())
    const job = this.jobs.get(id)
    if (!job) return json(404, { error: 'no such request' })
    // Status answers name the request's subject, as the documented API does.
    const userId = job.subject
    if (now < job.submittedAt + STAGING_MS && now < job.finishAt) {
      return json(200, { requestId: id, userId, status: 'staging' })
    }
    if (now < job.finishAt) return json(200, { requestId: id, userId, status: 'submitted' })
    if (!this.seen.has(id)) this.seen.set(id, now)
    this.onDone?.()
    return json(200, {
      requestId: id,
      userId,
      status: 'done',
      urls: [`${this.outputOrigin()}/api/2/dsar/requests/${id}/outputs/0`],
      expires: new Date(job.finishAt + LINK_TTL_MS).toISOString()
    })
  }

  /**
   * Takes the cost of one call of `method` from the organisation's budget (after the other
   * consumer's calls up to now): undefined when admitted, else the 429 to answer. The output links
   * (a GET each) are paid from it too, as at Amplitude.
   */
  pay(method: string): HttpResponse | undefined {
    const now = this.clock.now()
    // The other consumer's calls up to now, in their order.
    for (; this.nextBackground <= now; this.nextBackground += this.backgroundEveryMs) {
      this.budget.tryConsume(1, this.nextBackground)
    }
    const cost = requestCost(method)
    this.asked.push({ at: now, cost })
    const decision = this.budget.tryConsume(cost, now)
    if (!decision.admitted) {
      if (method === 'POST') this.refused.post++
      else this.refused.get++
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000))
      return json(429, { error: 'Too many requests' }, { 'retry-after': String(seconds) })
    }
    this.admitted.push({ at: now, cost })
    return undefined
  }

  /** The subject of DSAR `id` when it is done (its output can be served), else undefined. */
  doneSubjectOf(id: number): string | undefined {
    const job = this.jobs.get(id)
    return job && this.clock.now() >= job.finishAt ? job.subject : undefined
  }

  /** When the job of `subject` finished at Amplitude (undefined before it was submitted). */
  finishOf(subject: string): number | undefined {
    for (const job of this.jobs.values()) if (job.subject === subject) return job.finishAt
    return undefined
  }

  /** When the first DSAR of `subject` was created (undefined: never). */
  submittedOf(subject: string): number | undefined {
    for (const job of this.jobs.values()) if (job.subject === subject) return job.submittedAt
    return undefined
  }

  /** When a job of `subject` was first answered `done` (undefined: never). */
  seenOf(subject: string): number | undefined {
    for (const [id, job] of this.jobs) if (job.subject === subject) return this.seen.get(id)
    return undefined
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body }
}

function subjectOf(body: string | undefined): string {
  try {
    const parsed = JSON.parse(body ?? '{}') as { userId?: string }
    if (parsed.userId) return parsed.userId
  } catch {
    // a form body
  }
  return new URLSearchParams(body ?? '').get('userId') ?? '?'
}

/** Round trip of one GitHub REST call. */
export const GITHUB_LATENCY_MS = 250

/**
 * The stand-in's fetch as a runner sees GitHub: each call takes GITHUB_LATENCY_MS, writes are at
 * least 1 s apart and new comments 3 s apart (the throttling plugin's spacing, which it keeps in
 * real time: modelled here in virtual time). One per sweep: the spacing is per process.
 */
export function pacedGitHub(standIn: GitHubStandIn, clock: Clock): typeof fetch {
  let nextWrite = 0
  let nextComment = 0
  return async (input: string | URL | Request, init?: RequestInit) => {
    const method = (init?.method ?? 'GET').toUpperCase()
    if (method !== 'GET') {
      const path = new URL(String(input)).pathname
      const comment = method === 'POST' && /\/issues\/\d+\/comments$/.test(path)
      const at = Math.max(clock.now(), nextWrite, comment ? nextComment : 0)
      nextWrite = at + 1000
      if (comment) nextComment = at + 3000
      await clock.sleep(at - clock.now())
    }
    await clock.sleep(GITHUB_LATENCY_MS)
    return standIn.fetch(input, init)
  }
}

export interface SweepResult {
  startedAt: number
  endedAt: number
  failed: boolean
  /** The `::error::` line, when the step failed. */
  error?: string
  /** The step outputs (GITHUB_OUTPUT) the run wrote. */
  outputs: Record<string, string>
}

/** What one live run sees as its process: its environment and its stdout. */
interface RunnerProcess {
  env: NodeJS.ProcessEnv
  lines: string[]
}

const current = new AsyncLocalStorage<RunnerProcess>()
let live = 0
let restore: (() => void) | undefined

/**
 * While runs are live, `process.env` and `process.stdout.write` answer for the run whose code is
 * executing (the async context it started in): two overlapping runs each read their own INPUT_*
 * and GITHUB_OUTPUT and keep their own log, as two runner processes would. Code outside a run sees
 * the real ones; both are put back when the last run ends.
 */
function isolate(): void {
  if (live++ > 0) return
  const env = process.env
  const write = process.stdout.write
  const target = (): NodeJS.ProcessEnv => current.getStore()?.env ?? env
  process.env = new Proxy(env, {
    get: (_, key) => Reflect.get(target(), key),
    set: (_, key, value) => Reflect.set(target(), key, value),
    has: (_, key) => Reflect.has(target(), key),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(target(), key)
  })
  process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    const run = current.getStore()
    if (!run) return write.call(process.stdout, chunk, ...rest)
    run.lines.push(...String(chunk).split('\n'))
    return true
  }
  restore = () => {
    process.env = env
    process.stdout.write = write
  }
}

function release(): void {
  if (--live > 0) return
  restore?.()
  // core.setFailed sets the exit code of the process: the bench itself has not failed.
  process.exitCode = undefined
}

/**
 * Runs the real action once, in this process: the runner's environment for the call, the log kept
 * (not printed), failure read from its `::error::` line (the exit code is shared by overlapping
 * runs). `drive` advances the clock until the run ends (or just awaits it, when one driver
 * advances the clock for several runs).
 */
export async function runSweep(o: {
  home: string
  inputs: Record<string, string>
  env: Record<string, string>
  clock: Clock
  sendToApi: (request: HttpRequest) => Promise<HttpResponse>
  github?: typeof fetch
  /** The transport's jitter (seeded: the benchmark is deterministic). */
  random: () => number
  drive: (running: Promise<void>) => Promise<void>
}): Promise<SweepResult> {
  mkdirSync(o.home, { recursive: true })
  const prepared = prepareRunner(o.inputs, { home: o.home, env: o.env, workspace: o.home })
  const runner: RunnerProcess = { env: { ...process.env, ...prepared.env }, lines: [] }
  const startedAt = o.clock.now()
  isolate()
  try {
    await o.drive(
      current.run(runner, () =>
        run({
          clock: o.clock,
          sendToApi: o.sendToApi,
          random: o.random,
          ...(o.github && { github: { fetch: o.github, realTimeWaits: false } })
        })
      )
    )
  } finally {
    release()
  }
  const error = runner.lines.find(line => line.startsWith('::error::'))
  const outputs = parseCommandFile(readFileSync(prepared.files.GITHUB_OUTPUT, 'utf8'))
  return { startedAt, endedAt: o.clock.now(), failed: !!error, ...(error && { error }), outputs }
}

export function sweepHome(root: string, n: number): string {
  return join(root, `sweep-${n}`)
}
