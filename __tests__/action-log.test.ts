import { line } from '../src/run/log.js'

describe('line', () => {
  test('interpolated values are escaped; the action’s own text is kept', () => {
    const title = 'Forged\n::error title=x::forged\r::stop-commands::t'
    const text = line`${title}: 2 requests\n  request-ids: ${'1,2'}`
    const lines = text.split('\n')
    expect(lines).toEqual([
      'Forged\\n::error title=x::forged\\r::stop-commands::t: 2 requests',
      '  request-ids: 1,2'
    ])
  })

  test('a value at the start of a line cannot start a command', () => {
    expect(line`${'::add-mask::x'}`.startsWith('::')).toBe(false)
    expect(line`done\n${'  ::warning::y'}`.split('\n')[1]).not.toMatch(/^\s*::/)
  })

  test('numbers and other values read as text', () => {
    expect(line`${3} polls, ${undefined}`).toBe('3 polls, undefined')
  })
})
