/**
 * The deletion API's routes (User Privacy API v1), on the API host beside the DSAR routes:
 * - `POST /api/2/deletions/users`: JSON `amplitude_ids` and/or `user_ids` (at most 100 in all),
 *   `requester`, `ignore_invalid_id` (the docs also spell it `ignore_invalid_ids`: both are read);
 *   an unknown id without it fails the whole request with 400 and marks nothing. Answers 200 with
 *   the jobs the ids were added to (one here: the simulator plays one project per key pair).
 * - `GET /api/2/deletions/users?start_day=&end_day=`: the project's jobs by day (at most 6 months).
 * - `DELETE /api/2/deletions/users/{amplitude_id}/{day}`: only while the job is staging, i.e. more
 *   than three days before its day; 400 after.
 * Project keys only (the org's DSAR keys get 401, as the project keys do on the DSAR routes), and
 * 1 admitted request per second per project: a call sooner than that gets 429 and counts nothing.
 */
import type { IncomingMessage } from 'node:http'
import { dayStart, type DeletionId, type DeletionJobs } from './deletions.js'
import { jsonReply, type Reply } from './reply.js'

export const DELETIONS_PATH = /^\/api\/2\/deletions\/users(?:\/([^/]+)\/([^/]+))?\/?$/
export const MAX_IDS_PER_REQUEST = 100
/** The longest job list one GET may ask for: six months. */
export const MAX_LIST_RANGE_DAYS = 184
export const DEFAULT_MIN_INTERVAL_MS = 1000

export interface DeletionRoutesContext {
  readonly jobs: DeletionJobs
  readonly now: () => number
  /** base64(api_key:secret_key) -> the project's api key. */
  readonly projects: ReadonlyMap<string, string>
  readonly minIntervalMs: number
}

export class DeletionRoutes {
  /** Per project: when its last admitted call arrived. */
  private readonly lastAdmitted = new Map<string, number>()

  constructor(private readonly context: DeletionRoutesContext) {}

  handles(pathname: string): boolean {
    return pathname.startsWith('/api/2/deletions/')
  }

  reply(req: IncomingMessage, method: string, target: URL, body: string): Reply {
    const match = DELETIONS_PATH.exec(target.pathname)
    if (!match) return jsonReply(404, { error: `no such endpoint: ${target.pathname}` })
    const [, id, day] = match
    const allowed = id === undefined ? ['GET', 'POST'] : ['DELETE']
    if (!allowed.includes(method)) {
      return jsonReply(
        405,
        { error: `method ${method} not allowed` },
        { allow: allowed.join(', ') }
      )
    }
    const project = this.project(req.headers.authorization)
    if (project === undefined) {
      return jsonReply(
        401,
        { error: 'Invalid API key or secret key for this project' },
        { 'www-authenticate': 'Basic realm="Amplitude"' }
      )
    }
    const now = this.context.now()
    const last = this.lastAdmitted.get(project)
    if (last !== undefined && now - last < this.context.minIntervalMs) {
      return jsonReply(429, { error: 'Too many requests: 1 request per second per project' })
    }
    this.lastAdmitted.set(project, now)

    if (method === 'POST') return this.create(project, body, req.headers['content-type'])
    if (method === 'GET') return this.list(project, target.searchParams)
    return this.revoke(project, decode(id), decode(day))
  }

  private project(header: string | undefined): string | undefined {
    const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '')
    return match ? this.context.projects.get(match[1]) : undefined
  }

  private create(project: string, raw: string, contentType: string | undefined): Reply {
    const parsed = parseDeletionRequest(raw, contentType)
    if ('error' in parsed) return jsonReply(400, { error: parsed.error })
    const { jobs, now } = this.context
    const invalid = jobs.invalid(parsed.ids)
    if (invalid.length > 0 && !parsed.ignoreInvalid) {
      // Nothing is marked: the whole request fails.
      return jsonReply(400, {
        error: `${invalid.length} invalid id(s); send ignore_invalid_id: true to skip them`,
        invalid_ids: invalid.map(id => ('userId' in id ? id.userId : id.amplitudeId))
      })
    }
    const valid = parsed.ids.filter(id => !invalid.includes(id))
    if (valid.length === 0) return jsonReply(200, [])
    const job = jobs.add(project, valid, parsed.requester, now())
    return jsonReply(200, [jobs.body(job, now())])
  }

  private list(project: string, query: URLSearchParams): Reply {
    const startDay = query.get('start_day') ?? ''
    const endDay = query.get('end_day') ?? ''
    const start = dayStart(startDay)
    const end = dayStart(endDay)
    if (Number.isNaN(start) || Number.isNaN(end)) {
      return jsonReply(400, { error: 'start_day and end_day are required, as YYYY-MM-DD' })
    }
    if (end < start) return jsonReply(400, { error: 'end_day is before start_day' })
    if (end - start > MAX_LIST_RANGE_DAYS * 86_400_000) {
      return jsonReply(400, { error: 'the range may span at most six months' })
    }
    const { jobs, now } = this.context
    return jsonReply(
      200,
      jobs.list(project, startDay, endDay).map(job => jobs.body(job, now()))
    )
  }

  private revoke(project: string, id: string, day: string): Reply {
    const { jobs, now } = this.context
    if (!/^\d{1,15}$/.test(id)) return jsonReply(400, { error: 'amplitude_id must be an integer' })
    if (Number.isNaN(dayStart(day))) return jsonReply(400, { error: 'day must be YYYY-MM-DD' })
    const job = jobs.find(project, day)
    if (!job) return jsonReply(404, { error: `no deletion job on ${day}` })
    if (jobs.status(job, now()) !== 'staging') {
      return jsonReply(400, {
        error: `the job of ${day} is ${jobs.status(job, now())}: ids can be revoked only until three days before its day`
      })
    }
    if (!jobs.revoke(job, Number(id))) {
      return jsonReply(404, { error: `amplitude id ${id} is not in the job of ${day}` })
    }
    return jsonReply(200, jobs.body(job, now()))
  }
}

export type DeletionRequest =
  { ids: DeletionId[]; requester: string; ignoreInvalid: boolean } | { error: string }

/** Checks a POST body: JSON object, integer amplitude_ids, string user_ids, 1..100 ids in all. */
export function parseDeletionRequest(
  raw: string,
  contentType: string | undefined
): DeletionRequest {
  if (!/\bjson\b/i.test(contentType ?? '')) return { error: 'the body must be JSON' }
  let body: unknown
  try {
    body = JSON.parse(raw)
  } catch {
    return { error: 'the body is not JSON' }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'the body must be a JSON object' }
  }
  const fields = body as Record<string, unknown>
  const amplitudeIds = fields.amplitude_ids ?? []
  const userIds = fields.user_ids ?? []
  if (!Array.isArray(amplitudeIds) || !amplitudeIds.every(isAmplitudeId)) {
    return { error: 'amplitude_ids must be an array of non-negative integers' }
  }
  if (!Array.isArray(userIds) || !userIds.every(u => typeof u === 'string' && u !== '')) {
    return { error: 'user_ids must be an array of non-empty strings' }
  }
  const count = amplitudeIds.length + userIds.length
  if (count === 0) return { error: 'no ids: send amplitude_ids and/or user_ids' }
  if (count > MAX_IDS_PER_REQUEST) {
    return { error: `at most ${MAX_IDS_PER_REQUEST} ids per request, got ${count}` }
  }
  const requester = fields.requester ?? ''
  if (typeof requester !== 'string') return { error: 'requester must be a string' }
  const ignore = fields.ignore_invalid_id ?? fields.ignore_invalid_ids ?? false
  if (typeof ignore !== 'boolean') return { error: 'ignore_invalid_id must be a boolean' }
  return {
    ids: [
      ...amplitudeIds.map(amplitudeId => ({ amplitudeId })),
      ...(userIds as string[]).map(userId => ({ userId }))
    ],
    requester,
    ignoreInvalid: ignore
  }
}

function isAmplitudeId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
