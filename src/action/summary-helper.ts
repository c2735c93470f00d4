/**
 * The job summary: one table row per request, and what to do next when not every request is done.
 * Subjects appear by label only (personal data stays out of the summary).
 */
import * as core from '@actions/core'
import type { DownloadedFile } from '../export/index.js'
import { forHtml } from '../policy/untrusted-text.js'
import { formatDuration, type RequestRecord } from './request-runner.js'
import {
  artifactHtml,
  displayFileName,
  expiryWarningHtml,
  factsTableRows,
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
}

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
  summary.addTable(factsTableRows(input.facts, input.workflowTitle))
  summary.addTable([
    [
      { data: 'Subject', header: true },
      { data: 'Request id', header: true },
      { data: 'Status', header: true },
      { data: 'Polls', header: true },
      { data: 'Elapsed', header: true },
      { data: 'Links expire', header: true }
    ],
    ...records.map(r => [
      forHtml(r.label),
      forHtml(r.requestId ?? '–'),
      statusCell(r),
      String(r.polls),
      formatDuration((r.finishedAt ?? now) - r.startedAt),
      forHtml(r.expires ?? '–')
    ])
  ])
  if (input.facts.expiring.length > 0) {
    summary.addRaw(expiryWarningHtml(input.facts.expiring), true)
  }
  if (input.files && input.files.length > 0) {
    summary.addHeading('Downloaded files', 3)
    summary.addTable([
      [
        { data: 'File (in download-path)', header: true },
        { data: 'Bytes', header: true },
        { data: 'Events', header: true },
        { data: 'SHA-256', header: true },
        { data: 'Encrypted', header: true }
      ],
      ...input.files.map(f => [
        forHtml(displayFileName(f, input.facts.downloadPath)),
        String(f.bytes),
        String(f.events),
        `<code>${f.sha256}</code>`,
        f.encrypted ? 'yes (age)' : 'no'
      ])
    ])
  }
  if (input.facts.artifact) summary.addRaw(artifactHtml(input.facts.artifact), true)
  if (input.problems.length > 0) {
    summary.addHeading('What needs attention', 3)
    summary.addList(input.problems.map(forHtml))
  }
  if (input.resumeHint) {
    summary.addHeading('Next step', 3)
    summary.addRaw(`<p>Resume these requests in a later run with:</p>`, true)
    summary.addRaw(codeBlock(input.resumeHint), true)
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
