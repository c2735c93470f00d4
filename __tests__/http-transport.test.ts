import * as http from 'node:http'
import * as https from 'node:https'
import type { AddressInfo } from 'node:net'
import { VirtualClock } from '../src/arazzo/pacing.js'
import { BudgetPacer } from '../src/run/budget.js'
import {
  createActionTransport,
  TransportError,
  type TransportOptions
} from '../src/run/http-transport.js'
import { EventClock } from '../bench/event-clock.js'
import { freePort, testCertificate } from './reliability/support.js'

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

let server: http.Server
let origin: string
let handlers: Handler[] = []
let seen: { method: string; url: string; auth?: string }[] = []
let inFlight = 0
let mostInFlight = 0

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization })
    inFlight++
    mostInFlight = Math.max(mostInFlight, inFlight)
    res.on('close', () => inFlight--)
    const handler = handlers.shift() ?? ((_q, r) => json(r, 200, { status: 'done' }))
    req.resume()
    req.on('end', () => handler(req, res))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})
beforeEach(() => {
  handlers = []
  seen = []
  mostInFlight = 0
})

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

function make(overrides: Partial<TransportOptions> = {}) {
  const clock = new VirtualClock(0)
  const pacer = new BudgetPacer({ limitPerHour: 7200, clock })
  const retries: string[] = []
  const made = createActionTransport({
    apiOrigin: origin,
    clock,
    pacer,
    maxConcurrency: 4,
    random: () => 0.5,
    requestTimeoutMs: 2_000,
    onRetry: n => retries.push(`${n.reason}@${n.attempt}:${n.delayMs}`),
    ...overrides
  })
  return { ...made, clock, pacer, retries }
}

const signal = new AbortController().signal
const get = (path = '/api/2/dsar/requests/1') => ({
  method: 'GET',
  url: origin + path,
  headers: {}
})

test('returns parsed JSON with lower-cased headers', async () => {
  handlers.push((_q, r) => json(r, 200, { status: 'submitted' }, { 'X-Thing': 'a' }))
  const { transport, stats } = make()
  const response = await transport(get(), signal)
  expect(response).toMatchObject({ status: 200, body: { status: 'submitted' } })
  expect(response.headers['x-thing']).toBe('a')
  expect(stats).toMatchObject({ requests: 1, retries: 0, cost: 1 })
})

test('refuses any origin but the API, sending nothing', async () => {
  const { transport } = make()
  const request = {
    method: 'GET',
    url: 'http://127.0.0.2:9/steal',
    headers: { authorization: 'Basic x' }
  }
  await expect(transport(request, signal)).rejects.toMatchObject({ kind: 'policy' })
  expect(seen).toHaveLength(0)
})

test('retries transient 503s on a GET with growing back-off', async () => {
  handlers.push(
    (_q, r) => json(r, 503, {}),
    (_q, r) => json(r, 503, {})
  )
  const { transport, clock, retries } = make()
  const response = await transport(get(), signal)
  expect(response.status).toBe(200)
  expect(seen).toHaveLength(3)
  expect(retries).toEqual(['HTTP 503@1:750', 'HTTP 503@2:1500'])
  expect(clock.totalSlept).toBe(2250)
})

test('honours Retry-After on a 429 and pauses the shared budget', async () => {
  handlers.push((_q, r) => json(r, 429, {}, { 'Retry-After': '7' }))
  const { transport, clock } = make()
  await transport(get(), signal)
  expect(seen).toHaveLength(2)
  expect(clock.totalSlept).toBeGreaterThanOrEqual(7_000)
})

test('retries a POST on 429 and 503, never on 500 (it may have been taken)', async () => {
  handlers.push(
    (_q, r) => json(r, 503, {}),
    (_q, r) => json(r, 202, { requestId: 5 })
  )
  const { transport, stats } = make()
  const post = { method: 'POST', url: origin + '/api/2/dsar/requests', headers: {}, body: '{}' }
  await expect(transport(post, signal)).resolves.toMatchObject({ status: 202 })
  expect(stats.cost).toBe(16)
  handlers.push((_q, r) => json(r, 500, {}))
  await expect(transport(post, signal)).rejects.toMatchObject({ kind: 'status', status: 500 })
})

test('a connection reset on a GET is survived; on a POST it is not repeated', async () => {
  handlers.push(req => req.socket.destroy())
  const { transport } = make()
  await expect(transport(get(), signal)).resolves.toMatchObject({ status: 200 })
  handlers.push(req => req.socket.destroy())
  const post = { method: 'POST', url: origin + '/api/2/dsar/requests', headers: {}, body: '{}' }
  await expect(transport(post, signal)).rejects.toThrow(/not repeated/)
})

test('a stall past the per-request timeout is retried', async () => {
  handlers.push(() => undefined) // never answers
  const { transport } = make({ requestTimeoutMs: 200 })
  await expect(transport(get(), signal)).resolves.toMatchObject({ status: 200 })
  expect(seen).toHaveLength(2)
})

test('401 and 403 are refused credentials, at once', async () => {
  for (const status of [401, 403]) {
    handlers.push((_q, r) => json(r, status, { error: 'no' }))
    const { transport } = make()
    seen = []
    await expect(transport(get(), signal)).rejects.toMatchObject({ kind: 'auth', status })
    expect(seen).toHaveLength(1)
  }
})

test('malformed JSON is a permanent, clear error', async () => {
  handlers.push((_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json' })
    r.end('{"status": "do')
  })
  const { transport } = make()
  const error = await transport(get(), signal).catch(e => e)
  expect(error).toBeInstanceOf(TransportError)
  expect(error.message).toMatch(
    /HTTP 200 from GET \/api\/2\/dsar\/requests\/1 had a malformed JSON body/
  )
  expect(seen).toHaveLength(1)
})

test('a body over the size cap is refused, declared or streamed', async () => {
  handlers.push((_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5_000_000) })
    r.write('{"a":"')
    r.end()
  })
  handlers.push((_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json' })
    const chunk = 'x'.repeat(64 * 1024)
    let sent = 0
    const pump = (): void => {
      while (sent < 100 && r.write(chunk)) sent++
      if (sent < 100) r.once('drain', pump)
      else r.end()
    }
    pump()
  })
  const { transport } = make({ maxBodyBytes: 1024 * 1024 })
  await expect(transport(get(), signal)).rejects.toMatchObject({ kind: 'tooLarge' })
  await expect(transport(get(), signal)).rejects.toMatchObject({ kind: 'tooLarge' })
})

test('gives up after maxAttempts with the last reason', async () => {
  for (let i = 0; i < 3; i++) handlers.push((_q, r) => json(r, 502, {}))
  const { transport } = make({ maxAttempts: 3 })
  await expect(transport(get(), signal)).rejects.toThrow(
    /still failing after 3 attempts \(last: HTTP 502\)/
  )
})

test('keeps at most maxConcurrency requests in flight', async () => {
  for (let i = 0; i < 12; i++) handlers.push((_q, r) => setTimeout(() => json(r, 200, { i }), 30))
  const { transport } = make({ maxConcurrency: 2 })
  await Promise.all(Array.from({ length: 12 }, () => transport(get(), signal)))
  expect(seen).toHaveLength(12)
  expect(mostInFlight).toBe(2)
})

test('an abort stops an in-flight request', async () => {
  handlers.push(() => undefined)
  const { transport } = make({ requestTimeoutMs: 10_000 })
  const abort = new AbortController()
  setTimeout(() => abort.abort(new Error('cancelled')), 50)
  await expect(transport(get(), abort.signal)).rejects.toThrow('cancelled')
})

test('a budget wait that would end past the deadline fails at once as a deadline error', async () => {
  const clock = new VirtualClock(0)
  const pacer = new BudgetPacer({ limitPerHour: 7200, clock })
  for (let i = 0; i < 45; i++) await pacer.acquire(8)
  const { transport } = createActionTransport({
    apiOrigin: origin,
    clock,
    pacer,
    maxConcurrency: 1,
    deadline: 1_000
  })
  const post = { method: 'POST', url: origin + '/api/2/dsar/requests', headers: {}, body: '{}' }
  await expect(transport(post, signal)).rejects.toMatchObject({ kind: 'deadline' })
  expect(seen).toHaveLength(0)
  expect(clock.sleeps).toEqual([])
})

describe('patience with the shared budget (429)', () => {
  test('ten 429s without Retry-After are waited out (beyond maxAttempts), back-off capped', async () => {
    for (let i = 0; i < 10; i++) handlers.push((_q, r) => json(r, 429, {}))
    const { transport, clock, retries } = make({ maxAttempts: 3, rateLimitMaxMs: 60_000 })
    await expect(transport(get(), signal)).resolves.toMatchObject({ status: 200 })
    expect(seen).toHaveLength(11)
    // random() = 0.5: three quarters of min(cap, 1 s * 2^(n-1)).
    expect(clock.sleeps).toEqual([
      750, 1500, 3000, 6000, 12_000, 24_000, 45_000, 45_000, 45_000, 45_000
    ])
    expect(retries[0]).toBe('HTTP 429@1:750')
  })

  test('the default cap is a few minutes, not more', async () => {
    for (let i = 0; i < 12; i++) handlers.push((_q, r) => json(r, 429, {}))
    const { transport, clock } = make()
    await transport(get(), signal)
    expect(Math.max(...clock.sleeps)).toBe(0.75 * 5 * 60_000)
  })

  test('a POST answered 429 twelve times is sent again until it is taken, once', async () => {
    for (let i = 0; i < 12; i++) handlers.push((_q, r) => json(r, 429, {}))
    handlers.push((_q, r) => json(r, 202, { requestId: 7 }))
    const { transport } = make({ deadline: 3_600_000 })
    const post = { method: 'POST', url: origin + '/api/2/dsar/requests', headers: {}, body: '{}' }
    await expect(transport(post, signal)).resolves.toMatchObject({ status: 202 })
    expect(seen.filter(s => s.method === 'POST')).toHaveLength(13)
  })

  test('429s are retried until the deadline, then fail as a timeout, not as "gave up"', async () => {
    for (let i = 0; i < 50; i++) handlers.push((_q, r) => json(r, 429, {}))
    const { transport, clock } = make({ deadline: 60_000 })
    const error = await transport(get(), signal).catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'deadline' })
    expect((error as Error).message).toMatch(
      /last: HTTP 429\); the next attempt, in \d+ s, would come after the timeout/
    )
    // 750 + 1500 + ... + 24 000 = 47 250 ms; the next wait (48 s) would end past 60 s.
    expect(clock.totalSlept).toBe(47_250)
    expect(seen).toHaveLength(7)
  })

  test('a 429 pauses the whole run: another request waits until the same moment', async () => {
    // Concurrent waits need a clock that orders timers (VirtualClock adds every sleep up).
    const clock = new EventClock(0)
    const pacer = new BudgetPacer({ limitPerHour: 7200, clock })
    const sent: string[] = []
    let first = true
    let other: Promise<unknown> | undefined
    const { transport } = createActionTransport({
      apiOrigin: origin,
      clock,
      pacer,
      maxConcurrency: 4,
      random: () => 0.5,
      send: async request => {
        sent.push(`${new URL(request.url).pathname}@${clock.now()}`)
        if (request.url.endsWith('/a') && first) {
          first = false
          return { status: 429, headers: {}, body: undefined }
        }
        return { status: 200, headers: {}, body: { status: 'staging' } }
      },
      // The 429 has been seen (and the pause set) when the retry is announced: start another request.
      onRetry: () => {
        other = transport(get('/b'), signal)
      }
    })
    const done = transport(get('/a'), signal)
    await clock.run()
    await done
    await other
    expect(sent).toEqual(['/a@0', '/b@750', '/a@750'])
  })
})

describe('a POST that never reached the server', () => {
  test('a refused connection is retried; the POST then arrives exactly once', async () => {
    const port = await freePort()
    const posts: string[] = []
    const late = http.createServer((req, res) => {
      posts.push(req.method ?? '')
      req.resume()
      req.on('end', () => json(res, 202, { requestId: 9 }))
    })
    const clock = new VirtualClock(0)
    // The server starts listening while the transport waits to try again.
    const sleep = clock.sleep.bind(clock)
    clock.sleep = async (ms, s) => {
      if (!late.listening) await new Promise<void>(r => late.listen(port, '127.0.0.1', r))
      return sleep(ms, s)
    }
    const lateOrigin = `http://127.0.0.1:${port}`
    const retries: string[] = []
    const { transport } = createActionTransport({
      apiOrigin: lateOrigin,
      clock,
      pacer: new BudgetPacer({ limitPerHour: 7200, clock }),
      maxConcurrency: 1,
      random: () => 0.5,
      onRetry: n => retries.push(n.reason)
    })
    try {
      const post = {
        method: 'POST',
        url: `${lateOrigin}/api/2/dsar/requests`,
        headers: {},
        body: '{}'
      }
      await expect(transport(post, signal)).resolves.toMatchObject({ status: 202 })
      expect(posts).toEqual(['POST'])
      expect(retries).toHaveLength(1)
      expect(retries[0]).toMatch(/^ECONNREFUSED: .*\(the request never reached the server\)$/)
    } finally {
      late.closeAllConnections()
      await new Promise(r => late.close(r))
    }
  })

  test('a TLS failure before the request was written is retried, and nothing reaches the server', async () => {
    const { key, cert } = testCertificate()
    let requests = 0
    const tls = https.createServer({ key, cert }, (_req, res) => {
      requests++
      res.end()
    })
    await new Promise<void>(r => tls.listen(0, '127.0.0.1', r))
    const tlsOrigin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`
    try {
      // The certificate is not trusted here (no NODE_EXTRA_CA_CERTS): every handshake fails.
      const { transport, stats } = make({ apiOrigin: tlsOrigin, maxAttempts: 3 })
      const post = {
        method: 'POST',
        url: `${tlsOrigin}/api/2/dsar/requests`,
        headers: {},
        body: '{}'
      }
      const error = await transport(post, signal).catch((e: unknown) => e)
      expect((error as Error).message).toMatch(
        /POST \/api\/2\/dsar\/requests still failing after 3 attempts \(last: .*the request never reached the server\)/
      )
      expect(stats.requests).toBe(3)
      expect(requests).toBe(0)
    } finally {
      tls.closeAllConnections()
      await new Promise(r => tls.close(r))
    }
  })

  test('a reset after the request was written is not repeated', async () => {
    handlers.push(req => req.socket.destroy())
    const { transport, retries } = make()
    const post = { method: 'POST', url: origin + '/api/2/dsar/requests', headers: {}, body: '{}' }
    await expect(transport(post, signal)).rejects.toThrow(
      /POST \/api\/2\/dsar\/requests failed \(ECONNRESET.*\); not repeated/
    )
    expect(seen.filter(s => s.method === 'POST')).toHaveLength(1)
    expect(retries).toEqual([])
  })
})

test('a request in flight is cut at the deadline, not at the per-request timeout', async () => {
  // The server never answers; the per-request timeout is 30 s, the run's deadline 200 ms away.
  handlers.push(() => undefined)
  const clock = {
    now: () => Date.now(),
    sleep: (ms: number) => new Promise<void>(r => setTimeout(r, ms))
  }
  const { transport } = createActionTransport({
    apiOrigin: origin,
    clock,
    pacer: new BudgetPacer({ limitPerHour: 7200, clock }),
    maxConcurrency: 1,
    requestTimeoutMs: 30_000,
    deadline: Date.now() + 200
  })
  const started = Date.now()
  const error = await transport(
    { method: 'GET', url: `${origin}/api/2/dsar/requests/1`, headers: {} },
    new AbortController().signal
  ).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(TransportError)
  expect((error as TransportError).kind).toBe('deadline')
  expect((error as Error).message).toBe(
    'GET /api/2/dsar/requests/1 had no answer when the timeout ran out'
  )
  // Well before the 30 s per-request timeout (a loose bound: this is not a timing claim).
  expect(Date.now() - started).toBeLessThan(20_000)
})
