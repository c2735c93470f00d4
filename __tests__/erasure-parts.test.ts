// Unit tests of the erasure's pure parts: the key scope rule, the pacer, the job reading, inputs.
import { VirtualClock } from '../src/arazzo/pacing.js'
import { BudgetDeadlineError } from '../src/run/budget.js'
import { IntervalPacer } from '../src/run/erasure-pacer.js'
import {
  aggregateJobStatus,
  batches,
  batchInputs,
  cancellableUntil,
  DAY_MS,
  erasurePollSchedule,
  listedSubjects,
  placeSubjects,
  readJobs
} from '../src/run/erasure-jobs.js'
import {
  checkJobDays,
  parseRequester,
  parseRequestType
} from '../src/action/inputs/erasure-inputs.js'
import { createActionTransport, TransportError } from '../src/run/http-transport.js'
import { createCredentialPolicy, mayCarryCredentials } from '../src/policy/credentials.js'
import type { Subject } from '../src/run/subjects.js'

describe('which key pair may go where (src/policy/credentials.ts)', () => {
  const policy = createCredentialPolicy({ apiOrigin: 'https://amplitude.com', region: 'us' })
  const may = (url: string, scope?: 'dsar' | 'erasure') =>
    mayCarryCredentials(policy, { kind: 'apiCall', url: new URL(url), scope })

  test('erasure keys: the deletion API on the API origin, nothing else', () => {
    expect(may('https://amplitude.com/api/2/deletions/users', 'erasure')).toBe(true)
    expect(may('https://amplitude.com/api/2/deletions/users/123/2026-12-11', 'erasure')).toBe(true)
    expect(may('https://amplitude.com/api/2/dsar/requests', 'erasure')).toBe(false)
    expect(may('https://amplitude.com/api/2/dsar/requests/1/outputs/0', 'erasure')).toBe(false)
    expect(may('https://amplitude.com/api/2/deletions/users/1/2/3', 'erasure')).toBe(false)
    expect(may('https://analytics.amplitude.com/api/2/deletions/users', 'erasure')).toBe(false)
    expect(may('https://evil.example/api/2/deletions/users', 'erasure')).toBe(false)
  })

  test('DSAR keys (the default scope): never the deletion API', () => {
    expect(may('https://amplitude.com/api/2/dsar/requests')).toBe(true)
    expect(may('https://amplitude.com/api/2/deletions/users')).toBe(false)
    expect(may('https://amplitude.com/api/2/deletions/users', 'dsar')).toBe(false)
  })

  test('the transport asks the rule before sending anything', async () => {
    let sent = 0
    const { transport } = createActionTransport({
      apiOrigin: 'https://amplitude.com',
      scope: 'erasure',
      clock: new VirtualClock(0),
      pacer: new IntervalPacer(new VirtualClock(0)),
      maxConcurrency: 1,
      send: async () => {
        sent++
        return { status: 200, headers: {}, body: [] }
      }
    })
    const call = (url: string) =>
      transport({ method: 'GET', url, headers: {} }, new AbortController().signal)
    await expect(call('https://amplitude.com/api/2/dsar/requests/1')).rejects.toThrow(
      'refused to send the erasure keys to /api/2/dsar/requests/1'
    )
    await expect(call('https://other.example/api/2/deletions/users')).rejects.toThrow(
      TransportError
    )
    expect(sent).toBe(0)
    await call(
      'https://amplitude.com/api/2/deletions/users?start_day=2026-12-01&end_day=2026-12-01'
    )
    expect(sent).toBe(1)
  })
})

describe('IntervalPacer', () => {
  test('one call at a time, each starting at least 1 s after the previous one ended', async () => {
    const clock = new VirtualClock(0)
    const pacer = new IntervalPacer(clock)
    const starts: number[] = []
    const call = async (takesMs: number) => {
      await pacer.acquire(1)
      starts.push(clock.now())
      await clock.sleep(takesMs)
      pacer.settled()
    }
    await Promise.all([call(300), call(50), call(0)])
    expect(starts).toEqual([0, 1300, 2350])
  })

  test('a 429 pauses the next call; a wait past the deadline is refused at once', async () => {
    const clock = new VirtualClock(0)
    const pacer = new IntervalPacer(clock)
    await pacer.acquire(1)
    pacer.settled()
    pacer.pauseUntil(5000)
    await pacer.acquire(1)
    expect(clock.now()).toBe(5000)
    pacer.settled()
    await expect(pacer.acquire(1, undefined, 5500)).rejects.toBeInstanceOf(BudgetDeadlineError)
  })
})

describe('reading deletion jobs', () => {
  const job = {
    day: '2026-12-11',
    status: 'Staging',
    amplitude_ids: [
      { amplitude_id: 1, requester: 'p', requested_on_day: '2026-12-01' },
      { amplitude_id: 2, user_id: 'u-2', requester: 'p', requested_on_day: '2026-12-01' }
    ]
  }

  test('keeps what has the documented shape, statuses lowercased', () => {
    const { jobs, refused } = readJobs([{ ...job, active_scrub_done_date: '2026-12-12' }])
    expect(refused).toEqual([])
    expect(jobs).toEqual([
      {
        day: '2026-12-11',
        status: 'staging',
        activeScrubDoneDate: '2026-12-12',
        entries: [
          { amplitudeId: 1, requester: 'p', requestedOnDay: '2026-12-01' },
          { amplitudeId: 2, userId: 'u-2', requester: 'p', requestedOnDay: '2026-12-01' }
        ]
      }
    ])
  })

  test.each([
    [{ answer: 'no' }, 'something other than a list'],
    [[{ ...job, day: '2026-02-30' }], 'no valid day'],
    [[{ ...job, status: 'done\n::error::x' }], 'no valid status'],
    [[{ ...job, amplitude_ids: [{ amplitude_id: -1 }] }], 'wrong shape'],
    [[{ ...job, amplitude_ids: [{ amplitude_id: 1, user_id: 'a$(x)' }] }], 'wrong shape'],
    [[{ ...job, amplitude_ids: [{ amplitude_id: 1, requester: 'a\nb' }] }], 'wrong shape'],
    [[{ ...job, active_scrub_done_date: 'soon' }], 'not a day']
  ])('refuses %j, naming it without quoting it', (answer, problem) => {
    const { jobs, refused } = readJobs(answer)
    expect(jobs).toEqual([])
    expect(refused.join()).toContain(problem)
    expect(refused.join()).not.toContain('::error::')
  })

  test('places each subject in the latest job holding it; the others are absent', () => {
    const subjects: Subject[] = [
      { kind: 'userId', userId: 'u-2' },
      { kind: 'amplitudeId', amplitudeId: 1 },
      { kind: 'userId', userId: 'ghost' }
    ]
    const { jobs } = readJobs([
      job,
      { ...job, day: '2026-12-18', amplitude_ids: [job.amplitude_ids[0]] }
    ])
    const placed = placeSubjects(subjects, jobs)
    expect(placed.map(p => p.job?.day)).toEqual(['2026-12-11', '2026-12-18', undefined])
    expect(listedSubjects(jobs)).toEqual([
      { kind: 'amplitudeId', amplitudeId: 1 },
      { kind: 'userId', userId: 'u-2' }
    ])
  })

  test('batches of 100 ids, each list present only when it has ids', () => {
    const subjects: Subject[] = Array.from({ length: 201 }, (_, i) =>
      i % 2 ? { kind: 'userId', userId: `u${i}` } : { kind: 'amplitudeId', amplitudeId: i }
    )
    expect(batches(subjects).map(b => b.length)).toEqual([100, 100, 1])
    expect(batchInputs([{ kind: 'amplitudeId', amplitudeId: 7 }])).toEqual({ amplitudeIds: [7] })
  })

  test('status of several jobs: done only when all are; unknown first', () => {
    expect(aggregateJobStatus(['done', 'done'])).toBe('done')
    expect(aggregateJobStatus(['done', 'submitted', 'staging'])).toBe('staging')
    expect(aggregateJobStatus(['done', 'purged'])).toBe('purged')
    expect(aggregateJobStatus([])).toBe('')
  })

  test('cancellable until three days before the day', () => {
    expect(cancellableUntil('2026-12-11')).toBe('2026-12-08T00:00:00.000Z')
  })

  test('against Amplitude a job is read at most once a day; loopback at poll-interval', () => {
    expect(erasurePollSchedule(60_000, false).delayMs(1)).toBe(DAY_MS)
    expect(erasurePollSchedule(2 * DAY_MS, false).delayMs(5)).toBe(2 * DAY_MS)
    expect(erasurePollSchedule(50, true).delayMs(3)).toBe(50)
    expect(erasurePollSchedule(50, true).delayMs(1, 3000)).toBe(3000)
  })
})

describe('erasure inputs', () => {
  test('request-type: access by default, erasure, nothing else', () => {
    expect(parseRequestType('')).toBe('access')
    expect(parseRequestType('Erasure')).toBe('erasure')
    expect(() => parseRequestType('delete')).toThrow('request-type')
  })

  test('requester: the input, else the actor, else the action', () => {
    expect(parseRequester('dpo@example.com', 'octocat')).toBe('dpo@example.com')
    expect(parseRequester('', 'octocat')).toBe('octocat')
    expect(parseRequester('', '')).toBe('amplitude-dsar-action')
    expect(() => parseRequester('a\nb', '')).toThrow('erasure-requester')
  })

  test('request ids are job days', () => {
    expect(() => checkJobDays(['2026-12-11', '2027-01-01'])).not.toThrow()
    expect(() => checkJobDays(['2026-12-11', '53367'])).toThrow('entry 2 is not a job day')
  })
})
