/**
 * Poll economy under virtual time: 1,000 subjects whose jobs finish at seeded random times within the
 * 3-day SLA, against a model of the documented budget (14,400 cost per sliding hour, POST 8, GET 1,
 * 429 with Retry-After beyond it). Three clients are compared:
 * - the action: the real engine running the built-in `amplitude` workflow, through the action's real
 *   transport, budget pacer and poll schedule (src/action/pacing-policy.ts), on a discrete-event clock;
 * - fixed 15-minute polling (the docs' advice): the same engine and transport, no pacer;
 * - an unpaced loop (a poll ~100 ms after the last answer, as Redocly Respect does): too many requests to
 *   simulate one by one, so it is modelled per second: each second every waiting subject asks ten times,
 *   the server admits what its window allows (round-robin over subjects), the rest are 429s.
 */
import { join } from 'node:path'
import { loadArazzoFile, runWorkflow, type LoadedArazzo } from '../src/arazzo/index.js'
import { fixedPollSchedule } from '../src/arazzo/pacing.js'
import type { HttpRequest, HttpResponse, PollSchedule } from '../src/arazzo/types.js'
import {
  BudgetPacer,
  DOCUMENTED_BUDGET_PER_HOUR,
  HOUR_MS,
  requestCost
} from '../src/action/budget.js'
import { createActionTransport } from '../src/action/http-transport.js'
import { BUDGET_SHARE, createBudgetPacer, createPollSchedule } from '../src/action/pacing-policy.js'
import { SlidingWindowBudget } from '../src/simulator/budget.js'
import { EventClock } from './event-clock.js'
import { formatMs } from './render.js'
import type { BenchSection } from './report.js'
import { mulberry32, percentile } from './stats.js'

const DAY_MS = 24 * HOUR_MS
const ORIGIN = 'https://dsar.model'

export interface EconomyResult {
  client: string
  subjects: number
  requests: number
  totalCost: number
  peakHourCost: number
  peakHourShare: number
  refused429: number
  detectionMedianMs: number
  detectionP95Ms: number
  undetected: number
}

export interface EconomyOptions {
  subjects: number
  seed: number
  slaMs?: number
  pollIntervalMs?: number
}

/** When each subject's job finishes, relative to its submission. */
function finishOffsets(options: EconomyOptions): number[] {
  const random = mulberry32(options.seed)
  const sla = options.slaMs ?? 3 * DAY_MS
  return Array.from({ length: options.subjects }, () => Math.floor(random() * sla))
}

/** The documented API as a pure function of time: what a real server would answer. */
class ModelServer {
  private readonly budget = new SlidingWindowBudget(DOCUMENTED_BUDGET_PER_HOUR)
  private readonly jobs = new Map<number, { finishAt: number; seenAt?: number }>()
  private nextId = 1
  readonly admitted: { at: number; cost: number }[] = []
  refused = 0

  constructor(
    private readonly clock: EventClock,
    private readonly offsets: number[]
  ) {}

  send = async (request: HttpRequest): Promise<HttpResponse> => {
    const now = this.clock.now()
    const cost = requestCost(request.method)
    const decision = this.budget.tryConsume(cost, now)
    if (!decision.admitted) {
      this.refused++
      const retryAfter = String(Math.max(1, Math.ceil((decision.retryAfterMs ?? 1000) / 1000)))
      return { status: 429, headers: { 'retry-after': retryAfter }, body: { error: 'budget' } }
    }
    this.admitted.push({ at: now, cost })
    if (request.method === 'POST') {
      const id = this.nextId++
      this.jobs.set(id, { finishAt: now + this.offsets[id - 1] })
      return { status: 202, headers: {}, body: { requestId: id } }
    }
    const id = Number(new URL(request.url).pathname.split('/').pop())
    const job = this.jobs.get(id)!
    if (now < job.finishAt)
      return { status: 200, headers: {}, body: { requestId: id, status: 'submitted' } }
    job.seenAt ??= now
    const body = { requestId: id, status: 'done', urls: [`${ORIGIN}/o/${id}/0`], expires: 'x' }
    return { status: 200, headers: {}, body }
  }

  delays(): number[] {
    return [...this.jobs.values()]
      .filter(j => j.seenAt !== undefined)
      .map(j => j.seenAt! - j.finishAt)
  }

  get undetected(): number {
    return [...this.jobs.values()].filter(j => j.seenAt === undefined).length
  }
}

/** The largest total cost admitted within any one-hour window. */
export function peakHour(admitted: { at: number; cost: number }[]): number {
  let peak = 0
  let sum = 0
  let start = 0
  for (let end = 0; end < admitted.length; end++) {
    sum += admitted[end].cost
    while (admitted[start].at <= admitted[end].at - HOUR_MS) sum -= admitted[start++].cost
    peak = Math.max(peak, sum)
  }
  return peak
}

async function runEngineClient(
  client: string,
  loaded: LoadedArazzo,
  options: EconomyOptions,
  makePacer: (clock: EventClock) => BudgetPacer,
  schedule: PollSchedule
): Promise<EconomyResult> {
  const clock = new EventClock(0)
  const server = new ModelServer(clock, finishOffsets(options))
  const random = mulberry32(options.seed + 1)
  const { transport, stats } = createActionTransport({
    apiOrigin: ORIGIN,
    clock,
    pacer: makePacer(clock),
    maxConcurrency: 4,
    random,
    maxAttempts: 1_000,
    send: request => server.send(request)
  })
  const horizon = 4 * DAY_MS
  const runs = Array.from({ length: options.subjects }, (_, i) =>
    runWorkflow(loaded, {
      workflowId: 'submit-and-poll',
      inputs: {
        basicAuth: 'eDp5',
        userId: `user-${i}`,
        startDate: '2024-01-01',
        endDate: '2024-12-31'
      },
      transport,
      clock,
      pollSchedule: schedule,
      deadline: horizon,
      maxSteps: 1_000_000,
      serverUrl: ORIGIN
    })
  )
  await clock.run(horizon)
  await Promise.all(runs)
  const delays = server.delays()
  return {
    client,
    subjects: options.subjects,
    requests: stats.requests,
    totalCost: server.admitted.reduce((sum, a) => sum + a.cost, 0),
    peakHourCost: peakHour(server.admitted),
    peakHourShare: peakHour(server.admitted) / DOCUMENTED_BUDGET_PER_HOUR,
    refused429: server.refused,
    detectionMedianMs: percentile(delays, 0.5),
    detectionP95Ms: percentile(delays, 0.95),
    undetected: server.undetected
  }
}

/** The unpaced loop, per second (see the file comment). */
export function unpacedModel(options: EconomyOptions, asksPerSecond = 10): EconomyResult {
  const offsets = finishOffsets(options)
  const spentPerSecond = new Int32Array(3600)
  let windowSum = 0
  const admitted: { at: number; cost: number }[] = []
  let refused = 0
  let requests = 0
  const unsubmitted: number[] = Array.from({ length: options.subjects }, (_, i) => i)
  const waiting: number[] = []
  const finishAt = new Array<number>(options.subjects)
  const seenAt = new Array<number | undefined>(options.subjects)
  let cursor = 0
  const endSecond = (options.slaMs ?? 3 * DAY_MS) / 1000 + 2 * 3600
  for (let second = 0; second < endSecond && (unsubmitted.length || waiting.length); second++) {
    const now = second * 1000
    const slot = second % 3600
    windowSum -= spentPerSecond[slot]
    spentPerSecond[slot] = 0
    const room = (cost: number): boolean => windowSum + cost <= DOCUMENTED_BUDGET_PER_HOUR
    const spend = (cost: number): void => {
      windowSum += cost
      spentPerSecond[slot] += cost
      admitted.push({ at: now, cost })
    }
    // Submissions: every unsubmitted subject asks each tick; the window admits what it can.
    const postAsks = unsubmitted.length * asksPerSecond
    let posted = 0
    while (unsubmitted.length > 0 && room(8)) {
      const subject = unsubmitted.shift()!
      spend(8)
      posted++
      finishAt[subject] = now + offsets[subject]
      waiting.push(subject)
    }
    requests += postAsks
    refused += postAsks - posted
    // Polls: every waiting subject asks each tick; admitted ones go round-robin over subjects.
    const getAsks = waiting.length * asksPerSecond
    let answered = 0
    while (answered < getAsks && waiting.length > 0 && room(1)) {
      spend(1)
      answered++
      cursor %= waiting.length
      const subject = waiting[cursor]
      if (now >= finishAt[subject]) {
        seenAt[subject] = now
        waiting.splice(cursor, 1)
      } else cursor++
    }
    requests += getAsks
    refused += getAsks - answered
  }
  const delays = seenAt
    .map((seen, i) => (seen === undefined ? undefined : seen - finishAt[i]))
    .filter((d): d is number => d !== undefined)
  const peak = peakHour(admitted)
  return {
    client: 'unpaced loop (~100 ms, modelled per second)',
    subjects: options.subjects,
    requests,
    totalCost: admitted.reduce((sum, a) => sum + a.cost, 0),
    peakHourCost: peak,
    peakHourShare: peak / DOCUMENTED_BUDGET_PER_HOUR,
    refused429: refused,
    detectionMedianMs: percentile(delays, 0.5),
    detectionP95Ms: percentile(delays, 0.95),
    undetected: seenAt.filter(s => s === undefined).length
  }
}

export async function pollEconomy(options: EconomyOptions): Promise<EconomyResult[]> {
  const loaded = await loadArazzoFile(
    join(import.meta.dirname, '..', 'src', 'workflows', 'amplitude.arazzo.yml')
  )
  const pollIntervalMs = options.pollIntervalMs ?? 60_000
  const action = await runEngineClient(
    `action (poll-interval ${pollIntervalMs / 1000}s, ${BUDGET_SHARE * 100}% budget)`,
    loaded,
    options,
    clock => createBudgetPacer(clock),
    createPollSchedule(pollIntervalMs)
  )
  const fixed = await runEngineClient(
    'fixed 15-minute polling',
    loaded,
    options,
    clock => new BudgetPacer({ limitPerHour: Number.MAX_SAFE_INTEGER, clock }),
    fixedPollSchedule(15 * 60_000)
  )
  return [action, fixed, unpacedModel(options)]
}

/** Benchmark 2 as a report section, with its targets checked. */
export async function benchPollEconomy(
  o: { subjects?: number; seed?: number } = {}
): Promise<BenchSection> {
  const subjects = o.subjects ?? 1000
  const seed = o.seed ?? 20261127
  const [action, fixed, unpaced] = await pollEconomy({ subjects, seed })
  const row = (r: EconomyResult): string[] => [
    r.client,
    r.requests.toLocaleString('en-US'),
    r.totalCost.toLocaleString('en-US'),
    `${r.peakHourCost.toLocaleString('en-US')} (${(r.peakHourShare * 100).toFixed(1)}%)`,
    r.refused429.toLocaleString('en-US'),
    formatMs(r.detectionMedianMs),
    formatMs(r.detectionP95Ms),
    String(r.undetected)
  ]
  const ratio = action.detectionP95Ms / fixed.detectionP95Ms
  return {
    id: 'poll-economy',
    title: 'Poll economy (virtual time)',
    description:
      `${subjects} subjects submitted at once; each job finishes at a seeded random time (seed ${seed}) within ` +
      'the 3-day SLA; a model of the documented budget (14,400 cost per sliding hour, POST 8, GET 1, 429 with ' +
      'Retry-After beyond it). The action and fixed polling run the real engine, workflow and transport on a ' +
      'discrete-event clock; the unpaced loop is modelled per second (ten asks per waiting subject per second). ' +
      'Detection delay: from a job finishing to the client seeing `done`. Deterministic: one run is the result.',
    headers: [
      'client',
      'requests',
      'cost admitted',
      'peak hour',
      '429s',
      'detection median',
      'detection p95',
      'never seen'
    ],
    rows: [row(action), row(fixed), row(unpaced)],
    targets: [
      { name: 'zero 429s', met: action.refused429 === 0, detail: `${action.refused429}` },
      {
        name: `peak hour within the configured share (${BUDGET_SHARE * 100}%)`,
        met: action.peakHourShare <= BUDGET_SHARE,
        detail: `${(action.peakHourShare * 100).toFixed(1)}%`
      },
      {
        name: 'p95 detection delay at most 0.6x fixed 15-minute polling',
        met: ratio <= 0.6,
        detail: `${formatMs(action.detectionP95Ms)} vs ${formatMs(fixed.detectionP95Ms)} (${ratio.toFixed(2)}x)`
      }
    ]
  }
}
