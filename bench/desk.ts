/**
 * The privacy desk over a month (issue 22), in virtual time: 500 requests filed at seeded random
 * times over 30 days (half access, a quarter erasure, a quarter access then erasure), each asked by
 * the person 0-10 days before the team filed it, under GDPR (70%) or CCPA (30%); hourly sweeps of
 * the REAL action (`run()` of src/main.ts with `ledger: issues`, a fresh run each time as on a
 * runner) against the GitHub REST stand-in (in process) and the Amplitude model of the lifecycle
 * benchmark (access jobs finish within 3 days of their submission), with the clock, the API
 * transport and GitHub access injected (bench/lifecycle-world.ts). The workflow delivers
 * (`artifact-name`): each export goes through the one delivery pipeline (download, verify, encrypt,
 * receipt, artifact) against loopback servers (bench/export-world.ts), so an access-then-erasure
 * request reaches its erasure only through a real delivery.
 *
 * What it reports: the share of requests finished (delivered, erased) on or before their due date,
 * the artifacts delivered, the due-soon / overdue notices (each at most once per issue and due
 * date), GitHub calls in the worst hour, runner minutes per request; with erasure, the p95 from
 * approval to the erasure's submission and the deletion calls per second.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { HttpRequest, HttpResponse } from '../src/arazzo/index.js'
import { HOUR_MS } from '../src/run/budget.js'
import { DeletionRoutes } from '../src/simulator/deletion-routes.js'
import { DeletionJobs, resolveDeletionOptions } from '../src/simulator/deletions.js'
import { createGitHubStandIn, type GitHubStandIn } from '../src/simulator/github/index.js'
import { formBody } from '../src/ledger/form.js'
import { EventClock } from './event-clock.js'
import {
  AmplitudeModel,
  DAY_MS,
  MINUTE_MS,
  pacedGitHub,
  runSweep,
  sweepHome
} from './lifecycle-world.js'
import { startExportWorld, type ExportWorld } from './export-world.js'
import { deskFigures, type DeskFigures } from './desk-figures.js'
import { formatMs } from './render.js'
import type { BenchSection } from './report.js'
import { mulberry32, percentile } from './stats.js'

export const DESK_START = Date.UTC(2026, 2, 2, 0, 0)
const SWEEP_MINUTE = 17
const FILING_DAYS = 30
/** Sweeps go on after the last filing until nothing is left to the ledger, at most this long. */
const MAX_DAYS = 60
const ERASURE_KEY = 'bench-erasure-key-0001'
const ERASURE_SECRET = 'bench-erasure-secret-0001'
const ERASURE_AUTH = Buffer.from(`${ERASURE_KEY}:${ERASURE_SECRET}`).toString('base64')
const API_KEY = 'bench-api-key-0001'
const SECRET_KEY = 'bench-secret-key-0001'
const DSAR_AUTH = Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString('base64')
const APPROVER = 'sam'
const FORM_REQUEST: Record<Kind, string> = {
  access: 'Access (export)',
  erasure: 'Erasure',
  both: 'Access, then erasure'
}
const OTHER_CONSUMER_SHARE = 0.6

export type Kind = 'access' | 'erasure' | 'both'

export interface DeskPlan {
  requests: number
  filedAt: number[]
  kind: Kind[]
  /** Days between the person's ask and the filing. */
  askedDaysBefore: number[]
  regime: ('GDPR' | 'CCPA')[]
  jobLength: number[]
  /** How long after the ledger asks for approval a second member gives it (within a day). */
  approvalDelay: number[]
}

export function deskPlan(requests: number, seed: number): DeskPlan {
  const random = mulberry32(seed)
  const filedAt = Array.from(
    { length: requests },
    () => DESK_START + Math.floor(random() * FILING_DAYS * DAY_MS)
  ).sort((a, b) => a - b)
  // Half access, a quarter erasure, a quarter both, shuffled over the month.
  const kind: Kind[] = Array.from({ length: requests }, (_, i) =>
    i % 4 < 2 ? 'access' : i % 4 === 2 ? 'erasure' : 'both'
  )
  for (let i = kind.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[kind[i], kind[j]] = [kind[j], kind[i]]
  }
  return {
    requests,
    filedAt,
    kind,
    askedDaysBefore: Array.from({ length: requests }, () => Math.floor(random() * 11)),
    regime: Array.from({ length: requests }, () => (random() < 0.7 ? 'GDPR' : 'CCPA')),
    jobLength: Array.from({ length: requests }, () => Math.floor(random() * 3 * DAY_MS)),
    approvalDelay: Array.from({ length: requests }, () => Math.floor(random() * DAY_MS))
  }
}

const subjectOf = (i: number) => `desk-${i}@example.com`
const indexOf = (subject: string) => Number(/^desk-(\d+)@/.exec(subject)?.[1] ?? -1)
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export interface DeskRun {
  /** Issue number of each planned request that was filed (undefined: not filed in this run). */
  issues: (number | undefined)[]
  github: GitHubStandIn
  amplitude: AmplitudeModel
  sweeps: { startedAt: number; endedAt: number; failed: boolean; error?: string }[]
  /** When each request's approval was given (by index), for erasures. */
  approvedAt: (number | undefined)[]
  /** Every call that reached the deletion API, by its arrival time. */
  deletionCalls: number[]
  /** Artifacts finalized at the artifact-service stand-in (one per delivered issue). */
  artifactsDelivered: number
  /** Exports the storage host served, and output-link GETs refused by the budget (429). */
  served: ExportWorld['served']
  /** Deliveries the clock stopped holding for after 10 s of real time without a call (0 expected). */
  deliveryStalls: number
}

/**
 * Amplitude as the sweeps see it: the DSAR model of the lifecycle benchmark, and the simulator's
 * deletion API (job days, staging until three days before, 1 call a second per project with 429
 * past it) on the same virtual clock, in process.
 */
function amplitudeWithDeletions(
  amplitude: AmplitudeModel,
  now: () => number,
  calls: number[]
): (request: HttpRequest) => Promise<HttpResponse> {
  const jobs = new DeletionJobs(resolveDeletionOptions({}))
  const routes = new DeletionRoutes({
    jobs,
    now,
    projects: new Map([[ERASURE_AUTH, ERASURE_KEY]]),
    minIntervalMs: 1000
  })
  return async request => {
    const url = new URL(request.url)
    if (!routes.handles(url.pathname)) return amplitude.send(request)
    calls.push(now())
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])
    )
    const reply = routes.reply(
      { headers } as unknown as IncomingMessage,
      request.method.toUpperCase(),
      url,
      request.body ?? ''
    )
    const text = Buffer.isBuffer(reply.body) ? reply.body.toString('utf8') : ''
    return {
      status: reply.status,
      headers: Object.fromEntries(
        Object.entries(reply.headers).map(([k, v]) => [k.toLowerCase(), v])
      ),
      body: text === '' ? undefined : (JSON.parse(text) as unknown)
    }
  }
}

/** Files the planned requests of `kinds` and sweeps hourly until nothing is left to the ledger. */
export async function deskDeployment(p: DeskPlan, kinds: readonly Kind[]): Promise<DeskRun> {
  const clock = new EventClock(DESK_START)
  // The output links point at a loopback host (bench/export-world.ts), set below as `api-url`.
  let outputOrigin = ''
  const amplitude = new AmplitudeModel(
    clock,
    subject => p.jobLength[indexOf(subject)],
    OTHER_CONSUMER_SHARE,
    DESK_START - HOUR_MS,
    () => outputOrigin
  )
  const github = createGitHubStandIn({ now: () => clock.now() })
  const world = await startExportWorld({
    clock,
    amplitude,
    basicAuth: DSAR_AUTH,
    repository: github.repository
  })
  outputOrigin = world.apiUrl
  amplitude.onDone = () => world.expectDelivery()
  clock.hold = () => world.delivering()
  github.addUser({ login: 'priya', permission: 'write' })
  github.addUser({ login: APPROVER, permission: 'write' })
  const deletionCalls: number[] = []
  const send = amplitudeWithDeletions(amplitude, () => clock.now(), deletionCalls)
  const approvedAt = new Array<number | undefined>(p.requests)
  /** Approvals due (issue index -> when), once the ledger asked for them. */
  const pending = new Map<number, number>()
  const wanted = p.kind.map(k => kinds.includes(k))
  const issues: (number | undefined)[] = new Array<number | undefined>(p.requests)
  let filed = 0
  const fileUntil = (now: number): void => {
    for (; filed < p.requests && p.filedAt[filed] <= now; filed++) {
      if (!wanted[filed]) continue
      const body = formBody({
        userIds: subjectOf(filed),
        receivedOn: dayOf(p.filedAt[filed] - p.askedDaysBefore[filed] * DAY_MS),
        regime: p.regime[filed],
        ...(p.kind[filed] !== 'access' && {
          request: FORM_REQUEST[p.kind[filed]],
          identityVerified: 'reply from the address on file'
        })
      })
      issues[filed] = github.fileIssue({
        author: 'priya',
        body,
        labels: ['dsar'],
        at: p.filedAt[filed]
      })
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'dsar-desk-'))
  const sweeps: DeskRun['sweeps'] = []
  try {
    for (let k = 0; k < MAX_DAYS * 24; k++) {
      const sweepAt = Math.max(clock.now(), DESK_START + k * HOUR_MS + SWEEP_MINUTE * MINUTE_MS)
      // The second member approves within a day of the ledger's ask, at that time.
      for (const [i, at] of [...pending].sort((a, b) => a[1] - b[1])) {
        if (at > sweepAt) continue
        await clock.advanceTo(Math.max(clock.now(), at))
        github.addIssueLabel(issues[i]!, APPROVER, 'dsar:approved')
        approvedAt[i] = clock.now()
        pending.delete(i)
      }
      await clock.advanceTo(sweepAt)
      fileUntil(clock.now())
      const sweep = await runSweep({
        home: sweepHome(root, sweeps.length),
        inputs: {
          ledger: 'issues',
          'github-token': github.token,
          'api-key': API_KEY,
          'secret-key': SECRET_KEY,
          'start-date': '2025-01-01',
          timeout: '50m',
          // The team's workflow delivers: every export is downloaded, verified, encrypted and
          // uploaded with its receipt (the one delivery pipeline), from the loopback hosts.
          'api-url': world.apiUrl,
          'artifact-name': 'dsar-export',
          'encrypt-to': world.recipient,
          // A loopback api-url would have the ledger read deletion jobs at poll-interval: once a
          // day, as it reads Amplitude's (src/ledger/erasure-step.ts).
          'poll-interval': '24h',
          ...(kinds.some(k => k !== 'access') && {
            'erasure-api-key': ERASURE_KEY,
            'erasure-secret-key': ERASURE_SECRET
          })
        },
        env: {
          ...world.artifacts.env,
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: github.repository,
          GITHUB_RUN_ID: String(9000 + sweeps.length),
          GITHUB_EVENT_NAME: 'schedule'
        },
        clock,
        sendToApi: send,
        github: pacedGitHub(github, clock),
        random: mulberry32(sweeps.length + 1),
        drive: running => clock.until(running)
      })
      sweeps.push(sweep)
      // The ledger asked for approval this sweep: the approver answers within a day.
      issues.forEach((n, i) => {
        if (n === undefined || approvedAt[i] !== undefined || pending.has(i)) return
        if (github.issue(n).labels.includes('dsar:awaiting-approval')) {
          pending.set(i, clock.now() + p.approvalDelay[i])
        }
      })
      // Each sweep's folder is left behind by the run: removed as it goes (hundreds of sweeps).
      rmSync(sweepHome(root, sweeps.length - 1), { recursive: true, force: true })
      if (filed === p.requests && openLedgerIssues(github) === 0) break
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
    await world.close()
  }
  return {
    issues,
    github,
    amplitude,
    sweeps,
    approvedAt,
    deletionCalls,
    artifactsDelivered: world.artifacts.artifacts.filter(a => a.finalized).length,
    served: { ...world.served },
    deliveryStalls: world.stalls
  }
}

function openLedgerIssues(github: GitHubStandIn): number {
  let open = 0
  for (let n = 1; ; n++) {
    try {
      const issue = github.issue(n)
      if (issue.state === 'open' && issue.labels.includes('dsar')) open++
    } catch {
      return open
    }
  }
}

export async function benchDesk(
  o: { requests?: number; seed?: number } = {}
): Promise<BenchSection> {
  const requests = o.requests ?? Number(process.env.BENCH_DESK_REQUESTS ?? 500)
  const seed = o.seed ?? 20261222
  const p = deskPlan(requests, seed)
  // A small run first, discarded: it loads every module a sweep uses outside the measured time.
  await deskDeployment(deskPlan(8, seed + 1), ['access', 'erasure', 'both'])
  const started = Date.now()
  const access = deskFigures(p, await deskDeployment(p, ['access']))
  const erasure = deskFigures(p, await deskDeployment(p, ['erasure']))
  const both = deskFigures(p, await deskDeployment(p, ['both']))
  const wallMs = Date.now() - started
  const pct = (part: number, whole: number) =>
    whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`
  const hours = (ms: number) => `${(ms / HOUR_MS).toFixed(1)} h`
  const row = (name: string, f: DeskFigures, erases: boolean): string[] => [
    name,
    String(f.requests),
    `${f.inTime} / ${f.finished} (${pct(f.inTime, f.requests)})`,
    hours(percentile(f.filedToFinished, 0.95)),
    String(f.artifacts),
    `${f.dueSoonNotices} / ${f.overdueNotices} (${f.repeatedNotices} repeated)`,
    erases ? formatMs(percentile(f.approvalToSubmitted, 0.95)) : '–',
    erases ? `${f.deletionPerSecondMax} (${f.deletionCalls} calls)` : '0',
    String(f.githubPeakHour),
    `${f.sweeps}${f.failedSweeps ? ` (${f.failedSweeps} failed)` : ''}`,
    (f.billedMinutes / Math.max(1, f.requests)).toFixed(2)
  ]
  const all = [access, erasure, both]
  const erasing = [erasure, both]
  const p95 = (f: DeskFigures) => percentile(f.approvalToSubmitted, 0.95)
  return {
    id: 'desk',
    title: 'The privacy desk over a month (virtual time)',
    description:
      `${requests} requests planned at seeded random times over ${FILING_DAYS} days (seed ${seed}): half ` +
      'access, a quarter erasure, a quarter access then erasure; each asked 0-10 days before it was filed, ' +
      'under GDPR (70%, one calendar month) or CCPA (30%, 45 days). Access jobs finish within 3 days of ' +
      'their submission (the lifecycle model: staging 10 min, documented budget, another consumer using ' +
      `${OTHER_CONSUMER_SHARE * 100}% of it); erasures go to the simulator's deletion API on the same ` +
      'clock (a job 10 days ahead, staging until 3 days before its day, scrubbed a day after, done after ' +
      'the 5-day backup purge; 1 call a second per project, 429 past it), approved by a second member ' +
      'at a seeded random time within a day of the ledger asking. The real action (`run()` with ' +
      '`ledger: issues`) sweeps hourly at :17 with `timeout: 50m`, in process, against the GitHub REST ' +
      'stand-in (250 ms per call, writes 1 s and new comments 3 s apart) with the clock, the Amplitude ' +
      'transport and GitHub access injected, until no issue is left to the ledger. The workflow delivers ' +
      '(`artifact-name`, `encrypt-to` an age recipient): each export goes through the one delivery ' +
      'pipeline for real (download -> verify -> encrypt -> receipt -> artifact) from loopback servers: ' +
      "the output links' host (Basic auth, each GET paid from the same Amplitude budget), a presigned " +
      'storage host on another origin, and the artifact-service stand-in @actions/artifact uploads to ' +
      '(bench/export-world.ts); the clock holds still while a delivery does real work. Each kind runs as ' +
      'its own deployment (its own repository and month). Finished: the state line records `finishedAt` ' +
      "(delivered, erased); in time: on or before the due day. Runner minutes: each sweep's virtual " +
      'duration plus 30 s of runner start, billed by the started minute, per request. ' +
      `Simulated in ${formatMs(wallMs)} of wall time.`,
    headers: [
      'requests',
      'filed',
      'finished in time / finished (share of filed)',
      'filed -> finished p95',
      'artifacts delivered',
      'due-soon / overdue notices',
      'approval -> erasure submitted p95',
      'deletion calls in any second, max',
      'GitHub REST calls, worst hour',
      'sweeps',
      'runner min / request (billed)'
    ],
    rows: [
      row('access (the half of the plan that is access only)', access, false),
      row('erasure (the quarter that is erasure only)', erasure, true),
      row('access, then erasure (the last quarter)', both, true)
    ],
    targets: [
      {
        name: 'every request finished on or before its due date',
        met: all.every(f => f.inTime === f.requests),
        detail: `access ${access.inTime} of ${access.requests}, erasure ${erasure.inTime} of ${erasure.requests}, access then erasure ${both.inTime} of ${both.requests}`
      },
      {
        name: 'every export delivered (artifact with its receipt) before its erasure was sent',
        met:
          access.artifacts === access.requests &&
          both.artifacts === both.requests &&
          both.erasedBeforeDelivery === 0,
        detail: `artifacts: access ${access.artifacts} of ${access.requests}, access then erasure ${both.artifacts} of ${both.requests}; erasures sent before their delivery: ${both.erasedBeforeDelivery}`
      },
      {
        name: 'p95 from approval to erasure submitted under 70 min',
        met: erasing.every(f => p95(f) < 70 * MINUTE_MS),
        detail: `erasure ${formatMs(p95(erasure))} over ${erasure.approvalToSubmitted.length} (median ${formatMs(percentile(erasure.approvalToSubmitted, 0.5))}); access then erasure ${formatMs(p95(both))} over ${both.approvalToSubmitted.length} (median ${formatMs(percentile(both.approvalToSubmitted, 0.5))})`
      },
      {
        name: 'deletion calls never above 1 per second',
        met: erasing.every(f => f.deletionPerSecondMax <= 1),
        detail: `at most ${erasure.deletionPerSecondMax} (erasure, ${erasure.deletionCalls} calls), ${both.deletionPerSecondMax} (access then erasure, ${both.deletionCalls} calls) in any second`
      },
      {
        name: 'each notice told at most once per issue and due date',
        met: all.every(f => f.repeatedNotices === 0),
        detail: `${access.repeatedNotices + erasure.repeatedNotices + both.repeatedNotices} issue(s) told twice`
      },
      {
        name: 'GitHub REST calls under 1,000 in any hour',
        met: all.every(f => f.githubPeakHour < 1000 && f.githubRefused === 0),
        detail: `peak ${access.githubPeakHour} (access), ${erasure.githubPeakHour} (erasure), ${both.githubPeakHour} (access then erasure); ${access.githubRefused + erasure.githubRefused + both.githubRefused} refused`
      },
      {
        name: 'no sweep failed',
        met: all.every(f => f.failedSweeps === 0),
        detail: `${access.failedSweeps} of ${access.sweeps} (access), ${erasure.failedSweeps} of ${erasure.sweeps} (erasure), ${both.failedSweeps} of ${both.sweeps} (access then erasure)`
      }
    ],
    notes: [
      `Erasures: ${erasure.erased} of ${erasure.requests} (erasure) and ${both.erased} of ${both.requests} (access then erasure) reached erased.`,
      `Exports downloaded from the storage host: ${access.downloads} (access), ${both.downloads} (access then erasure); ` +
        `deliveries the clock stopped waiting for (10 s of real time without a call): ${access.deliveryStalls + both.deliveryStalls}.`,
      'Runner minutes: hourly sweeps run whether or not anything is open; a month of sweeps that mostly ' +
        'find a handful of open issues costs about one billed minute each, spread over the requests.',
      `Requests whose clock had run out before they were filed: ${access.lateOnArrival} (access), ${erasure.lateOnArrival} (erasure), ${both.lateOnArrival} (access then erasure).`
    ]
  }
}
