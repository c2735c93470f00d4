/**
 * The ledger's pure parts: reading the issue form, the ledger comment's state line (who is trusted,
 * which shapes are accepted), the state machine's decisions and labels, and the comments' escaping.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import {
  deliveredComment,
  failedComment,
  ledgerComment,
  needsInfoComment,
  refusedComment
} from '../src/ledger/comments.js'
import { FIELDS, MAX_BODY_CHARS, MAX_SUBJECTS_PER_ISSUE, readForm } from '../src/ledger/form.js'
import type { Identity } from '../src/ledger/github-client.js'
import type { CommentFacts } from '../src/ledger/github-shapes.js'
import {
  MARKER_PREFIX,
  markerLine,
  markerProblem,
  readLedger,
  type LedgerMarker
} from '../src/ledger/marker.js'
import { decide, labelsFor, PERSON_STATES, sameLabels } from '../src/ledger/states.js'
import { ledgerKey, sealFor } from '../src/ledger/seal.js'
import { formBody } from './support/ledger-world.js'

const defaults = { startDate: '2012-01-01', endDate: '2026-06-30', today: '2026-06-30' }
const bot: Identity = { login: 'github-actions[bot]', type: 'Bot' }

describe('the issue form', () => {
  test('reads the sections GitHub renders, case-insensitively, with _No response_ as empty', () => {
    const body = formBody({
      userIds: 'alice@example.com\nbob, carol',
      amplitudeIds: '12, 34'
    }).replace('### User IDs', '### user ids')
    const reading = readForm(body, defaults)
    expect(reading).toEqual({
      ok: true,
      form: {
        subjects: [
          { kind: 'userId', userId: 'alice@example.com' },
          { kind: 'userId', userId: 'bob' },
          { kind: 'userId', userId: 'carol' },
          { kind: 'amplitudeId', amplitudeId: 12 },
          { kind: 'amplitudeId', amplitudeId: 34 }
        ],
        startDate: '2012-01-01',
        endDate: '2026-06-30',
        request: 'access',
        // Received on: the default (today when no creation day is given); Regime: GDPR.
        receivedOn: '2026-06-30',
        regime: 'GDPR'
      }
    })
  })

  test('dates from the form, a fenced value, and the reference (one line, bounded)', () => {
    const body = formBody({
      userIds: '```\nalice\n```',
      startDate: '2024-01-01',
      endDate: '2024-12-31',
      reference: `T-1\n\n${'x'.repeat(500)}`
    })
    const reading = readForm(body, defaults)
    expect(reading.ok && reading.form).toMatchObject({
      subjects: [{ kind: 'userId', userId: 'alice' }],
      startDate: '2024-01-01',
      endDate: '2024-12-31'
    })
    expect(reading.ok && reading.form.reference).toMatch(/^T-1 x+$/)
    expect(reading.ok && [...reading.form.reference!].length).toBe(200)
  })

  test.each([
    ['no subject', formBody({}), `${FIELDS.userIds} / ${FIELDS.amplitudeIds}`, /no subject/],
    [
      'a control character',
      formBody({ userIds: 'a\u0007b' }),
      FIELDS.userIds,
      /control characters/
    ],
    ['a bad date', formBody({ userIds: 'a', endDate: '31/12/2024' }), FIELDS.endDate, /YYYY-MM-DD/],
    ['a future date', formBody({ userIds: 'a', endDate: '2027-01-01' }), FIELDS.endDate, /future/],
    [
      'a field twice',
      `${formBody({ userIds: 'a' })}\n### User IDs\n\nb`,
      'User IDs',
      /more than once/
    ],
    [
      'a huge body',
      formBody({ userIds: 'a' }) + 'x'.repeat(MAX_BODY_CHARS),
      'the issue body',
      /longer/
    ],
    [
      'too many subjects',
      formBody({
        userIds: Array.from({ length: MAX_SUBJECTS_PER_ISSUE + 1 }, (_, i) => `u${i}`).join(',')
      }),
      `${FIELDS.userIds} / ${FIELDS.amplitudeIds}`,
      /at most/
    ],
    [
      'free text',
      'please send me my data',
      `${FIELDS.userIds} / ${FIELDS.amplitudeIds}`,
      /no subject/
    ]
  ])('refuses %s, naming the field', (_name, body, field, problem) => {
    const reading = readForm(body, defaults)
    expect(reading.ok).toBe(false)
    if (reading.ok) return
    expect(reading.field).toBe(field)
    expect(reading.problem).toMatch(problem)
    expect(reading.problem).not.toContain('a\u0007b')
  })

  test('the shipped issue form has exactly the fields the reader knows, and adds the label', () => {
    const form = parse(
      readFileSync(
        join(import.meta.dirname, '..', 'examples', 'ISSUE_TEMPLATE', 'dsar.yml'),
        'utf8'
      )
    ) as { labels: string[]; body: { type: string; attributes: { label?: string } }[] }
    expect(form.labels).toEqual(['dsar'])
    const labels = form.body.filter(f => f.type !== 'markdown').map(f => f.attributes.label)
    expect(labels).toEqual(Object.values(FIELDS))
  })
})

const seal = sealFor(ledgerKey('test-secret'), 'octo-org/privacy-ops', 1)

const marker = (over: Partial<LedgerMarker> = {}): LedgerMarker => ({
  version: 2,
  state: 'submitted',
  startDate: '2024-01-01',
  endDate: '2024-12-31',
  requests: [
    {
      requestId: '53367',
      subject: 'user #0123abcd',
      status: 'staging',
      submittedAt: '2026-01-01T00:00:00.000Z',
      checkedAt: '2026-01-01T00:00:00.000Z',
      doneAt: null
    }
  ],
  ...over
})

function comment(id: number, author: string, type: string, body: string, at = id): CommentFacts {
  return {
    id,
    issueNumber: 1,
    body,
    author,
    authorType: type,
    updatedAt: new Date(Date.UTC(2026, 0, 1) + at * 1000).toISOString()
  }
}

describe('the ledger comment', () => {
  test('round-trips through the comment, with <, > and & unable to end the HTML comment', () => {
    const m = marker()
    const body = ledgerComment(m, seal, 'T-1 --> <script>')
    expect(body.split('\n').pop()).toBe(markerLine(m, seal))
    expect(readLedger([comment(1, bot.login, bot.type, body)], bot, seal)).toEqual({
      kind: 'valid',
      marker: m,
      commentId: 1
    })
    const line = markerLine({ ...m, startDate: '-->' }, seal)
    expect(line.indexOf('-->')).toBe(line.length - 3)
  })

  test("only the action's own identity is trusted; two of its ledger comments are never chosen between", () => {
    const forged = ledgerComment(marker({ state: 'done' }), seal)
    const own = ledgerComment(marker(), seal)
    const comments = [
      comment(1, bot.login, bot.type, own, 1),
      comment(2, 'priya', 'User', forged, 5),
      comment(3, 'github-actions', 'User', forged, 6),
      comment(4, bot.login, 'User', forged, 7)
    ]
    const reading = readLedger(comments, bot, seal)
    expect(reading.kind === 'valid' && reading.marker.state).toBe('submitted')
    const second = ledgerComment(
      marker({ state: 'failed', requests: [{ ...marker().requests[0], requestId: '777' }] }),
      seal
    )
    expect(
      readLedger([...comments, comment(5, bot.login, bot.type, second, 9)], bot, seal)
    ).toEqual({
      kind: 'several',
      commentIds: [1, 5],
      requestIds: ['53367', '777']
    })
    expect(readLedger([comments[1]], bot, seal)).toEqual({ kind: 'none' })
  })

  test('a state line edited by hand, copied from another issue or of version 1 fails its check', () => {
    const own = ledgerComment(marker(), seal)
    const edited = own.replace('"requestId":"53367"', '"requestId":"77001"')
    const other = ledgerComment(
      marker(),
      sealFor(ledgerKey('test-secret'), 'octo-org/privacy-ops', 2)
    )
    const rotated = ledgerComment(
      marker(),
      sealFor(ledgerKey('new-secret'), 'octo-org/privacy-ops', 1)
    )
    const v1 = `x\n${MARKER_PREFIX}${JSON.stringify({ ...marker(), version: 1 })} -->`
    for (const body of [edited, other, rotated, v1]) {
      expect(readLedger([comment(1, bot.login, bot.type, body)], bot, seal)).toMatchObject({
        kind: 'unreadable',
        tampered: true
      })
    }
  })

  const request = (change: Record<string, unknown>) => ({
    requests: [{ ...marker().requests[0], ...change }]
  })
  const subjects = (n: number) =>
    Array.from({ length: n }, (_, i) => `user #${String(i).padStart(8, '0')}`).join(', ')

  test.each([
    ['not an object', [], 'the state is not an object'],
    ['an unknown version', { version: 4 }, 'unknown version 4'],
    ['an unknown state', { state: 'delivered' }, 'unknown state'],
    ['a startDate with a time', { startDate: '2024-01-01T00:00' }, 'bad startDate'],
    ['a startDate that is not text', { startDate: 20240101 }, 'bad startDate'],
    ['an endDate with a prefix', { endDate: 'x2024-12-31' }, 'bad endDate'],
    ['no requests', { requests: [] }, 'bad requests list'],
    ['requests that are not a list', { requests: {} }, 'bad requests list'],
    [
      '101 requests',
      { requests: Array.from({ length: 101 }, () => marker().requests[0]) },
      'bad requests list'
    ],
    ['a request that is not an object', { requests: [null] }, 'request 1: not an object'],
    ['a request id with a path in it', request({ requestId: '../x' }), 'request 1: bad request id'],
    ['a numeric request id', request({ requestId: 53367 }), 'request 1: bad request id'],
    [
      'a request id of 129 characters',
      request({ requestId: 'a'.repeat(129) }),
      'request 1: bad request id'
    ],
    [
      'a raw subject id',
      request({ subject: 'alice@example.com' }),
      'request 1: bad subject fingerprint'
    ],
    [
      '21 subjects in one request',
      request({ subject: subjects(21) }),
      'request 1: bad subject fingerprint'
    ],
    [
      'a subject with a suffix',
      request({ subject: 'user #0123abcd x' }),
      'request 1: bad subject fingerprint'
    ],
    ['a status with markup', request({ status: '<b>done</b>' }), 'request 1: bad status'],
    ['a numeric status', request({ status: 7 }), 'request 1: bad status'],
    ['a bad time', request({ doneAt: 'yesterday' }), 'request 1: bad doneAt'],
    ['a bad submittedAt', request({ submittedAt: '2026-01-01' }), 'request 1: bad submittedAt'],
    ['a bad checkedAt', request({ checkedAt: '2026-13-01T00:00:00Z' }), 'request 1: bad checkedAt'],
    ['a time with a suffix', request({ doneAt: '2026-01-01T00:00:00Zx' }), 'request 1: bad doneAt'],
    ['a bad expires', request({ expires: 'soon' }), 'request 1: bad expires'],
    ['no request id once submitted', request({ requestId: null }), 'request 1: no request id'],
    ['an extra field in a request', request({ note: 'x' }), 'request 1: unexpected fields'],
    ['an extra field', { note: 'x' }, 'unexpected fields']
  ])('refuses %s', (_name, change, problem) => {
    const value = Array.isArray(change) ? change : { ...marker(), ...change }
    expect(markerProblem(value)).toBe(problem)
    if (Array.isArray(value)) return // not `{...}`: the state line itself does not match
    // Sealed as the action would seal it: the integrity check passes, the shape check refuses.
    const body = `x\n${markerLine(value as unknown as LedgerMarker, seal)}`
    const reading = readLedger([comment(1, bot.login, bot.type, body)], bot, seal)
    // Another version carries no integrity check this action can verify: refused before its shape.
    const expected =
      value.version === 2 || value.version === 3
        ? { kind: 'unreadable', commentId: 1, problem }
        : {
            kind: 'unreadable',
            commentId: 1,
            problem: 'its state line is version 4, which carries no integrity check',
            tampered: true
          }
    expect(reading).toEqual(expected)
  })

  test.each([
    [
      'a request id not yet known while submitting',
      { state: 'submitting', ...request({ requestId: null, status: null }) }
    ],
    [
      'a request id never known, needs-attention',
      { state: 'needs-attention', ...request({ requestId: null }) }
    ],
    ['20 subjects in one request', request({ subject: subjects(20) })],
    ['an amplitude id subject', request({ subject: 'amplitude id #89abcdef' })],
    [
      'expires and milliseconds',
      request({ expires: '2026-01-03T00:00:00Z', doneAt: '2026-01-01T00:00:00.5Z' })
    ],
    ['100 requests', { requests: Array.from({ length: 100 }, () => marker().requests[0]) }]
  ])('accepts %s', (_name, change) => {
    expect(markerProblem({ ...marker(), ...change })).toBeUndefined()
  })

  test('a marker the action wrote that no longer reads is reported with why, never guessed at', () => {
    const own = (body: string) => readLedger([comment(7, bot.login, bot.type, body)], bot, seal)
    expect(own(`${markerLine(marker(), seal)}\nmore text`)).toEqual({
      kind: 'unreadable',
      commentId: 7,
      problem: 'its last line is not the state line'
    })
    expect(own(`x\n${MARKER_PREFIX}{nope} -->`)).toEqual({
      kind: 'unreadable',
      commentId: 7,
      problem: 'its state line is not JSON'
    })
    // Trailing blank lines and spaces around the state line are not a problem.
    expect(own(`x\n  ${markerLine(marker(), seal)}  \n\n`).kind).toBe('valid')
  })
})

describe('the state machine', () => {
  const valid = (state: LedgerMarker['state']) =>
    ({ kind: 'valid', marker: marker({ state }), commentId: 7 }) as const
  test.each([
    ['a new issue', ['dsar'], { kind: 'none' }, { kind: 'new', retry: false }],
    [
      'a retry after needs-info',
      ['dsar', 'dsar:needs-info'],
      { kind: 'none' },
      { kind: 'new', retry: true }
    ],
    [
      'submitted without a ledger',
      ['dsar', 'dsar:submitted'],
      { kind: 'none' },
      { kind: 'stuck', why: 'missing' }
    ],
    ['submitting', ['dsar'], valid('submitting'), { kind: 'stuck', why: 'submitting' }],
    ['submitted', ['dsar', 'dsar:submitted'], valid('submitted'), { kind: 'poll' }],
    [
      'a done ledger whose labels were not set yet',
      ['dsar', 'dsar:submitted'],
      valid('done'),
      { kind: 'settle', state: 'done' }
    ],
    [
      'a failed one asked again',
      ['dsar', 'dsar:failed'],
      valid('failed'),
      { kind: 'new', retry: true, commentId: 7 }
    ],
    [
      'an unreadable ledger',
      ['dsar'],
      { kind: 'unreadable', commentId: 7, problem: 'x' },
      { kind: 'stuck', why: 'unreadable' }
    ]
  ] as const)('%s', (_name, labels, reading, expected) => {
    expect(decide([...labels], 'dsar', reading)).toMatchObject(expected)
  })

  test("labels: other labels kept; the ledger's replaced", () => {
    expect(labelsFor(['bug', 'dsar', 'dsar:priority'], 'dsar', 'submitted')).toEqual([
      'bug',
      'dsar:priority',
      'dsar',
      'dsar:submitted'
    ])
    expect(labelsFor(['bug', 'dsar', 'dsar:submitted'], 'dsar', 'done')).toEqual([
      'bug',
      'dsar:done'
    ])
    expect(labelsFor(['dsar', 'dsar:failed'], 'dsar', 'new')).toEqual(['dsar'])
    expect(labelsFor(['dsar'], 'dsar', 'submitting')).toEqual(['dsar', 'dsar:submitted'])
  })

  test('every state that waits for a person: its label is replaced, and `dsar` beside it asks again', () => {
    expect([...PERSON_STATES].sort()).toEqual(
      [
        'done',
        'ready',
        'expired',
        'failed',
        'needs-attention',
        'needs-info',
        'refused',
        'cancelled',
        'erased'
      ].sort()
    )
    const everyOne = PERSON_STATES.map(state => `dsar:${state}`)
    expect(labelsFor(['x', ...everyOne, 'dsar:submitted', 'dsar'], 'dsar', 'new')).toEqual([
      'x',
      'dsar'
    ])
    for (const state of PERSON_STATES) {
      expect(labelsFor(['dsar', 'dsar:submitted'], 'dsar', state)).toEqual([`dsar:${state}`])
      expect(decide(['dsar', `dsar:${state}`], 'dsar', { kind: 'none' })).toEqual({
        kind: 'new',
        retry: true
      })
      expect(decide(['dsar', `dsar:${state}`], 'dsar', valid('done'))).toEqual({
        kind: 'new',
        retry: true,
        commentId: 7
      })
    }
  })

  test('each step carries exactly what its handler needs', () => {
    expect(decide(['dsar'], 'dsar', valid('submitting'))).toEqual({
      kind: 'stuck',
      why: 'submitting',
      commentId: 7,
      marker: marker({ state: 'submitting' })
    })
    expect(decide(['dsar', 'dsar:submitted'], 'dsar', valid('submitted'))).toEqual({
      kind: 'poll',
      marker: marker({ state: 'submitted' }),
      commentId: 7
    })
    expect(decide(['dsar'], 'dsar', { kind: 'unreadable', commentId: 7, problem: 'x' })).toEqual({
      kind: 'stuck',
      why: 'unreadable',
      commentId: 7
    })
    expect(decide(['dsar', 'dsar:submitted'], 'dsar', { kind: 'none' })).toEqual({
      kind: 'stuck',
      why: 'missing'
    })
    expect(decide(['dsar', 'dsar:submitted'], 'dsar', valid('expired'))).toEqual({
      kind: 'settle',
      state: 'expired'
    })
    // Another label's person state is not a person asking this ledger again.
    expect(decide(['dsar', 'other:failed'], 'dsar', { kind: 'none' })).toEqual({
      kind: 'new',
      retry: false
    })
  })

  test('sameLabels compares as sets of the same size', () => {
    expect(sameLabels(['a', 'b'], ['b', 'a'])).toBe(true)
    expect(sameLabels(['a', 'b'], ['a', 'b', 'b'])).toBe(false)
    expect(sameLabels(['a', 'b'], ['a', 'c'])).toBe(false)
    expect(sameLabels([], [])).toBe(true)
  })
})

describe('the comments', () => {
  const hostile =
    '[x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> @org/team #12 | `code`'
  test.each([
    ['ledger', ledgerComment(marker(), seal, hostile)],
    [
      'delivered',
      deliveredComment({ requestIds: ['1'], reference: hostile, recipients: [hostile], files: [] })
    ],
    [
      'failed',
      failedComment(
        [{ requestId: '1', subject: 'user #0123abcd', failReason: hostile }],
        hostile,
        'dsar'
      )
    ],
    ['needs-info', needsInfoComment(hostile, hostile, 'dsar')]
  ])(
    'the %s comment shows untrusted text without links, images, HTML, mentions or table breaks',
    (_n, body) => {
      // With every entity blanked out, nothing markdown or GitHub would act on is left.
      expect(body.replace(/&#\d+;/g, '·')).not.toMatch(/\]\(|<img|@org|#12|\| `code`/)
      expect(body).toContain('&#64;org')
    }
  )

  test('the refused comment says nothing about the subject', () => {
    expect(refusedComment()).not.toMatch(/#[0-9a-f]{8}|user|subject id/i)
  })
})
