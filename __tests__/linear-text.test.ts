/**
 * The by-index readers that replaced backtracking patterns on outside text read the same as the
 * patterns did (checked on short inputs, where the old patterns are quick), and finish on the
 * inputs that made the old ones take minutes.
 */
import fc from 'fast-check'
import { withoutTrailing, withoutUrlQueries } from '../src/run/linear-text.js'
import { formBody, headingOf, MAX_BODY_CHARS, readForm } from '../src/ledger/form.js'

const OLD_HEADING = /^###[ \t]+(.+?)[ \t]*#*[ \t]*$/
const OLD_QUERY = /\b(https?:\/\/[^\s?#"'<>]+)\?[^\s"'<>]*/gi

test('headingOf reads a line as the old pattern did', () => {
  const line = fc
    .array(fc.constantFrom('#', ' ', '\t', 'a', 'B', '\r', '\u2028', 'é'), { maxLength: 14 })
    .map(parts => `###${parts.join('')}`)
  fc.assert(
    fc.property(line, text => expect(headingOf(text)).toBe(OLD_HEADING.exec(text)?.[1])),
    { numRuns: 5000 }
  )
  for (const text of ['### User IDs', '### End date ##', '###x', '### #', 'x### a', '### a #b']) {
    expect(headingOf(text)).toBe(OLD_HEADING.exec(text)?.[1])
  }
})

test('withoutUrlQueries redacts as the old pattern did', () => {
  const text = fc
    .array(
      fc.constantFrom(
        'http://',
        'https://',
        'HTTP://',
        'x',
        '?',
        '#',
        ' ',
        '"',
        '/',
        'a=b',
        '\n',
        '_'
      ),
      { maxLength: 16 }
    )
    .map(parts => parts.join(''))
  fc.assert(
    fc.property(text, t => expect(withoutUrlQueries(t)).toBe(t.replace(OLD_QUERY, '$1?***'))),
    { numRuns: 5000 }
  )
})

test('withoutTrailing drops a trailing run only', () => {
  expect(withoutTrailing('https://x.test/a///', '/')).toBe('https://x.test/a')
  expect(withoutTrailing('abc==', '=')).toBe('abc')
  expect(withoutTrailing('===', '=')).toBe('')
  expect(withoutTrailing('a=b', '=')).toBe('a=b')
})

describe('adversarial input the old patterns took minutes on', () => {
  // The old heading pattern took 106 s on `### a` + 8,000 spaces + `x`; this body has eight such
  // lines (64 KiB). Jest's timeout is the only bound: no wall-clock figure is asserted.
  test('a 64 KiB issue body of `### a` + spaces + `x` lines is read, and refused for no subject', () => {
    const line = `### a${' '.repeat(8_000)}x`
    const body = Array.from({ length: 8 }, (_, i) => `${line}${i}`).join('\n')
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_CHARS)
    expect(body.length).toBeGreaterThan(64_000)
    const reading = readForm(body, { startDate: '', endDate: '2026-01-31', today: '2026-02-01' })
    expect(reading).toMatchObject({ ok: false, field: 'User IDs / Amplitude IDs' })
  })

  test('a good form after such lines still reads', () => {
    const noise = `### a${' '.repeat(8_000)}x\n`
    const body = noise + formBody({ userIds: 'subject-1', startDate: '2026-01-01' })
    const reading = readForm(body, { startDate: '', endDate: '2026-01-31', today: '2026-02-01' })
    expect(reading).toMatchObject({ ok: true, form: { startDate: '2026-01-01' } })
  })

  test('an error message of 20,000 URLs without a query is redacted in one pass', () => {
    const text = 'http://a/'.repeat(20_000) + '#'
    expect(withoutUrlQueries(text)).toBe(text)
    expect(withoutUrlQueries(`${text} https://s.test/p?sig=1`)).toBe(`${text} https://s.test/p?***`)
  })
})
