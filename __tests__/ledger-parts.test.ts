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
import { decide, labelsFor } from '../src/ledger/states.js'
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
        endDate: '2026-06-30'
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

const marker = (over: Partial<LedgerMarker> = {}): LedgerMarker => ({
  version: 1,
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
    const body = ledgerComment(m, 'T-1 --> <script>')
    expect(body.split('\n').pop()).toBe(markerLine(m))
    expect(readLedger([comment(1, bot.login, bot.type, body)], bot)).toEqual({
      kind: 'valid',
      marker: m,
      commentId: 1
    })
    const line = markerLine({ ...m, startDate: '-->' })
    expect(line.indexOf('-->')).toBe(line.length - 3)
  })

  test("only the action's own identity is trusted; the latest of its comments wins", () => {
    const forged = ledgerComment(marker({ state: 'done' }))
    const own = ledgerComment(marker())
    const comments = [
      comment(1, bot.login, bot.type, own, 1),
      comment(2, 'priya', 'User', forged, 5),
      comment(3, 'github-actions', 'User', forged, 6),
      comment(4, bot.login, 'User', forged, 7)
    ]
    const reading = readLedger(comments, bot)
    expect(reading.kind === 'valid' && reading.marker.state).toBe('submitted')
    const newer = ledgerComment(marker({ state: 'failed' }))
    const updated = readLedger([...comments, comment(5, bot.login, bot.type, newer, 9)], bot)
    expect(updated.kind === 'valid' && updated.marker.state).toBe('failed')
    expect(readLedger([comments[1]], bot)).toEqual({ kind: 'none' })
  })

  test.each([
    ['an unknown version', { version: 2 }],
    ['an unknown state', { state: 'delivered' }],
    [
      'a request id with a path in it',
      { requests: [{ ...marker().requests[0], requestId: '../x' }] }
    ],
    ['a raw subject id', { requests: [{ ...marker().requests[0], subject: 'alice@example.com' }] }],
    ['a status with markup', { requests: [{ ...marker().requests[0], status: '<b>done</b>' }] }],
    ['a bad time', { requests: [{ ...marker().requests[0], doneAt: 'yesterday' }] }],
    ['no request id once submitted', { requests: [{ ...marker().requests[0], requestId: null }] }],
    ['an extra field', { note: 'x' }],
    ['no requests', { requests: [] }]
  ])('refuses %s', (_name, change) => {
    expect(markerProblem({ ...marker(), ...change })).toBeDefined()
    const body = `x\n${MARKER_PREFIX}${JSON.stringify({ ...marker(), ...change })} -->`
    expect(readLedger([comment(1, bot.login, bot.type, body)], bot).kind).toBe('unreadable')
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
  })
})

describe('the comments', () => {
  const hostile =
    '[x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> @org/team #12 | `code`'
  test.each([
    ['ledger', ledgerComment(marker(), hostile)],
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
