/**
 * What an erasure run reports: the step outputs (action-contract.md, with docs/erasure.md's
 * additions), the job summary and the failure message. Subjects are named in the summary and the
 * log by position and fingerprint only; their ids appear only in the step outputs, as for access.
 */
import * as core from '@actions/core'
import { forHtml } from '../../policy/index.js'
import {
  aggregateJobStatus,
  cancellableUntil,
  type ErasureJob,
  type SubjectErasure
} from '../../run/index.js'
import { writeOutputs, type ActionOutputs } from './output-helper.js'
import {
  subjectFingerprint,
  subjectLabel,
  subjectText,
  SUMMARY_BUDGET,
  type Truncation,
  withinBudget
} from '../../run/index.js'

export interface ErasureReport {
  /** Every subject given (or, resuming, listed by the jobs), with its job when one holds it. */
  placed: SubjectErasure[]
  /** The jobs as last read, by day. */
  jobs: ErasureJob[]
  /** Subjects whose batch was not taken (by index in `placed`). */
  notSubmitted: Set<number>
  problems: string[]
  /** Days a later run can resume with `request-ids`. */
  resumeDays: string[]
  requester: string
  apiUrl: string
  wait: boolean
}

/** A subject left out of every answered job: Amplitude does not know it (nothing to erase). */
export function isAbsent(report: ErasureReport, index: number): boolean {
  return report.placed[index].job === undefined && !report.notSubmitted.has(index)
}

export function erasureOutputs(report: ErasureReport): ActionOutputs & { absentIds: string } {
  const requests = report.placed.map((p, index) => ({
    subject: subjectText(p.subject),
    requestId: p.job?.day ?? null,
    day: p.job?.day ?? null,
    status: p.job?.status ?? (isAbsent(report, index) ? 'absent' : 'not submitted'),
    requester: p.entry?.requester ?? null,
    requestedOnDay: p.entry?.requestedOnDay ?? null,
    activeScrubDoneDate: p.job?.activeScrubDoneDate ?? null
  }))
  const absent = report.placed
    .filter((_, i) => isAbsent(report, i))
    .map(p => subjectText(p.subject))
  return {
    requestId: report.jobs[0]?.day ?? '',
    finalStatus: aggregateJobStatus(report.jobs.map(j => j.status)),
    downloadUrl: '',
    requests: JSON.stringify(requests),
    downloadUrls: '[]',
    expires: '',
    workflowOutputs: JSON.stringify({ jobs: report.jobs.map(jobOutput) }),
    absentIds: JSON.stringify(absent)
  }
}

/** A job as the workflowOutputs output shows it: counts, not ids (those are in `requests`). */
function jobOutput(job: ErasureJob) {
  return {
    day: job.day,
    status: job.status,
    ids: job.entries.length,
    activeScrubDoneDate: job.activeScrubDoneDate ?? null
  }
}

export function writeErasureOutputs(report: ErasureReport): Truncation[] {
  const { absentIds, ...outputs } = erasureOutputs(report)
  core.setOutput('absentIds', absentIds)
  return writeOutputs(outputs)
}

/** `request-ids: 2026-12-11,2026-12-18` for the jobs a later run can read. */
export function erasureResumeHint(report: ErasureReport): string | undefined {
  return report.resumeDays.length > 0 ? `request-ids: ${report.resumeDays.join(',')}` : undefined
}

export function erasureFailure(report: ErasureReport, stopReason?: Error): string | undefined {
  const hint = erasureResumeHint(report)
  const days = report.jobs.map(j => j.day)
  const known = days.length > 0 ? `; job days so far: ${days.join(', ')}` : ''
  const reasons = stopReason ? [stopReason.message, ...report.problems] : report.problems
  if (reasons.length === 0) return undefined
  const shown = reasons.slice(0, 20).join('; ')
  const more = reasons.length > 20 ? `; and ${reasons.length - 20} more (see the job summary)` : ''
  return (
    `${shown}${more}${known}` +
    (hint ? `\nResume in a later run with request-type: erasure and:\n  ${hint}` : '')
  )
}

const ROWS_BUDGET = SUMMARY_BUDGET / 2
const SECTION_BUDGET = SUMMARY_BUDGET / 16

export function buildErasureSummary(report: ErasureReport): typeof core.summary {
  const summary = core.summary.addHeading('Amplitude erasure', 2)
  const absent = report.placed.filter((_, i) => isAbsent(report, i))
  summary.addTable([
    [{ data: 'API host', header: true }, forHtml(report.apiUrl)],
    [{ data: 'Requester', header: true }, forHtml(report.requester)],
    [{ data: 'Subjects', header: true }, String(report.placed.length)],
    [{ data: 'Absent (nothing to erase)', header: true }, String(absent.length)],
    [{ data: 'Waited for the jobs', header: true }, report.wait ? 'yes' : 'no (submitted only)']
  ])
  summary.addHeading('Deletion jobs', 3)
  summary.addTable([
    ['Day', 'Status', 'Ids', 'Cancellable until', 'Live data scrubbed on'].map(data => ({
      data,
      header: true
    })),
    ...report.jobs.map(job => [
      forHtml(job.day),
      forHtml(job.status),
      String(job.entries.length),
      job.status === 'staging' ? forHtml(cancellableUntil(job.day)) : '–',
      forHtml(job.activeScrubDoneDate ?? '–')
    ])
  ])
  const rows = withinBudget(
    report.placed.map((p, index) => [
      forHtml(subjectLabel(p.subject, index)),
      forHtml(p.job?.day ?? '–'),
      forHtml(p.job?.status ?? (isAbsent(report, index) ? 'absent' : 'not submitted'))
    ]),
    ROWS_BUDGET,
    cells => cells.reduce((n, c) => n + c.length + 9, 9)
  )
  summary.addTable([
    ['Subject', 'Job day', 'Status'].map(data => ({ data, header: true })),
    ...rows.kept,
    ...(rows.left > 0
      ? [
          [
            {
              data: `… and ${rows.left} more (all of them are in the requests output)`,
              colspan: '3'
            }
          ]
        ]
      : [])
  ])
  if (absent.length > 0) {
    summary.addHeading('Absent from the job Amplitude answered', 3)
    summary.addRaw(
      '<p>Amplitude skipped these ids as unknown to the project (ignore_invalid_id): it holds no data under them, so there is nothing to erase. Check the id if you expected data.</p>',
      true
    )
    const names = withinBudget(
      absent.map(p => forHtml(subjectFingerprint(p.subject))),
      SECTION_BUDGET,
      n => n.length + 9
    )
    summary.addList([...names.kept, ...(names.left > 0 ? [`… and ${names.left} more`] : [])])
  }
  if (report.problems.length > 0) {
    summary.addHeading('What needs attention', 3)
    const shown = withinBudget(report.problems.map(forHtml), SECTION_BUDGET, p => p.length + 9)
    summary.addList([...shown.kept, ...(shown.left > 0 ? [`… and ${shown.left} more`] : [])])
  }
  const hint = erasureResumeHint(report)
  if (hint) {
    summary.addHeading('Next step', 3)
    summary.addRaw(
      `<p>Read these jobs in a later run (request-type: erasure) with:</p><pre lang="yaml"><code>${forHtml(hint)}</code></pre>`,
      true
    )
  }
  return summary
}
