/**
 * A burst of filings (issue 19): 1,000 DSAR issues filed within one hour while another consumer of
 * the organisation uses 60% of the Amplitude budget, swept hourly by the real action (`run()` with
 * `ledger: issues`) with the example workflow's `timeout`, in virtual time (the lifecycle world:
 * bench/lifecycle-world.ts). What it checks: that the deadline binds every sweep (no run outlives
 * its timeout), that no issue is flagged `needs-attention` and no DSAR is duplicated while new
 * issues wait for time and budget, how long a filed issue waits for its submission, and GitHub's
 * calls in the worst hour.
 */
import { DAY_MS, MINUTE_MS } from './lifecycle-world.js'
import { LEDGER_TIMEOUT, ledgerDeployment, START, type Plan } from './lifecycle.js'
import { formatMs } from './render.js'
import type { BenchSection } from './report.js'
import { mulberry32, percentile } from './stats.js'

const HOUR_MS = 60 * MINUTE_MS
const OTHER_CONSUMER_SHARE = 0.6

/** `subjects` issues filed at seeded random times within the first hour; jobs within 3 days. */
function burstPlan(subjects: number, seed: number): Plan {
  const random = mulberry32(seed)
  const filedAt = Array.from(
    { length: subjects },
    () => START + Math.floor(random() * HOUR_MS)
  ).sort((a, b) => a - b)
  const jobLength = Array.from({ length: subjects }, () => Math.floor(random() * 3 * DAY_MS))
  return { subjects, filedAt, jobLength }
}

export async function benchBurst(
  o: { subjects?: number; seed?: number } = {}
): Promise<BenchSection> {
  const subjects = o.subjects ?? Number(process.env.BENCH_BURST_SUBJECTS ?? 1000)
  const seed = o.seed ?? 20261206
  // A small run first, discarded: it loads every module a sweep uses outside the measured time.
  await ledgerDeployment(burstPlan(3, seed + 1), { maxDays: 1 })
  const started = Date.now()
  const d = await ledgerDeployment(burstPlan(subjects, seed), {
    otherConsumerShare: OTHER_CONSUMER_SHARE
  })
  const wallMs = Date.now() - started
  const submitted = d.submitDelays ?? []
  const p95 = percentile(submitted, 0.95)
  const notSubmitted = subjects - submitted.length
  return {
    id: 'burst',
    title: 'A burst of filings (virtual time)',
    description:
      `${subjects} DSAR issues filed at seeded random times within one hour (seed ${seed}), one subject ` +
      `each; another consumer uses ${OTHER_CONSUMER_SHARE * 100}% of the documented Amplitude budget ` +
      "steadily; the real action sweeps hourly at :17 with the example workflow's `timeout: " +
      `${LEDGER_TIMEOUT}\` (inside \`timeout-minutes: 60\`), against the GitHub REST stand-in (250 ms ` +
      'per call, writes 1 s and new comments 3 s apart) and the Amplitude model of the lifecycle ' +
      'benchmark (jobs finish within 3 days; status answers name the subject). Runs until no issue is ' +
      `left to the ledger. Simulated in ${formatMs(wallMs)} of wall time.`,
    headers: [
      'issues',
      'filed -> submitted p50',
      'filed -> submitted p95',
      'needs-attention',
      'duplicated DSARs',
      'runs past their timeout (longest run)',
      'GitHub calls, worst hour',
      'sweeps',
      'undelivered'
    ],
    rows: [
      [
        String(subjects),
        formatMs(percentile(submitted, 0.5)),
        formatMs(p95),
        String(d.needsAttention ?? 0),
        String(d.duplicates),
        `${d.overran ?? 0} (${formatMs(d.longestRunMs ?? 0)})`,
        String(d.githubPeakHour ?? 0),
        `${d.jobs}${d.failedJobs ? ` (${d.failedJobs} failed)` : ''}`,
        String(d.undelivered)
      ]
    ],
    targets: [
      {
        name: 'no issue flagged needs-attention',
        met: (d.needsAttention ?? 0) === 0,
        detail: `${d.needsAttention ?? 0} flagged`
      },
      {
        name: 'no DSAR duplicated, every issue submitted',
        met: d.duplicates === 0 && notSubmitted === 0,
        detail: `${d.duplicates} duplicated, ${notSubmitted} never submitted`
      },
      {
        name: 'no run outlives its timeout',
        met: (d.overran ?? 0) === 0,
        detail: `${d.overran ?? 0} of ${d.jobs}; longest ${formatMs(d.longestRunMs ?? 0)}`
      },
      {
        name: 'GitHub REST calls under 1,000 in any hour',
        met: (d.githubPeakHour ?? 0) < 1000 && d.githubRefused === 0,
        detail: `peak ${d.githubPeakHour}, ${d.githubRefused} refused`
      }
    ],
    notes: [
      `p95 from filing to submission: ${formatMs(p95)}. New issues are taken up only while the time ` +
        "left in a sweep (its timeout less a reserve) and GitHub's hourly budget can hold their whole " +
        'submit; the rest wait, untouched, for the next sweep.'
    ]
  }
}
