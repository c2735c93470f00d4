import {
  compileCriterion,
  compileWarnings,
  evaluateCriteria,
  evaluateCriterion
} from '../src/arazzo/criteria.js'
import { loadCriterionEngines } from '../src/arazzo/criteria-engines.js'
import { ArazzoError, ArazzoSyntaxError } from '../src/arazzo/errors.js'
import { parseJsonPathComparison, planJsonPath } from '../src/arazzo/jsonpath-criterion.js'
import { parseSimpleCondition } from '../src/arazzo/simple-condition.js'
import type { Criterion, ExpressionContext } from '../src/arazzo/types.js'

// The loader loads these when a document needs them; these tests compile criteria directly.
beforeAll(() => loadCriterionEngines())

function makeContext(
  body: unknown,
  extra: Partial<ExpressionContext> = {},
  headers: Record<string, string> = {}
): ExpressionContext {
  return {
    url: 'https://amplitude.com/api/2/dsar/requests',
    method: 'POST',
    statusCode: 200,
    response: { headers, body },
    inputs: { threshold: 2, expectedStatus: 'complete', statusPattern: 'pending|processing' },
    outputs: {},
    steps: {},
    workflows: {},
    sourceDescriptions: {},
    components: {},
    ...extra
  }
}

const passes = (criterion: Criterion, ctx: ExpressionContext) =>
  evaluateCriterion(compileCriterion(criterion), ctx)
const simple = (condition: string, ctx: ExpressionContext) => passes({ condition }, ctx)

const body = {
  status: 'Complete',
  count: 3,
  data: [1],
  pets: [{ name: 'Rex', age: 4 }, { name: 'Tom' }],
  items: [{ id: 'a', status: 'done' }],
  code: '200',
  nothing: null,
  flag: true,
  "it's": 'quoted key'
}
const ctx = makeContext(body, {}, { 'x-rate-limit': '10', 'retry-after': '30' })

describe('simple conditions', () => {
  test('the spec examples', () => {
    expect(simple('$statusCode == 200', ctx)).toBe(true)
    expect(simple('$statusCode == 200 && $response.body.data != null', ctx)).toBe(true)
    expect(simple('$response.body.count > $inputs.threshold', ctx)).toBe(true)
    expect(simple('$statusCode == 200', makeContext(body, { statusCode: 404 }))).toBe(false)
  })

  test.each([
    ['$statusCode == 200', true],
    ['$statusCode != 200', false],
    ['$statusCode < 300', true],
    ['$statusCode <= 200', true],
    ['$statusCode > 200', false],
    ['$statusCode >= 200', true],
    ['$statusCode >= 201', false],
    ['$statusCode < 200', false],
    ['!($statusCode == 200)', false],
    ['!$response.body.flag', false],
    ['!$response.body.missing', true],
    ['$response.body.flag', true],
    ['$response.body.flag == true', true],
    ['$response.body.count == 3 && $response.body.flag == false', false],
    ['$response.body.count == 4 || $response.body.flag == true', true],
    ['$response.body.count == 4 || $response.body.count == 5', false]
  ])('%s => %s', (condition, expected) => {
    expect(simple(condition, ctx)).toBe(expected)
  })

  test('string comparisons are case-insensitive, also for ordering', () => {
    expect(simple("$response.body.status == 'complete'", ctx)).toBe(true)
    expect(simple("$response.body.status == 'COMPLETE'", ctx)).toBe(true)
    expect(simple("$response.body.status != 'complete'", ctx)).toBe(false)
    expect(simple("$response.body.status != 'pending'", ctx)).toBe(true)
    expect(simple("'apple' < 'BANANA'", ctx)).toBe(true)
    expect(simple("'Apple' >= 'apple'", ctx)).toBe(true)
    expect(simple("'b' > 'A'", ctx)).toBe(true)
  })

  test('numbers and numeric strings compare numerically', () => {
    expect(simple("$statusCode == '200'", ctx)).toBe(true)
    expect(simple('$response.body.code == 200', ctx)).toBe(true)
    expect(simple('$response.body.code == 200.0', ctx)).toBe(true)
    expect(simple('$response.header.X-Rate-Limit > 9', ctx)).toBe(true)
    expect(simple('$response.header.x-rate-limit <= 9', ctx)).toBe(false)
    expect(simple("$response.header.Retry-After > '4'", ctx)).toBe(true)
    expect(simple("$statusCode == 'two hundred'", ctx)).toBe(false)
    expect(simple("$statusCode < 'abc'", ctx)).toBe(false)
  })

  test('number literals: negative, decimal, exponent', () => {
    expect(simple('-1 < 0', ctx)).toBe(true)
    expect(simple('1.5 > 1.25', ctx)).toBe(true)
    expect(simple('2e2 == 200', ctx)).toBe(true)
    expect(simple('$statusCode == 2.0E+2', ctx)).toBe(true)
    expect(simple('-1.5e-1 == -0.15', ctx)).toBe(true)
  })

  test("string literals: single quotes with '' escape, double quotes leniently", () => {
    expect(simple("'it''s' == 'IT''S'", ctx)).toBe(true)
    expect(simple('"complete" == $response.body.status', ctx)).toBe(true)
    expect(simple('"a\\"b" == \'a"b\'', ctx)).toBe(true)
    expect(simple("$response.body['it''s'] == 'quoted key'", ctx)).toBe(true)
  })

  test('null and undefined', () => {
    expect(simple('null == null', ctx)).toBe(true)
    expect(simple('$response.body.nothing == null', ctx)).toBe(true)
    expect(simple('$response.body.missing == null', ctx)).toBe(true)
    expect(simple('$response.body.missing != null', ctx)).toBe(false)
    expect(simple('$response.body.missing != 5', ctx)).toBe(true)
    expect(simple('$response.body.missing == 0', ctx)).toBe(false)
    expect(simple("$response.body.missing == ''", ctx)).toBe(false)
    expect(simple('$response.body.missing < 5', ctx)).toBe(false)
    expect(simple('$response.body.missing >= 5', ctx)).toBe(false)
    expect(simple('$response.body.nothing < 1', ctx)).toBe(false)
    expect(simple('null', ctx)).toBe(false)
    expect(simple('$response.body.missing', ctx)).toBe(false)
    expect(simple('$response.body.count == null', ctx)).toBe(false)
  })

  test('precedence: ! over comparison over && over ||', () => {
    // && binds tighter than ||: true || (false && false)
    expect(simple('1 == 1 || 1 == 2 && 1 == 3', ctx)).toBe(true)
    // parentheses regroup: (true || false) && false
    expect(simple('(1 == 1 || 1 == 2) && 1 == 3', ctx)).toBe(false)
    // ! applies to the operand, not the comparison: (!1) == false
    expect(simple('!1 == false', ctx)).toBe(true)
    expect(simple('!(1 == false)', ctx)).toBe(true)
    expect(simple('!!$response.body.flag', ctx)).toBe(true)
    expect(simple('((($statusCode == 200)))', ctx)).toBe(true)
  })

  test('index [n] and property .name on operands', () => {
    expect(simple("$response.body.pets[0].name == 'rex'", ctx)).toBe(true)
    expect(simple('$response.body.pets[1].age == null', ctx)).toBe(true)
    expect(simple('$response.body.pets[5].name == null', ctx)).toBe(true)
    expect(simple('$response.body.pets.length > 0', ctx)).toBe(true)
    expect(simple('$response.body.pets.length == 2', ctx)).toBe(true)
    expect(simple("$response.body#/items/0/status == 'DONE'", ctx)).toBe(true)
    expect(simple("$response.body#/items[0].status == 'done'", ctx)).toBe(true)
    expect(simple('$response.body.status.length == 8', ctx)).toBe(true)
    expect(simple("$response.body['count'] == 3", ctx)).toBe(true)
    expect(simple("($response.body.pets)[0].name == 'Rex'", ctx)).toBe(true)
  })

  test('booleans against strings, arrays and objects compare structurally', () => {
    expect(simple("$response.body.flag == 'TRUE'", ctx)).toBe(true)
    expect(simple('$response.body.data == $response.body.data', ctx)).toBe(true)
    expect(simple('$response.body.data == $response.body.pets', ctx)).toBe(false)
    expect(simple('$response.body.data > 0', ctx)).toBe(false)
  })

  test('{$...} operands and header names in any case', () => {
    expect(simple('{$statusCode} == 200', ctx)).toBe(true)
    expect(simple('$response.header.RETRY-AFTER == 30', ctx)).toBe(true)
  })

  test('with a context, $ refers to the context value', () => {
    const criterion = { context: '$response.body', condition: "$.status == 'complete'" }
    expect(passes(criterion, ctx)).toBe(true)
    expect(passes({ context: '$response.body.pets', condition: '$[0].age >= 4' }, ctx)).toBe(true)
    expect(passes({ context: '$statusCode', condition: '$ == 200', type: 'simple' }, ctx)).toBe(
      true
    )
    expect(() => compileCriterion({ condition: '$.status == 1' })).toThrow(ArazzoSyntaxError)
  })

  test.each([
    '',
    '   ',
    '$statusCode ==',
    '== 200',
    '$statusCode = 200',
    '$statusCode === 200',
    '$statusCode == 200 == true',
    '($statusCode == 200',
    '$statusCode == 200)',
    "$response.body.status == 'open",
    '$response.body.status == complete',
    '$foo == 1',
    '$steps.x == 1',
    '$response.body.pets[-1] == 1',
    '$response.body.pets[] == 1',
    '$response.body.pets[1.5] == 1',
    '$statusCode & 1',
    '$statusCode | 1',
    '200 200',
    '{inputs} == 1',
    '. == 1',
    '#',
    'True'
  ])('%j is a syntax error', condition => {
    expect(() => compileCriterion({ condition })).toThrow(ArazzoSyntaxError)
  })

  test('deep nesting is a syntax error, not a stack overflow', () => {
    const deep = '('.repeat(5000) + '1' + ')'.repeat(5000)
    expect(() => parseSimpleCondition(deep)).toThrow(ArazzoSyntaxError)
    expect(() => parseSimpleCondition('!'.repeat(5000) + '1')).toThrow(ArazzoSyntaxError)
    const long = Array.from({ length: 5000 }, () => '1 == 1').join(' && ')
    expect(simple(long, ctx)).toBe(true)
  })
})

describe('regex conditions', () => {
  test('the spec examples', () => {
    expect(passes({ context: '$statusCode', condition: '^200$', type: 'regex' }, ctx)).toBe(true)
    expect(passes({ context: '$statusCode', condition: '^2\\d{2}$', type: 'regex' }, ctx)).toBe(
      true
    )
    const notFound = makeContext(body, { statusCode: 404 })
    expect(passes({ context: '$statusCode', condition: '^200$', type: 'regex' }, notFound)).toBe(
      false
    )
  })

  test('tested against strings, numbers and JSON of objects; null context fails', () => {
    const r = (context: string, condition: string) =>
      passes({ context, condition, type: 'regex' }, ctx)
    expect(r('$response.body.status', '^Comp')).toBe(true)
    expect(r('$response.body.status', '^comp')).toBe(false)
    expect(r('$response.body#/pets/0', '"name":"Rex"')).toBe(true)
    expect(r('$response.body.nothing', '.*')).toBe(false)
    expect(r('$response.body.missing', '.*')).toBe(false)
    expect(r('$response.header.Retry-After', '^\\d+$')).toBe(true)
  })

  test('unicode patterns compile with the u flag, others without', () => {
    const ctxUnicode = makeContext({ name: '😀' })
    const criterion = { context: '$response.body.name', condition: '^.$', type: 'regex' as const }
    expect(passes(criterion, ctxUnicode)).toBe(true)
    // '\-' outside a class is invalid with u, valid without.
    expect(passes({ ...criterion, condition: '^a\\-b$' }, makeContext({ name: 'a-b' }))).toBe(true)
  })

  test('embedded {$...} is substituted before matching', () => {
    const criterion: Criterion = {
      context: '$response.body.status',
      condition: '^({$inputs.statusPattern})$',
      type: 'regex'
    }
    expect(passes(criterion, makeContext({ status: 'processing' }))).toBe(true)
    expect(passes(criterion, makeContext({ status: 'complete' }))).toBe(false)
  })

  test('a catastrophically backtracking pattern runs in linear time on RE2; RE2-less syntax is refused', () => {
    // A backtracking engine would need about 2^40 steps to refuse this value (the test would time out).
    const evil = { context: '$response.body.status', condition: '^(a+)+$', type: 'regex' as const }
    const compiled = compileCriterion(evil)
    expect(compileWarnings(compiled)).toEqual([])
    expect(evaluateCriterion(compiled, makeContext({ status: 'a'.repeat(40) + '!' }))).toBe(false)
    expect(evaluateCriterion(compiled, makeContext({ status: 'a'.repeat(100_000) }))).toBe(true)
    // Past the pattern's work budget (characters x program size) a value fails the criterion.
    const budget = compiled.plan.type === 'regex' ? compiled.plan.regex!.maxInput : 0
    expect(budget).toBeGreaterThan(100_000)
    expect(evaluateCriterion(compiled, makeContext({ status: 'a'.repeat(budget + 1) }))).toBe(false)

    // Lookaround and backreferences are beyond RE2: refused, never run on a backtracking engine.
    for (const condition of ['^(\\w)\\1$', '^(?=a)a*a*a*a*a*b', '(?<=a)b', '(?!a)b']) {
      expect(() => compileCriterion({ ...evil, condition })).toThrow(
        /Regular expression refused: the pattern is not one the linear-time engine \(RE2\) runs/
      )
    }
    // A pattern made at run time that RE2 cannot run fails the criterion.
    const template = compileCriterion({ ...evil, condition: '{$inputs.statusPattern}' })
    const ctx = makeContext({ status: 'x' })
    expect(evaluateCriterion(template, { ...ctx, inputs: { statusPattern: '(?=x)x' } })).toBe(false)
    expect(evaluateCriterion(template, { ...ctx, inputs: { statusPattern: '^x$' } })).toBe(true)
  })

  test('an invalid regex is a syntax error; a missing context is an error', () => {
    expect(() =>
      compileCriterion({ context: '$statusCode', condition: '(', type: 'regex' })
    ).toThrow(ArazzoSyntaxError)
    expect(() => compileCriterion({ condition: '^200$', type: 'regex' })).toThrow(ArazzoError)
    expect(() => compileCriterion({ context: '$nope', condition: 'x', type: 'regex' })).toThrow(
      ArazzoSyntaxError
    )
  })
})

describe('jsonpath conditions', () => {
  const seedComplete: Criterion = {
    context: '$response.body',
    condition: '$.status == "complete"',
    type: 'jsonpath'
  }
  const seedStillProcessing: Criterion = {
    context: '$response.body',
    condition: '$.status == "pending" || $.status == "processing"',
    type: 'jsonpath'
  }

  test.each([
    ['pending', false, true],
    ['processing', false, true],
    ['complete', true, false],
    ['failed', false, false],
    ['Complete', false, false],
    [undefined, false, false]
  ])('seed conditions on status %s: complete=%s stillProcessing=%s', (status, complete, still) => {
    const response = makeContext(status === undefined ? { request_id: 1 } : { status })
    expect(passes(seedComplete, response)).toBe(complete)
    expect(passes(seedStillProcessing, response)).toBe(still)
  })

  test('seed conditions compile as the comparison form without warnings', () => {
    const compiled = compileCriterion(seedStillProcessing)
    expect(compileWarnings(compiled)).toEqual([])
    expect(planJsonPath(seedStillProcessing.condition).form).toBe('comparison')
  })

  test('seed conditions fail on a null or absent body', () => {
    expect(passes(seedComplete, makeContext(null))).toBe(false)
    expect(passes(seedComplete, makeContext(undefined))).toBe(false)
    expect(passes(seedComplete, makeContext('complete'))).toBe(false)
  })

  test('the seed form: operators, literals, precedence, parentheses', () => {
    const doc = makeContext({
      status: 'complete',
      count: 3,
      items: [{ id: 'a' }, { id: null }],
      ok: true,
      obj: { a: [1, 2] },
      'odd key': 1
    })
    const jp = (condition: string) =>
      passes({ context: '$response.body', condition, type: 'jsonpath' }, doc)
    expect(jp('$.count >= 3')).toBe(true)
    expect(jp('$.count > 3')).toBe(false)
    expect(jp('$.count < 4 && $.count <= 3')).toBe(true)
    expect(jp('$.count != 3')).toBe(false)
    expect(jp('$.count == "3"')).toBe(false)
    expect(jp('$.status == "COMPLETE"')).toBe(false)
    expect(jp("$.status == 'complete'")).toBe(true)
    expect(jp('$.status > "comp"')).toBe(true)
    expect(jp('$.items[0].id != null')).toBe(true)
    expect(jp('$.items[1].id != null')).toBe(false)
    expect(jp('$.items[5].id != null')).toBe(false)
    expect(jp('$.items[5].id == null')).toBe(true)
    expect(jp('$.ok == true && !($.count == 4)')).toBe(true)
    expect(jp('$.count == 4 || $.count == 5 || $.status == "complete"')).toBe(true)
    expect(jp('($.count == 4 || $.count == 3) && $.ok == false')).toBe(false)
    expect(jp('$.obj == 1')).toBe(false)
    expect(jp('$.obj == {"a": [1, 2]}')).toBe(true)
    expect(jp('$.obj.a == [1, 2]')).toBe(true)
    expect(jp('$.obj.a != [2, 1]')).toBe(true)
    expect(jp('$["odd key"] == 1')).toBe(true)
    expect(jp('$.items[*].id == "a"')).toBe(false)
    expect(jp('"complete" == $.status')).toBe(true)
    expect(jp('$.ok && $.status')).toBe(true)
    expect(jp('$.count == -3e0 || $.count == 3.0')).toBe(true)
  })

  test('standard RFC 9535 queries: non-empty node list passes', () => {
    const list = makeContext([
      { status: 'complete', pets: [1] },
      { status: 'pending', pets: [] }
    ])
    const jp = (condition: string, context = list) =>
      passes({ context: '$response.body', condition, type: 'jsonpath' }, context)
    expect(jp("$[?@.status == 'complete']")).toBe(true)
    expect(jp("$[?@.status == 'failed']")).toBe(false)
    expect(jp('$[?(@.status == "pending")]')).toBe(true)
    expect(jp('$[?count(@.pets) > 0]')).toBe(true)
    expect(jp('$[?count(@.pets) > 1]')).toBe(false)
    expect(jp('$[*].pets[*]')).toBe(true)
    expect(jp('$[1].pets[*]')).toBe(false)
    // RFC 9535 filters select children: on an object root they test its member values.
    const object = makeContext({ status: 'complete', data: [1] })
    expect(jp("$[?@ == 'complete']", object)).toBe(true)
    expect(jp("$[?@.status == 'complete']", object)).toBe(false)
    expect(jp('$.data[*]', object)).toBe(true)
    expect(jp('$.status', object)).toBe(true)
    expect(jp('$.missing', object)).toBe(false)
  })

  test('the spec example: $[?count(@.pets) > 0]', () => {
    const criterion: Criterion = {
      context: '$response.body',
      condition: '$[?count(@.pets) > 0]',
      type: 'jsonpath'
    }
    expect(passes(criterion, makeContext({ owner: { pets: ['rex'] } }))).toBe(true)
    // count() counts nodes: an owner with an empty pets array still has one `pets` node.
    expect(passes(criterion, makeContext({ owner: { pets: [] } }))).toBe(true)
    expect(passes(criterion, makeContext({ owner: { name: 'Ann' } }))).toBe(false)
    expect(planJsonPath(criterion.condition).form).toBe('query')
  })

  test('null context fails; a condition invalid for its version is a compile error', () => {
    const invalid: Criterion = { context: '$response.body', condition: '$.[', type: 'jsonpath' }
    expect(() => compileCriterion(invalid)).toThrow(/jsonpath condition is not valid RFC 9535/)
    expect(() => compileCriterion({ ...invalid, condition: '$.status == complete' })).toThrow(
      ArazzoError
    )
    expect(passes({ ...invalid, condition: '$' }, makeContext(null))).toBe(false)
  })

  test('embedded {$...} is substituted as raw text before the query runs', () => {
    const criterion: Criterion = {
      context: '$response.body',
      condition: "$[?@.status == '{$inputs.expectedStatus}']",
      type: 'jsonpath'
    }
    expect(passes(criterion, makeContext([{ status: 'complete' }]))).toBe(true)
    expect(passes(criterion, makeContext([{ status: 'pending' }]))).toBe(false)
    const seedForm: Criterion = {
      ...criterion,
      condition: '$.status == "{$inputs.expectedStatus}"'
    }
    expect(passes(seedForm, makeContext({ status: 'complete' }))).toBe(true)
    expect(passes(seedForm, makeContext({ status: 'pending' }))).toBe(false)
  })

  test('without a context, a jsonpath criterion is a compile error (a MUST of the spec)', () => {
    expect(() =>
      compileCriterion({ condition: '$.status == "complete"', type: 'jsonpath' })
    ).toThrow(/needs a context/)
  })

  test('seed-form parser errors are ArazzoSyntaxError', () => {
    const bad = [
      '',
      '$.a ==',
      '$.a == b',
      '$.[ == 1',
      '($.a == 1',
      '$.a == 1 == 2',
      '@.a',
      '$.a == {x}'
    ]
    for (const text of bad) {
      expect(() => parseJsonPathComparison(text)).toThrow(ArazzoSyntaxError)
    }
  })
})

describe('criteria from the Arazzo repository examples (written here as fixtures)', () => {
  const token = makeContext(
    { access_token: 'tok', redirectAuthToken: null, existingCustomerNotEligible: false },
    { statusCode: 201, steps: { check: { outputs: { eligibilityCheckRequired: true } } } }
  )

  test.each([
    ['$statusCode == 200 || $statusCode == 201', true],
    ['$statusCode == 302', false],
    ['$response.body#/access_token != null', true],
    ['$response.body#/redirectAuthToken == null', true],
    ['$response.body#/redirectAuthToken != null', false],
    ['$response.body#/existingCustomerNotEligible == false', true],
    ['$steps.check.outputs.eligibilityCheckRequired == true', true],
    ['$steps.check.outputs.eligibilityCheckRequired == false', false]
  ])('simple: %s => %s', (condition, expected) => {
    expect(simple(condition, token)).toBe(expected)
  })

  test('jsonpath: $[?count(@.products) > 0] and == 0', () => {
    const offers = makeContext({ offer: { products: [{ id: 1 }] } })
    const none = makeContext({ offer: { terms: 'x' } })
    const query = (condition: string, context: ExpressionContext) =>
      passes({ context: '$response.body', condition, type: 'jsonpath' }, context)
    expect(query('$[?count(@.products) > 0]', offers)).toBe(true)
    expect(query('$[?count(@.products) > 0]', none)).toBe(false)
    expect(query('$[?count(@.products) == 0]', none)).toBe(true)
  })
})

describe('criterion types', () => {
  test('Criterion Expression Type Object for JSONPath', () => {
    const criterion: Criterion = {
      context: '$response.body',
      condition: '$.status == "complete"',
      type: { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' }
    }
    const compiled = compileCriterion(criterion)
    expect(evaluateCriterion(compiled, makeContext({ status: 'complete' }))).toBe(true)
    expect(compileWarnings(compiled)).toEqual([])
  })

  test('xpath is refused, with or without a type object', () => {
    const base = { context: '$response.body', condition: '/root/pets' }
    expect(() => compileCriterion({ ...base, type: 'xpath' })).toThrow(
      'xpath criteria are not supported'
    )
    for (const version of ['xpath-30', 'xpath-20', 'xpath-10']) {
      expect(() => compileCriterion({ ...base, type: { type: 'xpath', version } })).toThrow(
        /xpath criteria are not supported/
      )
    }
    let thrown: unknown
    try {
      compileCriterion({ ...base, type: 'xpath' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ArazzoError)
    expect(thrown).not.toBeInstanceOf(ArazzoSyntaxError)
  })

  test('unknown types and versions are errors', () => {
    const base = { context: '$response.body', condition: '$' }
    const bad = [
      'sql',
      { type: 'jsonpath', version: 'v9' },
      { type: 'xpath', version: 'xpath-99' },
      { type: 'jq', version: '1' }
    ] as unknown as Criterion['type'][]
    for (const type of bad) {
      expect(() => compileCriterion({ ...base, type })).toThrow(ArazzoError)
    }
    expect(() => compileCriterion({} as Criterion)).toThrow(ArazzoError)
  })

  test('type omitted is simple; explicit simple works too', () => {
    expect(passes({ condition: '$statusCode == 200', type: 'simple' }, ctx)).toBe(true)
    expect(compileCriterion({ condition: '$statusCode == 200' }).plan.type).toBe('simple')
  })

  test('evaluateCriteria ANDs criteria and lists the failures', () => {
    const compiled = [
      compileCriterion({ condition: '$statusCode == 200' }),
      compileCriterion({ condition: '$response.body.count == 99' })
    ]
    expect(evaluateCriteria(compiled, ctx)).toEqual({
      passed: false,
      failed: ['$response.body.count == 99']
    })
    expect(evaluateCriteria(compiled.slice(0, 1), ctx)).toEqual({ passed: true, failed: [] })
  })

  test('compiled once, evaluated many times against changing responses', () => {
    const compiled = compileCriterion({
      context: '$response.body',
      condition: '$.status == "pending" || $.status == "processing"',
      type: 'jsonpath'
    })
    const results = ['pending', 'processing', 'processing', 'complete'].map(status =>
      evaluateCriterion(compiled, makeContext({ status }))
    )
    expect(results).toEqual([true, true, true, false])
  })
})
