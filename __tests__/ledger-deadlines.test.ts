// Due dates per regime (src/ledger/deadlines.ts): pure calendar arithmetic, no clock.
import fc from 'fast-check'
import {
  addCalendarMonths,
  daysLeft,
  deadlineState,
  dueDate,
  parseRegime
} from '../src/ledger/deadlines.js'

describe('GDPR: one calendar month, extendable by two', () => {
  test.each([
    ['2026-03-15', '2026-04-15'],
    ['2026-01-31', '2026-02-28'],
    ['2028-01-31', '2028-02-29'], // leap year
    ['2026-12-31', '2027-01-31'],
    ['2026-05-31', '2026-06-30']
  ])('received %s: due %s', (received, due) => {
    expect(dueDate(received, 'GDPR')).toBe(due)
  })

  test('extended: three months from receipt, not two after a clamped first month', () => {
    expect(dueDate('2026-01-31', 'GDPR', { extended: true })).toBe('2026-04-30')
    expect(dueDate('2026-11-30', 'GDPR', { extended: true })).toBe('2027-02-28')
  })
})

describe('CCPA: 45 days, extendable by 45', () => {
  test('45 and 90 calendar days', () => {
    expect(dueDate('2026-12-01', 'CCPA')).toBe('2027-01-15')
    expect(dueDate('2026-12-01', 'CCPA', { extended: true })).toBe('2027-03-01')
  })
})

describe('Other: ledger-due-days', () => {
  test('30 by default, the given days otherwise, no extension', () => {
    expect(dueDate('2026-12-01', 'Other')).toBe('2026-12-31')
    expect(dueDate('2026-12-01', 'Other', { otherDays: 10 })).toBe('2026-12-11')
    expect(dueDate('2026-12-01', 'Other', { otherDays: 10, extended: true })).toBe('2026-12-11')
    expect(() => dueDate('2026-12-01', 'Other', { otherDays: 0 })).toThrow(RangeError)
  })
})

describe('states', () => {
  test('open, due-soon from seven days before, overdue from the day after', () => {
    expect(deadlineState('2026-12-31', '2026-12-23')).toBe('open')
    expect(deadlineState('2026-12-31', '2026-12-24')).toBe('due-soon')
    expect(deadlineState('2026-12-31', '2026-12-31')).toBe('due-soon')
    expect(deadlineState('2026-12-31', '2027-01-01')).toBe('overdue')
    expect(daysLeft('2026-12-31', '2026-12-24')).toBe(7)
    expect(daysLeft('2026-12-31', '2027-01-02')).toBe(-2)
  })

  test('bad days and regimes are refused, not guessed', () => {
    expect(() => dueDate('2026-02-30', 'GDPR')).toThrow('not a calendar day')
    expect(parseRegime(' ccpa ')).toBe('CCPA')
    expect(parseRegime('LGPD')).toBeUndefined()
  })

  test('property: a month later is never earlier than 28 nor later than 31 days', () => {
    const day = fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T00:00:00Z'),
        noInvalidDate: true
      })
      .map(d => d.toISOString().slice(0, 10))
    fc.assert(
      fc.property(day, received => {
        const gap = daysLeft(addCalendarMonths(received, 1), received)
        return gap >= 28 && gap <= 31 && dueDate(received, 'GDPR') >= received
      })
    )
  })
})
