import { request as httpRequest } from 'node:http'
import { createGunzip, gunzipSync } from 'node:zlib'
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js'
import {
  call,
  createDocumented,
  download,
  pollUntilFinal,
  settledEntry,
  sha256
} from './simulator-helpers.js'

let sims: Simulator[] = []
async function sim(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator(options)
  sims.push(started)
  return started
}
afterEach(async () => {
  await Promise.all(sims.map(s => s.close()))
  sims = []
})

const STATUS_PATH = /^\/api\/2\/dsar\/requests\/\d+$/

/** A done request's first presigned link (fetched before any storage fault is added). */
async function presignedLink(s: Simulator): Promise<{ id: number; location: string }> {
  const id = await createDocumented(s)
  const bodies = await pollUntilFinal(s, id)
  const urls = bodies[bodies.length - 1].urls as string[]
  const location = (await call(s, 'GET', urls[0])).headers.get('location') ?? ''
  return { id, location }
}

describe('fault rules', () => {
  test('status: injected status, headers and default JSON body; times then normal', async () => {
    const s = await sim()
    const id = await createDocumented(s)
    s.addFault({
      method: 'GET',
      path: STATUS_PATH,
      times: 2,
      action: { type: 'status', status: 503, headers: { 'retry-after': '2' } }
    })
    const first = await call(s, 'GET', `/api/2/dsar/requests/${id}`)
    expect(first.status).toBe(503)
    expect(first.headers.get('retry-after')).toBe('2')
    expect(first.json).toEqual({ error: 'injected fault: HTTP 503' })
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`)).status).toBe(503)
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`)).status).toBe(200)
    // Injected answers never reached the job, nor the budget.
    expect(s.requests()[0].polls).toBe(1)
    expect(s.budgetRemaining()).toBe(14_400 - 8 - 1)
    expect(s.log.slice(-3).map(e => [e.status, e.fault])).toEqual([
      [503, 'status'],
      [503, 'status'],
      [200, undefined]
    ])
  })

  test('skip lets the first matches through; method, path and host must all match', async () => {
    const s = await sim()
    s.addFault({
      method: 'POST',
      path: '/api/2/dsar/requests',
      host: 'api',
      skip: 1,
      times: 1,
      action: {
        type: 'status',
        status: 500,
        body: 'boom',
        headers: { 'content-type': 'text/plain' }
      }
    })
    s.addFault({ host: 'storage', action: { type: 'status', status: 418 } })
    const id = await createDocumented(s) // skipped
    const second = await call(s, 'POST', '/api/2/dsar/requests', {
      body: { userId: 'b', startDate: '2024-01-01', endDate: '2024-01-02' }
    })
    expect(second.status).toBe(500)
    expect(second.text).toBe('boom')
    expect(second.headers.get('content-type')).toBe('text/plain')
    expect(await createDocumented(s)).toBe(id + 1) // rule exhausted
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`)).status).toBe(200) // other path
    s.clearFaults()
    s.addFault({ method: 'get', path: '/nowhere', action: { type: 'status', status: 500 } })
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`)).status).toBe(200)
  })

  test('rules apply in the order added; a later rule does not count a request an earlier took', async () => {
    const s = await sim()
    s.addFault({ times: 1, action: { type: 'status', status: 502 } })
    s.addFault({ times: 1, action: { type: 'status', status: 504 } })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await call(s, 'GET', '/api/2/x')).status)
    expect(statuses).toEqual([502, 504, 404])
  })

  test('invalid rules are refused when added', () => {
    return sim().then(s => {
      expect(() => s.addFault({ times: -1, action: { type: 'reset' } })).toThrow(RangeError)
      expect(() => s.addFault({ action: { type: 'status', status: 42 } })).toThrow(RangeError)
      expect(() => s.addFault({ action: { type: 'dribble', bytesPerSecond: 0 } })).toThrow()
    })
  })

  test('reset: the socket is destroyed without a response, logged as status 0', async () => {
    const s = await sim()
    s.addFault({ path: '/api/2/dsar/requests', times: 1, action: { type: 'reset' } })
    await expect(createDocumented(s)).rejects.toThrow('fetch failed')
    const entry = await settledEntry(s, 0)
    expect(entry).toMatchObject({ method: 'POST', status: 0, fault: 'reset' })
    expect(entry.body).toContain('user-1') // the body was read (and logged) before the reset
    expect(s.requests()).toHaveLength(0)
    expect(await createDocumented(s)).toBeGreaterThan(0)
  })

  test('stall: nothing for a while, then the normal answer', async () => {
    const s = await sim()
    const id = await createDocumented(s)
    s.addFault({ path: STATUS_PATH, times: 1, action: { type: 'stall', ms: 150 } })
    const answer = await call(s, 'GET', `/api/2/dsar/requests/${id}`)
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ status: 'staging' })
    expect(s.log[1]).toMatchObject({ status: 200, fault: 'stall' })
  })

  test('stall: a client that gives up is logged as status 0 and the job does not move', async () => {
    const s = await sim()
    const id = await createDocumented(s)
    s.addFault({ path: STATUS_PATH, times: 1, action: { type: 'stall', ms: 10_000 } })
    const controller = new AbortController()
    const pending = call(s, 'GET', `/api/2/dsar/requests/${id}`, { signal: controller.signal })
    while (s.log.length < 2) await new Promise(resolve => setTimeout(resolve, 10))
    controller.abort()
    await expect(pending).rejects.toThrow()
    expect(await settledEntry(s, 1)).toMatchObject({ status: 0, fault: 'stall' })
    expect(s.requests()[0].polls).toBe(0)
  })

  test('malformedJson: 200 with a body that is not JSON', async () => {
    const s = await sim()
    s.addFault({ method: 'POST', action: { type: 'malformedJson' } })
    const answer = await call(s, 'POST', '/api/2/dsar/requests', { body: { userId: 'a' } })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    expect(() => JSON.parse(answer.text)).toThrow(SyntaxError)
    expect(s.requests()).toHaveLength(0)
  })

  test('truncatedGzip: half the file with a matching Content-Length, then a clean end', async () => {
    const s = await sim({ job: { files: 1, linesPerFile: 200 } })
    const { id, location } = await presignedLink(s)
    s.addFault({ host: 'storage', times: 1, action: { type: 'truncatedGzip' } })
    const response = await fetch(location)
    expect(response.status).toBe(200)
    const cut = Buffer.from(await response.arrayBuffer())
    const expected = await s.expectedFile(id, 0)
    expect(cut.length).toBe(Math.floor(expected.bytes / 2))
    expect(Number(response.headers.get('content-length'))).toBe(cut.length)
    expect(() => gunzipSync(cut)).toThrow()
    const whole = await download(location)
    expect(sha256(whole)).toBe(expected.sha256)
    expect(whole.subarray(0, cut.length).equals(cut)).toBe(true)
  })

  test('dribble: the normal body arrives intact, in many small pieces', async () => {
    const s = await sim({ job: { files: 1, linesPerFile: 20 } })
    const { id, location } = await presignedLink(s)
    const expected = await s.expectedFile(id, 0)
    // 10 writes per second of bytesPerSecond / 10 bytes each: about 8 pieces for this file.
    const rate = Math.ceil(expected.bytes / 0.8)
    s.addFault({ host: 'storage', action: { type: 'dribble', bytesPerSecond: rate } })
    const response = await fetch(location)
    const pieces: Buffer[] = []
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      pieces.push(Buffer.from(chunk))
    }
    const body = Buffer.concat(pieces)
    expect(sha256(body)).toBe(expected.sha256)
    expect(pieces.length).toBeGreaterThan(3)
    expect(s.log[s.log.length - 1]).toMatchObject({ host: 'storage', fault: 'dribble' })
  })

  test('dribble paces on a cumulative schedule: a piece never leaves ahead of the rate', async () => {
    const s = await sim({ job: { files: 1, linesPerFile: 20_000 } })
    const { id, location } = await presignedLink(s)
    const expected = await s.expectedFile(id, 0)
    // A fast link (the simulator's pieces are at most 64 KiB there).
    const rate = 4 * 1024 * 1024
    s.addFault({ host: 'storage', action: { type: 'dribble', bytesPerSecond: rate } })
    const started = performance.now()
    const response = await fetch(location)
    let received = 0
    const pieces: Buffer[] = []
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      pieces.push(Buffer.from(chunk))
      received += chunk.length
      // The piece that starts at byte n leaves no earlier than n / rate (a lower bound only: a
      // slow machine may be later, never earlier).
      const earliestMs = ((received - chunk.length) / rate) * 1000
      expect(performance.now() - started).toBeGreaterThanOrEqual(earliestMs - 1)
    }
    expect(sha256(Buffer.concat(pieces))).toBe(expected.sha256)
    expect(expected.bytes).toBeGreaterThan(256 * 1024)
    expect(pieces.length).toBeGreaterThan(3)
  })

  test('hugeBody: a streamed JSON-looking 200 body of exactly the size asked', async () => {
    const s = await sim()
    const bytes = 8 * 1024 * 1024 + 3
    s.addFault({ path: STATUS_PATH, action: { type: 'hugeBody', bytes } })
    const response = await fetch(`${s.url}/api/2/dsar/requests/1`, {
      headers: { authorization: `Basic ${s.basicAuth}` }
    })
    expect(response.status).toBe(200)
    expect(Number(response.headers.get('content-length'))).toBe(bytes)
    let received = 0
    let head = ''
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      if (head === '') head = Buffer.from(chunk.subarray(0, 12)).toString()
      received += chunk.length
    }
    expect(received).toBe(bytes)
    expect(head).toBe('{"requestId"')
  })
})

describe('large files', () => {
  test('a 50 MB file is generated and streamed chunked, never held whole', async () => {
    const size = 50 * 1024 * 1024
    const s = await sim({ job: { files: 1, bytesPerFile: size } })
    const { location } = await presignedLink(s)
    const url = new URL(location)
    const result = await new Promise<{
      compressed: number
      plain: number
      lines: number
      cl?: string
    }>((resolve, reject) => {
      const req = httpRequest(url, res => {
        let compressed = 0
        let plain = 0
        let lines = 0
        res.on('data', (chunk: Buffer) => (compressed += chunk.length))
        const gunzip = res.pipe(createGunzip())
        gunzip.on('data', (chunk: Buffer) => {
          plain += chunk.length
          for (const byte of chunk) if (byte === 10) lines++
        })
        gunzip.on('end', () =>
          resolve({ compressed, plain, lines, cl: res.headers['content-length'] })
        )
        gunzip.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
    // Too big to measure before sending: no Content-Length, chunked transfer.
    expect(result.cl).toBeUndefined()
    expect(result.plain).toBeGreaterThanOrEqual(size)
    expect(result.plain).toBeLessThan(size + 1024) // overshoots by at most the last line
    expect(result.lines).toBeGreaterThan(size / 1024)
    expect(result.compressed).toBeLessThan(result.plain)
  })
})
