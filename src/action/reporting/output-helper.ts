/**
 * Step outputs, per the public contract (shared/reference/action-contract.md). Written from whatever is
 * known, also when the step fails: a request id that was obtained is never lost.
 */
import * as core from '@actions/core'
import { mkdir } from 'node:fs/promises'
import { type DownloadedFile, writeWholeFile } from '../../export/index.js'
import {
  DONE_STATUSES,
  fitJsonList,
  line,
  LIST_OUTPUT_LIMITS,
  type ListOutput,
  log,
  type RequestRecord,
  type Truncation
} from '../../run/index.js'

export interface ActionOutputs {
  requestId: string
  finalStatus: string
  downloadUrl: string
  requests: string
  downloadUrls: string
  expires: string
  workflowOutputs: string
  files?: string
  artifactId?: string
  artifactUrl?: string
  /** Path of receipt.json, when this run wrote one. */
  receipt?: string
}

export function computeOutputs(
  records: RequestRecord[],
  extra: {
    files?: DownloadedFile[]
    artifact?: { id: number | string; url: string }
    receipt?: string
  } = {}
): ActionOutputs {
  const withId = records.filter(r => r.requestId !== undefined)
  const urls = records.flatMap(r => r.urls)
  const expiries = records.map(r => r.expires).filter((e): e is string => Boolean(e))
  const outputs: ActionOutputs = {
    requestId: withId[0]?.requestId ?? '',
    finalStatus: aggregateStatus(records),
    downloadUrl: urls[0] ?? '',
    requests: JSON.stringify(
      records.map(r => ({
        subject: r.subject ?? null,
        requestId: r.requestId ?? null,
        status: r.status ?? null,
        failReason: r.failReason ?? null,
        urls: r.urls,
        expires: r.expires ?? null
      }))
    ),
    downloadUrls: JSON.stringify(urls),
    // The earliest expiry is when the set stops being complete.
    expires: expiries.sort()[0] ?? '',
    workflowOutputs: JSON.stringify(
      records.length === 1 ? records[0].workflowOutputs : records.map(r => r.workflowOutputs)
    )
  }
  if (extra.files) outputs.files = JSON.stringify(extra.files)
  if (extra.artifact) {
    outputs.artifactId = String(extra.artifact.id)
    outputs.artifactUrl = extra.artifact.url
  }
  if (extra.receipt) outputs.receipt = extra.receipt
  return outputs
}

/** One request: its last status. Several: a done status only when every request reached it. */
export function aggregateStatus(records: RequestRecord[]): string {
  if (records.length === 0) return ''
  if (records.length === 1) return records[0].status ?? ''
  // No status seen at all (refused before any answer): nothing to report, not 'unknown'.
  if (records.every(r => r.status === undefined)) return ''
  const statuses = records.map(r => r.status ?? 'unknown')
  const first = statuses[0]
  if (statuses.every(s => s === first)) return first
  if (statuses.some(s => s === 'failed')) return 'failed'
  const done = statuses.find(s => DONE_STATUSES.has(s))
  const notDone = statuses.find(s => !DONE_STATUSES.has(s))
  return notDone ?? done ?? first
}

/**
 * Sets the outputs, each list cut to what GitHub keeps (run-limits.ts); returns what was cut, for
 * the caller to say so and to write the whole list beside the downloads.
 */
export function writeOutputs(outputs: ActionOutputs): Truncation[] {
  const truncated: Truncation[] = []
  for (const [name, value] of Object.entries(outputs)) {
    if (value === undefined) continue
    const limit = LIST_OUTPUT_LIMITS[name as ListOutput]
    const fitted = limit === undefined ? undefined : fitJsonList(value, limit)
    if (fitted)
      truncated.push({ output: name as ListOutput, kept: fitted.kept, total: fitted.total })
    core.setOutput(name, fitted ? fitted.text : value)
  }
  return truncated
}

/** The whole `requests` list, beside the downloads, when the output had to be cut. */
export const REQUESTS_FILE = 'requests.json'

const LIST_NOUNS: Record<ListOutput, string> = {
  requests: 'requests',
  downloadUrls: 'links',
  files: 'files',
  workflowOutputs: 'workflow outputs'
}

/**
 * Says which outputs were cut (a warning each) and writes the whole `requests` list to
 * `dir/requests.json` (0700 folder, 0600 file). Returns the notes, for the job summary.
 */
export async function noteTruncation(
  truncated: Truncation[],
  full: ActionOutputs,
  dir: string
): Promise<string[]> {
  if (truncated.length === 0) return []
  let where: string
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    where = `all of them are in ${await writeWholeFile(dir, REQUESTS_FILE, full.requests)}`
  } catch (error) {
    where = `${REQUESTS_FILE} could not be written (${(error as Error).message})`
  }
  return truncated.map(({ output, kept, total }) => {
    const whole =
      output === 'files'
        ? 'all of them are in receipt.json beside them'
        : output === 'workflowOutputs'
          ? 'set to null; the reported values are in the requests list'
          : where
    const note =
      `the ${output} output holds ${kept} of ${total} ${LIST_NOUNS[output]} ` +
      `(GitHub keeps 1 MB of outputs per job): ${whole}`
    log.warning(line`${note}`)
    return note
  })
}
