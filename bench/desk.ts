/**
 * The privacy desk over a month (issue 22), in virtual time: 500 requests filed at seeded random
 * times over 30 days (half access, a quarter erasure, a quarter access then erasure), each asked by
 * the person 0-10 days before the team filed it, under GDPR (70%) or CCPA (30%); hourly sweeps of
 * the REAL action (`run()` of src/main.ts with `ledger: issues`, a fresh run each time as on a
 * runner) against the GitHub REST stand-in (in process) and the Amplitude model of the lifecycle
 * benchmark (access jobs finish within 3 days of their submission), with the clock, the API
 * transport and GitHub access injected (bench/lifecycle-world.ts).
 *
 * What it reports: the share of requests finished (delivered, ready to collect, erased) on or
 * before their due date, the due-soon / overdue notices (each at most once per issue and due
 * date), GitHub calls in the worst hour, runner minutes per request; with erasure, the p95 from
 * approval to the erasure's submission and the deletion calls per second.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HOUR_MS } from '../src/run/budget.js'
import { createGitHubStandIn, type GitHubStandIn } from '../src/simulator/github/index.js'
import { addCalendarMonths, addDays } from '../src/ledger/deadlines.js'
import { formBody } from '../src/ledger/form.js'
import { MARKER_PREFIX, type LedgerMarker } from '../src/ledger/marker.js'
import { EventClock } from './event-clock.js'
import { billing } from './lifecycle.js'
import {
  AmplitudeModel,
  DAY_MS,
  MINUTE_MS,
  pacedGitHub,
  runSweep,
  sweepHome
} from './lifecycle-world.js'
import { formatMs } from './render.js'
import type { BenchSection } from './report.js'
import { mulberry32, peakHour, percentile } from './stats.js'

export const DESK_START = Date.UTC(2026, 2, 2, 0, 0)
const SWEEP_MINUTE = 17
const FILING_DAYS = 30
/** Sweeps go on after the last filing until nothing is left to the ledger, at most this long. */
const MAX_DAYS = 45
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
    jobLength: Array.from({ length: requests }, () => Math.floor(random() * 3 * DAY_MS))
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
}

/** Files the planned requests of `kinds` and sweeps hourly until nothing is left to the ledger. */
export async function deskDeployment(p: DeskPlan, kinds: readonly Kind[]): Promise<DeskRun> {
  const clock = new EventClock(DESK_START)
  const amplitude = new AmplitudeModel(
    clock,
    subject => p.jobLength[indexOf(subject)],
    OTHER_CONSUMER_SHARE,
    DESK_START - HOUR_MS
  )
  const github = createGitHubStandIn({ now: () => clock.now() })
  github.addUser({ login: 'priya', permission: 'write' })
  const wanted = p.kind.map(k => kinds.includes(k))
  const issues: (number | undefined)[] = new Array<number | undefined>(p.requests)
  let filed = 0
  const fileUntil = (now: number): void => {
    for (; filed < p.requests && p.filedAt[filed] <= now; filed++) {
      if (!wanted[filed]) continue
      const body = formBody({
        userIds: subjectOf(filed),
        receivedOn: dayOf(p.filedAt[filed] - p.askedDaysBefore[filed] * DAY_MS),
        regime: p.regime[filed]
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
      await clock.advanceTo(
        Math.max(clock.now(), DESK_START + k * HOUR_MS + SWEEP_MINUTE * MINUTE_MS)
      )
      fileUntil(clock.now())
      const sweep = await runSweep({
        home: sweepHome(root, sweeps.length),
        inputs: {
          ledger: 'issues',
          'github-token': github.token,
          'api-key': 'bench-api-key-0001',
          'secret-key': 'bench-secret-key-0001',
          'start-date': '2025-01-01',
          timeout: '50m'
        },
        env: {
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: github.repository,
          GITHUB_EVENT_NAME: 'schedule'
        },
        clock,
        sendToApi: amplitude.send,
        github: pacedGitHub(github, clock),
        random: mulberry32(sweeps.length + 1),
        drive: running => clock.until(running)
      })
      sweeps.push(sweep)
      // Each sweep's folder is left behind by the run: removed as it goes (hundreds of sweeps).
      rmSync(sweepHome(root, sweeps.length - 1), { recursive: true, force: true })
      if (filed === p.requests && openLedgerIssues(github) === 0) break
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  return { issues, github, amplitude, sweeps }
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

function markerOf(github: GitHubStandIn, n: number): LedgerMarker | undefined {
  const comment = github.comments(n).find(c => c.body.includes(MARKER_PREFIX))
  if (!comment) return undefined
  const line = comment.body.trimEnd().split('\n').pop()!
  return JSON.parse(line.slice(MARKER_PREFIX.length, -' -->'.length)) as LedgerMarker
}

export interface DeskFigures {
  requests: number
  finished: number
  inTime: number
  /** Requests whose legal clock had run out before the team filed them (nobody could meet it). */
  lateOnArrival: number
  dueSoonNotices: number
  overdueNotices: number
  /** Issues with more than one notice of one kind for one due date (must be 0). */
  repeatedNotices: number
  githubPeakHour: number
  githubRefused: number
  sweeps: number
  failedSweeps: number
  billedMinutes: number
  /** From filing to finishing, per request. */
  filedToFinished: number[]
}

export function deskFigures(p: DeskPlan, run: DeskRun): DeskFigures {
  let finished = 0
  let inTime = 0
  let lateOnArrival = 0
  let dueSoonNotices = 0
  let overdueNotices = 0
  let repeatedNotices = 0
  const filedToFinished: number[] = []
  let requests = 0
  run.issues.forEach((n, i) => {
    if (n === undefined) return
    requests++
    const marker = markerOf(run.github, n)
    const received = dayOf(p.filedAt[i] - p.askedDaysBefore[i] * DAY_MS)
    const due =
      marker?.deadline?.dueDate ??
      (p.regime[i] === 'GDPR' ? addCalendarMonths(received, 1) : addDays(received, 45))
    if (due < dayOf(p.filedAt[i])) lateOnArrival++
    const at = marker?.deadline?.finishedAt
    if (at) {
      finished++
      filedToFinished.push(Date.parse(at) - p.filedAt[i])
      if (at.slice(0, 10) <= due) inTime++
    }
    const comments = run.github.comments(n)
    const soon = comments.filter(c => c.body.startsWith('**DSAR due soon**')).length
    const late = comments.filter(c => c.body.startsWith('**DSAR overdue**')).length
    dueSoonNotices += soon
    overdueNotices += late
    if (soon > 1 || late > 1) repeatedNotices++
  })
  const { billed } = billing(run.sweeps.map(s => s.endedAt - s.startedAt))
  return {
    requests,
    finished,
    inTime,
    lateOnArrival,
    dueSoonNotices,
    overdueNotices,
    repeatedNotices,
    githubPeakHour: peakHour(run.github.log.map(e => ({ at: e.at, cost: 1 }))),
    githubRefused: run.github.log.filter(
      e => e.status === 429 || (e.status === 403 && !e.path.startsWith('/user'))
    ).length,
    sweeps: run.sweeps.length,
    failedSweeps: run.sweeps.filter(s => s.failed).length,
    billedMinutes: billed,
    filedToFinished
  }
}

export async function benchDesk(
  o: { requests?: number; seed?: number } = {}
): Promise<BenchSection> {
  const requests = o.requests ?? Number(process.env.BENCH_DESK_REQUESTS ?? 500)
  const seed = o.seed ?? 20261222
  const p = deskPlan(requests, seed)
  // A small run first, discarded: it loads every module a sweep uses outside the measured time.
  await deskDeployment(deskPlan(4, seed + 1), ['access'])
  const started = Date.now()
  const access = deskFigures(p, await deskDeployment(p, ['access']))
  const wallMs = Date.now() - started
  const pct = (part: number, whole: number) =>
    whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`
  const row = (name: string, f: DeskFigures): string[] => [
    name,
    String(f.requests),
    `${f.inTime} / ${f.finished} (${pct(f.inTime, f.requests)})`,
    formatMs(percentile(f.filedToFinished, 0.95)),
    `${f.dueSoonNotices} / ${f.overdueNotices} (${f.repeatedNotices} repeated)`,
    'pending (22a)',
    'pending (22a)',
    String(f.githubPeakHour),
    `${f.sweeps}${f.failedSweeps ? ` (${f.failedSweeps} failed)` : ''}`,
    (f.billedMinutes / Math.max(1, f.requests)).toFixed(2)
  ]
  return {
    id: 'desk',
    title: 'The privacy desk over a month (virtual time)',
    description:
      `${requests} requests planned at seeded random times over ${FILING_DAYS} days (seed ${seed}): half ` +
      'access, a quarter erasure, a quarter access then erasure; each asked 0-10 days before it was filed, ' +
      'under GDPR (70%, one calendar month) or CCPA (30%, 45 days); access jobs finish within 3 days of ' +
      'their submission (the lifecycle model: staging 10 min, documented budget, another consumer using ' +
      `${OTHER_CONSUMER_SHARE * 100}% of it). The real action (\`run()\` with \`ledger: issues\`) sweeps ` +
      'hourly at :17 with `timeout: 50m`, in process, against the GitHub REST stand-in (250 ms per call, ' +
      'writes 1 s and new comments 3 s apart) with the clock, the Amplitude transport and GitHub access ' +
      'injected, until no issue is left to the ledger. Finished: the state line records `finishedAt` ' +
      '(delivered, ready to collect, erased); in time: finished on or before the due day. Runner minutes: ' +
      `each sweep's virtual duration plus 30 s of runner start, billed by the started minute, per request. ` +
      `Simulated in ${formatMs(wallMs)} of wall time.`,
    headers: [
      'requests',
      'filed',
      'finished in time / finished (share of filed)',
      'filed -> finished p95',
      'due-soon / overdue notices',
      'approval -> erasure submitted p95',
      'deletion calls per second, max',
      'GitHub REST calls, worst hour',
      'sweeps',
      'runner min / request (billed)'
    ],
    rows: [row('access (the half of the plan that is access only)', access)],
    targets: [
      {
        name: 'every request finished on or before its due date',
        met: access.inTime === access.requests,
        detail: `access: ${access.inTime} of ${access.requests}; erasure rows pending (issue 22a)`
      },
      {
        name: 'each notice told at most once per issue and due date',
        met: access.repeatedNotices === 0,
        detail: `${access.repeatedNotices} issue(s) told twice`
      },
      {
        name: 'GitHub REST calls under 1,000 in any hour',
        met: access.githubPeakHour < 1000 && access.githubRefused === 0,
        detail: `peak ${access.githubPeakHour}, ${access.githubRefused} refused`
      },
      {
        name: 'no sweep failed',
        met: access.failedSweeps === 0,
        detail: `${access.failedSweeps} of ${access.sweeps}`
      }
    ],
    notes: [
      `Runner minutes per request: ${(access.billedMinutes / Math.max(1, access.requests)).toFixed(2)} ` +
        `(${access.billedMinutes} billed minutes over ${access.sweeps} sweeps). Hourly sweeps run whether ` +
        'or not anything is open; most of a month of sweeps find a handful of open issues and cost one ' +
        'billed minute each.',
      `Requests whose clock had run out before they were filed: ${access.lateOnArrival}.`
    ]
  }
}
