/**
 * The job summary: one table row per request, and what to do next when not every request is done.
 * Subjects appear by label only (personal data stays out of the summary).
 */
import * as core from '@actions/core'
import type { DownloadedFile } from '../../export/index.js'
import { forHtml } from '../../policy/index.js'
import {
  formatDuration,
  type RequestRecord,
  SUMMARY_BUDGET,
  withinBudget
} from '../../run/index.js'
import {
  artifactHtml,
  displayFileName,
  expiryWarningHtml,
  factsTableRows,
  notSentHtml,
  type RunFacts
} from './summary-facts.js'

export interface SummaryInput {
  records: RequestRecord[]
  workflowTitle: string
  now: number
  files?: DownloadedFile[]
  resumeHint?: string
  problems: string[]
  /** API host, date range, artifact, expiring links, the folder file names are relative to. */
  facts: RunFacts
  /** Said once under the heading (e.g. an output cut to GitHub's limits). */
  notes?: string[]
}

/** Shares of SUMMARY_BUDGET (run-limits.ts), so that GitHub never drops the summary as too large. */
const REQUEST_ROWS_BUDGET = SUMMARY_BUDGET / 2
const FILE_ROWS_BUDGET = SUMMARY_BUDGET / 4
const SECTION_BUDGET = SUMMARY_BUDGET / 16

/** The status seen, or what ended the request: a refused call is named, never "aborted". */
function statusCell(r: RequestRecord): string {
  const status = r.stoppedBy
    ? `${r.status ?? 'not submitted'}; stopped by ${r.stoppedBy}`
    : (r.status ?? r.outcome ?? '–')
  return forHtml(status) + (r.failReason ? ` (${forHtml(r.failReason)})` : '')
}

export function buildSummary(input: SummaryInput): typeof core.summary {
  const { records, now } = input
  const summary = core.summary.addHeading('Amplitude DSAR', 2)
  for (const note of input.notes ?? []) summary.addRaw(`<p>${forHtml(note)}</p>`, true)
  summary.addTable(factsTableRows(input.facts, input.workflowTitle))
  const requestRows = withinBudget(
    records.map(r => [
      forHtml(r.label),
      forHtml(r.requestId ?? '–'),
      statusCell(r),
      String(r.polls),
      formatDuration((r.finishedAt ?? now) - r.startedAt),
      forHtml(r.expires ?? '–')
    ]),
    REQUEST_ROWS_BUDGET,
    rowSize
  )
  summary.addTable([
    [
      { data: 'Subject', header: true },
      { data: 'Request id', header: true },
      { data: 'Status', header: true },
      { data: 'Polls', header: true },
      { data: 'Elapsed', header: true },
      { data: 'Links expire', header: true }
    ],
    ...requestRows.kept,
    ...leftOut(
      requestRows.left,
      6,
      'more requests (all of them are in the requests output or requests.json)'
    )
  ])
  const notSent = input.facts.notSent ?? []
  if (notSent.length > 0) summary.addRaw(notSentHtml(notSent, SECTION_BUDGET), true)
  if (input.facts.expiring.length > 0) {
    summary.addRaw(expiryWarningHtml(input.facts.expiring), true)
  }
  if (input.files && input.files.length > 0) {
    const fileRows = withinBudget(
      input.files.map(f => [
        forHtml(displayFileName(f, input.facts.downloadPath)),
        String(f.bytes),
        String(f.events),
        `<code>${f.sha256}</code>`,
        f.encrypted ? 'yes (age)' : 'no'
      ]),
      FILE_ROWS_BUDGET,
      rowSize
    )
    summary.addHeading('Downloaded files', 3)
    summary.addTable([
      [
        { data: 'File (in download-path)', header: true },
        { data: 'Bytes', header: true },
        { data: 'Events', header: true },
        { data: 'SHA-256', header: true },
        { data: 'Encrypted', header: true }
      ],
      ...fileRows.kept,
      ...leftOut(fileRows.left, 5, 'more files (all of them are in receipt.json)')
    ])
  }
  if (input.facts.artifact) summary.addRaw(artifactHtml(input.facts.artifact), true)
  if (input.problems.length > 0) {
    summary.addHeading('What needs attention', 3)
    const shown = withinBudget(input.problems.map(forHtml), SECTION_BUDGET, p => p.length + 9)
    const more = shown.left > 0 ? [`… and ${shown.left} more`] : []
    summary.addList([...shown.kept, ...more])
  }
  if (input.resumeHint) {
    summary.addHeading('Next step', 3)
    summary.addRaw(`<p>Resume these requests in a later run with:</p>`, true)
    const hint = input.resumeHint
    summary.addRaw(
      hint.length <= SECTION_BUDGET
        ? codeBlock(hint)
        : `<p>The request-ids line is too long to show here (${hint.length} characters): it is in the log, in the failure message.</p>`,
      true
    )
  }
  return summary
}

/**
 * A `<pre>` block whose every line is escaped: core.summary.addCodeBlock pastes its text in raw, so
 * `</code></pre><h1>` in it would close the block and start HTML of someone else's.
 */
function codeBlock(text: string): string {
  const lines = text.split('\n').map(forHtml).join('\n')
  return `<pre lang="yaml"><code>${lines}</code></pre>`
}

function rowSize(cells: string[]): number {
  return cells.reduce((size, cell) => size + cell.length + 9, 9)
}

/** The row saying how many rows the budget left out (none when none was). */
function leftOut(
  count: number,
  columns: number,
  what: string
): { data: string; colspan: string }[][] {
  return count > 0 ? [[{ data: `… and ${count} ${what}`, colspan: String(columns) }]] : []
}
