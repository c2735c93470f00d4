// Shared by the simulator-*.test.ts files (not a test file itself).
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import type { Simulator } from '../src/simulator/index.js'

export interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
}

export interface CallOptions {
  body?: unknown // objects are sent as JSON; strings as is
  auth?: string | false // the Authorization header; default the simulator's Basic credentials
  headers?: Record<string, string>
  signal?: AbortSignal
}

export async function call(
  sim: Simulator,
  method: string,
  pathOrUrl: string,
  options: CallOptions = {}
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.auth !== false) headers.authorization = options.auth ?? `Basic ${sim.basicAuth}`
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`
  const response = await fetch(url, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: options.signal
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

export const PERIOD = { startDate: '2024-01-01', endDate: '2024-03-31' }

export async function createDocumented(sim: Simulator, userId = 'user-1'): Promise<number> {
  const answer = await call(sim, 'POST', '/api/2/dsar/requests', { body: { userId, ...PERIOD } })
  expect(answer.status).toBe(202)
  return (answer.json as { requestId: number }).requestId
}

/** Polls until the status is final; returns every body seen. */
export async function pollUntilFinal(
  sim: Simulator,
  requestId: number | string,
  finals = ['done', 'failed', 'complete']
): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = []
  for (let i = 0; i < 50; i++) {
    const answer = await call(sim, 'GET', `/api/2/dsar/requests/${requestId}`)
    expect(answer.status).toBe(200)
    const body = answer.json as Record<string, unknown>
    seen.push(body)
    if (finals.includes(String(body.status))) return seen
  }
  throw new Error(`request ${requestId} never finished`)
}

/** Downloads without credentials; returns the raw bytes. */
export async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { redirect: 'manual' })
  if (response.status !== 200) throw new Error(`download answered ${response.status}`)
  return Buffer.from(await response.arrayBuffer())
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export function jsonLines(gzip: Buffer): Record<string, unknown>[] {
  return gunzipSync(gzip)
    .toString('utf8')
    .split('\n')
    .filter(line => line !== '')
    .map(line => JSON.parse(line) as Record<string, unknown>)
}

/** Waits (by polling, not by a fixed delay) until the log entry of a request is complete. */
export async function settledEntry(sim: Simulator, index: number) {
  for (let i = 0; i < 200; i++) {
    const entry = sim.log[index]
    if (entry?.durationMs !== undefined) return entry
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error(`log entry ${index} never settled`)
}
