/**
 * One definition of each value shape (src/policy/value-shapes.ts): the inputs, the server values,
 * the ledger and the export's folder names all check a request id and a status against it.
 */
import { isSafeRequestId } from '../src/export/safe-files.js'
import {
  isCalendarDay,
  isRecordedStatus,
  REQUEST_ID_PATTERN,
  STATUS_PATTERN
} from '../src/policy/index.js'
import { parseRequestIds } from '../src/run/subjects.js'

test('a request id is 1 to 128 of A-Z a-z 0-9 _ -, everywhere (the export had no cap)', () => {
  const longest = 'a'.repeat(128)
  const tooLong = 'a'.repeat(129)
  expect([REQUEST_ID_PATTERN.test(longest), REQUEST_ID_PATTERN.test(tooLong)]).toEqual([
    true,
    false
  ])
  expect([isSafeRequestId(longest), isSafeRequestId(tooLong)]).toEqual([true, false])
  expect(parseRequestIds(longest)).toEqual([longest])
  expect(() => parseRequestIds(tooLong)).toThrow(/request-ids/)
  for (const id of ['', '../x', 'a b', 'a/b', 'ü']) {
    expect([id, REQUEST_ID_PATTERN.test(id), isSafeRequestId(id)]).toEqual([id, false, false])
  }
})

test('a status is answered in any case, recorded in lower case', () => {
  expect(['Done', 'IN_PROGRESS', 'stage2'].every(s => STATUS_PATTERN.test(s))).toBe(true)
  expect(['', '2done', 'a'.repeat(33), 'done!'].some(s => STATUS_PATTERN.test(s))).toBe(false)
  expect(['done', 'stage2', 'in_progress'].every(isRecordedStatus)).toBe(true)
  expect(['Done', 'IN_PROGRESS', '', 'done!'].some(isRecordedStatus)).toBe(false)
})

test('a calendar day is YYYY-MM-DD and exists (Date.parse alone rolls 2024-02-30 over)', () => {
  expect(['2024-02-29', '2026-12-31', '2000-01-01'].filter(d => !isCalendarDay(d))).toEqual([])
  const refused = [
    '2024-02-30',
    '2023-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-2-01',
    '',
    20260101
  ]
  expect(refused.filter(d => isCalendarDay(d))).toEqual([])
})
