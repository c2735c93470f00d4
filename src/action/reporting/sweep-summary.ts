/**
 * The job summary of a sweep: what happened to each issue, what GitHub's budget saw, then the
 * requests table every run writes (summary-helper.ts). When each request was last
 * checked lives here, not in the issue: the ledger comment changes only when a status does.
 */
import * as core from '@actions/core'
import { forHtml } from '../../policy/index.js'
import { clockTable, type SweepReport, type SweepReporter } from '../../ledger/index.js'
import { line, log, type RunSettings } from '../../run/index.js'
import { computeOutputs, writeOutputs } from './output-helper.js'
import { runFacts, type RunFacts } from './summary-facts.js'
import { buildSummary } from './summary-helper.js'
import { messageOf } from '../../arazzo/index.js'

export interface SweepSummary extends SweepReport {
  /** API host and the folder file names are relative to (src/action/reporting/summary-facts.ts). */
  facts: RunFacts
}

/** Outputs, then the summary: written whatever happened, from whatever the sweep knows. */
export function sweepReporter(settings: RunSettings): SweepReporter {
  return async report => {
    writeOutputs(
      computeOutputs(report.records, {
        ...(settings.download && { files: report.files }),
        ...(report.artifact && { artifact: report.artifact })
      })
    )
    core.setOutput(
      'ledger',
      JSON.stringify(
        report.results.map(r => ({ issue: r.issue, state: r.state, requestIds: r.requestIds }))
      )
    )
    await writeSweepSummary({
      ...report,
      facts: runFacts(settings, { records: report.records, now: report.now })
    })
  }
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
    log.warning(line`could not write the job summary: ${messageOf(error)}`)
  }
}
