/**
 * Fan-out: many requests with instant jobs (the first status poll answers done) at several
 * `max-concurrency` settings: wall time of the whole `node dist/index.js` run (spawn to exit) and the
 * most requests the action ever had in flight at once, which must never exceed the setting.
 *
 * In flight is counted on the client side, inside the action's own process: a `--import` hook
 * subscribes to Node's `http.client.request.start` diagnostics channel and counts each request
 * from its start until its ClientRequest closes (answer read, or failed). The simulator's own
 * count is shown beside it: it answers each request within one callback, so at 0 ms latency it
 * sees one at a time whatever the client does.
 *
 * Two facts of the action shape what can be measured in a couple of minutes:
 * - Its budget pacer (src/run/pacing-policy.ts) spends at most half of the documented 14,400 cost per hour
 *   with a small burst; 200 submissions (POST 8 + GET 1 each) are far beyond the burst, so a 200-subject
 *   submit run lasts over ten minutes by design. The 200-request fan-out is therefore measured in resume
 *   mode (`request-ids` of 200 requests created beforehand, 200 GETs, within the burst), and the submit
 *   path (POST then poll) with as many subjects as the burst admits without waiting.
 * - On loopback the simulator answers in well under a millisecond, faster than the action issues the
 *   next request, so at zero latency requests rarely overlap whatever the setting. Each case therefore
 *   also runs with every API answer held back by a fixed latency (a simulator `stall` fault), the way
 *   a distant API makes requests pile up; there the setting is what bounds the overlap.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { systemClock } from '../src/arazzo/pacing.js'
import { DOCUMENTED_BUDGET_PER_HOUR, HOUR_MS } from '../src/run/budget.js'
import { BUDGET_SHARE, createBudgetPacer } from '../src/run/pacing-policy.js'
import { GET_COST, POST_COST, startSimulator, type Simulator } from '../src/simulator/index.js'
import { runAction, type ActionRun } from '../__tests__/support/action-harness.js'
import type { BenchSection, Target } from './report.js'
import { spread } from './stats.js'

const DEFAULT_SUBJECTS = 200
const DEFAULT_CONCURRENCY = [1, 4, 16]
const LATENCIES_MS = [0, 20]
const RUNS = 3
const INSTANT_JOB = { pollsInStaging: 0, pollsInSubmitted: 0 }

type Mode = 'resume' | 'submit'

interface Case {
  mode: Mode
  requests: number
  concurrency: number
  latencyMs: number
}

// Counts the action's HTTP requests in flight, client side, and writes the highest count at exit.
const IN_FLIGHT_HOOK = `import { subscribe } from 'node:diagnostics_channel'
import { writeFileSync } from 'node:fs'
let now = 0
let max = 0
subscribe('http.client.request.start', ({ request }) => {
  max = Math.max(max, ++now)
  request.once('close', () => now--)
})
process.on('exit', () => writeFileSync(process.env.DSAR_IN_FLIGHT_FILE, String(max)))
`

interface Measured {
  wallMs: number
  /** Highest number of requests in flight in the action's process. */
  maxInFlight: number
  /** Highest number the simulator saw being handled at once. */
  serverMaxInFlight: number
  apiRequests: number
  exitCode: number | null
  finalStatus: string
}

/** Creates `count` requests straight on the simulator, as an earlier submit-only run would have. */
async function createRequests(sim: Simulator, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${sim.url}/api/2/dsar/requests`, {
      method: 'POST',
      headers: { authorization: `Basic ${sim.basicAuth}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `fan-${i}`, startDate: '2024-01-01', endDate: '2024-12-31' })
    })
    if (response.status !== 202) throw new Error(`creating request ${i}: HTTP ${response.status}`)
    ids.push(String(((await response.json()) as { requestId: number }).requestId))
  }
  return ids
}

function cleanUp(run: ActionRun): void {
  rmSync(run.workspace, { recursive: true, force: true })
  rmSync(dirname(run.runnerTemp), { recursive: true, force: true })
}

async function measure(c: Case): Promise<Measured> {
  const sim = await startSimulator({ job: INSTANT_JOB })
  try {
    const subjects: Record<string, string> =
      c.mode === 'resume'
        ? { 'request-ids': (await createRequests(sim, c.requests)).join(',') }
        : {
            'user-ids': Array.from({ length: c.requests }, (_, i) => `fan-subject-${i}`).join('\n')
          }
    // Only now: the requests created above must not count, nor be held back.
    if (c.latencyMs > 0) sim.addFault({ host: 'api', action: { type: 'stall', ms: c.latencyMs } })
    const before = sim.log.length
    const inFlightBefore = sim.maxInFlight
    const probe = mkdtempSync(join(tmpdir(), 'dsar-fanout-'))
    const hook = join(probe, 'in-flight.mjs')
    const inFlightFile = join(probe, 'max')
    writeFileSync(hook, IN_FLIGHT_HOOK)
    const started = performance.now()
    const run = await runAction(
      {
        ...subjects,
        'api-url': sim.url,
        'api-key': sim.apiKey,
        'secret-key': sim.secretKey,
        'poll-interval': '0.05s',
        timeout: '60s',
        'max-concurrency': String(c.concurrency)
      },
      {
        killAfterMs: 90_000,
        nodeArgs: ['--import', hook],
        env: { DSAR_IN_FLIGHT_FILE: inFlightFile }
      }
    )
    const wallMs = performance.now() - started
    cleanUp(run)
    const maxInFlight = Number(readFileSync(inFlightFile, 'utf8'))
    rmSync(probe, { recursive: true, force: true })
    if (inFlightBefore > 1) throw new Error('the set-up requests overlapped')
    return {
      wallMs,
      maxInFlight,
      serverMaxInFlight: sim.maxInFlight,
      apiRequests: sim.log.slice(before).filter(e => e.host === 'api').length,
      exitCode: run.exitCode,
      finalStatus: run.outputs.finalStatus ?? ''
    }
  } finally {
    await sim.close()
  }
}

/** What the action's own pacer allows at once, and how long a full submit fan-out must last. */
function budgetFacts(subjects: number) {
  const limitPerHour = Math.floor(DOCUMENTED_BUDGET_PER_HOUR * BUDGET_SHARE)
  const burst = createBudgetPacer(systemClock).burst
  const perSubject = POST_COST + GET_COST
  const submitWithinBurst = Math.floor(burst / perSubject)
  const ratePerMs = (limitPerHour - burst) / HOUR_MS
  const fullSubmitMinutes = Math.max(0, subjects * perSubject - burst) / ratePerMs / 60_000
  return { limitPerHour, burst, submitWithinBurst, fullSubmitMinutes }
}

export async function benchFanout(
  o: { subjects?: number; concurrency?: number[] } = {}
): Promise<BenchSection> {
  const subjects = o.subjects ?? DEFAULT_SUBJECTS
  const settings = o.concurrency ?? DEFAULT_CONCURRENCY
  const budget = budgetFacts(subjects)
  const resumeRequests = Math.min(subjects, budget.burst)
  const submitSubjects = Math.min(subjects, budget.submitWithinBurst)

  const cases: Case[] = []
  for (const latencyMs of LATENCIES_MS) {
    for (const [mode, requests] of [
      ['resume', resumeRequests],
      ['submit', submitSubjects]
    ] as const) {
      for (const concurrency of settings) cases.push({ mode, requests, concurrency, latencyMs })
    }
  }
  const results = new Map<Case, Measured[]>(cases.map(c => [c, []]))
  // Interleaved: every case once per round, so drift over the run touches all alike.
  for (let round = 0; round < RUNS; round++) {
    for (const c of cases) results.get(c)!.push(await measure(c))
  }

  const rows: string[][] = []
  const overLimit: string[] = []
  const unfinished: string[] = []
  for (const c of cases) {
    const runs = results.get(c)!
    const wall = spread(runs.map(r => r.wallMs))
    const peak = Math.max(...runs.map(r => r.maxInFlight))
    const label = `${c.mode === 'resume' ? `resume ${c.requests} request-ids` : `submit ${c.requests} user-ids`}, ${c.latencyMs} ms latency, max-concurrency ${c.concurrency}`
    if (peak > c.concurrency) overLimit.push(`${label}: ${peak}`)
    const bad = runs.filter(r => r.exitCode !== 0 || r.finalStatus !== 'done')
    if (bad.length > 0) {
      unfinished.push(
        `${label}: ${bad.map(r => `exit ${r.exitCode}, finalStatus '${r.finalStatus}'`).join('; ')}`
      )
    }
    rows.push([
      c.mode === 'resume'
        ? `resume (${c.requests} request-ids)`
        : `submit (${c.requests} user-ids)`,
      String(c.latencyMs),
      String(c.concurrency),
      wall.median.toFixed(0),
      `${wall.min.toFixed(0)}–${wall.max.toFixed(0)}`,
      runs.map(r => r.maxInFlight).join(', '),
      runs.map(r => r.serverMaxInFlight).join(', '),
      String(spread(runs.map(r => r.apiRequests)).median),
      String(runs.length)
    ])
  }

  const peakOf = (filter: (c: Case) => boolean, pick: (r: Measured) => number) =>
    Math.max(...cases.filter(filter).flatMap(c => results.get(c)!.map(pick)))
  const zeroLatency = (c: Case) => c.latencyMs === 0
  const targets: Target[] = [
    {
      name: 'requests in flight (counted in the action) never exceed max-concurrency',
      met: overLimit.length === 0,
      detail:
        overLimit.length === 0
          ? `highest seen per setting: ${settings
              .map(
                s =>
                  `${s} -> ${Math.max(...cases.filter(c => c.concurrency === s).flatMap(c => results.get(c)!.map(r => r.maxInFlight)))}`
              )
              .join(', ')}`
          : `exceeded in ${overLimit.join('; ')}`
    },
    {
      name: 'the client-side count sees overlap: with latency, each setting is reached',
      met: settings.every(
        setting =>
          peakOf(
            c => c.latencyMs > 0 && c.concurrency === setting,
            r => r.maxInFlight
          ) === setting
      ),
      detail: settings
        .map(
          setting =>
            `${setting} -> ${peakOf(
              c => c.latencyMs > 0 && c.concurrency === setting,
              r => r.maxInFlight
            )}`
        )
        .join(', ')
    },
    {
      name: 'every run ends done (exit 0)',
      met: unfinished.length === 0,
      detail:
        unfinished.length === 0
          ? `${cases.length * RUNS} runs, all done`
          : `not done: ${unfinished.join(' | ')}`
    }
  ]

  return {
    id: 'fanout',
    title: 'Fan-out',
    description:
      `Instant jobs (the first poll answers done), poll-interval 0.05 s, ${RUNS} interleaved runs per ` +
      `case, fresh simulator per run. Wall time is the whole \`node dist/index.js\` run, spawn to exit. ` +
      `"Resume" polls ${resumeRequests} requests created beforehand (\`request-ids\`); "submit" posts then ` +
      `polls ${submitSubjects} subjects, as many as the action's budget burst (${budget.burst} cost) admits ` +
      `without waiting. Latency is added to every API answer by the simulator.`,
    headers: [
      'mode',
      'latency ms',
      'max-concurrency',
      'wall median ms',
      'wall min–max ms',
      'max in flight, client side (each run)',
      'max in flight, simulator (each run)',
      'API requests',
      'runs'
    ],
    rows,
    targets,
    notes: [
      `Why not 200 submissions: the action spends at most ${budget.limitPerHour} cost/hour ` +
        `(${BUDGET_SHARE * 100}% of ${DOCUMENTED_BUDGET_PER_HOUR}) with a burst of ${budget.burst}, so ` +
        `${subjects} subjects (POST ${POST_COST} + GET ${GET_COST} each) take at least ` +
        `${budget.fullSubmitMinutes.toFixed(1)} minutes by design, whatever max-concurrency is.`,
      `At 0 ms latency the simulator saw at most ${peakOf(zeroLatency, r => r.serverMaxInFlight)} ` +
        'request at a time, since it answers each within one callback; the action itself had up to ' +
        `${peakOf(zeroLatency, r => r.maxInFlight)} in flight there. The client-side count is the one ` +
        'the target is checked on.'
    ]
  }
}
