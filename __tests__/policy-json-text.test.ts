import { describeJsonError, nestedDeeperThan, parseJsonText } from '../src/policy/json-text.js'

describe('parseJsonText', () => {
  test('parses JSON', () => {
    expect(parseJsonText('{"requestId": 53367, "urls": [["a"]]}')).toEqual({
      requestId: 53367,
      urls: [['a']]
    })
  })

  test('a syntax error gives the position, never the text', () => {
    const secret = 'QUtFWTAxMjM0NTY3ODk6U0VDUkVU'
    expect(() => parseJsonText(secret)).toThrow(
      'is not valid JSON: at line 1, column 1, expected a value'
    )
    let thrown: unknown
    try {
      parseJsonText(`{"a": ${secret}}`)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(Error)
    expect((thrown as Error).message).not.toContain(secret.slice(0, 4))
    expect((thrown as Error).message).toContain('line 1, column 7')
  })

  test('refuses nesting past the bound, without overflowing the stack', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
    expect(() => parseJsonText(deep)).toThrow('is nested deeper than 64 levels')
    expect(parseJsonText(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeDefined()
  })
})

describe('nestedDeeperThan', () => {
  test('counts arrays and objects', () => {
    expect(nestedDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false)
    expect(nestedDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true)
    expect(nestedDeeperThan('text', 0)).toBe(false)
  })
})

describe('describeJsonError', () => {
  test('says where the text ends early', () => {
    expect(describeJsonError('{"a": ')).toBe(
      'is not valid JSON: at the end of the input, expected a value'
    )
  })
})
