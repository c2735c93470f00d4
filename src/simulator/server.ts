/**
 * The simulator's HTTP servers: the API host (both DSAR contracts, Basic auth, the rate budget),
 * the storage host (presigned gzip downloads) and, with `outputLinksOn: 'web'`, a web-app host
 * serving the output links behind the same auth (as Amplitude's docs show them on
 * analytics.amplitude.com). Every request is logged, offered to the fault rules, then answered:
 * by the API routes (api-routes.ts) or the output files (output-files.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiRoutes } from './api-routes.js'
import { SlidingWindowBudget } from './budget.js'
import { DEFAULT_MIN_INTERVAL_MS, DeletionRoutes } from './deletion-routes.js'
import { DeletionJobs, resolveDeletionOptions } from './deletions.js'
import { FaultList } from './faults.js'
import { JobRegistry } from './jobs.js'
import { OutputFiles } from './output-files.js'
import {
  bufferReply,
  hugeJsonBody,
  jsonReply,
  sendReply,
  type Reply,
  type SendOptions
} from './reply.js'
import { closeServer, listen, listenWithFallback, origin } from './listen.js'
import type {
  DeletionJob,
  DsarRecord,
  ExpectedFile,
  FaultRule,
  RequestLogEntry,
  Simulator,
  SimulatorOptions
} from './types.js'

export const DEFAULT_API_KEY = 'sim-api-key-4f1c8e2a9b7d'
export const DEFAULT_SECRET_KEY = 'sim-secret-key-d93a61f05c2e'
/** The deletion API's default project keys (a project's, not the org's DSAR keys). */
export const DEFAULT_ERASURE_API_KEY = 'sim-project-key-7a21c4e9d0b3'
export const DEFAULT_ERASURE_SECRET_KEY = 'sim-project-secret-5e8f2b6c1a94'
export const DEFAULT_BUDGET_PER_HOUR = 14_400
export const DEFAULT_LINK_TTL_MS = 2 * 24 * 3_600_000

const MAX_REQUEST_BODY = 1024 * 1024
const LOGGED_BODY_CHARS = 64 * 1024
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
  readonly erasureApiKey: string
  readonly erasureSecretKey: string
  readonly erasureBasicAuth: string
  readonly log: RequestLogEntry[] = []

  private inFlight = 0
  private mostInFlight = 0
  private readonly now: () => number
  private readonly budget: SlidingWindowBudget
  private readonly jobs: JobRegistry
  private readonly outputs: OutputFiles
  private readonly routes: ApiRoutes
  private readonly deletionJobsStore: DeletionJobs
  private readonly deletions: DeletionRoutes
  private readonly faults = new FaultList()
  private readonly closing = new AbortController()
  private readonly apiServer: Server
  private readonly storageServer: Server
  private readonly webServer: Server | undefined

  constructor(private readonly options: SimulatorOptions) {
    this.now = options.now ?? Date.now
    this.apiKey = options.apiKey ?? DEFAULT_API_KEY
    this.secretKey = options.secretKey ?? DEFAULT_SECRET_KEY
    this.basicAuth = basic(this.apiKey, this.secretKey)
    this.budget = new SlidingWindowBudget(options.budgetPerHour ?? DEFAULT_BUDGET_PER_HOUR)
    this.jobs = new JobRegistry(options.job, options.linkTtlMs ?? DEFAULT_LINK_TTL_MS)
    this.outputs = new OutputFiles(this.jobs, this.now, options.storageFile)
    this.routes = new ApiRoutes({
      jobs: this.jobs,
      budget: this.budget,
      now: this.now,
      basicAuth: this.basicAuth,
      options,
      presignedUrl: (record, n) => this.outputs.presignedUrl(this.storageUrl, record, n),
      outputLinkBase: () => (this.webServer ? this.webUrl : this.url)
    })
    const deletionOptions = options.deletions ?? {}
    const projects = deletionOptions.projects ?? [
      { apiKey: DEFAULT_ERASURE_API_KEY, secretKey: DEFAULT_ERASURE_SECRET_KEY }
    ]
    if (projects.length === 0) throw new RangeError('deletions.projects must not be empty')
    this.erasureApiKey = projects[0].apiKey
    this.erasureSecretKey = projects[0].secretKey
    this.erasureBasicAuth = basic(this.erasureApiKey, this.erasureSecretKey)
    this.deletionJobsStore = new DeletionJobs(resolveDeletionOptions(deletionOptions))
    this.deletions = new DeletionRoutes({
      jobs: this.deletionJobsStore,
      now: this.now,
      projects: new Map(projects.map(p => [basic(p.apiKey, p.secretKey), p.apiKey])),
      minIntervalMs: deletionOptions.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS
    })
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

  get faultsInjected(): number {
    return this.faults.injected
  }

  unfiredFaults(): FaultRule[] {
    return this.faults.unfired()
  }

  requests(): DsarRecord[] {
    return this.jobs.all().map(record => structuredClone(record))
  }

  budgetRemaining(): number {
    return this.budget.remaining(this.now())
  }

  deletionJobs(): DeletionJob[] {
    return this.deletionJobsStore.snapshots(this.now())
  }

  async expectedFile(requestId: string | number, n: number): Promise<ExpectedFile> {
    const record = this.jobs.get(requestId)
    if (!record) throw new Error(`no request ${requestId}`)
    if (!(Number.isInteger(n) && n >= 0 && n < record.plan.files)) {
      throw new Error(`request ${requestId} has no output ${n} (it has ${record.plan.files})`)
    }
    return { ...(await this.outputs.fileInfo(record, n)) }
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
          if (fault.afterHandling) break
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
        ? await this.outputs.reply(req, method, target)
        : host === 'api' && this.deletions.handles(target.pathname)
          ? this.deletions.reply(req, method, target, body)
          : this.routes.reply(req, method, target.pathname, body, host)
    if (fault?.type === 'reset') {
      entry.status = reply.status
      req.socket.destroy()
      return
    }
    return send(reply)
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function basic(apiKey: string, secretKey: string): string {
  return Buffer.from(`${apiKey}:${secretKey}`).toString('base64')
}

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
