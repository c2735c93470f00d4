import fc from 'fast-check'
import { parseDuration } from '../src/run/duration.js'

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['5h30m', 19_800_000],
    ['1h2m3s', 3_723_000],
    ['1h30m500ms', 5_400_500],
    ['2m500ms', 120_500],
    ['1.5h', 5_400_000],
    ['0.25s', 250],
    ['90', 90_000],
    ['0.05', 50],
    ['.5', 500],
    ['0', 0],
    ['0s', 0],
    ['  30s  ', 30_000],
    ['5h 30m', 19_800_000],
    ['30S', 30_000],
    ['1H', 3_600_000],
    ['0.0004', 0],
    ['0.0006', 1],
    ['720h', 2_592_000_000],
    ['2592000', 2_592_000_000]
  ])('%j is %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected)
  })

  test.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['-5', /is negative/],
    ['-5s', /is negative/],
    ['5x', /cannot read/],
    ['1.5.2', /cannot read '1.5.2'/],
    ['h', /cannot read 'h'/],
    ['ms', /cannot read 'ms'/],
    ['NaN', /cannot read 'nan'/],
    ['Infinity', /cannot read 'infinity'/],
    ['1e5', /cannot read '1e5'/],
    ['+5', /cannot read/],
    ['5h30', /cannot read '30'/],
    ['5 h', /cannot read/],
    ['1d', /cannot read '1d'/],
    ['30m5h', /largest to smallest/],
    ['5m5m', /largest to smallest/],
    ['500ms1s', /largest to smallest/],
    ['721h', /30-day maximum/],
    ['2592001', /30-day maximum/],
    ['1' + '0'.repeat(400), /30-day maximum/],
    ['1' + '0'.repeat(400) + 'h', /30-day maximum/]
  ])('%j is refused', (text, reason) => {
    expect(() => parseDuration(text)).toThrow(reason)
    expect(() => parseDuration(text)).toThrow(/^invalid duration '/)
  })

  test('errors quote the text with control characters escaped and long values cut', () => {
    expect(() => parseDuration('5\nx')).toThrow("invalid duration '5\\nx'")
    expect(() => parseDuration('9'.repeat(100) + 'x')).toThrow(`'${'9'.repeat(40)}…'`)
  })

  test('errors are plain Errors', () => {
    let caught: unknown
    try {
      parseDuration('soon')
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(Error)
    expect((caught as Error).name).toBe('Error')
  })

  test('any h/m/s/ms combination sums its parts', () => {
    const part = fc.option(fc.integer({ min: 0, max: 150 }), { nil: undefined })
    fc.assert(
      fc.property(part, part, part, part, (h, m, s, ms) => {
        fc.pre([h, m, s, ms].some(value => value !== undefined))
        const text = [
          h === undefined ? '' : `${h}h`,
          m === undefined ? '' : `${m}m`,
          s === undefined ? '' : `${s}s`,
          ms === undefined ? '' : `${ms}ms`
        ].join('')
        const expected = (h ?? 0) * 3_600_000 + (m ?? 0) * 60_000 + (s ?? 0) * 1_000 + (ms ?? 0)
        expect(parseDuration(text)).toBe(expected)
      })
    )
  })

  test('a bare number is seconds, rounded to whole milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_592_000_000 }), thousandths => {
        const text = (thousandths / 1000).toFixed(3)
        expect(parseDuration(text)).toBe(thousandths)
      })
    )
  })
})
