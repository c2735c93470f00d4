/**
 * Section A, the documented Amplitude DSAR API: one subject per request (`userId` or integer
 * `amplitudeId`), required `startDate`/`endDate`, 202 with an integer `requestId`, statuses
 * staging/submitted/done/failed, and `urls` + `expires` once done.
 */

import { parseSeedBody } from './seed-contract.js'
import type { DsarRecord, SubjectRef } from './types.js'

export type CreateRequest =
  | { contract: 'documented'; subject: SubjectRef; startDate: string; endDate: string }
  | { contract: 'seed'; subject: SubjectRef }
  | { error: string }

/**
 * Validates a create body and tells the two contracts apart by its shape: `user_ids` means the
 * seed's contract, anything else is held to the documented one. Amplitude documents a JSON body,
 * but its own Python example posts form fields (under a JSON content type), and no source shows the
 * service refusing them: form fields are read as the documented fields (`amplitudeId` as digits).
 */
export function parseCreateRequest(raw: string, contentType: string | undefined): CreateRequest {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase()
  if (type === 'multipart/form-data') {
    return { error: 'the simulator does not read multipart bodies (send JSON or form fields)' }
  }
  const form = type === 'application/x-www-form-urlencoded' || looksLikeForm(raw)
  if (form && !raw.trimStart().startsWith('{')) return parseDocumentedBody(formFields(raw))
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    return { error: 'the body is neither JSON nor form fields' }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'the body must be a JSON object' }
  }
  const fields = body as Record<string, unknown>
  if ('user_ids' in fields) {
    const seed = parseSeedBody(fields)
    return 'error' in seed ? seed : { contract: 'seed', subject: seed.subject }
  }
  return parseDocumentedBody(fields)
}

/** `name=value` pairs joined by `&`, as Python's requests sends a dict given as `data=`. */
function looksLikeForm(raw: string): boolean {
  return /^[^=&\s{[]+=[^&]*(?:&[^=&]+=[^&]*)*$/.test(raw.trim())
}

function formFields(raw: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const [name, value] of new URLSearchParams(raw.trim())) {
    fields[name] = name === 'amplitudeId' && /^\d{1,15}$/.test(value) ? Number(value) : value
  }
  return fields
}

function parseDocumentedBody(body: Record<string, unknown>): CreateRequest {
  const hasUser = body.userId !== undefined && body.userId !== null
  const hasAmplitude = body.amplitudeId !== undefined && body.amplitudeId !== null
  if (hasUser === hasAmplitude) {
    return { error: 'exactly one of userId and amplitudeId is required' }
  }
  let subject: SubjectRef
  if (hasUser) {
    const userId = body.userId
    // The docs' curl example sends a number; the reference says string. Accept both.
    const valid =
      (typeof userId === 'string' && userId.trim() !== '') ||
      (typeof userId === 'number' && Number.isFinite(userId))
    if (!valid) return { error: 'userId must be a non-empty string' }
    subject = { userId: String(userId) }
  } else {
    const amplitudeId = body.amplitudeId
    if (!(
      typeof amplitudeId === 'number' &&
      Number.isSafeInteger(amplitudeId) &&
      amplitudeId >= 0
    )) {
      return { error: 'amplitudeId must be an integer' }
    }
    subject = { amplitudeId }
  }
  for (const name of ['startDate', 'endDate'] as const) {
    if (body[name] === undefined) return { error: `${name} is required` }
    if (!isIsoDay(body[name])) return { error: `${name} must be a date as YYYY-MM-DD` }
  }
  const startDate = body.startDate as string
  const endDate = body.endDate as string
  if (startDate > endDate) return { error: 'startDate must not be after endDate' }
  return { contract: 'documented', subject, startDate, endDate }
}

function isIsoDay(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

export function documentedCreatedBody(record: DsarRecord): Record<string, unknown> {
  return { requestId: record.requestId }
}

/**
 * `urls` and `expires` appear only when done, `failReason` only when failed (statuses compared
 * case-insensitively). `expires` is a date-time, or with `expiresAsDate` the bare date (the docs say
 * only "Date").
 */
export function documentedStatusBody(
  record: DsarRecord,
  urls: string[],
  options: { expiresAsDate?: boolean } = {}
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    requestId: record.requestId,
    userId: record.subject.userId ?? null,
    amplitudeId: record.subject.amplitudeId ?? null,
    startDate: record.startDate,
    endDate: record.endDate,
    status: record.status
  }
  const status = record.status.toLowerCase()
  if (status === 'failed') body.failReason = record.failReason ?? null
  if (status === 'done') {
    body.urls = urls
    const expires = new Date(record.expiresAt ?? 0).toISOString()
    body.expires = options.expiresAsDate ? expires.slice(0, 10) : expires
  }
  return body
}
