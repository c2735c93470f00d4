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

describe('describeJsonError: where each kind of break is, and what was expected there', () => {
  test.each([
    ['{"a": 1,}', 'at line 1, column 9, expected a property name in double quotes'],
    ['{"a" 1}', "at line 1, column 6, expected ':'"],
    ['[1 2]', "at line 1, column 4, expected ',' or ']'"],
    ['{"a": 1 "b"}', "at line 1, column 9, expected ',' or '}'"],
    ['"ab\\x"', 'at line 1, column 4, expected a valid escape sequence'],
    ['"\\u12G4"', 'at line 1, column 2, expected a valid escape sequence'],
    // Only \u takes four hex digits.
    ['"\\x0041"', 'at line 1, column 2, expected a valid escape sequence'],
    // A number may start with 9.
    ['9 x', 'at line 1, column 3, expected nothing more'],
    ['"\\', 'at line 1, column 2, expected a valid escape sequence'],
    ['"a\u0001"', 'at line 1, column 3, expected no raw control character inside a string'],
    ['"abc', 'at the end of the input, expected a closing double quote'],
    // An escaped quote does not close the string.
    ['"a\\"', 'at the end of the input, expected a closing double quote'],
    ['-', 'at line 1, column 1, expected a number'],
    ['[tru]', 'at line 1, column 2, expected a value'],
    ['', 'at the end of the input, expected a value'],
    ['{} x', 'at line 1, column 4, expected nothing more'],
    ['01', 'at line 1, column 2, expected nothing more'],
    ['1.', 'at line 1, column 2, expected nothing more'],
    ['1e', 'at line 1, column 2, expected nothing more'],
    ['[1.5e-3x]', "at line 1, column 8, expected ',' or ']'"],
    // Lines and columns count from 1; the column restarts after each line break.
    ['{\n  "a": 1,\n  "b": ?\n}', 'at line 3, column 8, expected a value'],
    // Every kind of value and the blanks JSON allows, read through to the one break at the end.
    [
      ' [ {}, { }, [], [ ], "s p\\n\\u00e9\\u00E9\\"\\\\\\/\\b\\f\\r\\t", -1.5E+3, 0, 123, 0.25, 10e10, 1e5, 2e-22, true, false, null, { "k" : [ 1 ] } ]\t\r\n x',
      'at line 2, column 2, expected nothing more'
    ]
  ])('%j: %s', (text, where) => {
    expect(describeJsonError(text)).toBe(`is not valid JSON: ${where}`)
  })

  test('valid text, or text too deep to walk, has no position to give', () => {
    expect(describeJsonError('{"a": [1, "b"]}')).toBe('is not valid JSON')
    // The recognizer is recursive: 200,000 open brackets overflow its stack, which is no position.
    expect(() => parseJsonText('['.repeat(200_000))).toThrow(/^is not valid JSON$/)
  })
})

test('nestedDeeperThan counts containers only, not the values inside them', () => {
  expect(nestedDeeperThan([1, 'a', null, true], 1)).toBe(false)
  expect(nestedDeeperThan([[]], 1)).toBe(true)
  expect(nestedDeeperThan({ a: { b: 'x' } }, 2)).toBe(false)
})
