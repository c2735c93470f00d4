/**
 * What the ledger writes into issues. Human-readable first; the ledger comment ends with its state
 * line (src/ledger/marker.ts). Every value that came from outside (Amplitude's answers, the issue
 * body, the form's reference, recipients, problems that quote input) goes through `forMarkdown`, so
 * nothing in a comment becomes a link, an image, a mention, HTML or a table break. Subjects appear
 * by fingerprint only: their ids are in the issue body, which the team controls.
 */
import { forMarkdown } from '../policy/index.js'
import { erasureLines } from './erasure-comments.js'
import { markerLine, type LedgerMarker } from './marker.js'
import type { Seal } from './seal.js'
import { plural } from '../run/index.js'
import { dueLine } from './deadline-record.js'

export const SIGNATURE =
  '<sub>Written by the Amplitude DSAR action (ledger). Do not edit this comment.</sub>'

function referenceLine(reference: string | undefined): string[] {
  return reference ? [`Reference: ${forMarkdown(reference)}`, ''] : []
}

function cell(value: string | null | undefined): string {
  return value ? forMarkdown(value) : '–'
}

/** The ledger comment: one row per request, then the state line (sealed). Edited in place. */
export function ledgerComment(
  marker: LedgerMarker,
  seal: Seal,
  reference?: string,
  label = 'dsar'
): string {
  // Times are the action's own (ISO, validated in the marker); the rest came from outside.
  const rows = marker.requests.map(
    r =>
      `| ${cell(r.subject)} | ${cell(r.requestId)} | ${cell(r.status ?? (r.requestId ? 'requested' : (r.sent ?? 'submitting')))} | ${r.checkedAt ?? r.submittedAt ?? '–'} |`
  )
  return [
    `**DSAR ledger**: ${forMarkdown(marker.state)} (data from ${marker.startDate} to ${marker.endDate})`,
    '',
    ...dueLine(marker.deadline),
    ...referenceLine(reference),
    ...erasureLines(marker, label),
    ...(rows.length > 0
      ? [
          '| subject | request id | status | last checked |',
          '| --- | --- | --- | --- |',
          ...rows,
          ''
        ]
      : []),
    SIGNATURE,
    markerLine(marker, seal)
  ].join('\n')
}

export interface DeliveredFile {
  /** Relative to the artifact's root, e.g. `53367/output-001.json.gz.age`. */
  name: string
  bytes: number
  sha256: string
  events: number
}

export interface Delivery {
  requestIds: string[]
  reference?: string
  /** Earliest expiry of the Amplitude links (ISO, as the ledger normalised it), when known. */
  expires?: string
  files?: DeliveredFile[]
  recipients: string[]
  artifact?: { name: string; url: string; retentionDays: number }
}

/** Posted once every request is done (and downloaded, and uploaded, when asked). */
export function deliveredComment(d: Delivery): string {
  const lines = [
    `**DSAR delivered**: Amplitude finished ${d.requestIds.length === 1 ? 'request' : 'requests'} ${d.requestIds.map(id => forMarkdown(id)).join(', ')}.`,
    '',
    ...referenceLine(d.reference)
  ]
  if (d.artifact) {
    lines.push(
      `Artifact: [${forMarkdown(d.artifact.name)}](${d.artifact.url}), kept ${plural(d.artifact.retentionDays, 'day')}; \`receipt.json\` inside it records what was asked and delivered.`,
      ''
    )
  }
  if (d.files && d.files.length > 0) {
    lines.push(
      '| file | bytes | SHA-256 (as served) | events |',
      '| --- | --- | --- | --- |',
      ...d.files.map(
        f => `| ${forMarkdown(f.name)} | ${f.bytes} | \`${f.sha256}\` | ${f.events} |`
      ),
      ''
    )
    lines.push(
      d.recipients.length > 0
        ? `Encrypted with age to: ${d.recipients.map(forMarkdown).join(', ')}.`
        : 'Not encrypted (set `encrypt-to` to encrypt exports before they touch the disk).',
      ''
    )
  } else if (!d.files) {
    lines.push(
      'This workflow does not download exports (`download: false`): collect them with ' +
        `\`request-ids: ${d.requestIds.join(',')}\` before the links expire.`,
      ''
    )
  }
  if (d.expires) lines.push(`Amplitude's download links expire at ${d.expires}.`, '')
  lines.push(SIGNATURE)
  return lines.join('\n')
}

/**
 * Posted when every request is done but the workflow delivers nothing (no `artifact-name`): the
 * export is not called delivered, and the issue stays open until someone collects it.
 */
export function readyComment(d: {
  requestIds: string[]
  reference?: string
  expires?: string
  why: string
}): string {
  return [
    `**DSAR ready to collect (not delivered)**: Amplitude finished ${d.requestIds.length === 1 ? 'request' : 'requests'} ${d.requestIds.map(id => forMarkdown(id)).join(', ')}, but ${d.why}.`,
    '',
    ...referenceLine(d.reference),
    `Collect the export with \`request-ids: ${d.requestIds.join(',')}\`` +
      (d.expires
        ? ` before ${d.expires}, when Amplitude's download links expire.`
        : " before Amplitude's download links expire."),
    '',
    'This issue stays open until a person closes it. To have the ledger deliver exports itself, set `artifact-name` in the workflow.',
    '',
    SIGNATURE
  ].join('\n')
}

export function failedComment(
  failures: { requestId: string; subject: string; failReason?: string }[],
  reference: string | undefined,
  label: string
): string {
  return [
    '**DSAR failed**: Amplitude reports that it could not complete this request.',
    '',
    ...referenceLine(reference),
    ...failures.map(
      f =>
        `- request ${forMarkdown(f.requestId)} (${forMarkdown(f.subject)}): ${f.failReason ? forMarkdown(f.failReason) : 'no reason given'}`
    ),
    '',
    `Left open for a person. To submit again after fixing the cause, add the “${forMarkdown(label)}” label again.`,
    '',
    SIGNATURE
  ].join('\n')
}

export function needsInfoComment(field: string, problem: string, label: string): string {
  return [
    `**DSAR needs information**: ${forMarkdown(field)} ${forMarkdown(problem)}.`,
    '',
    'Nothing was sent to Amplitude. Edit the issue (keep the form’s `### ` headings), then add the ' +
      `“${forMarkdown(label)}” label again to retry.`,
    '',
    SIGNATURE
  ].join('\n')
}

/** Says nothing about the subject: the author may not be entitled to know anything about it. */
export function refusedComment(): string {
  return [
    '**DSAR refused**: only owners, members and collaborators of this repository may file a data ' +
      'subject access request here. Nothing was sent to Amplitude.',
    '',
    SIGNATURE
  ].join('\n')
}

export function needsAttentionComment(reason: string, label: string): string {
  return [
    `**DSAR needs attention**: ${forMarkdown(reason)}`,
    '',
    'The action does not submit again on its own, since that could ask Amplitude twice. Check the ' +
      "failed run's log and job summary for request ids; if no request was created, add the " +
      `“${forMarkdown(label)}” label again to submit.`,
    '',
    SIGNATURE
  ].join('\n')
}

export function expiredComment(expires: string | undefined, label: string): string {
  return [
    `**DSAR expired**: Amplitude finished, but its download links expired${expires ? ` at ${expires}` : ''} before they were delivered.`,
    '',
    `Submit it again: add the “${forMarkdown(label)}” label again.`,
    '',
    SIGNATURE
  ].join('\n')
}
