/**
 * The wiring of every request's legal clock into the ledger (docs/desk.md): the form's `Received
 * on` and `Regime`, the inputs `ledger-regime` / `ledger-due-days`, the state line's `deadline`
 * (version 3; version 2 still read), the once-per-threshold decisions, the labels, the due line of
 * the ledger comment and the summary's order. Pure parts; the sweep end to end is in
 * __tests__/reliability/ledger-deadlines.test.ts.
 */
import { ledgerComment } from '../src/ledger/comments.js'
import {
  deadlineLabels,
  deadlineProblem,
  finishedLabels,
  moveDeadline,
  newDeadline,
  type DeadlineRecord
} from '../src/ledger/deadline-record.js'
import { clockTable } from '../src/ledger/deadline-step.js'
import { FIELDS, readForm } from '../src/ledger/form.js'
import { ledgerLabels } from '../src/ledger/labels.js'
import { parseLedgerInputs } from '../src/action/inputs/ledger-inputs.js'
import {
  markerLine,
  markerProblem,
  MARKER_VERSION,
  readLedger,
  type LedgerMarker
} from '../src/ledger/marker.js'
import { ledgerKey, sealFor } from '../src/ledger/seal.js'
import { Inputs } from '../src/run/input-names.js'
import { formBody } from './support/ledger-world.js'

const today = '2026-12-06'
const defaults = { startDate: '2012-01-01', endDate: today, today }

describe('the form: Received on and Regime', () => {
  const read = (fields: Record<string, string>, more: Partial<typeof defaults> = {}) =>
    readForm(formBody({ userIds: 'alice', ...fields }), { ...defaults, ...more })

  test('defaults: the issue creation day, then the ledger-regime input', () => {
    const reading = readForm(formBody({ userIds: 'alice' }), {
      ...defaults,
      receivedOn: '2026-11-30',
      regime: 'CCPA'
    })
    expect(reading.ok && [reading.form.receivedOn, reading.form.regime]).toEqual([
      '2026-11-30',
      'CCPA'
    ])
  })

  test('given in the form (regime case-insensitive)', () => {
    const reading = read({ receivedOn: '2026-10-01', regime: ' ccpa ' })
    expect(reading.ok && [reading.form.receivedOn, reading.form.regime]).toEqual([
      '2026-10-01',
      'CCPA'
    ])
  })

  test.each([
    ['yesterday', 'must be a calendar day, YYYY-MM-DD'],
    ['2026-02-30', 'must be a calendar day, YYYY-MM-DD'],
    ['2026-12-06T10:00', 'must be a calendar day, YYYY-MM-DD'],
    ['2026-12-08', 'must not be in the future']
  ])('a bad Received on (%s) is refused naming the field', (receivedOn, problem) => {
    expect(read({ receivedOn })).toEqual({ ok: false, field: FIELDS.receivedOn, problem })
  })

  test('tomorrow is accepted (a runner in UTC trails the requester by up to a day)', () => {
    expect(read({ receivedOn: '2026-12-07' }).ok).toBe(true)
  })

  test('an unknown Regime is refused naming the field', () => {
    expect(read({ regime: 'HIPAA' })).toEqual({
      ok: false,
      field: FIELDS.regime,
      problem: 'must be one of GDPR, CCPA, Other'
    })
  })
})

describe('the inputs ledger-regime and ledger-due-days', () => {
  const parse = (values: Partial<Record<Inputs, string>>) =>
    parseLedgerInputs({
      read: name => values[name] ?? '',
      boolean: (_name, fallback) => fallback,
      fail: (name, detail) => new Error(`${name} ${detail}`)
    })
  const base = { [Inputs.Ledger]: 'issues', [Inputs.GithubToken]: 'ghs_x' }

  test('defaults GDPR and 30 days', () => {
    expect(parse(base)).toMatchObject({ regime: 'GDPR', dueDays: 30 })
    expect(
      parse({ ...base, [Inputs.LedgerRegime]: 'other', [Inputs.LedgerDueDays]: '14' })
    ).toMatchObject({ regime: 'Other', dueDays: 14 })
  })

  test.each([
    [{ [Inputs.LedgerRegime]: 'LGPD' }, 'ledger-regime must be one of GDPR, CCPA, Other'],
    [{ [Inputs.LedgerDueDays]: '0' }, 'ledger-due-days must be a whole number of days'],
    [{ [Inputs.LedgerDueDays]: '3651' }, 'ledger-due-days must be a whole number of days'],
    [{ [Inputs.LedgerDueDays]: '7.5' }, 'ledger-due-days must be a whole number of days'],
    [{ [Inputs.LedgerDueDays]: '1e3' }, 'ledger-due-days must be a whole number of days']
  ])('refuses %j', (values, message) => {
    expect(() => parse({ ...base, ...values })).toThrow(message)
  })
})

describe('the clock of one request', () => {
  const gdpr = newDeadline('2026-11-10', 'GDPR', { extended: false, otherDays: 30 })

  test('taken up: the due date per regime, the extension only where the regime has one', () => {
    expect(gdpr).toEqual({ receivedOn: '2026-11-10', regime: 'GDPR', dueDate: '2026-12-10' })
    expect(newDeadline('2026-11-10', 'CCPA', { extended: true, otherDays: 30 })).toEqual({
      receivedOn: '2026-11-10',
      regime: 'CCPA',
      dueDate: '2027-02-08',
      extended: true
    })
    expect(newDeadline('2026-11-10', 'Other', { extended: true, otherDays: 12 })).toEqual({
      receivedOn: '2026-11-10',
      regime: 'Other',
      dueDate: '2026-11-22'
    })
  })

  test('due-soon is told once per due date, across any number of sweeps', () => {
    expect(moveDeadline(gdpr, '2026-12-02', false)).toMatchObject({
      standing: 'open',
      changed: false
    })
    const first = moveDeadline(gdpr, '2026-12-03', false)
    expect(first).toMatchObject({ standing: 'due-soon', notice: 'due-soon', changed: true })
    expect(first.record.dueSoon).toBe('2026-12-10')
    for (const day of ['2026-12-03', '2026-12-05', '2026-12-10']) {
      const again = moveDeadline(first.record, day, false)
      expect(again).toEqual({ record: first.record, standing: 'due-soon', changed: false })
    }
  })

  test('overdue the day after the due date, told once, and never due-soon after it', () => {
    const late = moveDeadline(gdpr, '2026-12-11', false)
    expect(late).toMatchObject({ standing: 'overdue', notice: 'overdue', changed: true })
    expect(late.record.overdue).toBe('2026-12-10')
    expect(moveDeadline(late.record, '2026-12-20', false)).toMatchObject({
      standing: 'overdue',
      changed: false
    })
    expect(moveDeadline(late.record, '2026-12-20', false).notice).toBeUndefined()
  })

  test('extended: the due date moves (once), the new date is told again when it comes near', () => {
    const late = moveDeadline(gdpr, '2026-12-11', false).record
    const extended = moveDeadline(late, '2026-12-12', true)
    expect(extended).toMatchObject({ standing: 'open', changed: true })
    expect(extended.notice).toBeUndefined()
    expect(extended.record).toMatchObject({ dueDate: '2027-02-10', extended: true })
    // The label may go; the extension stays recorded, and is not applied twice.
    const later = moveDeadline(extended.record, '2027-02-04', false)
    expect(later).toMatchObject({ notice: 'due-soon', standing: 'due-soon' })
    expect(later.record.dueDate).toBe('2027-02-10')
    expect(moveDeadline(later.record, '2027-02-04', true).changed).toBe(false)
  })

  test('Other keeps the due date it was taken up with; extended changes nothing', () => {
    const other = newDeadline('2026-11-10', 'Other', { extended: false, otherDays: 12 })
    expect(moveDeadline(other, '2026-11-16', true)).toMatchObject({
      standing: 'due-soon',
      notice: 'due-soon'
    })
    expect(moveDeadline(other, '2026-11-16', true).record).toMatchObject({
      dueDate: '2026-11-22'
    })
    expect(moveDeadline(other, '2026-11-16', true).record.extended).toBeUndefined()
  })
})

describe('the deadline labels', () => {
  const others = ['dsar', 'dsar:submitted', 'team-a']
  test('a notice adds its label; overdue replaces due-soon', () => {
    expect(deadlineLabels(others, 'dsar', { standing: 'due-soon', notice: 'due-soon' })).toEqual([
      ...others,
      'dsar:due-soon'
    ])
    expect(
      deadlineLabels([...others, 'dsar:due-soon'], 'dsar', {
        standing: 'overdue',
        notice: 'overdue'
      })
    ).toEqual([...others, 'dsar:overdue'])
  })

  test('without a notice the labels stay (a person who removed one is not overruled)', () => {
    expect(deadlineLabels(others, 'dsar', { standing: 'overdue' })).toEqual(others)
    expect(deadlineLabels(others, 'dsar', { standing: 'due-soon' })).toEqual(others)
  })

  test('a due date moved out of reach takes both away', () => {
    expect(
      deadlineLabels([...others, 'dsar:overdue', 'dsar:due-soon'], 'dsar', { standing: 'open' })
    ).toEqual(others)
    expect(deadlineLabels([...others, 'dsar:overdue'], 'dsar', { standing: 'due-soon' })).toEqual(
      others
    )
  })

  test('finishing removes due-soon and overdue, keeps extended', () => {
    expect(finishedLabels(['dsar:due-soon', 'dsar:overdue', 'dsar:extended', 'x'], 'dsar')).toEqual(
      ['dsar:extended', 'x']
    )
  })

  test('the first sweep creates them', () => {
    const names = ledgerLabels('dsar').map(l => l.name)
    expect(names).toEqual(
      expect.arrayContaining(['dsar:due-soon', 'dsar:overdue', 'dsar:extended'])
    )
  })
})

describe('the state line: deadline, version 3', () => {
  const seal = sealFor(ledgerKey('test-secret'), 'octo-org/privacy-ops', 1)
  const bot = { login: 'github-actions[bot]', type: 'Bot' }
  const record: DeadlineRecord = {
    receivedOn: '2026-11-10',
    regime: 'GDPR',
    dueDate: '2026-12-10',
    dueSoon: '2026-12-10'
  }
  const marker = (over: Partial<LedgerMarker> = {}): LedgerMarker => ({
    version: MARKER_VERSION,
    state: 'submitted',
    startDate: '2024-01-01',
    endDate: '2024-12-31',
    requests: [
      {
        requestId: '53367',
        subject: 'user #0123abcd',
        status: 'staging',
        submittedAt: '2026-11-10T10:00:00Z',
        checkedAt: null,
        doneAt: null
      }
    ],
    deadline: record,
    ...over
  })
  const comment = (body: string) => ({
    id: 1,
    issueNumber: 1,
    body,
    author: bot.login,
    authorType: bot.type,
    updatedAt: '2026-12-01T00:00:00Z'
  })

  test('written and read back, the due date shown above the table', () => {
    const body = ledgerComment(marker(), seal)
    expect(body).toContain('Due: **2026-12-10** (GDPR, received 2026-11-10)')
    expect(readLedger([comment(body)], bot, seal)).toEqual({
      kind: 'valid',
      marker: marker(),
      commentId: 1
    })
    expect(ledgerComment(marker({ deadline: { ...record, extended: true } }), seal)).toContain(
      '(GDPR, received 2026-11-10, extended)'
    )
  })

  test('a version-2 line (sealed, no deadline) is still read', () => {
    const v2 = marker({ version: 2, deadline: undefined })
    delete v2.deadline
    const body = `x\n${markerLine(v2, seal)}`
    expect(readLedger([comment(body)], bot, seal)).toMatchObject({ kind: 'valid' })
    expect(markerProblem({ ...v2, deadline: record })).toBe('unexpected fields')
  })

  test.each([
    ['not an object', 'x', 'bad deadline'],
    [
      'a receivedOn that is no day',
      { ...record, receivedOn: '2026-02-30' },
      'bad deadline receivedOn'
    ],
    ['an unknown regime', { ...record, regime: 'LGPD' }, 'bad deadline regime'],
    ['a dueDate with a time', { ...record, dueDate: '2026-12-10T00:00Z' }, 'bad deadline dueDate'],
    ['extended false', { ...record, extended: false }, 'bad deadline extended'],
    ['a dueSoon of markup', { ...record, dueSoon: '<b>' }, 'bad deadline dueSoon'],
    ['an overdue number', { ...record, overdue: 1 }, 'bad deadline overdue'],
    ['a finishedAt day', { ...record, finishedAt: '2026-12-01' }, 'bad deadline finishedAt'],
    ['an extra field', { ...record, note: 'x' }, 'bad deadline: unexpected fields']
  ])('refuses a deadline with %s', (_name, deadline, problem) => {
    expect(deadlineProblem(deadline)).toBe(problem)
    expect(markerProblem({ ...marker(), deadline })).toBe(problem)
  })
})

describe('the job summary', () => {
  test('open requests by due date, soonest first, then by issue', () => {
    const row = (issue: number, dueDate: string) => ({
      issue,
      state: 'submitted',
      standing: 'open' as const,
      deadline: { receivedOn: '2026-11-01', regime: 'GDPR' as const, dueDate }
    })
    const table = clockTable(
      [row(3, '2026-12-20'), row(1, '2027-01-02'), row(7, '2026-12-09'), row(2, '2026-12-20')],
      today
    )
    expect(table.slice(1).map(r => [r[0], r[1], r[2]])).toEqual([
      ['#7', '2026-12-09', '3'],
      ['#2', '2026-12-20', '14'],
      ['#3', '2026-12-20', '14'],
      ['#1', '2027-01-02', '27']
    ])
  })
})
