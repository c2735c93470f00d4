import { EventClock } from '../bench/event-clock.js'
import { failureMessage, resumeHint, submittedSummary } from '../src/action/reporting/conclusion.js'
import { answeredSubject, expiresAt, isKnownStatus } from '../src/run/dsar-status.js'
import { TransportError } from '../src/run/http-transport.js'
import { PROGRESS_EVERY_MS, progressLine, startProgress } from '../src/action/reporting/progress.js'
import type { RequestRecord } from '../src/run/request-runner.js'

const MINUTE = 60_000

function record(extra: Partial<RequestRecord> = {}): RequestRecord {
  return { label: 'subject', urls: [], polls: 0, startedAt: 0, workflowOutputs: {}, ...extra }
}

describe('progress lines', () => {
  test('where each request stands, and when the next poll is due', () => {
    const records = [
      record({ requestId: '1', status: 'done', outcome: 'done' }),
      record({ requestId: '2', status: 'done', outcome: 'done' }),
      record({ requestId: '3', status: 'done', outcome: 'done' }),
      ...[4, 5, 6, 7, 8].map(n =>
        record({ requestId: String(n), status: 'submitted', nextPollAt: 10 * MINUTE + n * MINUTE })
      ),
      record({ requestId: '9', status: 'staging', nextPollAt: 14 * MINUTE }),
      record({ requestId: '10', status: 'staging', nextPollAt: 9 * MINUTE })
    ]
    expect(progressLine(records, 10, 10 * MINUTE)).toBe(
      'Progress: 3 of 10 done, 5 submitted, 2 staging; next poll in 4m'
    )
  })

  test('requests not started yet (max-concurrency) and not submitted yet are counted', () => {
    const records = [record(), record({ requestId: '7' }), record({ status: 'staging' })]
    expect(progressLine(records, 5, 0)).toBe(
      'Progress: 0 of 5 done, 2 waiting for a slot, 1 not submitted yet, 1 staging, ' +
        '1 submitted (status not read yet)'
    )
  })

  test('a line at least every 5 minutes while the run goes on (every 3), none after stop()', async () => {
    const clock = new EventClock(0)
    const printed: number[] = []
    const records = [record({ status: 'staging' }), record({ status: 'submitted' })]
    const progress = startProgress({
      records,
      total: 2,
      clock,
      print: () => printed.push(clock.now())
    })
    await clock.run(16 * MINUTE)
    expect(PROGRESS_EVERY_MS).toBeLessThanOrEqual(5 * MINUTE)
    expect(printed).toEqual([3, 6, 9, 12, 15].map(m => m * MINUTE))
    progress.stop()
    await clock.run()
    expect(printed).toHaveLength(5)
  })
})

describe('statuses and dates as the docs leave them', () => {
  test('statuses are words of any case', () => {
    expect(isKnownStatus('DONE')).toBe(true)
    expect(isKnownStatus('Staging')).toBe(true)
    expect(isKnownStatus('archived')).toBe(false)
  })

  test('a date without a time expires at the end of that day, UTC', () => {
    expect(expiresAt('2026-12-03')).toBe('2026-12-03T23:59:59Z')
    expect(expiresAt('2026-12-03T10:00:00Z')).toBe('2026-12-03T10:00:00Z')
  })

  test('the subject a status answer names, when it has the shape of one', () => {
    expect(answeredSubject({ userId: 'alice@example.com', amplitudeId: null })).toEqual({
      kind: 'userId',
      userId: 'alice@example.com'
    })
    expect(answeredSubject({ userId: null, amplitudeId: 123 })).toEqual({
      kind: 'amplitudeId',
      amplitudeId: 123
    })
    expect(answeredSubject({ userId: 42 })).toEqual({ kind: 'userId', userId: '42' })
    for (const userId of ['', 'a\nb', 'x"; rm -rf /', '$(id)', 'x'.repeat(1025)]) {
      expect(answeredSubject({ userId })).toBeUndefined()
    }
    expect(answeredSubject({ amplitudeId: -1 })).toBeUndefined()
    expect(answeredSubject({ amplitudeId: '123' })).toBeUndefined()
  })
})

describe('how a run ends, in words', () => {
  const deadline = Date.parse('2026-12-01T10:00:20Z')

  test('a timeout names the timeout and when the deadline was', () => {
    const records = [record({ requestId: '53367', status: 'staging', outcome: 'timedOut' })]
    const problem =
      'request 53367: still staging after 13s, and its next poll would come after the timeout'
    expect(failureMessage({ records, problems: [problem], timeoutMs: 20_000, deadline })).toBe(
      `Timed out (timeout 20s, deadline 2026-12-01T10:00:20Z): ${problem}\n` +
        'Resume them in a later run with:\n  request-ids: 53367'
    )
  })

  test('refused credentials name the call, and keep the request ids obtained', () => {
    const refused = new TransportError(
      'auth',
      'HTTP 401 from GET /api/2/dsar/requests/53367: the API refused the credentials',
      401
    )
    const records = [
      record({ requestId: '53367', status: 'staging', outcome: 'aborted' }),
      record({ outcome: 'aborted' })
    ]
    expect(
      failureMessage({ records, problems: ['x'], stopReason: refused, timeoutMs: 1, deadline })
    ).toBe(`${refused.message}; request ids so far: 53367\nResume them with:\n  request-ids: 53367`)
  })

  test('all done: no failure', () => {
    const records = [record({ requestId: '1', outcome: 'done' })]
    expect(failureMessage({ records, problems: [], timeoutMs: 1, deadline })).toBeUndefined()
    expect(resumeHint(records)).toBeUndefined()
  })

  test('wait: false says what it submitted and saw', () => {
    expect(submittedSummary([record({ requestId: '1', status: 'staging' })])).toBe(
      'Submitted 1 request; 1 staging'
    )
    const three = ['staging', 'submitted', 'staging'].map(status =>
      record({ requestId: '1', status })
    )
    expect(submittedSummary(three)).toBe('Submitted 3 requests; 2 staging, 1 submitted')
  })
})
