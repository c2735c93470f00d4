/**
 * The erasure's pure parts in the ledger: the form's `Request` and `Identity verified`, who counts
 * as an approver (src/ledger/approval.ts), the erasure record in the sealed state line, and the
 * labels and decisions of the erasure states.
 */
import { judgeApproval } from '../src/ledger/approval.js'
import { approvalRefusedComment, awaitingApprovalComment } from '../src/ledger/erasure-comments.js'
import { erasureProblem, formDigest } from '../src/ledger/erasure-record.js'
import { formBody, readForm } from '../src/ledger/form.js'
import type { LabelEventFacts } from '../src/ledger/github-shapes.js'
import { markerProblem } from '../src/ledger/marker.js'
import { decide, labelsFor } from '../src/ledger/states.js'
import { ledgerLabels } from '../src/ledger/labels.js'

const defaults = { startDate: '2012-01-01', endDate: '2026-06-30', today: '2026-06-30' }
const isTime = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v))

describe('the form: Request and Identity verified', () => {
  test.each([
    ['Access (export)', 'access'],
    ['erasure', 'erasure'],
    ['Access, then erasure', 'access-then-erasure'],
    ['', 'access']
  ])('Request %p reads as %p', (request, kind) => {
    const reading = readForm(formBody({ userIds: 'a', request }), defaults)
    expect(reading).toMatchObject({ ok: true, form: { request: kind } })
  })

  test('a Request outside the options is refused, naming the field', () => {
    expect(readForm(formBody({ userIds: 'a', request: 'Delete everything' }), defaults)).toEqual({
      ok: false,
      field: 'Request',
      problem: "is not one of 'Access (export)', 'Erasure', 'Access, then erasure'"
    })
  })

  test('Identity verified: _No response_ is absent; text is one bounded line', () => {
    const none = readForm(
      formBody({ userIds: 'a', request: 'Erasure', identityVerified: '' }),
      defaults
    )
    expect(none.ok && none.form.identityVerified).toBe(undefined)
    const said = readForm(
      formBody({ userIds: 'a', identityVerified: `signed in\n${'x'.repeat(300)}` }),
      defaults
    )
    expect(said.ok && said.form.identityVerified?.startsWith('signed in x')).toBe(true)
    expect(said.ok && said.form.identityVerified?.length).toBe(200)
  })
})

describe('approval (who added <label>:approved)', () => {
  const event = (
    actor: string,
    at: string,
    extra: Partial<LabelEventFacts> = {}
  ): LabelEventFacts => ({
    id: 1,
    event: 'labeled',
    actor,
    actorType: 'User',
    label: 'dsar:approved',
    createdAt: at,
    ...extra
  })
  const options = {
    approvedLabel: 'dsar:approved',
    author: 'priya',
    formSeenAt: '2026-06-01T10:00:00.400Z'
  }

  test('a second person after the form was read is a candidate (write access checked by the caller)', () => {
    expect(judgeApproval([event('omar', '2026-06-01T10:00:00Z')], options)).toEqual({
      kind: 'candidate',
      login: 'omar',
      at: '2026-06-01T10:00:00Z'
    })
  })

  test.each([
    ['the author', [event('Priya', '2026-06-01T11:00:00Z')], /author/],
    ['a bot', [event('ci-bot[bot]', '2026-06-01T11:00:00Z', { actorType: 'Bot' })], /person/],
    [
      'before the form was read',
      [event('omar', '2026-06-01T09:59:59Z')],
      /before the ledger read the form/
    ],
    [
      'the last labeled event decides (the author re-added it)',
      [event('omar', '2026-06-01T11:00:00Z'), event('priya', '2026-06-01T12:00:00Z')],
      /author/
    ]
  ])('%s does not count', (_name, events, why) => {
    const verdict = judgeApproval(events, options)
    expect(verdict.kind).toBe('refused')
    expect(verdict.kind === 'refused' && verdict.why).toMatch(why)
  })

  test('only an approval older than the reading of the form is marked early (adding it again fixes it)', () => {
    expect(judgeApproval([event('omar', '2026-06-01T09:59:59Z')], options)).toMatchObject({
      kind: 'refused',
      early: true
    })
    expect(judgeApproval([event('priya', '2026-06-01T11:00:00Z')], options)).not.toHaveProperty(
      'early'
    )
  })

  test('other labels and unlabeled events are not approvals', () => {
    expect(
      judgeApproval(
        [
          event('omar', '2026-06-01T11:00:00Z', { label: 'dsar' }),
          event('omar', '2026-06-01T11:00:00Z', { event: 'unlabeled' })
        ],
        options
      )
    ).toEqual({ kind: 'none' })
  })
})

describe('the erasure record in the state line', () => {
  const record = {
    form: formDigest('body'),
    formSeenAt: '2026-06-01T10:00:00.000Z',
    requester: 'priya',
    subjects: [{ subject: 'user #ab12cd34', day: null }],
    statuses: []
  }
  const marker = {
    version: 2,
    state: 'awaiting-approval',
    startDate: '2012-01-01',
    endDate: '2026-06-30',
    requests: [],
    request: 'erasure',
    erasure: record
  }

  test('an erasure alone has no DSAR requests and is valid', () => {
    expect(markerProblem(marker)).toBeUndefined()
  })

  test.each([
    ['a raw id as subject', { subjects: [{ subject: 'alice@example.com', day: null }] }],
    ['a login that is not one', { approvedBy: 'omar <script>' }],
    ['a job day that is no day', { day: '2026-02-30' }],
    ['an unknown field', { note: 'x' }],
    ['a cancellation without who', { cancelled: { at: '2026-06-01T10:00:00.000Z', revoked: 1 } }]
  ])('%s is refused', (_name, change) => {
    expect(erasureProblem({ ...record, ...change }, isTime)).toMatch(/^erasure: /)
    expect(markerProblem({ ...marker, erasure: { ...record, ...change } })).toMatch(/^erasure: /)
  })

  test('an erasure state without an erasure record, or a bad request kind, is refused', () => {
    const { request: _r, erasure: _e, ...plain } = marker
    expect(
      markerProblem({
        ...plain,
        requests: [
          {
            requestId: '1',
            subject: 'user #ab12cd34',
            status: null,
            submittedAt: null,
            checkedAt: null,
            doneAt: null
          }
        ]
      })
    ).toBe('an erasure state without an erasure')
    expect(markerProblem({ ...marker, request: 'purge' })).toMatch(/^bad request/)
  })
})

describe('erasure states and labels', () => {
  test('awaiting approval and the job keep <label> beside their own label; cancelled and erased replace it', () => {
    expect(labelsFor(['x', 'dsar', 'dsar:submitted'], 'dsar', 'awaiting-approval')).toEqual([
      'x',
      'dsar',
      'dsar:awaiting-approval'
    ])
    expect(
      labelsFor(['dsar', 'dsar:awaiting-approval', 'dsar:approved'], 'dsar', 'erasure-submitting')
    ).toEqual(['dsar:approved', 'dsar', 'dsar:erasure-scheduled'])
    expect(
      labelsFor(['dsar', 'dsar:erasure-scheduled', 'dsar:cancel'], 'dsar', 'cancelled')
    ).toEqual(['dsar:cancel', 'dsar:cancelled'])
  })

  test('the erasure states go to the erasure step; a write-ahead still within its run is left alone', () => {
    const base = {
      version: 2 as const,
      startDate: '2012-01-01',
      endDate: '2026-06-30',
      requests: []
    }
    const reading = (state: string, until?: string) => ({
      kind: 'valid' as const,
      commentId: 7,
      marker: { ...base, state, ...(until && { until }) } as never
    })
    expect(decide(['dsar'], 'dsar', reading('awaiting-approval')).kind).toBe('erasure')
    expect(decide(['dsar'], 'dsar', reading('erasure-scheduled')).kind).toBe('erasure')
    const until = '2026-06-01T10:00:00.000Z'
    expect(
      decide(['dsar'], 'dsar', reading('erasure-submitting', until), Date.parse(until)).kind
    ).toBe('busy')
    expect(
      decide(['dsar'], 'dsar', reading('erasure-submitting', until), Date.parse(until) + 3_600_000)
        .kind
    ).toBe('erasure')
  })

  test('the first sweep creates the erasure labels, each within GitHub’s 50 characters', () => {
    const names = ledgerLabels('x'.repeat(32)).map(l => l.name)
    for (const suffix of [
      'awaiting-approval',
      'erasure-scheduled',
      'cancelled',
      'erased',
      'approved',
      'cancel'
    ]) {
      expect(names).toContain(`${'x'.repeat(32)}:${suffix}`)
    }
    expect(Math.max(...names.map(n => n.length))).toBeLessThanOrEqual(50)
  })
})

describe('what the ledger tells a person about an approval', () => {
  const record = {
    form: 'f'.repeat(64),
    formSeenAt: '2026-06-01T10:00:00.400Z',
    requester: 'priya',
    subjects: [],
    statuses: []
  }

  test('an approval given before the ledger read the form: told to add the label again, and why', () => {
    const said = approvalRefusedComment(
      'omar',
      'the approval was given before the ledger read the form as it stands (2026-06-01T10:00:00.400Z)',
      'dsar',
      'priya',
      true
    )
    expect(said).toContain('does not say when an issue was last edited')
    expect(said).toMatch(/other than priya adds `dsar&#58;approved` again/)
  })

  test('any other refusal says who may approve instead', () => {
    const said = approvalRefusedComment('priya', 'the author cannot approve', 'dsar', 'priya')
    expect(said).toMatch(/other than priya \(who filed it\), adds `dsar&#58;approved`/)
    expect(said).not.toContain('again')
  })

  test('the ask for approval says an earlier approval must be given again; with one taken off, says so', () => {
    const plain = awaitingApprovalComment(record, 'dsar')
    expect(plain).toContain('add the label again after that time')
    expect(plain).not.toContain('already on the issue')
    const early = awaitingApprovalComment(record, 'dsar', true)
    expect(early).toMatch(
      /`dsar&#58;approved` was already on the issue .* taken off: to approve, add it again now/
    )
  })

  test('logins from outside are escaped in the comments', () => {
    const said = approvalRefusedComment('<b>x</b>', 'why', 'dsar', '[me](http://e)')
    expect(said).not.toMatch(/<b>|\]\(http/)
  })
})
