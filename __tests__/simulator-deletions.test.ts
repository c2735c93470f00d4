// The simulator's deletion API (User Privacy API v1) over real HTTP on loopback, in virtual days.
import {
  amplitudeIdOf,
  DAY_MS,
  startSimulator,
  type Simulator,
  type SimulatorOptions
} from '../src/simulator/index.js'
import { call, type Answer } from './simulator-helpers.js'

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0) // 2026-12-01 09:00 UTC
const PATH = '/api/2/deletions/users'

let sims: Simulator[] = []
let clock = T0
async function sim(options: SimulatorOptions = {}): Promise<Simulator> {
  const started = await startSimulator({ now: () => clock, ...options })
  sims.push(started)
  return started
}
beforeEach(() => {
  clock = T0
})
afterEach(async () => {
  await Promise.all(sims.map(s => s.close()))
  sims = []
})

/** A deletion call with the project's keys; the clock moves 1 s first, so pacing never refuses it. */
async function erase(s: Simulator, method: string, path: string, body?: unknown): Promise<Answer> {
  clock += 1000
  return call(s, method, path, { body, auth: `Basic ${s.erasureBasicAuth}` })
}

type Job = { day: string; status: string; amplitude_ids: Record<string, unknown>[] }

describe('POST /api/2/deletions/users', () => {
  test('adds the ids to a staging job ten days ahead, with requester and the request day', async () => {
    const s = await sim()
    const answer = await erase(s, 'POST', PATH, {
      amplitude_ids: [1001],
      user_ids: ['user-a'],
      requester: 'privacy@example.com',
      ignore_invalid_id: true
    })
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual([
      {
        day: '2026-12-11',
        status: 'staging',
        amplitude_ids: [
          { amplitude_id: 1001, requester: 'privacy@example.com', requested_on_day: '2026-12-01' },
          {
            amplitude_id: amplitudeIdOf('user-a'),
            user_id: 'user-a',
            requester: 'privacy@example.com',
            requested_on_day: '2026-12-01'
          }
        ]
      }
    ])
  })

  test('joins the open job while it is staging, opens a new one after, never holds an id twice', async () => {
    const s = await sim()
    await erase(s, 'POST', PATH, { amplitude_ids: [1] })
    clock += 2 * DAY_MS
    const joined = (await erase(s, 'POST', PATH, { amplitude_ids: [1, 2] })).json as Job[]
    expect(joined.map(j => j.day)).toEqual(['2026-12-11'])
    expect(joined[0].amplitude_ids.map(e => e.amplitude_id)).toEqual([1, 2])
    clock = Date.UTC(2026, 11, 8) // three days before the 11th: submitted, closed to new ids
    const next = (await erase(s, 'POST', PATH, { amplitude_ids: [3] })).json as Job[]
    expect(next.map(j => [j.day, j.status])).toEqual([['2026-12-18', 'staging']])
    const held = s.deletionJobs().find(j => j.day === '2026-12-11')!
    expect(held.entries.map(e => [e.amplitude_id, e.timesRequested])).toEqual([
      [1, 2],
      [2, 1]
    ])
  })

  test('100 ids pass; 101 are refused with 400 and nothing is marked', async () => {
    const s = await sim()
    const ids = Array.from({ length: 101 }, (_, i) => i + 1)
    const refused = await erase(s, 'POST', PATH, {
      amplitude_ids: ids.slice(0, 60),
      user_ids: ids.slice(60).map(String)
    })
    expect(refused.status).toBe(400)
    expect(refused.text).toContain('at most 100 ids')
    expect(s.deletionJobs()).toEqual([])
    const taken = await erase(s, 'POST', PATH, { amplitude_ids: ids.slice(0, 100) })
    expect(taken.status).toBe(200)
    expect((taken.json as Job[])[0].amplitude_ids).toHaveLength(100)
  })

  test('an unknown id fails the whole request unless ignore_invalid_id (either spelling)', async () => {
    const s = await sim({ deletions: { unknownUserIds: ['ghost'], unknownAmplitudeIds: [666] } })
    const refused = await erase(s, 'POST', PATH, { amplitude_ids: [1, 666], user_ids: ['ghost'] })
    expect(refused.status).toBe(400)
    expect(refused.json).toMatchObject({ invalid_ids: [666, 'ghost'] })
    expect(s.deletionJobs()).toEqual([])

    const falseSaid = await erase(s, 'POST', PATH, {
      amplitude_ids: [666],
      ignore_invalid_id: false
    })
    expect(falseSaid.status).toBe(400)

    for (const spelling of ['ignore_invalid_id', 'ignore_invalid_ids']) {
      const taken = await erase(s, 'POST', PATH, {
        amplitude_ids: [1, 666],
        user_ids: ['ghost', 'real'],
        [spelling]: true
      })
      expect(taken.status).toBe(200)
      const ids = (taken.json as Job[])[0].amplitude_ids.map(e => e.amplitude_id)
      expect(ids).toEqual([1, amplitudeIdOf('real')])
    }
    // Only unknown ids: nothing to add, no job named.
    const none = await erase(s, 'POST', PATH, { user_ids: ['ghost'], ignore_invalid_id: true })
    expect([none.status, none.json]).toEqual([200, []])
  })

  test.each([
    ['not JSON', 'amplitude_ids=1', 'the body is not JSON'],
    ['no ids', {}, 'no ids'],
    ['a string amplitude id', { amplitude_ids: ['12'] }, 'amplitude_ids must be'],
    ['an empty user id', { user_ids: [''] }, 'user_ids must be'],
    ['a non-boolean ignore', { amplitude_ids: [1], ignore_invalid_id: 'yes' }, 'boolean'],
    ['a non-string requester', { amplitude_ids: [1], requester: 7 }, 'requester']
  ])('refuses %s with 400', async (_, body, message) => {
    const s = await sim()
    const answer = await erase(s, 'POST', PATH, body)
    expect(answer.status).toBe(400)
    expect(answer.text).toContain(message)
    expect(s.deletionJobs()).toEqual([])
  })
})

describe('keys and pacing', () => {
  test("project keys only: the org's DSAR keys get 401 here, the project keys 401 on the DSAR API", async () => {
    const s = await sim()
    clock += 1000
    const withOrgKeys = await call(s, 'POST', PATH, { body: { amplitude_ids: [1] } })
    expect(withOrgKeys.status).toBe(401)
    const dsar = await call(s, 'GET', '/api/2/dsar/requests/53367', {
      auth: `Basic ${s.erasureBasicAuth}`
    })
    expect(dsar.status).toBe(401)
    expect(s.deletionJobs()).toEqual([])
  })

  test('each project has its own keys and jobs', async () => {
    const projects = [
      { apiKey: 'p1-key', secretKey: 'p1-secret' },
      { apiKey: 'p2-key', secretKey: 'p2-secret' }
    ]
    const s = await sim({ deletions: { projects } })
    const p2 = `Basic ${Buffer.from('p2-key:p2-secret').toString('base64')}`
    expect((await call(s, 'POST', PATH, { body: { amplitude_ids: [9] }, auth: p2 })).status).toBe(
      200
    )
    expect(s.deletionJobs().map(j => j.project)).toEqual(['p2-key'])
    const list = await erase(s, 'GET', `${PATH}?start_day=2026-12-01&end_day=2026-12-31`)
    expect([list.status, list.json]).toEqual([200, []]) // project 1 sees none of project 2's jobs
  })

  test('1 request per second per project: sooner gets 429, which does not count', async () => {
    const s = await sim()
    const auth = `Basic ${s.erasureBasicAuth}`
    const list = `${PATH}?start_day=2026-12-01&end_day=2026-12-31`
    expect((await call(s, 'GET', list, { auth })).status).toBe(200)
    clock += 999
    expect((await call(s, 'GET', list, { auth })).status).toBe(429)
    expect((await call(s, 'POST', PATH, { body: { amplitude_ids: [1] }, auth })).status).toBe(429)
    clock += 1 // 1000 ms after the last admitted call, refused ones ignored
    expect((await call(s, 'POST', PATH, { body: { amplitude_ids: [1] }, auth })).status).toBe(200)
    expect(s.deletionJobs()[0].entries).toHaveLength(1)
  })
})

describe('GET /api/2/deletions/users', () => {
  test.each([
    ['', 'start_day and end_day are required'],
    ['?start_day=2026-12-01', 'start_day and end_day are required'],
    ['?start_day=2026-02-30&end_day=2026-03-01', 'YYYY-MM-DD'],
    ['?start_day=2026-12-10&end_day=2026-12-01', 'before start_day'],
    ['?start_day=2026-01-01&end_day=2026-07-05', 'six months']
  ])('refuses %s with 400', async (query, message) => {
    const s = await sim()
    const answer = await erase(s, 'GET', `${PATH}${query}`)
    expect(answer.status).toBe(400)
    expect(answer.text).toContain(message)
  })

  test('lists the jobs whose day is in the range, moving along the timeline with the clock', async () => {
    const s = await sim()
    await erase(s, 'POST', PATH, { amplitude_ids: [1] }) // job of 2026-12-11
    const read = async (at: number, range = 'start_day=2026-12-01&end_day=2026-12-31') => {
      clock = at - 1000
      return (await erase(s, 'GET', `${PATH}?${range}`)).json as (Job & Record<string, unknown>)[]
    }
    const day = (d: number, h = 0) => Date.UTC(2026, 11, d, h)
    expect(await read(day(1, 12), 'start_day=2026-12-12&end_day=2026-12-31')).toEqual([])
    expect((await read(day(7, 23)))[0]).toMatchObject({ day: '2026-12-11', status: 'staging' })
    const submitted = (await read(day(8, 0)))[0]
    expect(submitted.status).toBe('submitted')
    expect(submitted).not.toHaveProperty('active_scrub_done_date')
    const scrubbed = (await read(day(12, 0)))[0]
    expect(scrubbed).toMatchObject({ status: 'submitted', active_scrub_done_date: '2026-12-12' })
    expect((await read(day(16, 23)))[0].status).toBe('submitted') // backup purge still running
    const done = (await read(day(17, 0)))[0]
    expect(done).toMatchObject({ status: 'done', active_scrub_done_date: '2026-12-12' })
    expect(done.amplitude_ids).toEqual([
      { amplitude_id: 1, requester: '', requested_on_day: '2026-12-01' }
    ])
  })
})

describe('DELETE /api/2/deletions/users/{amplitude_id}/{day}', () => {
  test('takes an id out only while the job is staging (more than three days before its day)', async () => {
    const s = await sim()
    await erase(s, 'POST', PATH, { amplitude_ids: [1, 2, 3] })
    const revoked = await erase(s, 'DELETE', `${PATH}/2/2026-12-11`)
    expect(revoked.status).toBe(200)
    expect((revoked.json as Job).amplitude_ids.map(e => e.amplitude_id)).toEqual([1, 3])

    expect((await erase(s, 'DELETE', `${PATH}/2/2026-12-11`)).status).toBe(404)
    expect((await erase(s, 'DELETE', `${PATH}/1/2026-12-12`)).status).toBe(404)
    expect((await erase(s, 'DELETE', `${PATH}/x/2026-12-11`)).status).toBe(400)

    clock = Date.UTC(2026, 11, 8) - 1000 // exactly three days before the job's day
    const late = await erase(s, 'DELETE', `${PATH}/1/2026-12-11`)
    expect(late.status).toBe(400)
    expect(late.text).toContain('is submitted')
    expect(s.deletionJobs()[0].entries.map(e => e.amplitude_id)).toEqual([1, 3])
  })

  test('wrong methods get 405 with Allow', async () => {
    const s = await sim()
    const put = await erase(s, 'PUT', PATH)
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST'])
    const get = await erase(s, 'GET', `${PATH}/1/2026-12-11`)
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'DELETE'])
  })
})
