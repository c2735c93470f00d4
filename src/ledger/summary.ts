/**
 * The job summary of a sweep: what happened to each issue, what GitHub's budget saw, then the
 * requests table every run writes (src/action/summary-helper.ts). When each request was last
 * checked lives here, not in the issue: the ledger comment changes only when a status does.
 */
import { line, log } from '../action/log.js'
import type { RequestRecord } from '../action/request-runner.js'
import type { RunFacts } from '../action/summary-facts.js'
import { buildSummary } from '../action/summary-helper.js'
import type { DownloadedFile } from '../export/index.js'
import { forHtml } from '../policy/untrusted-text.js'
import type { GitHubCalls } from './github-octokit.js'
import type { IssueResult } from './sweep-context.js'
import { clockTable, type ClockRow } from './deadline-step.js'

export interface SweepSummary {
  results: IssueResult[]
  records: RequestRecord[]
  files: DownloadedFile[]
  problems: string[]
  resumeHint?: string
  workflowTitle: string
  now: number
  label: string
  openIssues: number
  /** New issues left for the next sweep because GitHub's budget was low (github-budget.ts). */
  deferred?: string
  calls: GitHubCalls
  /** The open requests' clocks this sweep saw (listed by due date, soonest first). */
  clocks?: ClockRow[]
  today?: string
  /** API host and the folder file names are relative to (src/action/summary-facts.ts). */
  facts: RunFacts
}

export async function writeSweepSummary(s: SweepSummary): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const summary = buildSummary({
    records: s.records,
    workflowTitle: s.workflowTitle,
    now: s.now,
    problems: s.problems,
    ...(s.resumeHint && { resumeHint: s.resumeHint }),
    files: s.files,
    facts: s.facts
  })
  const calls = s.calls
  summary.addHeading('Ledger sweep', 3)
  summary.addRaw(
    `<p>${s.openIssues} open issue(s) labelled <code>${forHtml(s.label)}</code>, checked at ` +
      `${new Date(s.now).toISOString()}. GitHub REST: ${calls.reads} read(s), ${calls.writes} ` +
      `write(s), ${calls.failedAttempts} failed attempt(s)` +
      (calls.remaining !== undefined ? `, ${calls.remaining} requests left this hour` : '') +
      (calls.malformed > 0 ? `, ${calls.malformed} malformed item(s) ignored` : '') +
      '.</p>' +
      (s.deferred ? `<p>${forHtml(s.deferred)}.</p>` : ''),
    true
  )
  if (s.results.length > 0) {
    summary.addTable([
      [
        { data: 'Issue', header: true },
        { data: 'Was', header: true },
        { data: 'Now', header: true },
        { data: 'Request ids', header: true },
        { data: 'What happened', header: true }
      ],
      ...s.results.map(r => [
        `#${r.issue}`,
        forHtml(r.before),
        forHtml(r.state),
        forHtml(r.requestIds.join(', ') || '–'),
        forHtml(r.note)
      ])
    ])
  }
  if (s.clocks && s.clocks.length > 0 && s.today) {
    summary.addHeading('Open requests by due date', 3)
    summary.addTable(clockTable(s.clocks, s.today))
  }
  try {
    await summary.write()
  } catch (error) {
    log.warning(line`could not write the job summary: ${(error as Error).message}`)
  }
}
