/**
 * The API host's routes (and the web-app host's, which serves output links only, behind the same
 * auth): Basic auth, the rate budget with its per-call costs, creating a DSAR in either contract,
 * its status, and the redirect from an output link to its presigned storage URL.
 */
import type { IncomingMessage } from 'node:http'
import type { SlidingWindowBudget } from './budget.js'
import {
  documentedCreatedBody,
  documentedStatusBody,
  parseCreateRequest
} from './documented-contract.js'
import { isDone, type JobRegistry } from './jobs.js'
import { jsonReply, type Reply } from './reply.js'
import { seedCreatedBody, seedStatusBody } from './seed-contract.js'
import type { DsarRecord, SimulatorOptions } from './types.js'

export const POST_COST = 8
export const GET_COST = 1

const DSAR_PATH = /^\/api\/2\/dsar\/requests(?:\/([^/]+)(?:\/outputs\/([^/]+))?)?\/?$/

export interface ApiRoutesContext {
  readonly jobs: JobRegistry
  readonly budget: SlidingWindowBudget
  readonly now: () => number
  readonly basicAuth: string
  readonly options: SimulatorOptions
  /** The presigned storage URL of output `n` (known only once the storage host listens). */
  presignedUrl(record: DsarRecord, n: number): string
  /** Where output links point: the web-app host when there is one, else the API host. */
  outputLinkBase(): string
}

export class ApiRoutes {
  constructor(private readonly context: ApiRoutesContext) {}
  /** The API host, or the web-app host (which serves output links only, behind the same auth). */
  reply(
    req: IncomingMessage,
    method: string,
    pathname: string,
    body: string,
    host: 'api' | 'web'
  ): Reply {
    const match = DSAR_PATH.exec(pathname)
    if (!match || (host === 'web' && match[2] === undefined)) {
      return jsonReply(404, { error: `no such endpoint: ${pathname}` })
    }
    const [, id, output] = match
    const allowed = id === undefined ? 'POST' : 'GET'
    if (method !== allowed) {
      return jsonReply(405, { error: `method ${method} not allowed` }, { allow: allowed })
    }
    if (!this.authorized(req.headers.authorization)) {
      return jsonReply(
        401,
        { error: 'Invalid API key or secret key' },
        { 'www-authenticate': 'Basic realm="Amplitude"' }
      )
    }
    const decision = this.context.budget.tryConsume(
      method === 'POST' ? POST_COST : GET_COST,
      this.context.now()
    )
    if (!decision.admitted) return this.rateLimited(decision.retryAfterMs)

    if (id === undefined) return this.create(req, body)
    const record = this.context.jobs.get(safeDecode(id))
    if (!record) return jsonReply(404, { error: `no DSAR request ${id}` })
    return output === undefined ? this.status(record) : this.outputRedirect(record, output)
  }

  private authorized(header: string | undefined): boolean {
    const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '')
    return match !== null && match[1] === this.context.basicAuth
  }

  private rateLimited(retryAfterMs: number): Reply {
    const setting = this.context.options.retryAfterSeconds
    const headers: Record<string, string> = {}
    if (typeof setting === 'number') headers['retry-after'] = String(setting)
    if (setting === 'window') {
      headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)))
    }
    return jsonReply(429, { error: 'Too many requests: DSAR cost budget exceeded' }, headers)
  }

  private create(req: IncomingMessage, body: string): Reply {
    const parsed = parseCreateRequest(body, req.headers['content-type'])
    if ('error' in parsed) return jsonReply(400, { error: parsed.error })
    if (parsed.contract === 'seed') {
      const record = this.context.jobs.create('seed', parsed.subject, this.context.now())
      return jsonReply(200, seedCreatedBody(record))
    }
    const dates = { startDate: parsed.startDate, endDate: parsed.endDate }
    const record = this.context.jobs.create('documented', parsed.subject, this.context.now(), dates)
    return jsonReply(202, documentedCreatedBody(record))
  }

  private status(record: DsarRecord): Reply {
    this.context.jobs.poll(record, this.context.now())
    const done = isDone(record)
    if (record.contract === 'seed') {
      const url = done && record.plan.files > 0 ? this.context.presignedUrl(record, 0) : undefined
      return jsonReply(200, seedStatusBody(record, url))
    }
    const urls = done ? range(record.plan.files).map(n => this.outputUrl(record, n)) : []
    const expiresAsDate = this.context.options.expiresAsDate
    return jsonReply(200, documentedStatusBody(record, urls, { expiresAsDate }))
  }

  private outputUrl(record: DsarRecord, n: number): string {
    return `${this.context.outputLinkBase()}/api/2/dsar/requests/${record.requestId}/outputs/${n}`
  }

  private outputRedirect(record: DsarRecord, output: string): Reply {
    const n = /^\d+$/.test(output) ? Number(output) : -1
    if (!isDone(record) || n < 0 || n >= record.plan.files) {
      return jsonReply(404, { error: `no output ${output} for request ${record.requestId}` })
    }
    record.outputRedirects++
    return { status: 302, headers: { location: this.context.presignedUrl(record, n) } }
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
