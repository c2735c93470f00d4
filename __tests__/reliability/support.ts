/**
 * Shared by the reliability suites (not a test file itself):
 * - `Report`: declares each table row as a Jest test and, when RELIABILITY_REPORT=<dir> is set, writes
 *   every row (matrix, row, what was done, what the action did, passed) to <dir>/<suite>.json for
 *   scripts/reliability-report.mjs to render as docs/reliability.md;
 * - `describeRun`: what a run did, in one line (exit code, the failure message, key outputs);
 * - `expectNoLeaks`: the check every row applies: no credential in any form in any log line, summary,
 *   output or state (except inside `::add-mask::` commands), no presigned storage URL in the log, and
 *   credentials never sent to the storage host;
 * - `startFront`: an HTTPS (or plain HTTP) front for the simulator's two hosts, for the faults the
 *   simulator cannot make itself: an https -> http redirect, an answer cut short mid-body (the
 *   connection dropped before the announced Content-Length), a chunked answer with no length.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as http from 'node:http'
import * as https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Simulator } from '../../src/simulator/index.js'
import type { ActionRun } from '../support/action-harness.js'
import { tempDir } from '../support/temp.js'

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

export interface ReportRow {
  matrix: string
  row: string
  /** What was done to the action (input, fault, document, signal). */
  did: string
  /** What the action did: exit code, the key message, outputs. */
  got: string
  passed: boolean
}

export interface RowOptions {
  /** Run alongside the suite's other concurrent rows (independent simulators, no timing bounds). */
  concurrent?: boolean
  timeoutMs?: number
}

/** Records what the action did (and, when known only then, what was done); assertions follow. */
export type Saw = (got: string, did?: string) => void

export class Report {
  private readonly rows: (ReportRow & { order: number })[] = []
  private readonly notes: string[] = []
  private declared = 0

  constructor(private readonly suite: string) {
    afterAll(() => this.write())
  }

  /** One table row, as one Jest test named after it. */
  row(
    matrix: string,
    name: string,
    did: string,
    body: (saw: Saw) => Promise<void>,
    options: RowOptions = {}
  ): void {
    const order = this.declared++
    const run = async (): Promise<void> => {
      let got = ''
      let done = did
      const saw: Saw = (text, actual) => {
        got = anonymize(text)
        if (actual !== undefined) done = anonymize(actual)
      }
      try {
        await body(saw)
      } catch (error) {
        const row = { order, matrix, row: name, did: done, got: got || failureText(error) }
        this.rows.push({ ...row, passed: false })
        throw error
      }
      this.rows.push({ order, matrix, row: name, did: done, got, passed: true })
    }
    if (options.concurrent) test.concurrent(name, run, options.timeoutMs)
    else test(name, run, options.timeoutMs)
  }

  /** A sentence printed under the matrix's table (e.g. a row kept out, and why). */
  note(text: string): void {
    this.notes.push(text)
  }

  private write(): void {
    const dir = process.env.RELIABILITY_REPORT
    if (!dir) return
    mkdirSync(dir, { recursive: true })
    const rows = [...this.rows]
      .sort((a, b) => a.order - b.order)
      .map(({ order: _order, ...row }) => row)
    const report = {
      suite: this.suite,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      // Rows the suite declared: fewer written (a filtered or aborted run) fails the report.
      declared: this.declared,
      rows,
      notes: this.notes
    }
    writeFileSync(join(dir, `${this.suite}.json`), JSON.stringify(report, null, 2) + '\n')
  }
}

/**
 * Temporary paths, ports, today's date, clock times and measured elapsed times change from run to
 * run: the report says what they are instead, so docs/reliability.md only changes when the action's
 * behaviour does. (The bounds a row checks are stated in its own words, not in these quotes.)
 */
function anonymize(text: string): string {
  const tmp = tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const today = new Date().toISOString().slice(0, 10)
  return text
    .replaceAll(today, 'TODAY')
    .replace(/TODAYT\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, 'TODAYThh:mm:ssZ')
    .replace(/\buntil \d{2}:\d{2} UTC\b/g, 'until hh:mm UTC')
    .replace(/\b(after|in) \d+(\.\d+)?(ms|s)\b/g, '$1 <elapsed>')
    .replace(new RegExp(`${tmp}/dsar-runner-[A-Za-z0-9]+/temp`, 'g'), '$$RUNNER_TEMP')
    .replace(new RegExp(`${tmp}/dsar-ws-[A-Za-z0-9]+`, 'g'), '$$GITHUB_WORKSPACE')
    .replace(new RegExp(`${tmp}/dsar-outside-[A-Za-z0-9]+`, 'g'), '/elsewhere')
    .replace(/\b(127\.0\.0\.[1-3]):\d+/g, '$1:PORT')
}

function failureText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return `test error: ${text.split('\n')[0].slice(0, 200)}`
}

// ---------------------------------------------------------------------------------------------
// Reading a run
// ---------------------------------------------------------------------------------------------

/** The text of the run's `::error::` commands, unescaped as the runner shows them. */
export function errorText(run: ActionRun): string {
  return run.lines
    .filter(line => line.startsWith('::error::'))
    .map(line => unescapeCommand(line.slice('::error::'.length)))
    .join('\n')
}

function unescapeCommand(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/** `exit 1: "<first line of the failure>"; requestId 53367; finalStatus done; 2 files`. */
export function describeRun(run: ActionRun, extra: string[] = []): string {
  const parts = [run.signal ? `killed by ${run.signal}` : `exit ${run.exitCode}`]
  const failure = errorText(run).split('\n')[0]
  if (failure) parts[0] += `: "${failure.length > 220 ? `${failure.slice(0, 220)}…` : failure}"`
  if (run.outputs.requestId) parts.push(`requestId ${run.outputs.requestId}`)
  if (run.outputs.finalStatus) parts.push(`finalStatus ${run.outputs.finalStatus}`)
  if (run.outputs.files !== undefined) {
    const files = JSON.parse(run.outputs.files) as unknown[]
    parts.push(`${files.length} file${files.length === 1 ? '' : 's'}`)
  }
  return [...parts, ...extra].join('; ')
}

/** A stack frame such as `    at run (file.js:10:5)`: the action must never print one. */
export const STACK_FRAME = /\n\s+at .*:\d+:\d+/

// ---------------------------------------------------------------------------------------------
// Leaks
// ---------------------------------------------------------------------------------------------

export interface LeakContext {
  /** The action inputs the run was given (api-key, secret-key and basic-auth are read). */
  inputs: Record<string, string>
  sim?: Simulator
  front?: Front
}

/** Every spelling of a credential a log line could carry: raw, base64, base64url, URL-encoded. */
export function credentialForms(inputs: Record<string, string>): string[] {
  const forms = new Set<string>()
  const add = (value: string): void => {
    if (value.length < 6) return // a value this short would match ordinary text
    for (const form of [value, encodeURIComponent(value)]) forms.add(form)
  }
  const addEncodings = (value: string): void => {
    add(value)
    const standard = Buffer.from(value).toString('base64')
    const urlSafe = Buffer.from(value).toString('base64url')
    for (const form of [standard, standard.replace(/=+$/, ''), urlSafe]) add(form)
  }
  const apiKey = inputs['api-key'] ?? ''
  const secretKey = inputs['secret-key'] ?? ''
  addEncodings(apiKey)
  addEncodings(secretKey)
  if (apiKey && secretKey) addEncodings(`${apiKey}:${secretKey}`)
  const basicAuth = inputs['basic-auth'] ?? ''
  if (basicAuth) {
    add(basicAuth)
    const pair = Buffer.from(basicAuth.replace(/^basic\s+/i, ''), 'base64').toString('utf8')
    const colon = pair.indexOf(':')
    if (colon > 0) {
      addEncodings(pair)
      addEncodings(pair.slice(0, colon))
      addEncodings(pair.slice(colon + 1))
    }
  }
  return [...forms]
}

/**
 * The values the run must have registered with `::add-mask::` before the runner can hide them: each
 * credential raw and percent-encoded, the Basic token of the key pair in its base64, unpadded and
 * base64url spellings, the `basic-auth` input as given, and the GitHub token. Written here from the
 * inputs, not taken from src/, so a run that masks less fails.
 */
export function expectedMasks(inputs: Record<string, string>): string[] {
  const forms = new Set<string>()
  const add = (value: string): void => {
    if (value === '') return
    forms.add(value)
    forms.add(encodeURIComponent(value))
  }
  const addPair = (apiKey: string, secretKey: string): void => {
    add(apiKey)
    add(secretKey)
    const token = Buffer.from(`${apiKey}:${secretKey}`).toString('base64')
    for (const form of [token, token.replace(/=+$/, '')]) add(form)
    add(Buffer.from(`${apiKey}:${secretKey}`).toString('base64url'))
  }
  const apiKey = inputs['api-key'] ?? ''
  const secretKey = inputs['secret-key'] ?? ''
  if (apiKey && secretKey) addPair(apiKey, secretKey)
  const basicAuth = inputs['basic-auth'] ?? ''
  if (basicAuth) {
    add(basicAuth)
    const pair = Buffer.from(basicAuth.replace(/^basic\s+/i, ''), 'base64').toString('utf8')
    const colon = pair.indexOf(':')
    if (colon > 0) addPair(pair.slice(0, colon), pair.slice(colon + 1))
  }
  const githubToken = inputs['github-token'] ?? ''
  if (githubToken) forms.add(githubToken)
  return [...forms]
}

/** The values the run registered with `::add-mask::` (unescaped as the runner reads them). */
export function registeredMasks(run: ActionRun): Set<string> {
  return new Set(
    run.lines
      .filter(line => line.startsWith('::add-mask::'))
      .map(line => unescapeCommand(line.slice('::add-mask::'.length)))
  )
}

/** Every form of every credential was registered as a mask (the runner hides only those). */
export function expectMasked(run: ActionRun, inputs: Record<string, string>): void {
  const masks = registeredMasks(run)
  const expected = expectedMasks(inputs)
  expect(expected.length).toBeGreaterThan(0)
  expect(expected.filter(form => !masks.has(form))).toEqual([])
}

/** Everything a run shows, except the mask registrations the runner never displays. */
export function visibleText(run: ActionRun): string {
  const logs = run.lines.filter(line => !line.startsWith('::add-mask::'))
  return [...logs, run.summary, run.state, ...Object.values(run.outputs)].join('\n')
}

export function expectNoLeaks(run: ActionRun, context: LeakContext): void {
  const visible = visibleText(run)
  const leaked = credentialForms(context.inputs).filter(form => visible.includes(form))
  expect(leaked).toEqual([])
  const logs = run.lines.filter(line => !line.startsWith('::add-mask::')).join('\n')
  expect(logs).not.toMatch(/X-Amz-Signature/i)
  const storageOrigins = [context.sim?.storageUrl, context.front?.storageUrl].filter(Boolean)
  for (const origin of storageOrigins) expect(logs).not.toContain(origin)
  // Credentials go to the API host only.
  const storageWithAuth = [
    ...(context.sim?.log ?? []).filter(e => e.host === 'storage' && e.authorization),
    ...(context.front?.log ?? []).filter(e => e.host === 'storage' && e.authorization)
  ]
  expect(storageWithAuth).toEqual([])
}

// ---------------------------------------------------------------------------------------------
// The front: TLS, downgrades, answers cut short
// ---------------------------------------------------------------------------------------------

export interface FrontRequest {
  host: 'api' | 'storage'
  method: string
  /** Path without the query. */
  path: string
}

export interface FrontOptions {
  /** HTTPS with a throwaway certificate for 127.0.0.1 and 127.0.0.2 (see `frontEnv`). */
  tls: boolean
  /** Answer with a redirect to the simulator's plain-http URL of the same resource (a downgrade). */
  downgrade?: (request: FrontRequest) => boolean
  /** Announce the whole Content-Length, send half the body, then drop the connection. */
  cutShort?: (request: FrontRequest) => boolean
  /** Send the answer chunked, without a Content-Length. */
  chunked?: (request: FrontRequest) => boolean
}

export interface FrontLogEntry extends FrontRequest {
  authorization: boolean
  status: number
  /** What the front did instead of passing the answer through unchanged. */
  fault?: 'downgrade' | 'cutShort' | 'chunked'
}

export interface Front {
  /** The API origin to give the action (`api-url`). */
  url: string
  storageUrl: string
  log: FrontLogEntry[]
  /** Environment the action needs to trust the front's certificate. */
  env: Record<string, string>
  close(): Promise<void>
}

let certificate: { key: string; cert: string; certPath: string } | undefined

/** A throwaway self-signed certificate (openssl), made once per test process. */
export function testCertificate(): { key: string; cert: string; certPath: string } {
  if (certificate) return certificate
  const dir = tempDir('dsar-tls-')
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=dsar-reliability'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2'],
      ...['-addext', 'basicConstraints=critical,CA:TRUE']
    ],
    { stdio: 'ignore' }
  )
  certificate = {
    key: readFileSync(keyPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    certPath
  }
  return certificate
}

export async function startFront(sim: Simulator, options: FrontOptions): Promise<Front> {
  const log: FrontLogEntry[] = []
  const scheme = options.tls ? 'https' : 'http'
  const tls = options.tls ? testCertificate() : undefined
  const origins = { api: '', storage: '' }
  const rewrite = (text: string): string =>
    text.split(sim.url).join(origins.api).split(sim.storageUrl).join(origins.storage)

  const handler =
    (host: 'api' | 'storage') =>
    async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
      const path = (req.url ?? '/').split('?')[0]
      const request: FrontRequest = { host, method: req.method ?? 'GET', path }
      const entry: FrontLogEntry = {
        ...request,
        authorization: req.headers.authorization !== undefined,
        status: 0
      }
      log.push(entry)
      const body = await readAll(req)
      const target = host === 'api' ? sim.url : sim.storageUrl
      if (options.downgrade?.(request)) {
        entry.fault = 'downgrade'
        entry.status = 302
        res.writeHead(302, { location: `${target}${req.url ?? '/'}`, 'content-length': '0' })
        res.end()
        return
      }
      const answer = await forward(`${target}${req.url ?? '/'}`, req, body)
      const headers = { ...answer.headers }
      delete headers['transfer-encoding']
      delete headers.connection
      if (typeof headers.location === 'string') headers.location = rewrite(headers.location)
      let payload = answer.body
      if (/json/i.test(String(headers['content-type'] ?? ''))) {
        payload = Buffer.from(rewrite(payload.toString('utf8')))
      }
      entry.status = answer.status
      if (options.cutShort?.(request) && payload.length > 1) {
        entry.fault = 'cutShort'
        res.writeHead(answer.status, { ...headers, 'content-length': String(payload.length) })
        res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.destroy())
        return
      }
      if (options.chunked?.(request)) {
        entry.fault = 'chunked'
        delete headers['content-length']
        res.writeHead(answer.status, headers)
        for (let at = 0; at < payload.length; at += 64 * 1024) {
          if (!res.write(payload.subarray(at, at + 64 * 1024))) await drained(res)
          if (res.destroyed) return
        }
        res.end()
        return
      }
      res.writeHead(answer.status, { ...headers, 'content-length': String(payload.length) })
      res.end(payload)
    }

  const create = (host: 'api' | 'storage'): http.Server => {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      handler(host)(req, res).catch(() => res.destroy())
    }
    return tls
      ? https.createServer({ key: tls.key, cert: tls.cert }, listener)
      : http.createServer(listener)
  }
  const apiServer = create('api')
  const storageServer = create('storage')
  origins.api = `${scheme}://127.0.0.1:${await listen(apiServer, '127.0.0.1')}`
  const storageHost = new URL(sim.storageUrl).hostname
  origins.storage = `${scheme}://${storageHost}:${await listen(storageServer, storageHost)}`
  return {
    url: origins.api,
    storageUrl: origins.storage,
    log,
    env: tls ? { NODE_EXTRA_CA_CERTS: tls.certPath } : {},
    close: async () => {
      await Promise.all([closeServer(apiServer), closeServer(storageServer)])
    }
  }
}

interface Answer {
  status: number
  headers: http.OutgoingHttpHeaders
  body: Buffer
}

function forward(url: string, req: http.IncomingMessage, body: Buffer): Promise<Answer> {
  const headers = { ...req.headers }
  delete headers.host
  return new Promise((resolve, reject) => {
    const out = http.request(url, { method: req.method, headers, agent: false }, res => {
      readAll(res).then(
        bytes => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes }),
        reject
      )
    })
    out.on('error', reject)
    out.end(body)
  })
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

function drained(res: http.ServerResponse): Promise<void> {
  return new Promise(resolve => {
    res.once('drain', resolve)
    res.once('close', resolve)
  })
}

/** A port nothing listens on right now (to refuse a connection, then listen on it later). */
export async function freePort(): Promise<number> {
  const probe = http.createServer()
  const port = await listen(probe, '127.0.0.1')
  await closeServer(probe)
  return port
}

function listen(server: http.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : 0)
    })
  })
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
