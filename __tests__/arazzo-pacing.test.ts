import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createFetchTransport, decodeBody, fetchTransport } from '../src/arazzo/fetch-transport.js'
import {
  backoffPollSchedule,
  defaultPollSchedule,
  fixedPollSchedule,
  parseRetryAfter,
  systemClock,
  VirtualClock
} from '../src/arazzo/pacing.js'

describe('VirtualClock', () => {
  test('sleeps advance time instantly and are recorded', async () => {
    const clock = new VirtualClock(1000)
    await clock.sleep(500)
    await clock.sleep(250)
    expect(clock.now()).toBe(1750)
    expect(clock.sleeps).toEqual([500, 250])
    expect(clock.totalSlept).toBe(750)
    clock.advance(50)
    expect(clock.now()).toBe(1800)
    expect(clock.totalSlept).toBe(750)
  })

  test('an abort rejects the sleep with the signal reason and time does not move', async () => {
    const clock = new VirtualClock(0)
    const controller = new AbortController()
    const sleeping = clock.sleep(10_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    expect(clock.now()).toBe(0)
    const aborted = AbortSignal.abort(new Error('already'))
    await expect(clock.sleep(1, aborted)).rejects.toThrow('already')
  })
})

describe('systemClock', () => {
  test('sleeps for real and rejects promptly on abort', async () => {
    const before = systemClock.now()
    await systemClock.sleep(5)
    expect(systemClock.now()).toBeGreaterThanOrEqual(before)
    const controller = new AbortController()
    const sleeping = systemClock.sleep(60 * 60 * 1000, controller.signal)
    setTimeout(() => controller.abort(new Error('cancelled')), 0)
    await expect(sleeping).rejects.toThrow('cancelled')
  })
})

describe('poll schedules', () => {
  test('the default is one second, fixed', () => {
    expect([1, 2, 10].map(n => defaultPollSchedule.delayMs(n))).toEqual([1000, 1000, 1000])
  })

  test('fixed: the same wait, never shorter than Retry-After', () => {
    const schedule = fixedPollSchedule(60_000)
    expect(schedule.delayMs(1)).toBe(60_000)
    expect(schedule.delayMs(5, 1000)).toBe(60_000)
    expect(schedule.delayMs(5, 90_000)).toBe(90_000)
  })

  test('backoff: grows by factor to maxMs, never below initial or Retry-After', () => {
    const schedule = backoffPollSchedule({ initialMs: 1000, factor: 3, maxMs: 10_000 })
    expect([1, 2, 3, 4, 5].map(n => schedule.delayMs(n))).toEqual([
      1000, 3000, 9000, 10_000, 10_000
    ])
    expect(schedule.delayMs(5, 30_000)).toBe(30_000)
    expect(schedule.delayMs(1, 10)).toBe(1000)
    // A max below the initial wait cannot shorten it.
    expect(backoffPollSchedule({ initialMs: 5000, maxMs: 1000 }).delayMs(3)).toBe(5000)
    // Default factor 2, no max.
    expect(backoffPollSchedule({ initialMs: 100 }).delayMs(4)).toBe(800)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-06-01T12:00:00Z')

  test('delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('Sat, 01 Jun 2030 12:00:30 GMT', now)).toBe(30_000)
    expect(parseRetryAfter('Sat, 01 Jun 2030 11:00:00 GMT', now)).toBe(0)
  })

  test('absent or unreadable values are undefined', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('12:00', now)).toBeUndefined()
  })
})

describe('fetch transport', () => {
  let server: Server
  let base: string
  const seen: { method?: string; headers: Record<string, unknown>; body: string }[] = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body })
        if (req.url === '/json') {
          res.writeHead(200, { 'content-type': 'application/problem+json', 'X-Custom': 'A' })
          res.end('{"ok":true}')
        } else if (req.url === '/text') {
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.end('hello')
        } else if (req.url === '/bad-json') {
          res.writeHead(500, { 'content-type': 'application/json' })
          res.end('not json')
        } else if (req.url === '/redirect') {
          res.writeHead(302, { location: 'https://elsewhere.example/file' })
          res.end()
        } else if (req.url === '/big') {
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.end('x'.repeat(2048))
        } else {
          res.writeHead(204)
          res.end()
        }
      })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(() => new Promise<void>(resolve => server.close(() => resolve())))

  const signal = new AbortController().signal

  test('sends method, headers and body; parses JSON bodies; lower-cases headers', async () => {
    const response = await fetchTransport(
      { method: 'POST', url: `${base}/json`, headers: { 'X-Test': '1' }, body: '{"a":1}' },
      signal
    )
    expect(response).toMatchObject({ status: 200, body: { ok: true } })
    expect(response.headers['x-custom']).toBe('A')
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}' })
    expect(seen.at(-1)?.headers['x-test']).toBe('1')
  })

  test('text stays text, broken JSON stays text, empty is undefined', async () => {
    expect(
      (await fetchTransport({ method: 'GET', url: `${base}/text`, headers: {} }, signal)).body
    ).toBe('hello')
    const bad = await fetchTransport(
      { method: 'GET', url: `${base}/bad-json`, headers: {} },
      signal
    )
    expect(bad).toMatchObject({ status: 500, body: 'not json' })
    const empty = await fetchTransport({ method: 'GET', url: `${base}/empty`, headers: {} }, signal)
    expect(empty).toMatchObject({ status: 204, body: undefined })
    expect(decodeBody('[1]', 'application/json; charset=utf-8')).toEqual([1])
  })

  test('redirects are returned, not followed', async () => {
    const response = await fetchTransport(
      { method: 'GET', url: `${base}/redirect`, headers: { Authorization: 'Basic x' } },
      signal
    )
    expect(response.status).toBe(302)
    expect(response.headers.location).toBe('https://elsewhere.example/file')
  })

  test('response bodies over the limit are refused', async () => {
    const small = createFetchTransport({ maxResponseBytes: 1024 })
    await expect(small({ method: 'GET', url: `${base}/big`, headers: {} }, signal)).rejects.toThrow(
      /byte limit/
    )
  })
})
