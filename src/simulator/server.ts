/**
 * The simulator's HTTP servers: the API host (both DSAR contracts, Basic auth, the rate budget),
 * the storage host (presigned gzip downloads) and, with `outputLinksOn: 'web'`, a web-app host
 * serving the output links behind the same auth (as Amplitude's docs show them on
 * analytics.amplitude.com). Every request is logged, offered to the fault rules, then answered.
 */
import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { SlidingWindowBudget } from './budget.js'
import {
  documentedCreatedBody,
  documentedStatusBody,
  parseCreateRequest
} from './documented-contract.js'
import { FaultList } from './faults.js'
import { createGzipFileStream, measureFile, type FileInfo, type FileSpec } from './gzip-lines.js'
import { isDone, JobRegistry } from './jobs.js'
import {
  bufferReply,
  hugeJsonBody,
  jsonReply,
  sendReply,
  type Reply,
  type SendOptions,
  type StreamBody
} from './reply.js'
import { seedCreatedBody, seedStatusBody } from './seed-contract.js'
import { closeServer, listen, listenWithFallback, origin } from './listen.js'
import { ObjectStore, s3Error } from './storage.js'
import type {
  DsarRecord,
  ExpectedFile,
  FaultRule,
  RequestLogEntry,
  Simulator,
  SimulatorOptions
} from './types.js'

export const DEFAULT_API_KEY = 'sim-api-key-4f1c8e2a9b7d'
export const DEFAULT_SECRET_KEY = 'sim-secret-key-d93a61f05c2e'
export const DEFAULT_BUDGET_PER_HOUR = 14_400
export const DEFAULT_LINK_TTL_MS = 2 * 24 * 3_600_000
export const POST_COST = 8
export const GET_COST = 1

const DSAR_PATH = /^\/api\/2\/dsar\/requests(?:\/([^/]+)(?:\/outputs\/([^/]+))?)?\/?$/
const MAX_REQUEST_BODY = 1024 * 1024
const LOGGED_BODY_CHARS = 64 * 1024
// Files up to this (estimated) uncompressed size are measured before sending, so they get a
// Content-Length like S3 gives; bigger ones are streamed chunked unless already measured.
const MEASURE_BEFORE_SENDING = 16 * 1024 * 1024
const ESTIMATED_LINE_BYTES = 420
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

type HostName = 'api' | 'web' | 'storage'

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new DsarSimulator(options)
  await simulator.listen(options)
  return simulator
}

class DsarSimulator implements Simulator {
  url = ''
  storageUrl = ''
  webUrl = ''
  readonly apiKey: string
  readonly secretKey: string
  readonly basicAuth: string
  readonly log: RequestLogEntry[] = []

  private inFlight = 0
  private mostInFlight = 0
  private readonly now: () => number
  private readonly budget: SlidingWindowBudget
  private readonly jobs: JobRegistry
  private readonly store = new ObjectStore()
  private readonly faults = new FaultList()
  private readonly fileInfos = new Map<string, Promise<FileInfo>>()
  private readonly measuredSizes = new Map<string, number>()
  private readonly closing = new AbortController()
  private readonly apiServer: Server
  private readonly storageServer: Server
  private readonly webServer: Server | undefined

  constructor(private readonly options: SimulatorOptions) {
    this.now = options.now ?? Date.now
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY
    this.secretKey = options.secretKey ?? DEFAULT_SECRET_KEY
    this.basicAuth = Buffer.from(`${this.apiKey}:${this.secretKey}`).toString('base64')
    this.budget = new SlidingWindowBudget(options.budgetPerHour ?? DEFAULT_BUDGET_PER_HOUR)
    this.jobs = new JobRegistry(options.job, options.linkTtlMs ?? DEFAULT_LINK_TTL_MS)
    this.apiServer = createServer((req, res) => void this.handle(req, res, 'api'))
    this.storageServer = createServer((req, res) => void this.handle(req, res, 'storage'))
    if (options.outputLinksOn === 'web') {
      this.webServer = createServer((req, res) => void this.handle(req, res, 'web'))
    }
  }

  private servers(): Server[] {
    return [this.apiServer, this.storageServer, ...(this.webServer ? [this.webServer] : [])]
  }

  get maxInFlight(): number {
    return this.mostInFlight
  }

  async listen(options: SimulatorOptions): Promise<void> {
    const host = options.host ?? '127.0.0.1'
    this.url = origin(host, await listen(this.apiServer, host, options.port ?? 0))
    try {
      const storageHost = options.storageHost ?? '127.0.0.2'
      const storagePort = options.storagePort ?? 0
      this.storageUrl = await listenWithFallback(this.storageServer, storageHost, host, storagePort)
      if (this.webServer) {
        const webHost = options.webHost ?? '127.0.0.3'
        this.webUrl = await listenWithFallback(this.webServer, webHost, host, options.webPort ?? 0)
      }
    } catch (error) {
      await Promise.all(this.servers().map(closeServer))
      throw error
    }
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule)
  }

  clearFaults(): void {
    this.faults.clear()
  }

  requests(): DsarRecord[] {
    return this.jobs.all().map(record => structuredClone(record))
  }

  budgetRemaining(): number {
    return this.budget.remaining(this.now())
  }

  async expectedFile(requestId: string | number, n: number): Promise<ExpectedFile> {
    const record = this.jobs.get(requestId)
    if (!record) throw new Error(`no request ${requestId}`)
    if (!(Number.isInteger(n) && n >= 0 && n < record.plan.files)) {
      throw new Error(`request ${requestId} has no output ${n} (it has ${record.plan.files})`)
    }
    return { ...(await this.fileInfo(record, n)) }
  }

  async close(): Promise<void> {
    this.closing.abort()
    await Promise.all(this.servers().map(closeServer))
  }

  // -------------------------------------------------------------------------------------------
  // Request handling
  // -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse, host: HostName) {
    const started = performance.now()
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      host,
      authorization: req.headers.authorization !== undefined,
      status: 0,
      at: this.now()
    }
    this.log.push(entry)
    if (host !== 'storage') {
      this.inFlight++
      this.mostInFlight = Math.max(this.mostInFlight, this.inFlight)
    }
    const requestDone = new AbortController()
    const abort = () => requestDone.abort()
    this.closing.signal.addEventListener('abort', abort)
    res.on('close', () => {
      if (host !== 'storage') this.inFlight--
      this.closing.signal.removeEventListener('abort', abort)
      requestDone.abort()
      if (!res.headersSent) entry.status = 0
      entry.durationMs = performance.now() - started
      try {
        this.options.onLog?.(entry)
      } catch {
        // A failing observer must not take the server down.
      }
    })
    try {
      await this.respond(req, res, host, entry, requestDone.signal)
    } catch (error) {
      if (res.headersSent || res.destroyed) {
        res.destroy()
        return
      }
      entry.status = 500
      const message = error instanceof Error ? error.message : String(error)
      await sendReply(res, jsonReply(500, { error: `simulator error: ${message}` }), {
        signal: requestDone.signal
      })
    }
  }

  private async respond(
    req: IncomingMessage,
    res: ServerResponse,
    host: HostName,
    entry: RequestLogEntry,
    signal: AbortSignal
  ): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://simulator.invalid')
    const method = entry.method.toUpperCase()
    const sendOptions: SendOptions = { signal, headOnly: method === 'HEAD' }
    const send = (reply: Reply) => {
      entry.status = reply.status
      return sendReply(res, reply, sendOptions)
    }

    const body = await readBody(req)
    if (body !== undefined && body.length > 0) entry.body = body.slice(0, LOGGED_BODY_CHARS)

    const fault = this.faults.pick({ method, path: target.pathname, host })
    if (fault) {
      entry.fault = fault.type
      switch (fault.type) {
        case 'reset':
          req.socket.destroy()
          return
        case 'status':
          return send(faultStatusReply(fault.status, fault.headers, fault.body))
        case 'malformedJson':
          return send(bufferReply(200, '{"requestId": 53367, "status": "do', JSON_TYPE))
        case 'hugeBody':
          return send({ status: 200, headers: JSON_TYPE, body: hugeJsonBody(fault.bytes) })
        case 'stall':
          try {
            await sleep(fault.ms, undefined, { signal })
          } catch {
            return // the client gave up, or the simulator is closing
          }
          break
        case 'dribble':
          sendOptions.dribbleBytesPerSecond = fault.bytesPerSecond
          break
        case 'truncatedGzip':
          sendOptions.truncate = true
          break
      }
    }

    if (body === undefined) return send(jsonReply(413, { error: 'request body too large' }))
    const reply =
      host === 'storage'
        ? await this.storageReply(req, method, target)
        : this.apiReply(req, method, target.pathname, body, host)
    return send(reply)
  }

  /** The API host, or the web-app host (which serves output links only, behind the same auth). */
  private apiReply(
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
    const decision = this.budget.tryConsume(method === 'POST' ? POST_COST : GET_COST, this.now())
    if (!decision.admitted) return this.rateLimited(decision.retryAfterMs)

    if (id === undefined) return this.create(req, body)
    const record = this.jobs.get(safeDecode(id))
    if (!record) return jsonReply(404, { error: `no DSAR request ${id}` })
    return output === undefined ? this.status(record) : this.outputRedirect(record, output)
  }

  private authorized(header: string | undefined): boolean {
    const match = /^basic\s+(\S+)\s*$/i.exec(header ?? '')
    return match !== null && match[1] === this.basicAuth
  }

  private rateLimited(retryAfterMs: number): Reply {
    const setting = this.options.retryAfterSeconds
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
      const record = this.jobs.create('seed', parsed.subject, this.now())
      return jsonReply(200, seedCreatedBody(record))
    }
    const dates = { startDate: parsed.startDate, endDate: parsed.endDate }
    const record = this.jobs.create('documented', parsed.subject, this.now(), dates)
    return jsonReply(202, documentedCreatedBody(record))
  }

  private status(record: DsarRecord): Reply {
    this.jobs.poll(record, this.now())
    const done = isDone(record)
    if (record.contract === 'seed') {
      const url = done && record.plan.files > 0 ? this.presignedUrl(record, 0) : undefined
      return jsonReply(200, seedStatusBody(record, url))
    }
    const urls = done ? range(record.plan.files).map(n => this.outputUrl(record, n)) : []
    const expiresAsDate = this.options.expiresAsDate
    return jsonReply(200, documentedStatusBody(record, urls, { expiresAsDate }))
  }

  private outputUrl(record: DsarRecord, n: number): string {
    const base = this.webServer ? this.webUrl : this.url
    return `${base}/api/2/dsar/requests/${record.requestId}/outputs/${n}`
  }

  private outputRedirect(record: DsarRecord, output: string): Reply {
    const n = /^\d+$/.test(output) ? Number(output) : -1
    if (!isDone(record) || n < 0 || n >= record.plan.files) {
      return jsonReply(404, { error: `no output ${output} for request ${record.requestId}` })
    }
    record.outputRedirects++
    return { status: 302, headers: { location: this.presignedUrl(record, n) } }
  }

  private presignedUrl(record: DsarRecord, n: number): string {
    const path = this.store.objectPath(String(record.requestId), n)
    return this.store.presign(this.storageUrl, path, this.now(), record.expiresAt ?? this.now())
  }

  private async storageReply(req: IncomingMessage, method: string, target: URL): Promise<Reply> {
    if (method !== 'GET' && method !== 'HEAD') {
      return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed.')
    }
    const check = this.store.check(
      target.pathname,
      target.searchParams,
      req.headers.authorization !== undefined,
      this.now()
    )
    if (!check.ok) return check.reply
    const record = this.jobs.get(check.object.requestId)
    if (!record) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
    const n = check.object.file
    const key = fileKey(record, n)
    if (!this.measuredSizes.has(key) && estimatedSize(record) <= MEASURE_BEFORE_SENDING) {
      await this.fileInfo(record, n)
    }
    if (method === 'GET') record.storageDownloads++
    if (this.options.storageFile) return staticFileReply(this.options.storageFile)
    const spec = fileSpec(record, n)
    const body: StreamBody = {
      open: () => createGzipFileStream(spec),
      length: this.measuredSizes.get(key),
      measure: async () => (await this.fileInfo(record, n)).bytes
    }
    return {
      status: 200,
      headers: {
        'content-type': 'application/gzip',
        'x-amz-request-id': key.replace(/\W/g, '').toUpperCase()
      },
      body
    }
  }

  private fileInfo(record: DsarRecord, n: number): Promise<FileInfo> {
    const key = fileKey(record, n)
    let info = this.fileInfos.get(key)
    if (!info) {
      info = measureFile(fileSpec(record, n))
      this.fileInfos.set(key, info)
      info.then(
        measured => this.measuredSizes.set(key, measured.bytes),
        () => this.fileInfos.delete(key)
      )
    }
    return info
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function faultStatusReply(
  status: number,
  headers: Record<string, string> = {},
  body?: string
): Reply {
  const hasType = Object.keys(headers).some(name => name.toLowerCase() === 'content-type')
  if (body !== undefined) {
    return bufferReply(status, body, hasType ? headers : { ...JSON_TYPE, ...headers })
  }
  return jsonReply(status, { error: `injected fault: HTTP ${status}` }, headers)
}

/** The body as text, or undefined when it is larger than allowed. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  // Read to the end even when too large (dropping the excess): leaving the request unread would
  // tear the socket down before the 413 could be sent.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= MAX_REQUEST_BODY) chunks.push(chunk)
  }
  return size > MAX_REQUEST_BODY ? undefined : Buffer.concat(chunks).toString('utf8')
}

function fileKey(record: DsarRecord, n: number): string {
  return `${record.requestId}/${n}`
}

function fileSpec(record: DsarRecord, n: number): FileSpec {
  const day = 86_400_000
  const from = record.startDate ? Date.parse(`${record.startDate}T00:00:00Z`) : Date.UTC(2020, 0, 1)
  const to = record.endDate ? Date.parse(`${record.endDate}T00:00:00Z`) + day : Date.UTC(2021, 0, 1)
  // Like the real exports (about one file per month and project), each file covers a time slice.
  const slice = (to - from) / Math.max(1, record.plan.files)
  const subject = record.subject
  return {
    seed: fileKey(record, n),
    userIds: subject.userIds ?? (subject.userId !== undefined ? [subject.userId] : []),
    amplitudeId: subject.amplitudeId,
    fromMs: Math.floor(from + n * slice),
    toMs: Math.floor(from + (n + 1) * slice),
    lines: record.plan.linesPerFile,
    bytes: record.plan.bytesPerFile
  }
}

function estimatedSize(record: DsarRecord): number {
  return record.plan.bytesPerFile ?? record.plan.linesPerFile * ESTIMATED_LINE_BYTES
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

/** Serves a prepared file as every output (benchmarks: the generator is then not the bottleneck). */
function staticFileReply(path: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/gzip' },
    body: { open: () => createReadStream(path), length: statSync(path).size }
  }
}
