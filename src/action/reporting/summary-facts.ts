/**
 * What a compliance engineer files with the job summary besides the per-request table: where the
 * requests went (the API host), what was asked (the date range), where the export went (file names
 * relative to `download-path`, and the artifact: name, link, retention), and when the download links
 * stop working. Computed from the settings and the results, so the summary is testable without a run.
 */
import * as path from 'node:path'
import type { DownloadedFile } from '../../export/index.js'
import { forHtml } from '../../policy/index.js'
import {
  expiringSoon,
  type PlannedRun,
  type RequestRecord,
  workflowRunPage
} from '../../run/index.js'
import type { Settings } from '../inputs/input-helper.js'

export interface UploadedArtifactFacts {
  name: string
  id: number
  url: string
  retentionDays: number
  /** When the service deletes it (ISO 8601), counted from the upload. */
  expiresAt?: string
}

/** The GitHub run: its page and who started it, from the runner's environment. */
export interface RunContext {
  url?: string
  actor?: string
}

export function runContext(env: NodeJS.ProcessEnv): RunContext {
  return {
    // The one rule for a run's page (artifact-helper.ts); absent outside a GitHub run.
    ...(env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID && { url: workflowRunPage(env) }),
    ...(env.GITHUB_ACTOR && { actor: env.GITHUB_ACTOR })
  }
}

export interface RunFacts {
  /** Host (and port) of the API origin every request went to. */
  apiHost: string
  /** The date range sent with the requests, or why none was (unknown when no plans were given). */
  dateRange?: string
  /** The folder downloaded files are named relative to. */
  downloadPath?: string
  artifact?: UploadedArtifactFacts
  /** receipt.json as written: its path and SHA-256. */
  receipt?: { path: string; sha256: string }
  run?: RunContext
  /** When this run submitted its first request (ISO 8601), or why it submitted none. */
  submitted?: string
  /** Subjects not sent, by label (fingerprint only). */
  notSent?: string[]
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
    artifact?: { id: number; url: string; expiresAt?: string }
    receipt?: { path: string; sha256: string }
    run?: RunContext
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
    ...(run.receipt && { receipt: run.receipt }),
    ...(run.run && { run: run.run }),
    ...(run.records.length > 0 && { submitted: submittedAt(run.records) }),
    notSent: run.records.filter(r => r.outcome === 'notSent').map(r => r.label),
    expiring: expiringSoon(run.records, run.now).map(r => ({
      requestId: r.requestId ?? r.label,
      expires: r.expires ?? ''
    }))
  }
}

/** The earliest submit of this run, or what was submitted instead. */
function submittedAt(records: RequestRecord[]): string {
  const times = records.map(r => r.submittedAt).filter((t): t is number => t !== undefined)
  if (times.length > 0) return new Date(Math.min(...times)).toISOString()
  return records.some(r => r.requestId !== undefined)
    ? 'before this run (resumed by request id)'
    : 'nothing (no request was submitted)'
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
    ...(facts.dateRange !== undefined ? [['Date range asked', forHtml(facts.dateRange)]] : []),
    ...(facts.run?.url ? [['Run', forHtml(facts.run.url)]] : []),
    ...(facts.run?.actor ? [['Started by', forHtml(facts.run.actor)]] : []),
    ...(facts.submitted !== undefined ? [['Submitted', forHtml(facts.submitted)]] : []),
    ...(facts.receipt
      ? [
          [
            'Receipt',
            `<code>${forHtml(path.basename(facts.receipt.path))}</code> (in download-path), ` +
              `SHA-256 <code>${forHtml(facts.receipt.sha256)}</code>`
          ]
        ]
      : []),
    ...(facts.artifact?.expiresAt
      ? [['Artifact deleted', `about ${forHtml(facts.artifact.expiresAt)}`]]
      : [])
  ]
}

/** The artifact paragraph: its name linked to its page, its id, and how long GitHub keeps it. */
export function artifactHtml(artifact: UploadedArtifactFacts): string {
  const days = `${artifact.retentionDays} day${artifact.retentionDays === 1 ? '' : 's'}`
  return (
    `<p>Uploaded as artifact <a href="${forHtml(artifact.url)}">${forHtml(artifact.name)}</a> ` +
    `(id ${artifact.id}), kept ${days} (<code>retention-days</code>; the repository's own limit ` +
    `may be shorter). It holds the files listed above, under the same names, and receipt.json.</p>`
  )
}

/**
 * The subjects this run never sent, by label (position and fingerprint, never the id): the
 * `requests` output lists them by value with status `not-sent`, for the next run to take.
 */
export function notSentHtml(labels: string[], budget: number): string {
  const shown: string[] = []
  let size = 0
  for (const label of labels) {
    size += label.length + 2
    if (size > budget) break
    shown.push(forHtml(label))
  }
  const more = labels.length - shown.length
  return (
    `<p><strong>${labels.length} subject${labels.length === 1 ? ' was' : 's were'} not sent</strong> ` +
    `(the timeout ran out or the run was stopped first; Amplitude took no request for them). ` +
    `The <code>requests</code> output lists them with status <code>not-sent</code>, for the next ` +
    `run to take: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}.</p>`
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
