/**
 * What a compliance engineer files with the job summary besides the per-request table: where the
 * requests went (the API host), what was asked (the date range), where the export went (file names
 * relative to `download-path`, and the artifact: name, link, retention), and when the download links
 * stop working. Computed from the settings and the results, so the summary is testable without a run.
 */
import * as path from 'node:path'
import type { DownloadedFile } from '../export/index.js'
import { forHtml } from '../policy/untrusted-text.js'
import { expiringSoon } from './export-helper.js'
import type { Settings } from './input-helper.js'
import type { RequestRecord } from './request-runner.js'
import type { PlannedRun } from './workflow-helper.js'

export interface UploadedArtifactFacts {
  name: string
  id: number
  url: string
  retentionDays: number
}

export interface RunFacts {
  /** Host (and port) of the API origin every request went to. */
  apiHost: string
  /** The date range sent with the requests, or why none was (unknown when no plans were given). */
  dateRange?: string
  /** The folder downloaded files are named relative to. */
  downloadPath?: string
  artifact?: UploadedArtifactFacts
  /** Requests whose download links expire within the warning window. */
  expiring: { requestId: string; expires: string }[]
}

export function runFacts(
  settings: Pick<
    Settings,
    'apiUrl' | 'download' | 'downloadPath' | 'artifactName' | 'retentionDays'
  >,
  run: {
    /** The runs planned from the inputs; a ledger sweep plans per issue and passes none. */
    plans?: PlannedRun[]
    records: RequestRecord[]
    now: number
    artifact?: { id: number; url: string }
  }
): RunFacts {
  const { artifactName } = settings
  return {
    apiHost: new URL(settings.apiUrl).host,
    ...(run.plans && { dateRange: dateRangeAsked(run.plans) }),
    ...(settings.download && { downloadPath: settings.downloadPath }),
    ...(run.artifact &&
      artifactName !== undefined && {
        artifact: { ...run.artifact, name: artifactName, retentionDays: settings.retentionDays }
      }),
    expiring: expiringSoon(run.records, run.now).map(r => ({
      requestId: r.requestId ?? r.label,
      expires: r.expires ?? ''
    }))
  }
}

/** `start to end` when every request was sent the same range; otherwise each range, or why none. */
export function dateRangeAsked(plans: PlannedRun[]): string {
  const ranges = new Set(
    plans
      .filter(p => typeof p.inputs.startDate === 'string' && typeof p.inputs.endDate === 'string')
      .map(p => `${String(p.inputs.startDate)} to ${String(p.inputs.endDate)}`)
  )
  if (ranges.size > 0) return [...ranges].join('; ')
  if (plans.length > 0 && plans.every(p => (p.requestId ?? p.inputs.requestId) !== undefined)) {
    return 'none in this run (resuming requests submitted earlier)'
  }
  return "none (this workflow's requests take no date range)"
}

/**
 * A downloaded file's name as the summary shows it: relative to `download-path` (the runner's
 * temporary folder means nothing to the reader), e.g. `53367/output-001.json.gz.age`.
 */
export function displayFileName(file: DownloadedFile, downloadPath: string | undefined): string {
  if (downloadPath === undefined) return path.basename(file.path)
  const relative = path.relative(downloadPath, file.path)
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return path.basename(file.path)
  }
  return relative.split(path.sep).join('/')
}

/** The run's facts as the HTML of a two-column table (values escaped). */
export function factsTableRows(facts: RunFacts, workflowTitle: string): string[][] {
  return [
    ['Workflow', forHtml(workflowTitle)],
    ['API host', `<code>${forHtml(facts.apiHost)}</code>`],
    ...(facts.dateRange !== undefined ? [['Date range asked', forHtml(facts.dateRange)]] : [])
  ]
}

/** The artifact paragraph: its name linked to its page, its id, and how long GitHub keeps it. */
export function artifactHtml(artifact: UploadedArtifactFacts): string {
  const days = `${artifact.retentionDays} day${artifact.retentionDays === 1 ? '' : 's'}`
  return (
    `<p>Uploaded as artifact <a href="${forHtml(artifact.url)}">${forHtml(artifact.name)}</a> ` +
    `(id ${artifact.id}), kept ${days} (<code>retention-days</code>; the repository's own limit ` +
    `may be shorter). It holds the files listed above, under the same names.</p>`
  )
}

/** One warning line per request whose links expire soon (the same warning as the log's). */
export function expiryWarningHtml(expiring: RunFacts['expiring']): string {
  return expiring
    .map(
      e =>
        `<p><strong>Warning:</strong> the download links of request ${forHtml(e.requestId)} ` +
        `expire at ${forHtml(e.expires)}; download them before then.</p>`
    )
    .join('\n')
}
