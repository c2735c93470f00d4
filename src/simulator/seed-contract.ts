/**
 * Section B, the apis.io description the seed workflow follows: many `user_ids` per request,
 * 200 with a string `request_id`, statuses pending/processing/complete/failed, and a single
 * `download_url` that is present ONLY once complete (the seed's criteria depend on its absence).
 */

import type { DsarRecord, SubjectRef } from './types.js'

export type SeedCreate = { subject: SubjectRef } | { error: string }

export function parseSeedBody(body: Record<string, unknown>): SeedCreate {
  if ('userId' in body || 'amplitudeId' in body) {
    return { error: 'user_ids cannot be combined with userId or amplitudeId' }
  }
  const ids = body.user_ids
  if (!Array.isArray(ids) || ids.length === 0) {
    return { error: 'user_ids must be a non-empty array of strings' }
  }
  if (!ids.every(id => typeof id === 'string' && id.trim() !== '')) {
    return { error: 'user_ids must contain non-empty strings only' }
  }
  return { subject: { userIds: [...(ids as string[])] } }
}

export function seedCreatedBody(record: DsarRecord): Record<string, unknown> {
  return { request_id: String(record.requestId), status: record.status }
}

/** `downloadUrl` is given only when the request is complete and has a file. */
export function seedStatusBody(record: DsarRecord, downloadUrl?: string): Record<string, unknown> {
  const body: Record<string, unknown> = {
    request_id: String(record.requestId),
    status: record.status
  }
  if (downloadUrl !== undefined) body.download_url = downloadUrl
  return body
}
