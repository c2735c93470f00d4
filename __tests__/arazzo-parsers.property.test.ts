import fc from 'fast-check'
import { compileCriterion, evaluateCriterion } from '../src/arazzo/criteria.js'
import { loadCriterionEngines } from '../src/arazzo/criteria-engines.js'
import { ArazzoError } from '../src/arazzo/errors.js'
import { compileValue, evaluateValue } from '../src/arazzo/compiled-values.js'
import { evaluateExpression } from '../src/arazzo/expression-evaluation.js'
import { isRuntimeExpression, parseExpression } from '../src/arazzo/expression-parser.js'
import { parseJsonPathComparison, planJsonPath } from '../src/arazzo/jsonpath-criterion.js'
import {
  formatPointer,
  parsePointer,
  resolvePointer,
  resolveTokens,
  setPointer
} from '../src/arazzo/json-pointer.js'
import type { Criterion, ExpressionContext } from '../src/arazzo/types.js'

// The loader loads these when a document needs them; these tests compile criteria directly.
beforeAll(() => loadCriterionEngines())

const RUNS = 3000

const ctx: ExpressionContext = {
  url: 'https://x.test/a',
  method: 'GET',
  statusCode: 200,
  request: {
    headers: { a: '1' },
    query: { q: '1' },
    path: { id: '1' },
    body: { a: [1, { b: 2 }] }
  },
  response: { headers: { 'retry-after': '3' }, body: { status: 'pending', items: [{ id: 1 }] } },
  inputs: { userIds: ['a'], basicAuth: 'x', 'a.b': 1 },
  outputs: { o: 1 },
  steps: { s: { outputs: { x: [1, 2] } } },
  workflows: { w: { inputs: { i: 1 }, outputs: { o: { p: 1 } } } },
  sourceDescriptions: { api: { url: 'u' } },
  components: { parameters: { p: { name: 'p', value: 1 } } }
}

/** Fragments of every grammar involved, so generated strings get deep into the parsers. */
const FRAGMENTS = [
  '$',
  '$url',
  '$method',
  '$statusCode',
  '$request.',
  '$response.',
  'header.',
  'query.',
  'path.',
  'body',
  '$inputs.',
  '$outputs.',
  '$steps.',
  '.outputs.',
  '$workflows.',
  '$sourceDescriptions.',
  '$components.',
  'parameters.',
  'inputs',
  'userIds',
  's',
  'x',
  '#',
  '#/',
  '/',
  '/0',
  '/-',
  '~',
  '~0',
  '~1',
  '%',
  '.',
  '..',
  '[',
  ']',
  '[0]',
  '[*]',
  '[?',
  '@',
  '@.status',
  '(',
  ')',
  '{',
  '}',
  '{$',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '!',
  '&&',
  '||',
  '&',
  '|',
  '=',
  "'",
  "''",
  '"',
  '\\',
  '\\u00',
  ',',
  ' ',
  '0',
  '-',
  '-1',
  '1.5',
  '1e',
  '2e+3',
  'true',
  'false',
  'null',
  'count(',
  'length(',
  'match(',
  "'complete'",
  '"pending"',
  '\u0000',
  '😀',
  '\ud800'
]

const grammarShaped = fc
  .array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 })
  .map(parts => parts.join(''))
const randomText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...'$.#/~[]()!=<>&|\'"{}@?* 0-a'.split('')), maxLength: 60 })
)
const anyText = fc.oneof(grammarShaped, grammarShaped, randomText)

/** Runs `fn`; returns normally, or rethrows anything that is not an ArazzoError. */
function onlyArazzoErrors(fn: () => unknown): void {
  try {
    fn()
  } catch (error) {
    if (!(error instanceof ArazzoError)) throw error
  }
}

const criterionTypes: Criterion['type'][] = [
  undefined,
  'simple',
  'regex',
  'jsonpath',
  'xpath',
  { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' },
  { type: 'xpath', version: 'xpath-30' }
]

describe('parsers never throw anything but ArazzoError', () => {
  test('parseExpression; what parses also evaluates without throwing', () => {
    fc.assert(
      fc.property(anyText, text => {
        onlyArazzoErrors(() => {
          const expr = parseExpression(text)
          expect(isRuntimeExpression(text)).toBe(true)
          evaluateExpression(expr, ctx)
        })
      }),
      { numRuns: RUNS }
    )
  })

  test('compileCriterion for each type; what compiles evaluates to a boolean', () => {
    fc.assert(
      fc.property(
        anyText,
        fc.constantFrom(...criterionTypes),
        fc.constantFrom(undefined, '$response.body', '$statusCode', '$inputs.userIds'),
        (condition, type, context) => {
          onlyArazzoErrors(() => {
            const compiled = compileCriterion({ condition, type, context })
            expect(typeof evaluateCriterion(compiled, ctx)).toBe('boolean')
          })
        }
      ),
      { numRuns: RUNS }
    )
  })

  test('jsonpath seed-form parser and planner', () => {
    fc.assert(
      fc.property(anyText, text => {
        onlyArazzoErrors(() => parseJsonPathComparison(text))
        expect(['query', 'comparison', 'invalid']).toContain(planJsonPath(text).form)
      }),
      { numRuns: RUNS }
    )
  })

  test('compileValue on strings and nested values; evaluation never throws', () => {
    const value = fc.letrec(tie => ({
      node: fc.oneof(
        { depthSize: 'small' },
        anyText,
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie('node'), { maxKeys: 4 })
      )
    })).node
    fc.assert(
      fc.property(value, input => {
        onlyArazzoErrors(() => evaluateValue(compileValue(input), ctx))
      }),
      { numRuns: RUNS }
    )
  })

  test('JSON Pointer parsing', () => {
    fc.assert(
      fc.property(anyText, text => {
        onlyArazzoErrors(() => resolvePointer(ctx.response?.body, text))
        onlyArazzoErrors(() => setPointer({ a: [1] }, text, 1))
      }),
      { numRuns: RUNS }
    )
  })

  test('pathological nesting is an ArazzoError or a verdict, never a stack overflow', () => {
    const deep = [
      '('.repeat(20000) + '$statusCode' + ')'.repeat(20000),
      '!'.repeat(20000) + 'true',
      '$[?' + '('.repeat(20000) + '@' + ')'.repeat(20000) + ']',
      '$.a == ' + '['.repeat(20000) + ']'.repeat(20000),
      '[' + '('.repeat(20000)
    ]
    for (const condition of deep) {
      for (const type of criterionTypes) {
        onlyArazzoErrors(() => {
          const compiled = compileCriterion({ condition, type, context: '$response.body' })
          expect(typeof evaluateCriterion(compiled, ctx)).toBe('boolean')
        })
      }
      onlyArazzoErrors(() => parseJsonPathComparison(condition))
      onlyArazzoErrors(() => parseExpression(condition))
    }
  })
})

describe('semantic properties', () => {
  const token = fc.string({ maxLength: 6 })

  test('JSON Pointer: format then parse is the identity; set then resolve reads the value', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 5 }), fc.jsonValue(), (tokens, value) => {
        const pointer = formatPointer(tokens)
        expect(parsePointer(pointer)).toEqual(tokens)
        expect(parsePointer('#' + encodeURI(pointer).replace(/#/g, '%23'))).toEqual(tokens)
        // Build the parents the pointer needs, then set and read back.
        let root: unknown = {}
        for (let i = 1; i < tokens.length; i++) {
          root = setPointer(root, formatPointer(tokens.slice(0, i)), {})
        }
        const updated = setPointer(root, pointer, value)
        expect(resolveTokens(updated, tokens)).toEqual(value)
      }),
      { numRuns: RUNS }
    )
  })

  test('simple conditions order numbers like JavaScript', () => {
    const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
    const ops = ['<', '<=', '>', '>=', '==', '!='] as const
    fc.assert(
      fc.property(number, fc.constantFrom(...ops), number, (a, op, b) => {
        const verdict = evaluateCriterion(compileCriterion({ condition: `${a} ${op} ${b}` }), ctx)
        const x = Number(String(a))
        const y = Number(String(b))
        const expected = {
          '<': x < y,
          '<=': x <= y,
          '>': x > y,
          '>=': x >= y,
          '==': x === y,
          '!=': x !== y
        }[op]
        expect(verdict).toBe(expected)
      }),
      { numRuns: RUNS }
    )
  })

  test("simple string literals round-trip through '' escaping, case-insensitively", () => {
    const ascii = fc.string({ unit: fc.constantFrom(..."aZ'' x-".split('')), maxLength: 12 })
    fc.assert(
      fc.property(ascii, s => {
        const quote = (t: string) => `'${t.replace(/'/g, "''")}'`
        const condition = `${quote(s)} == ${quote(s.toUpperCase())}`
        expect(evaluateCriterion(compileCriterion({ condition }), ctx)).toBe(true)
      }),
      { numRuns: RUNS }
    )
  })

  test('a compiled single expression evaluates to the referenced value itself', () => {
    fc.assert(
      fc.property(fc.jsonValue(), value => {
        const context = { ...ctx, inputs: { v: value } }
        expect(evaluateValue(compileValue('$inputs.v'), context)).toBe(value)
        expect(evaluateValue(compileValue('{$inputs.v}'), context)).toBe(
          typeof value === 'string' ? value : JSON.stringify(value)
        )
      }),
      { numRuns: RUNS }
    )
  })
})
