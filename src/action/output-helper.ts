/**
 * Step outputs, per the public contract (shared/reference/action-contract.md). Written from whatever is
 * known, also when the step fails: a request id that was obtained is never lost.
 */
import * as core from '@actions/core'
import type { DownloadedFile } from '../export/index.js'
import type { RequestRecord } from './request-runner.js'
import { DONE_STATUSES } from './request-runner.js'

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
}

export function computeOutputs(
  records: RequestRecord[],
  extra: { files?: DownloadedFile[]; artifact?: { id: number | string; url: string } } = {}
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

export function writeOutputs(outputs: ActionOutputs): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value !== undefined) core.setOutput(name, value)
  }
}
