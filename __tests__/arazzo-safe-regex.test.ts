import { evaluateJsonPathPlan, planJsonPath } from '../src/arazzo/jsonpath-criterion.js'
import {
  compileSafeRegex,
  MAX_PATTERN_LENGTH,
  RegexRefused,
  REGEX_WORK_BUDGET,
  withRe2RegExp
} from '../src/arazzo/safe-regex.js'
import { loadCriterionEngines } from '../src/arazzo/criteria-engines.js'

// The loader loads re2js and jsonpath-rfc9535 when a document needs them; these tests use them directly.
beforeAll(() => loadCriterionEngines())

const jsonpath = (query: string, value: unknown) => evaluateJsonPathPlan(planJsonPath(query), value)

describe('compileSafeRegex', () => {
  test('runs ECMAScript patterns on RE2, bounded by the work budget', () => {
    const regex = compileSafeRegex('^(a+)+$')
    expect(regex.test('a'.repeat(64) + '!')).toBe(false)
    expect(regex.test('aaa')).toBe(true)
    expect(regex.maxInput * regex.programSize).toBeLessThanOrEqual(REGEX_WORK_BUDGET)
    expect(regex.test('a'.repeat(regex.maxInput + 1))).toBe(false)
  })

  test('refuses what RE2 cannot run, and patterns past the length cap', () => {
    for (const pattern of ['^(?=a)a*a*a*a*a*b', '(a)\\1', '(?<!a)b', '(']) {
      expect(() => compileSafeRegex(pattern)).toThrow(RegexRefused)
    }
    expect(() => compileSafeRegex('a'.repeat(MAX_PATTERN_LENGTH + 1))).toThrow(/longer than/)
  })
})

describe('JSONPath match() and search() run on RE2', () => {
  // On a backtracking engine, (a|a)*c against 40 a's takes 2^40 steps: the test would time out.
  test('a pattern that backtracks exponentially answers at once', () => {
    const value = [{ s: 'a'.repeat(40) }]
    expect(jsonpath("$[?search(@.s, '(a|a)*c')]", value)).toBe(false)
    expect(jsonpath("$[?match(@.s, '(a|a)*')]", value)).toBe(true)
  })

  test('the pattern may come from the data, and a pattern RE2 refuses gives false', () => {
    expect(jsonpath('$[?match(@.s, @.p)]', [{ s: 'done', p: 'd.ne' }])).toBe(true)
    expect(jsonpath('$[?match(@.s, @.p)]', [{ s: 'done', p: '(?=d)done' }])).toBe(false)
  })

  test('I-Regexp dot does not match line breaks; Unicode categories work', () => {
    expect(jsonpath("$[?match(@.s, 'a.b')]", [{ s: 'a\nb' }])).toBe(false)
    expect(jsonpath("$[?match(@.s, '\\\\p{L}+')]", [{ s: 'Zoë' }])).toBe(true)
  })

  test('one query’s patterns share a budget: past it, further matches are false', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ s: 'x', p: `x|${i}` }))
    // As jsonpath-rfc9535 does: a pattern that cannot be built counts as no match.
    const matches = (row: { s: string; p: string }): boolean => {
      try {
        return new RegExp(row.p).test(row.s)
      } catch {
        return false
      }
    }
    const matched = withRe2RegExp(() => rows.filter(matches).length)
    expect(matched).toBeGreaterThan(100)
    expect(matched).toBeLessThan(1000)
  })

  test('the global RegExp is restored, also when the query throws', () => {
    const native = globalThis.RegExp
    expect(() =>
      withRe2RegExp(() => {
        throw new Error('boom')
      })
    ).toThrow('boom')
    expect(globalThis.RegExp).toBe(native)
    expect(/a/.test('a')).toBe(true)
  })
})
