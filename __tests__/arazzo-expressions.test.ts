import { ArazzoError, ArazzoRuntimeError, ArazzoSyntaxError } from '../src/arazzo/errors.js'
import {
  compileValue,
  valueNotes,
  evaluateValue,
  expressionsIn
} from '../src/arazzo/compiled-values.js'
import { evaluateExpression } from '../src/arazzo/expression-evaluation.js'
import { isRuntimeExpression, parseExpression } from '../src/arazzo/expression-parser.js'
import { parseTemplate } from '../src/arazzo/expression-templates.js'
import { parsePointer, resolvePointer, setPointer } from '../src/arazzo/json-pointer.js'
import type { ExpressionContext } from '../src/arazzo/types.js'

function makeContext(overrides: Partial<ExpressionContext> = {}): ExpressionContext {
  return {
    url: 'https://amplitude.com/api/2/dsar/requests/42',
    method: 'GET',
    statusCode: 200,
    request: {
      headers: { Authorization: 'Basic abc', 'X-Rate': '7' },
      query: { page: '2', 'a.b': 'dotted' },
      path: { request_id: '42' },
      body: { user: { uuid: 'u-1' }, user_ids: ['a', 'b'] }
    },
    response: {
      headers: { 'retry-after': '30', 'content-type': 'application/json' },
      body: {
        request_id: 42,
        status: 'complete',
        download_url: 'https://example.com/file.zip',
        items: [{ id: 'x', status: 'done' }, { id: 'y' }],
        'a/b': 'slash',
        'm~n': 'tilde',
        empty: null
      }
    },
    inputs: {
      basicAuth: 'QUJDOkRFRg==',
      userIds: ['alice', 'bob'],
      count: 3,
      flag: false,
      nested: { deep: { value: 'v' } },
      'dotted.name': 'whole'
    },
    outputs: { bar: { name: 'n' }, total: 5 },
    steps: {
      createRequest: { outputs: { requestId: 42, status: 'pending', pets: [{ id: 7 }] } },
      'poll-Status_2': { outputs: { 'file.url': 'u' } }
    },
    workflows: {
      foo: { inputs: { username: 'ann' }, outputs: { mappedResponse: { name: 'Rex' } } }
    },
    sourceDescriptions: { dsarApi: { url: '../openapi/x.yml', type: 'openapi' } },
    components: {
      parameters: { page: { name: 'page', in: 'query', value: 1 } },
      inputs: { creds: { type: 'object' } },
      successActions: { done: { name: 'done', type: 'end' } },
      failureActions: { retry: { name: 'retry', type: 'retry', retryAfter: 5 } }
    },
    ...overrides
  }
}

const ctx = makeContext()
const evaluate = (text: string, context: ExpressionContext = ctx) =>
  evaluateExpression(parseExpression(text), context)

describe('JSON Pointer', () => {
  const doc = { a: [{ b: 1 }, 'two'], 'x/y': 'slash', 'm~n': 'tilde', '': 'empty', 'p q': 3 }

  test('whole value for empty pointer and bare fragment', () => {
    expect(resolvePointer(doc, '')).toBe(doc)
    expect(resolvePointer(doc, '#')).toBe(doc)
  })

  test('objects, array indices and escapes', () => {
    expect(resolvePointer(doc, '/a/0/b')).toBe(1)
    expect(resolvePointer(doc, '/a/1')).toBe('two')
    expect(resolvePointer(doc, '/x~1y')).toBe('slash')
    expect(resolvePointer(doc, '/m~0n')).toBe('tilde')
    expect(resolvePointer(doc, '/')).toBe('empty')
    expect(parsePointer('/~01')).toEqual(['~1'])
  })

  test('URI fragment form is percent-decoded', () => {
    expect(resolvePointer(doc, '#/a/0/b')).toBe(1)
    expect(resolvePointer(doc, '#/p%20q')).toBe(3)
  })

  test('misses are undefined, never errors', () => {
    expect(resolvePointer(doc, '/nope')).toBeUndefined()
    expect(resolvePointer(doc, '/a/2')).toBeUndefined()
    expect(resolvePointer(doc, '/a/-')).toBeUndefined()
    expect(resolvePointer(doc, '/a/01')).toBeUndefined()
    expect(resolvePointer(doc, '/a/0/b/c')).toBeUndefined()
    expect(resolvePointer(doc, '/constructor')).toBeUndefined()
    expect(resolvePointer(doc, '/a/length')).toBeUndefined()
    expect(resolvePointer(null, '/a')).toBeUndefined()
  })

  test('malformed pointers throw ArazzoSyntaxError', () => {
    expect(() => resolvePointer(doc, 'a/b')).toThrow(ArazzoSyntaxError)
    expect(() => resolvePointer(doc, '/a~2')).toThrow(ArazzoSyntaxError)
    expect(() => resolvePointer(doc, '#/%E0%A4%A')).toThrow(ArazzoSyntaxError)
  })

  test('setPointer replaces, adds the last key, appends with "-", never mutates', () => {
    const payload = { petOrder: { petId: 1, tags: ['a'] } }
    const snapshot = structuredClone(payload)
    expect(setPointer(payload, '/petOrder/petId', 9)).toEqual({
      petOrder: { petId: 9, tags: ['a'] }
    })
    expect(setPointer(payload, '/petOrder/quantity', 10)).toEqual({
      petOrder: { petId: 1, tags: ['a'], quantity: 10 }
    })
    expect(setPointer(payload, '/petOrder/tags/-', 'b')).toEqual({
      petOrder: { petId: 1, tags: ['a', 'b'] }
    })
    expect(setPointer(payload, '/petOrder/tags/0', 'z')).toEqual({
      petOrder: { petId: 1, tags: ['z'] }
    })
    expect(setPointer(payload, '', 'root')).toBe('root')
    expect(payload).toEqual(snapshot)
  })

  test('setPointer keeps a __proto__ key as data', () => {
    const result = setPointer({}, '/__proto__', { polluted: true }) as Record<string, unknown>
    expect(Object.hasOwn(result, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
  })

  test('setPointer throws ArazzoRuntimeError when the parent does not exist', () => {
    expect(() => setPointer({ a: {} }, '/missing/x', 1)).toThrow(ArazzoRuntimeError)
    expect(() => setPointer({ a: 1 }, '/a/x', 1)).toThrow(ArazzoRuntimeError)
    expect(() => setPointer({ a: [] }, '/a/3', 1)).toThrow(ArazzoRuntimeError)
    expect(() => setPointer('text', '/x', 1)).toThrow(ArazzoRuntimeError)
  })
})

describe('parseExpression and evaluateExpression', () => {
  test.each([
    ['$url', 'https://amplitude.com/api/2/dsar/requests/42'],
    ['$method', 'GET'],
    ['$statusCode', 200],
    ['$request.header.X-Rate', '7'],
    ['$request.header.authorization', 'Basic abc'],
    ['$request.query.page', '2'],
    ['$request.query.a.b', 'dotted'],
    ['$request.path.request_id', '42'],
    ['$request.body#/user/uuid', 'u-1'],
    ['$response.header.Retry-After', '30'],
    ['$response.header.RETRY-AFTER', '30'],
    ['$response.header.content-type', 'application/json'],
    ['$response.body#/status', 'complete'],
    ['$response.body#/items/0/id', 'x'],
    ['$response.body#/a~1b', 'slash'],
    ['$response.body#/m~0n', 'tilde'],
    ['$response.body.status', 'complete'],
    ['$response.body.items.length', 2],
    ['$inputs.basicAuth', 'QUJDOkRFRg=='],
    ['$inputs.count', 3],
    ['$inputs.flag', false],
    ['$inputs.nested.deep.value', 'v'],
    ['$inputs.nested#/deep/value', 'v'],
    ['$inputs.dotted.name', 'whole'],
    ['$inputs.userIds#/1', 'bob'],
    ['$outputs.total', 5],
    ['$outputs.bar#/name', 'n'],
    ['$steps.createRequest.outputs.requestId', 42],
    ['$steps.createRequest.outputs.pets#/0/id', 7],
    ['$steps.poll-Status_2.outputs.file.url', 'u'],
    ['$workflows.foo.inputs.username', 'ann'],
    ['$workflows.foo.outputs.mappedResponse#/name', 'Rex'],
    ['$sourceDescriptions.dsarApi.url', '../openapi/x.yml'],
    ['$components.parameters.page#/value', 1],
    ['$components.failureActions.retry#/retryAfter', 5]
  ])('%s', (text, expected) => {
    expect(evaluate(text)).toEqual(expected)
  })

  test('type is preserved: arrays, objects, null stay as they are', () => {
    expect(evaluate('$inputs.userIds')).toEqual(['alice', 'bob'])
    expect(evaluate('$inputs.userIds')).toBe(ctx.inputs.userIds)
    expect(evaluate('$response.body')).toBe(ctx.response?.body)
    expect(evaluate('$response.body#/empty')).toBeNull()
    expect(evaluate('$components.parameters.page')).toEqual({ name: 'page', in: 'query', value: 1 })
    expect(evaluate('$steps.createRequest.outputs')).toEqual(ctx.steps.createRequest.outputs)
  })

  test.each([
    '$response.body#/download_url/x',
    '$response.body#/missing',
    '$response.body.items.5',
    '$response.header.X-Missing',
    '$request.query.nope',
    '$inputs.nope',
    '$inputs.nested.nope.deeper',
    '$inputs.constructor',
    '$inputs.__proto__',
    '$inputs.userIds#/-',
    '$outputs.nope',
    '$steps.nope.outputs.x',
    '$steps.createRequest.outputs.nope',
    '$workflows.nope.outputs.x',
    '$sourceDescriptions.nope.url',
    '$components.parameters.nope',
    '$components.successActions.toString',
    '$response.query.page'
  ])('%s reaches nothing: undefined', text => {
    expect(evaluate(text)).toBeUndefined()
  })

  test('an empty context yields undefined everywhere', () => {
    const empty = {
      inputs: {},
      outputs: {},
      steps: {},
      workflows: {},
      sourceDescriptions: {},
      components: {}
    } as ExpressionContext
    for (const text of ['$url', '$statusCode', '$response.body#/status', '$request.header.A']) {
      expect(evaluate(text, empty)).toBeUndefined()
    }
  })

  test('the parsed form records what is referenced', () => {
    expect(parseExpression('$steps.createRequest.outputs.requestId').ref).toEqual({
      source: 'steps',
      stepId: 'createRequest',
      path: ['requestId'],
      pointer: []
    })
    expect(parseExpression('$response.body#/a/0').ref).toEqual({
      source: 'response',
      part: 'body',
      path: [],
      pointer: ['a', '0']
    })
  })

  test.each([
    '',
    'statusCode',
    '$',
    '$foo',
    '$statuscode',
    '$statusCode ',
    '$statusCode.x',
    '$urlx',
    '$inputs',
    '$inputs.',
    '$inputs..a',
    '$inputs.a b',
    '$steps.a',
    '$steps.a.output.x',
    '$steps..outputs.x',
    '$workflows.w.steps.x',
    '$components.schemas.x',
    '$request.cookie.x',
    '$request.header.',
    '$request.header.a b',
    '$response.body#a',
    '$response.body#/a~2',
    '$response.bodyx',
    '{$inputs.x}'
  ])('%j does not parse', text => {
    expect(() => parseExpression(text)).toThrow(ArazzoSyntaxError)
    expect(isRuntimeExpression(text)).toBe(false)
  })

  test('syntax errors carry the position', () => {
    let thrown: unknown
    try {
      parseExpression('$steps.a.outputz.b')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ArazzoSyntaxError)
    expect(thrown).toMatchObject({ position: 8, source: '$steps.a.outputz.b' })
  })

  test('isRuntimeExpression', () => {
    expect(isRuntimeExpression('$inputs.userIds')).toBe(true)
    expect(isRuntimeExpression('$response.body#/items/0')).toBe(true)
    expect(isRuntimeExpression('Basic $inputs.basicAuth')).toBe(false)
  })
})

describe('compileValue and evaluateValue', () => {
  const run = (value: unknown) => evaluateValue(compileValue(value), ctx)

  test('a string that is exactly one expression keeps the type', () => {
    expect(run('$inputs.userIds')).toEqual(['alice', 'bob'])
    expect(run('$inputs.count')).toBe(3)
    expect(run('$inputs.flag')).toBe(false)
    expect(run('$response.body#/download_url')).toBe('https://example.com/file.zip')
    expect(run('$response.body#/nope')).toBeUndefined()
  })

  test('embedded {$...} expressions are stringified', () => {
    expect(run('https://{$inputs.basicAuth}/api/{$steps.createRequest.outputs.requestId}/s')).toBe(
      'https://QUJDOkRFRg==/api/42/s'
    )
    expect(run('ids={$inputs.userIds}')).toBe('ids=["alice","bob"]')
    expect(run('n={$inputs.nested}')).toBe('n={"deep":{"value":"v"}}')
    expect(run('missing=[{$inputs.nope}]')).toBe('missing=[]')
    expect(run('{$inputs.count}')).toBe('3')
    expect(run('null={$response.body#/empty}')).toBe('null=null')
  })

  test("the seed's bare form: 'Basic $inputs.basicAuth'", () => {
    expect(run('Basic $inputs.basicAuth')).toBe('Basic QUJDOkRFRg==')
    expect(run('$inputs.count items, $statusCode.')).toBe('3 items, 200.')
    expect(run('a=$inputs.count&b=$inputs.flag')).toBe('a=3&b=false')
    expect(run('$inputs.count,$inputs.flag')).toBe('3,false')
  })

  test('dollar signs that are not expressions stay literal', () => {
    expect(run('$5 fee')).toBe('$5 fee')
    expect(run('US$')).toBe('US$')
    expect(run('price: 10 US$ or $urls')).toBe('price: 10 US$ or $urls')
    expect(run('{not an expression} and {$}')).toBe('{not an expression} and {$}')
    expect(run('see $steps.x and more')).toBe('see $steps.x and more')
    expect(run('$')).toBe('$')
  })

  test("the spec's form-data string example with a stray brace", () => {
    expect(run('client_id={$inputs.basicAuth}&scope=$inputs.count}')).toBe(
      'client_id=QUJDOkRFRg==&scope=3}'
    )
  })

  test('a lone token that looks like an expression but is none is a constant, with a note', () => {
    for (const text of ['$steps.createRequest.requestId', '$inputs']) {
      const compiled = compileValue(text)
      expect(evaluateValue(compiled, ctx)).toBe(text)
      expect(valueNotes(compiled).notExpressions).toEqual([
        { text, reason: expect.stringMatching(/Expected/) }
      ])
    }
    expect(() => compileValue('x {$steps.a.outputz.b}')).toThrow(ArazzoSyntaxError)
  })

  test('valueNotes lists the bare tokens substituted under the compatibility rule', () => {
    const compiled = compileValue({
      auth: 'Basic $inputs.basicAuth',
      braced: 'Basic {$inputs.basicAuth}',
      list: ['$5 off', '$HOME', 'x $statusCode']
    })
    expect(valueNotes(compiled)).toEqual({
      bare: ['$inputs.basicAuth', '$statusCode'],
      notExpressions: []
    })
  })

  test('objects and arrays are walked; other scalars returned as is', () => {
    const payload = {
      user_ids: '$inputs.userIds',
      meta: { auth: 'Basic $inputs.basicAuth', fixed: 'placed', n: 1, ok: true, none: null },
      list: ['$inputs.count', '{$inputs.count}', 4, ['$statusCode']]
    }
    expect(run(payload)).toEqual({
      user_ids: ['alice', 'bob'],
      meta: { auth: 'Basic QUJDOkRFRg==', fixed: 'placed', n: 1, ok: true, none: null },
      list: [3, '3', 4, [200]]
    })
    expect(payload.user_ids).toBe('$inputs.userIds')
    expect(run(42)).toBe(42)
    expect(run(null)).toBeNull()
    expect(run(undefined)).toBeUndefined()
  })

  test('compiled once, evaluated against different contexts', () => {
    const compiled = compileValue({ status: '$response.body#/status' })
    const pending = makeContext({ response: { headers: {}, body: { status: 'pending' } } })
    expect(evaluateValue(compiled, ctx)).toEqual({ status: 'complete' })
    expect(evaluateValue(compiled, pending)).toEqual({ status: 'pending' })
  })

  test('a __proto__ key in a payload stays data', () => {
    const value = JSON.parse('{"__proto__": {"x": "$inputs.count"}}')
    const result = run(value) as Record<string, unknown>
    expect(Object.hasOwn(result, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
  })

  test('expressionsIn lists every expression read', () => {
    const compiled = compileValue({
      a: '$inputs.x',
      b: ['Basic $inputs.y', '{$steps.s.outputs.z}']
    })
    expect(expressionsIn(compiled).map(e => e.source)).toEqual([
      '$inputs.x',
      '$inputs.y',
      '$steps.s.outputs.z'
    ])
  })

  test('parseTemplate without bare tokens leaves $... alone', () => {
    expect(parseTemplate('$.status == "{$inputs.basicAuth}"', { bare: false })).toEqual([
      '$.status == "',
      parseExpression('$inputs.basicAuth'),
      '"'
    ])
    expect(parseTemplate('$inputs.x', { bare: false })).toBeUndefined()
  })

  test('every thrown error is an ArazzoError', () => {
    expect(() => compileValue('{$components.schemas.x}')).toThrow(ArazzoError)
  })
})
