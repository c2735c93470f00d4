import {
  FIRST_DOCUMENTED_ID,
  FIRST_SEED_ID,
  startSimulator,
  type Simulator,
  type SimulatorOptions
} from '../src/simulator/index.js'
import {
  PERIOD,
  call,
  createDocumented,
  download,
  jsonLines,
  pollUntilFinal,
  settledEntry,
  sha256
} from './simulator-helpers.js'

const T0 = Date.UTC(2024, 5, 1, 12, 0, 0)
const DAY = 86_400_000

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

describe('documented contract (section A)', () => {
  test('POST 202, then staging -> submitted -> done with urls and expires', async () => {
    let clock = T0
    const s = await sim({ now: () => clock, job: { pollsInStaging: 2, pollsInSubmitted: 1 } })
    const created = await call(s, 'POST', '/api/2/dsar/requests', {
      body: { userId: 'user-42', ...PERIOD }
    })
    expect(created.status).toBe(202)
    expect(created.json).toEqual({ requestId: FIRST_DOCUMENTED_ID })

    const statuses: string[] = []
    for (let i = 0; i < 5; i++) {
      clock += 1000
      const answer = await call(s, 'GET', `/api/2/dsar/requests/${FIRST_DOCUMENTED_ID}`)
      expect(answer.status).toBe(200)
      const body = answer.json as Record<string, unknown>
      statuses.push(String(body.status))
      // Links, expiry and a failure reason only once the request is finished.
      const early = ['urls', 'expires', 'failReason'].filter(key => key in body)
      expect(body.status === 'done' ? [] : early).toEqual([])
    }
    expect(statuses).toEqual(['staging', 'staging', 'submitted', 'done', 'done'])

    const done = (await call(s, 'GET', `/api/2/dsar/requests/${FIRST_DOCUMENTED_ID}`)).json
    expect(done).toEqual({
      requestId: FIRST_DOCUMENTED_ID,
      userId: 'user-42',
      amplitudeId: null,
      startDate: PERIOD.startDate,
      endDate: PERIOD.endDate,
      status: 'done',
      urls: [0, 1].map(n => `${s.url}/api/2/dsar/requests/${FIRST_DOCUMENTED_ID}/outputs/${n}`),
      // expires counts from the first GET that saw done (the 4th poll, at T0 + 4 s)
      expires: new Date(T0 + 4000 + 2 * DAY).toISOString()
    })
  })

  test('ids increase; amplitudeId subjects are echoed', async () => {
    const s = await sim()
    const first = await createDocumented(s, 'a')
    const second = await call(s, 'POST', '/api/2/dsar/requests', {
      body: { amplitudeId: 90102919293, ...PERIOD }
    })
    expect(second.json).toEqual({ requestId: first + 1 })
    const status = await call(s, 'GET', `/api/2/dsar/requests/${first + 1}`)
    expect(status.json).toMatchObject({ userId: null, amplitudeId: 90102919293 })
  })

  test('failed jobs carry failReason and no urls; unknown outcomes are returned as is', async () => {
    const s = await sim({
      job: (_subject, index) =>
        index === 0
          ? { outcome: 'failed', failReason: 'too many events', pollsInStaging: 0 }
          : { outcome: 'archived', pollsInStaging: 0, pollsInSubmitted: 0 }
    })
    const failing = await createDocumented(s, 'heavy-user')
    const odd = await createDocumented(s, 'odd-user')
    const failedPolls = await pollUntilFinal(s, failing)
    expect(failedPolls.map(b => b.status)).toEqual(['submitted', 'failed'])
    expect(failedPolls[1]).toMatchObject({ failReason: 'too many events' })
    expect(failedPolls[1]).not.toHaveProperty('urls')

    const oddAnswer = await call(s, 'GET', `/api/2/dsar/requests/${odd}`)
    expect(oddAnswer.json).toMatchObject({ status: 'archived' })
    expect(oddAnswer.json).not.toHaveProperty('urls')
  })

  test('the job function sees each subject and a running index', async () => {
    const seen: [unknown, number][] = []
    const s = await sim({
      job: (subject, index) => {
        seen.push([subject, index])
        return {}
      }
    })
    await createDocumented(s, 'u1')
    await call(s, 'POST', '/api/2/dsar/requests', { body: { user_ids: ['x', 'y'] } })
    expect(seen).toEqual([
      [{ userId: 'u1' }, 0],
      [{ userIds: ['x', 'y'] }, 1]
    ])
  })

  test('requests() reports records with polls, status and dates', async () => {
    const s = await sim({ now: () => T0 })
    const id = await createDocumented(s, 'u1')
    await call(s, 'GET', `/api/2/dsar/requests/${id}`)
    const [record] = s.requests()
    expect(record).toMatchObject({
      requestId: id,
      contract: 'documented',
      subject: { userId: 'u1' },
      startDate: PERIOD.startDate,
      endDate: PERIOD.endDate,
      createdAt: T0,
      polls: 1,
      status: 'staging',
      plan: { pollsInStaging: 1, pollsInSubmitted: 1, outcome: 'done', files: 2, linesPerFile: 10 }
    })
    record.polls = 99 // a snapshot: changing it changes nothing
    expect(s.requests()[0].polls).toBe(1)
  })
})

describe('seed contract (section B)', () => {
  test('POST 200 string id, pending -> processing -> complete, download_url only at the end', async () => {
    const s = await sim({ job: { pollsInStaging: 1, pollsInSubmitted: 2 } })
    const created = await call(s, 'POST', '/api/2/dsar/requests', {
      body: { user_ids: ['alice', 'bob'] }
    })
    expect(created.status).toBe(200)
    expect(created.json).toEqual({ request_id: String(FIRST_SEED_ID), status: 'pending' })

    const bodies = await pollUntilFinal(s, FIRST_SEED_ID)
    expect(bodies.map(b => b.status)).toEqual(['pending', 'processing', 'processing', 'complete'])
    for (const body of bodies.slice(0, 3)) {
      expect(Object.keys(body).sort()).toEqual(['request_id', 'status'])
    }
    const final = bodies[3]
    expect(Object.keys(final).sort()).toEqual(['download_url', 'request_id', 'status'])
    const url = new URL(String(final.download_url))
    expect(url.origin).toBe(s.storageUrl)

    const gzip = await download(url.href)
    const lines = jsonLines(gzip)
    const expected = await s.expectedFile(String(FIRST_SEED_ID), 0)
    expect(lines).toHaveLength(expected.lines)
    expect(sha256(gzip)).toBe(expected.sha256)
    for (const line of lines) expect(['alice', 'bob']).toContain(line.user_id)
  })

  test('a failed seed request has no download_url', async () => {
    const s = await sim({ job: { outcome: 'failed', pollsInStaging: 0, pollsInSubmitted: 0 } })
    await call(s, 'POST', '/api/2/dsar/requests', { body: { user_ids: ['a'] } })
    const answer = await call(s, 'GET', `/api/2/dsar/requests/${FIRST_SEED_ID}`)
    expect(answer.json).toEqual({ request_id: String(FIRST_SEED_ID), status: 'failed' })
  })

  test('bad seed bodies are 400', async () => {
    const s = await sim()
    for (const body of [
      { user_ids: [] },
      { user_ids: 'abc' },
      { user_ids: [1, 2] },
      { user_ids: [''] },
      { user_ids: ['a'], userId: 'b' }
    ]) {
      const answer = await call(s, 'POST', '/api/2/dsar/requests', { body })
      expect({ body, status: answer.status }).toEqual({ body, status: 400 })
    }
  })
})

describe('auth, validation and routing', () => {
  test('401 without, with wrong, or with non-Basic credentials, on every endpoint', async () => {
    const s = await sim()
    const id = await createDocumented(s)
    const wrong = `Basic ${Buffer.from(`${s.apiKey}:nope`).toString('base64')}`
    const paths: [string, string][] = [
      ['POST', '/api/2/dsar/requests'],
      ['GET', `/api/2/dsar/requests/${id}`],
      ['GET', `/api/2/dsar/requests/${id}/outputs/0`]
    ]
    for (const [method, path] of paths) {
      for (const auth of [false, wrong, `Bearer ${s.basicAuth}`] as const) {
        const body = method === 'POST' ? { userId: 'x', ...PERIOD } : undefined
        const answer = await call(s, method, path, { auth, body })
        expect({ path, auth, status: answer.status }).toEqual({ path, auth, status: 401 })
        expect(answer.json).toHaveProperty('error')
      }
    }
    expect(s.requests()).toHaveLength(1)
    expect(s.requests()[0].polls).toBe(0)
  })

  test("form fields are read as the documented fields (the docs' Python example sends them)", async () => {
    const s = await sim()
    const form = `userId=user%40example.com&startDate=${PERIOD.startDate}&endDate=${PERIOD.endDate}`
    // As requests.post(url, headers={'Content-Type': 'application/json'}, data={...}) sends it.
    const python = await call(s, 'POST', '/api/2/dsar/requests', { body: form })
    expect(python.status).toBe(202)
    const typed = await call(s, 'POST', '/api/2/dsar/requests', {
      body: `amplitudeId=123456789&startDate=${PERIOD.startDate}&endDate=${PERIOD.endDate}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }
    })
    expect(typed.status).toBe(202)
    expect(s.requests().map(r => r.subject)).toEqual([
      { userId: 'user@example.com' },
      { amplitudeId: 123456789 }
    ])
  })

  test('400 for bodies the documented API refuses', async () => {
    const s = await sim()
    const cases: { name: string; body: string; type?: string }[] = [
      { name: 'neither JSON nor a form', body: '{userId: 1' },
      { name: 'form fields without endDate', body: 'userId=1&startDate=2024-01-01' },
      {
        name: 'form fields without dates',
        body: 'userId=1',
        type: 'application/x-www-form-urlencoded'
      },
      {
        name: 'form with a non-integer amplitudeId',
        body: 'amplitudeId=12a&startDate=2024-01-01&endDate=2024-01-02'
      },
      { name: 'multipart', body: '--x\r\n', type: 'multipart/form-data; boundary=x' },
      { name: 'array', body: '[1]' },
      { name: 'both subjects', body: JSON.stringify({ userId: 'a', amplitudeId: 1, ...PERIOD }) },
      { name: 'no subject', body: JSON.stringify(PERIOD) },
      { name: 'amplitudeId string', body: JSON.stringify({ amplitudeId: '12', ...PERIOD }) },
      { name: 'amplitudeId float', body: JSON.stringify({ amplitudeId: 1.5, ...PERIOD }) },
      { name: 'empty userId', body: JSON.stringify({ userId: ' ', ...PERIOD }) },
      { name: 'no startDate', body: JSON.stringify({ userId: 'a', endDate: '2024-01-01' }) },
      { name: 'no endDate', body: JSON.stringify({ userId: 'a', startDate: '2024-01-01' }) },
      {
        name: 'bad date format',
        body: JSON.stringify({ userId: 'a', startDate: '01/02/2024', endDate: '2024-01-03' })
      },
      {
        name: 'impossible date',
        body: JSON.stringify({ userId: 'a', startDate: '2024-02-30', endDate: '2024-03-01' })
      },
      {
        name: 'start after end',
        body: JSON.stringify({ userId: 'a', startDate: '2024-03-01', endDate: '2024-01-01' })
      }
    ]
    for (const c of cases) {
      const answer = await call(s, 'POST', '/api/2/dsar/requests', {
        body: c.body,
        headers: { 'content-type': c.type ?? 'application/json' }
      })
      expect({ name: c.name, status: answer.status }).toEqual({ name: c.name, status: 400 })
      expect(typeof (answer.json as { error: unknown }).error).toBe('string')
    }
    expect(s.requests()).toHaveLength(0)
  })

  test('a numeric userId (as in the docs example) is accepted', async () => {
    const s = await sim()
    const answer = await call(s, 'POST', '/api/2/dsar/requests', {
      body: { userId: 12345, ...PERIOD }
    })
    expect(answer.status).toBe(202)
    expect(s.requests()[0].subject).toEqual({ userId: '12345' })
  })

  test('404 for unknown ids, unknown paths, and outputs not (yet) available', async () => {
    const s = await sim({ job: { files: 2 } })
    expect((await call(s, 'GET', '/api/2/dsar/requests/999')).status).toBe(404)
    expect((await call(s, 'GET', '/api/2/dsar/requests/abc')).status).toBe(404)
    expect((await call(s, 'GET', '/api/2/other')).status).toBe(404)
    const id = await createDocumented(s)
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}/outputs/0`)).status).toBe(404)
    await pollUntilFinal(s, id)
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}/outputs/2`)).status).toBe(404)
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}/outputs/x`)).status).toBe(404)
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}/outputs/1`)).status).toBe(302)
  })

  test('413 for a body over 1 MiB', async () => {
    const s = await sim()
    const answer = await call(s, 'POST', '/api/2/dsar/requests', { body: 'x'.repeat(1_100_000) })
    expect(answer.status).toBe(413)
    expect(s.log[0].body).toBeUndefined()
  })

  test('405 for the wrong method', async () => {
    const s = await sim()
    const answer = await call(s, 'DELETE', '/api/2/dsar/requests/1')
    expect(answer.status).toBe(405)
    expect(answer.headers.get('allow')).toBe('GET')
  })
})

describe('outputs and storage', () => {
  async function doneRequest(s: Simulator): Promise<{ id: number; urls: string[] }> {
    const id = await createDocumented(s)
    const bodies = await pollUntilFinal(s, id)
    return { id, urls: bodies[bodies.length - 1].urls as string[] }
  }

  test('outputs answer 302 to a presigned URL on the storage host', async () => {
    const s = await sim()
    const { urls } = await doneRequest(s)
    const answer = await call(s, 'GET', urls[0])
    expect(answer.status).toBe(302)
    const location = new URL(answer.headers.get('location') ?? '')
    expect(location.origin).toBe(s.storageUrl)
    expect(location.hostname).toBe('127.0.0.2')
    expect(location.pathname).toMatch(/^\/bucket\//)
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
    expect(Number(location.searchParams.get('X-Amz-Expires'))).toBeGreaterThan(0)
    expect(s.requests()[0].outputRedirects).toBe(1)
  })

  test('files are gzip JSON lines matching expectedFile, served with a Content-Length', async () => {
    const s = await sim({ job: { files: 3, linesPerFile: 25 } })
    const { id, urls } = await doneRequest(s)
    expect(urls).toHaveLength(3)
    const hashes = new Set<string>()
    for (const [n, url] of urls.entries()) {
      const location = (await call(s, 'GET', url)).headers.get('location') ?? ''
      const response = await fetch(location)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('application/gzip')
      const gzip = Buffer.from(await response.arrayBuffer())
      expect(Number(response.headers.get('content-length'))).toBe(gzip.length)
      const expected = await s.expectedFile(id, n)
      expect({ bytes: gzip.length, sha256: sha256(gzip) }).toEqual({
        bytes: expected.bytes,
        sha256: expected.sha256
      })
      const lines = jsonLines(gzip)
      expect(lines).toHaveLength(25)
      expect(expected.lines).toBe(25)
      for (const line of lines) {
        expect(line).toMatchObject({ user_id: 'user-1' })
        expect(typeof line.event_type).toBe('string')
        expect(String(line.event_time)).toMatch(/^2024-0[1-3]-\d\d \d\d:\d\d:\d\d\.\d{6}$/)
        expect(typeof line.event_properties).toBe('object')
      }
      hashes.add(expected.sha256)
    }
    expect(hashes.size).toBe(3)
    // Storage downloads are free: only the POST, 3 polls and 3 outputs GETs were charged.
    expect(s.budgetRemaining()).toBe(14_400 - 8 - 3 - 3)
  })

  test('content is deterministic per request and file, across simulators', async () => {
    const [a, b] = [await sim(), await sim()]
    for (const s of [a, b]) await doneRequest(s)
    expect(await a.expectedFile(FIRST_DOCUMENTED_ID, 1)).toEqual(
      await b.expectedFile(FIRST_DOCUMENTED_ID, 1)
    )
    await expect(a.expectedFile(FIRST_DOCUMENTED_ID, 5)).rejects.toThrow(/no output 5/)
    await expect(a.expectedFile(1, 0)).rejects.toThrow(/no request 1/)
  })

  test('storage refuses a request carrying Authorization with S3 InvalidArgument', async () => {
    const s = await sim()
    const { urls } = await doneRequest(s)
    const location = (await call(s, 'GET', urls[0])).headers.get('location') ?? ''
    const refused = await call(s, 'GET', location)
    expect(refused.status).toBe(400)
    expect(refused.headers.get('content-type')).toBe('application/xml')
    expect(refused.text).toContain('<Code>InvalidArgument</Code>')
    expect(refused.text).not.toContain(s.basicAuth) // never echoes the credential
    const storageEntry = s.log[s.log.length - 1]
    expect(storageEntry).toMatchObject({ host: 'storage', authorization: true, status: 400 })
  })

  test('a tampered signature is 403 SignatureDoesNotMatch', async () => {
    const s = await sim()
    const { urls } = await doneRequest(s)
    const location = new URL((await call(s, 'GET', urls[0])).headers.get('location') ?? '')
    const signature = location.searchParams.get('X-Amz-Signature') ?? ''
    location.searchParams.set(
      'X-Amz-Signature',
      signature.replace(/^./, c => (c === 'a' ? 'b' : 'a'))
    )
    const answer = await call(s, 'GET', location.href, { auth: false })
    expect(answer.status).toBe(403)
    expect(answer.text).toContain('SignatureDoesNotMatch')
    const stripped = new URL(location.href)
    stripped.search = ''
    expect((await call(s, 'GET', stripped.href, { auth: false })).status).toBe(403)
  })

  test('links expire by the injected clock: 403 after expires', async () => {
    let clock = T0
    const s = await sim({ now: () => clock, linkTtlMs: DAY })
    const { urls } = await doneRequest(s)
    const location = (await call(s, 'GET', urls[0])).headers.get('location') ?? ''
    clock = T0 + DAY - 5000
    expect((await download(location)).length).toBeGreaterThan(0)
    clock = T0 + DAY + 2000
    const expired = await call(s, 'GET', location, { auth: false })
    expect(expired.status).toBe(403)
    expect(expired.text).toContain('Request has expired')
    // A link fetched again after expiry is expired too.
    const again = (await call(s, 'GET', urls[0])).headers.get('location') ?? ''
    expect((await call(s, 'GET', again, { auth: false })).status).toBe(403)
  })
})

describe('hosts', () => {
  test('a storage host that cannot be bound falls back to the API host on its own port', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no local interface: listening there fails with EADDRNOTAVAIL.
    const s = await sim({ storageHost: '192.0.2.1' })
    const api = new URL(s.url)
    const storage = new URL(s.storageUrl)
    expect(storage.hostname).toBe(api.hostname)
    expect(storage.port).not.toBe(api.port)
    const id = await createDocumented(s)
    const bodies = await pollUntilFinal(s, id)
    const urls = bodies[bodies.length - 1].urls as string[]
    const location = (await call(s, 'GET', urls[0])).headers.get('location') ?? ''
    expect(location.startsWith(s.storageUrl)).toBe(true)
    expect(jsonLines(await download(location))).toHaveLength(10)
  })
})

describe('what the docs leave open', () => {
  test("an outcome in capitals ('DONE') is done, with links, and answered as given", async () => {
    const s = await sim({ job: { pollsInStaging: 0, pollsInSubmitted: 0, outcome: 'DONE' } })
    const id = await createDocumented(s)
    const [body] = await pollUntilFinal(s, id, ['DONE'])
    expect(body.status).toBe('DONE')
    expect(body.urls).toHaveLength(2)
    expect(typeof body.expires).toBe('string')
  })

  test('expiresAsDate answers expires as a bare date', async () => {
    const clock = T0
    const s = await sim({
      now: () => clock,
      expiresAsDate: true,
      job: { pollsInStaging: 0, pollsInSubmitted: 0 }
    })
    const id = await createDocumented(s)
    const [body] = await pollUntilFinal(s, id)
    expect(body.expires).toBe(new Date(T0 + 2 * DAY).toISOString().slice(0, 10))
  })
})

describe('output links on a web-app host (outputLinksOn: web)', () => {
  test('links point at the web host, which requires the credentials and redirects to storage', async () => {
    const s = await sim({ outputLinksOn: 'web', job: { pollsInStaging: 0, pollsInSubmitted: 0 } })
    expect(s.webUrl).toMatch(/^http:\/\/127\.0\.0\.\d+:\d+$/)
    expect(s.webUrl).not.toBe(s.url)
    expect(new URL(s.webUrl).origin).not.toBe(new URL(s.storageUrl).origin)
    const id = await createDocumented(s)
    const bodies = await pollUntilFinal(s, id)
    const urls = bodies[bodies.length - 1].urls as string[]
    expect(urls).toEqual([0, 1].map(n => `${s.webUrl}/api/2/dsar/requests/${id}/outputs/${n}`))

    const refused = await call(s, 'GET', urls[0], { auth: false })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic/)
    const location = (await call(s, 'GET', urls[0])).headers.get('location') ?? ''
    expect(location.startsWith(`${s.storageUrl}/`)).toBe(true)
    expect(jsonLines(await download(location))).toHaveLength(10)
    // The web host serves output links only; the API endpoints stay on the API host.
    expect((await call(s, 'GET', `${s.webUrl}/api/2/dsar/requests/${id}`)).status).toBe(404)
    expect(s.log.filter(e => e.host === 'web').map(e => [e.authorization, e.status])).toEqual([
      [false, 401],
      [true, 302],
      [true, 404]
    ])
  })

  test('off by default: no web host, links on the API host', async () => {
    const s = await sim({ job: { pollsInStaging: 0, pollsInSubmitted: 0 } })
    expect(s.webUrl).toBe('')
    const id = await createDocumented(s)
    const bodies = await pollUntilFinal(s, id)
    expect((bodies[bodies.length - 1].urls as string[])[0]).toBe(
      `${s.url}/api/2/dsar/requests/${id}/outputs/0`
    )
  })
})

describe('budget', () => {
  test("429 with a computed Retry-After once the sliding hour is spent ('window')", async () => {
    let clock = T0
    const s = await sim({ now: () => clock, budgetPerHour: 10, retryAfterSeconds: 'window' })
    const id = await createDocumented(s) // 8
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`)).status).toBe(200) // 9
    clock += 60_000
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`)).status).toBe(200) // 10
    expect(s.budgetRemaining()).toBe(0)
    clock += 60_000
    const refused = await call(s, 'GET', `/api/2/dsar/requests/${id}`)
    expect(refused.status).toBe(429)
    // The POST at T0 leaves the window at T0 + 1 h, 58 minutes from now.
    expect(refused.headers.get('retry-after')).toBe(String(58 * 60))
    expect(s.requests()[0].polls).toBe(2) // refused polls do not move the job
    // Unauthenticated requests are refused before the budget and cost nothing.
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`, { auth: false })).status).toBe(401)
    clock = T0 + 3_600_000
    expect((await call(s, 'GET', `/api/2/dsar/requests/${id}`)).status).toBe(200)
    // The POST and first poll (at T0) left; the poll at T0 + 1 min and the new one remain.
    expect(s.budgetRemaining()).toBe(10 - 2)
  })

  test('a POST needs 8: refused when only a few units are left', async () => {
    const s = await sim({ budgetPerHour: 12, retryAfterSeconds: 7 })
    await createDocumented(s)
    const refused = await call(s, 'POST', '/api/2/dsar/requests', {
      body: { userId: 'b', ...PERIOD }
    })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('7')
    expect((await call(s, 'GET', `/api/2/dsar/requests/${FIRST_DOCUMENTED_ID}`)).status).toBe(200)
    expect(s.requests()).toHaveLength(1)
  })

  test('no Retry-After by default (the docs promise none), nor with null', async () => {
    for (const retryAfterSeconds of [undefined, null]) {
      const s = await sim({ budgetPerHour: 8, retryAfterSeconds })
      await createDocumented(s)
      const refused = await call(s, 'GET', `/api/2/dsar/requests/${FIRST_DOCUMENTED_ID}`)
      expect(refused.status).toBe(429)
      expect(refused.headers.has('retry-after')).toBe(false)
    }
  })

  test('retryAfterSeconds: null sends no Retry-After', async () => {
    const s = await sim({ budgetPerHour: 8, retryAfterSeconds: null })
    await createDocumented(s)
    const refused = await call(s, 'GET', `/api/2/dsar/requests/${FIRST_DOCUMENTED_ID}`)
    expect(refused.status).toBe(429)
    expect(refused.headers.has('retry-after')).toBe(false)
  })
})

describe('log and concurrency', () => {
  test('every request is logged with its fields, both hosts, in order', async () => {
    const clock = T0
    const s = await sim({ now: () => clock })
    await createDocumented(s, 'logged')
    await call(s, 'GET', '/api/2/dsar/requests/1', { auth: false })
    const bodies = await pollUntilFinal(s, FIRST_DOCUMENTED_ID)
    const urls = bodies[bodies.length - 1].urls as string[]
    const location = (await call(s, 'GET', urls[0])).headers.get('location') ?? ''
    await download(location)
    const last = await settledEntry(s, s.log.length - 1)

    expect(s.log.map(e => [e.method, e.host, e.status])).toEqual([
      ['POST', 'api', 202],
      ['GET', 'api', 401],
      ['GET', 'api', 200],
      ['GET', 'api', 200],
      ['GET', 'api', 200],
      ['GET', 'api', 302],
      ['GET', 'storage', 200]
    ])
    expect(s.log[0]).toMatchObject({
      path: '/api/2/dsar/requests',
      authorization: true,
      body: JSON.stringify({ userId: 'logged', ...PERIOD }),
      at: T0
    })
    expect(s.log[1].authorization).toBe(false)
    expect(s.log[2].body).toBeUndefined()
    expect(last.path).toBe(location.slice(s.storageUrl.length))
    expect(last.authorization).toBe(false)
    expect(last.durationMs).toBeGreaterThanOrEqual(0)
  })

  test('maxInFlight counts API requests handled at once', async () => {
    const s = await sim()
    const id = await createDocumented(s)
    expect(s.maxInFlight).toBe(1)
    s.addFault({ path: /^\/api\/2\/dsar\/requests\/\d+$/, action: { type: 'stall', ms: 300 } })
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(s, 'GET', `/api/2/dsar/requests/${id}`))
    )
    expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200, 200])
    expect(s.maxInFlight).toBe(5)
  })

  test('close() ends stalled requests and resolves', async () => {
    const s = await startSimulator()
    s.addFault({ action: { type: 'stall', ms: 60_000 } })
    const pending = call(s, 'GET', '/api/2/dsar/requests/1')
    while (s.log.length === 0) await new Promise(resolve => setTimeout(resolve, 10))
    await s.close()
    await expect(pending).rejects.toThrow('fetch failed')
    expect(s.log).toHaveLength(1)
    expect(s.log[0].status).toBe(0)
  })
})
