/**
 * Issue 12's ten points where the engine disagreed with the Arazzo 1.0.1 text, one `describe` per
 * point, each on a minimal document (an `api` OpenAPI source and one workflow).
 */
import { ArazzoLoadError } from '../src/arazzo/errors.js'
import {
  API_SERVER,
  arazzo,
  loadFailure,
  loadWith,
  openapi,
  runRecorded
} from './support/arazzo-docs.js'

const ok = { responses: { '200': { description: 'ok' } } }

// ---------------------------------------------------------------------------------------------
// 2. A requestBody without contentType takes the operation's content type
// ---------------------------------------------------------------------------------------------

describe('2. requestBody without contentType follows the target operation', () => {
  const formOnly = openapi({
    '/token': {
      post: {
        operationId: 'token',
        requestBody: {
          content: { 'application/x-www-form-urlencoded': { schema: { type: 'object' } } }
        },
        ...ok
      }
    }
  })
  const step = {
    stepId: 'token',
    operationId: 'token',
    requestBody: { payload: { grant_type: 'client_credentials', scope: 'read write' } }
  }

  test('an operation that accepts only a form gets a form body', async () => {
    const loaded = await loadWith(arazzo([{ workflowId: 'w', steps: [step] }]), formOnly)
    const { requests } = await runRecorded(loaded)
    expect(requests[0].headers['Content-Type']).toBe('application/x-www-form-urlencoded')
    expect(requests[0].body).toBe('grant_type=client_credentials&scope=read+write')
  })

  test('a $ref to components/requestBodies is followed', async () => {
    const api = openapi({
      '/token': {
        post: {
          operationId: 'token',
          requestBody: { $ref: '#/components/requestBodies/Form' },
          ...ok
        }
      }
    })
    api.components = {
      requestBodies: { Form: { content: { 'application/x-www-form-urlencoded': {} } } }
    }
    const loaded = await loadWith(arazzo([{ workflowId: 'w', steps: [step] }]), api)
    const { requests } = await runRecorded(loaded)
    expect(requests[0].headers['Content-Type']).toBe('application/x-www-form-urlencoded')
  })

  test('JSON wins when the operation accepts several types; JSON when it declares none', async () => {
    const several = openapi({
      '/token': {
        post: {
          operationId: 'token',
          requestBody: {
            content: { 'application/x-www-form-urlencoded': {}, 'application/json': {} }
          },
          ...ok
        }
      }
    })
    const none = openapi({ '/token': { post: { operationId: 'token', ...ok } } })
    for (const api of [several, none]) {
      const loaded = await loadWith(arazzo([{ workflowId: 'w', steps: [step] }]), api)
      const { requests } = await runRecorded(loaded)
      expect(requests[0].headers['Content-Type']).toBe('application/json')
      expect(JSON.parse(requests[0].body ?? '')).toEqual(step.requestBody.payload)
    }
  })

  test('an explicit contentType still wins over the operation', async () => {
    const explicit = {
      ...step,
      requestBody: { ...step.requestBody, contentType: 'application/json' }
    }
    const loaded = await loadWith(arazzo([{ workflowId: 'w', steps: [explicit] }]), formOnly)
    const { requests } = await runRecorded(loaded)
    expect(requests[0].headers['Content-Type']).toBe('application/json')
  })

  test('an object payload for a type it cannot be written in fails the step clearly', async () => {
    const xml = openapi({
      '/pets': {
        post: { operationId: 'add', requestBody: { content: { 'application/xml': {} } }, ...ok }
      }
    })
    const loaded = await loadWith(
      arazzo([
        {
          workflowId: 'w',
          steps: [{ stepId: 'add', operationId: 'add', requestBody: { payload: { a: 1 } } }]
        }
      ]),
      xml
    )
    const { result, requests } = await runRecorded(loaded)
    expect(requests).toHaveLength(0)
    expect(result.status).toBe('failed')
    expect(result.error?.message).toMatch(
      /cannot be sent as application\/xml; write the payload as a string/
    )
  })
})

// ---------------------------------------------------------------------------------------------
// 3. $request.body reaches into a templated JSON payload
// ---------------------------------------------------------------------------------------------

describe('3. $request.body after a templated payload', () => {
  const api = openapi({
    '/store/order': {
      post: {
        operationId: 'placeOrder',
        requestBody: { content: { 'application/json': {} } },
        ...ok
      }
    }
  })

  test("the spec's JSON Templated Example: $request.body#/petOrder/petId", async () => {
    const loaded = await loadWith(
      arazzo([
        {
          workflowId: 'w',
          inputs: { type: 'object', properties: { pet_id: { type: 'string' } } },
          steps: [
            {
              stepId: 'order',
              operationId: 'placeOrder',
              requestBody: {
                contentType: 'application/json',
                payload: '{"petOrder": {"petId": "{$inputs.pet_id}", "status": "placed"}}'
              },
              outputs: { petId: '$request.body#/petOrder/petId', whole: '$request.body' }
            }
          ]
        }
      ]),
      api
    )
    const { result, requests } = await runRecorded(loaded, { pet_id: 'pet-7' })
    expect(requests[0].body).toBe('{"petOrder": {"petId": "pet-7", "status": "placed"}}')
    expect(result.steps.order.outputs.petId).toBe('pet-7')
    expect(result.steps.order.outputs.whole).toEqual({
      petOrder: { petId: 'pet-7', status: 'placed' }
    })
  })

  test('a form string payload reads back as its fields', async () => {
    const loaded = await loadWith(
      arazzo([
        {
          workflowId: 'w',
          steps: [
            {
              stepId: 'order',
              operationId: 'placeOrder',
              requestBody: {
                contentType: 'application/x-www-form-urlencoded',
                payload: 'client_id=abc&scope=a&scope=b'
              },
              outputs: { client: '$request.body#/client_id', scopes: '$request.body#/scope' }
            }
          ]
        }
      ]),
      api
    )
    const { result } = await runRecorded(loaded)
    expect(result.steps.order.outputs).toEqual({ client: 'abc', scopes: ['a', 'b'] })
  })
})

// ---------------------------------------------------------------------------------------------
// 9. Parameters are serialised by their OpenAPI style and explode
// ---------------------------------------------------------------------------------------------

describe('9. OpenAPI style/explode serialisation', () => {
  const values = {
    tags: ['a', 'b'],
    color: { R: 100, G: 200 },
    ids: [3, 4]
  }
  async function requestFor(parameters: unknown[], paths: Record<string, unknown>) {
    const loaded = await loadWith(
      arazzo([{ workflowId: 'w', steps: [{ stepId: 's', operationId: 'op', parameters }] }]),
      openapi(paths)
    )
    const { requests } = await runRecorded(loaded)
    return requests[0]
  }
  const get = (parameters: unknown[], path = '/pets') => ({
    [path]: { get: { operationId: 'op', parameters, ...ok } }
  })

  test('query explode: false sends tags=a,b (explode default true: tags=a&tags=b)', async () => {
    const unexploded = await requestFor(
      [{ name: 'tags', in: 'query', value: values.tags }],
      get([{ name: 'tags', in: 'query', explode: false, schema: { type: 'array' } }])
    )
    expect(unexploded.url).toBe(`${API_SERVER}/pets?tags=a,b`)
    const exploded = await requestFor(
      [{ name: 'tags', in: 'query', value: values.tags }],
      get([{ name: 'tags', in: 'query', schema: { type: 'array' } }])
    )
    expect(exploded.url).toBe(`${API_SERVER}/pets?tags=a&tags=b`)
  })

  test('spaceDelimited, pipeDelimited and deepObject query styles', async () => {
    const request = await requestFor(
      [
        { name: 'tags', in: 'query', value: values.tags },
        { name: 'ids', in: 'query', value: values.ids },
        { name: 'color', in: 'query', value: values.color }
      ],
      get([
        { name: 'tags', in: 'query', style: 'spaceDelimited', explode: false },
        { name: 'ids', in: 'query', style: 'pipeDelimited', explode: false },
        { name: 'color', in: 'query', style: 'deepObject', explode: true }
      ])
    )
    expect(request.url).toBe(`${API_SERVER}/pets?tags=a%20b&ids=3|4&color[R]=100&color[G]=200`)
  })

  test('path label and matrix styles, exploded or not', async () => {
    const request = await requestFor(
      [
        { name: 'a', in: 'path', value: values.tags },
        { name: 'b', in: 'path', value: values.tags },
        { name: 'c', in: 'path', value: values.tags },
        { name: 'd', in: 'path', value: values.color }
      ],
      get(
        [
          { name: 'a', in: 'path', required: true },
          { name: 'b', in: 'path', required: true, style: 'label', explode: true },
          { name: 'c', in: 'path', required: true, style: 'matrix', explode: true },
          { name: 'd', in: 'path', required: true, style: 'matrix' }
        ],
        '/x/{a}/{b}/{c}/{d}'
      )
    )
    expect(request.url).toBe(`${API_SERVER}/x/a,b/.a.b/;c=a;c=b/;d=R,100,G,200`)
  })

  test('path-level parameters apply, overridden by the operation; headers use simple', async () => {
    const request = await requestFor([{ name: 'X-Color', in: 'header', value: values.color }], {
      '/pets': {
        parameters: [{ name: 'X-Color', in: 'header', explode: false }],
        get: {
          operationId: 'op',
          parameters: [{ name: 'X-Color', in: 'header', explode: true }],
          ...ok
        }
      }
    })
    expect(request.headers['X-Color']).toBe('R=100,G=200')
  })

  test('Swagger 2 collectionFormat: csv by default, multi repeats the key', async () => {
    const swagger = {
      swagger: '2.0',
      info: { title: 'api', version: '1' },
      host: 'api.example.test',
      schemes: ['https'],
      paths: {
        '/pets': {
          get: {
            operationId: 'op',
            parameters: [
              { name: 'tags', in: 'query', type: 'array', items: { type: 'string' } },
              { name: 'ids', in: 'query', type: 'array', collectionFormat: 'multi' }
            ],
            ...ok
          }
        }
      }
    }
    const loaded = await loadWith(
      arazzo([
        {
          workflowId: 'w',
          steps: [
            {
              stepId: 's',
              operationId: 'op',
              parameters: [
                { name: 'tags', in: 'query', value: values.tags },
                { name: 'ids', in: 'query', value: values.ids }
              ]
            }
          ]
        }
      ]),
      swagger
    )
    const { requests } = await runRecorded(loaded)
    expect(requests[0].url).toBe(`${API_SERVER}/pets?tags=a,b&ids=3&ids=4`)
  })

  test('a parameter described with content is sent as JSON; values are percent-encoded', async () => {
    const request = await requestFor(
      [
        { name: 'filter', in: 'query', value: { status: 'sold out' } },
        { name: 'q', in: 'query', value: 'a&b=c d' }
      ],
      get([{ name: 'filter', in: 'query', content: { 'application/json': {} } }])
    )
    expect(request.url).toBe(
      `${API_SERVER}/pets?filter=${encodeURIComponent('{"status":"sold out"}')}&q=a%26b%3Dc%20d`
    )
  })
})

// ---------------------------------------------------------------------------------------------
// 1. An unused `type: arazzo` source description does not refuse the document
// ---------------------------------------------------------------------------------------------

const getPets = openapi({ '/pets': { get: { operationId: 'listPets', ...ok } } })
const listStep = { stepId: 'list', operationId: 'listPets' }

describe('1. unused arazzo source descriptions', () => {
  test('a document with an unused arazzo source loads and runs (the source is never read)', async () => {
    const doc = arazzo([{ workflowId: 'w', steps: [listStep] }], {
      sourceDescriptions: [
        { name: 'api', url: './api.openapi.json', type: 'openapi' },
        { name: 'flows', url: './not-there.arazzo.yaml', type: 'arazzo' }
      ]
    })
    const loaded = await loadWith(doc, getPets)
    expect(loaded.warnings).toEqual([])
    const { result, requests } = await runRecorded(loaded)
    expect(result.status).toBe('succeeded')
    expect(requests.map(r => r.url)).toEqual([`${API_SERVER}/pets`])
  })
})

// ---------------------------------------------------------------------------------------------
// 4. SHOULD-level naming rules warn
// ---------------------------------------------------------------------------------------------

describe('4. SHOULD-level naming rules are warnings', () => {
  test('stepId, workflowId and source names off the recommended pattern load with warnings', async () => {
    const doc = arazzo(
      [
        {
          workflowId: 'get pets',
          steps: [{ stepId: 'get status', operationId: 'listPets' }]
        }
      ],
      { sourceDescriptions: [{ name: 'my api', url: './api.openapi.json', type: 'openapi' }] }
    )
    const loaded = await loadWith(doc, getPets)
    expect(loaded.warnings).toEqual([
      "sourceDescriptions/0/name: name 'my api' should match ^[A-Za-z0-9_-]+$",
      "workflows/0/workflowId: workflowId 'get pets' should match ^[A-Za-z0-9_-]+$",
      "workflows/0/steps/0/stepId: stepId 'get status' should match ^[A-Za-z0-9_-]+$"
    ])
  })

  test('a step id with a space can still be read: $steps.get status.outputs.code', async () => {
    const doc = arazzo([
      {
        workflowId: 'w',
        steps: [
          { stepId: 'get status', operationId: 'listPets', outputs: { code: '$statusCode' } }
        ],
        outputs: {
          code: '$steps.get status.outputs.code',
          text: 'status {$steps.get status.outputs.code}'
        }
      }
    ])
    const loaded = await loadWith(doc, getPets)
    const { result } = await runRecorded(loaded)
    expect(result.outputs).toEqual({ code: 200, text: 'status 200' })
  })

  test('MUST-level key rules stay errors: an output name with a space', async () => {
    const doc = arazzo([
      { workflowId: 'w', steps: [{ ...listStep, outputs: { 'the status': '$statusCode' } }] }
    ])
    const error = await loadFailure(doc, getPets)
    expect(error.message).toMatch(
      /^workflows\/0\/steps\/0\/outputs\/the status: output name 'the status' must match/
    )
  })
})

// ---------------------------------------------------------------------------------------------
// 5. Bare `$...` tokens inside strings: substituted only when complete, with a warning
// ---------------------------------------------------------------------------------------------

describe('5. bare runtime expressions inside literal strings', () => {
  const doc = arazzo([
    {
      workflowId: 'w',
      inputs: { type: 'object', properties: { token: { type: 'string' } } },
      steps: [
        {
          ...listStep,
          parameters: [
            { name: 'Authorization', in: 'header', value: 'Token $inputs.token' },
            { name: 'X-Braced', in: 'header', value: 'Token {$inputs.token}' },
            { name: 'X-Price', in: 'header', value: '$5 off' },
            { name: 'X-Home', in: 'header', value: '$HOME/x' },
            { name: 'X-Half', in: 'header', value: 'see $steps.list and $inputs.' }
          ]
        }
      ]
    }
  ])

  test('a complete expression of a known source is substituted; anything else stays text', async () => {
    const loaded = await loadWith(doc, getPets)
    const { requests } = await runRecorded(loaded, { token: 't0k' })
    expect(requests[0].headers).toMatchObject({
      Authorization: 'Token t0k',
      'X-Braced': 'Token t0k',
      'X-Price': '$5 off',
      'X-Home': '$HOME/x',
      'X-Half': 'see $steps.list and $inputs.'
    })
  })

  test('each substitution warns at load with the JSON pointer and the {$...} spelling', async () => {
    const loaded = await loadWith(doc, getPets)
    expect(loaded.warnings).toEqual([
      "workflows/0/steps/0/parameters/0/value: '$inputs.token' inside a string is substituted as a compatibility rule; Arazzo 1.0.1 writes an embedded expression as '{$inputs.token}'"
    ])
  })
})

// ---------------------------------------------------------------------------------------------
// 6. A constant that looks like an expression is a constant
// ---------------------------------------------------------------------------------------------

describe('6. constants that look like expressions', () => {
  test('value: $inputs is sent as the text "$inputs", with a warning', async () => {
    const doc = arazzo([
      {
        workflowId: 'w',
        steps: [
          {
            ...listStep,
            parameters: [
              { name: 'q', in: 'query', value: '$inputs' },
              { name: 'X-Ref', in: 'header', value: '$steps.list.status' }
            ]
          }
        ]
      }
    ])
    const loaded = await loadWith(doc, getPets)
    expect(loaded.warnings).toEqual([
      expect.stringMatching(
        /^workflows\/0\/steps\/0\/parameters\/0\/value: '\$inputs' is not a runtime expression \(.*\): it is sent as text$/
      ),
      expect.stringMatching(
        /^workflows\/0\/steps\/0\/parameters\/1\/value: '\$steps.list.status' is not a runtime expression/
      )
    ])
    const { requests } = await runRecorded(loaded)
    expect(requests[0].url).toBe(`${API_SERVER}/pets?q=%24inputs`)
    expect(requests[0].headers['X-Ref']).toBe('$steps.list.status')
  })
})

// ---------------------------------------------------------------------------------------------
// 7. draft-goessner-dispatch-jsonpath-00 conditions
// ---------------------------------------------------------------------------------------------

describe('7. Goessner JSONPath conditions', () => {
  const goessner = { type: 'jsonpath', version: 'draft-goessner-dispatch-jsonpath-00' }
  const body = {
    pets: [
      { name: 'Rex', price: 12, 'first-owner': 'Ann', tags: ['dog'] },
      { name: 'Tom', price: 8, tags: [] }
    ]
  }
  async function passes(condition: string): Promise<boolean> {
    const doc = arazzo([
      {
        workflowId: 'w',
        steps: [
          {
            ...listStep,
            successCriteria: [{ context: '$response.body', condition, type: goessner }]
          }
        ]
      }
    ])
    const loaded = await loadWith(doc, getPets)
    const { result } = await runRecorded(loaded, {}, () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body
    }))
    return result.status === 'succeeded'
  }

  test.each([
    ['$.pets[?(@.price < 10)]', true],
    ['$.pets[?(@.price < 5)]', false],
    ['$..name', true],
    ['$..nickname', false],
    ['$.pets[-1:]', true],
    ['$.pets[0,1].name', true],
    ['$.pets[:1]', true],
    ["$.pets[?(@.name === 'Tom' && @.price <= 8)]", true],
    ["$.pets[?(@.name !== 'Tom' && @.price <= 8)]", false],
    ['$.pets[?(@.tags.length > 0)]', true],
    // A dash inside a name is read as part of it (JavaScript would subtract).
    ['$.pets[?(@.first-owner)]', true],
    ["$.pets[?(@['first-owner'])]", true],
    ['$.pets[0].first-owner', true],
    ['$.store.*', false]
  ])('%s selects something: %s', async (condition, expected) => {
    expect(await passes(condition)).toBe(expected)
  })

  test('script expressions and filters that need eval are refused at load, as errors', async () => {
    for (const condition of [
      '$.pets[(@.length-1)]',
      '$.pets[?(@.price * 2 < 20)]',
      '$.pets[?(@.name.match(/R/))]'
    ]) {
      const doc = arazzo([
        {
          workflowId: 'w',
          steps: [
            {
              ...listStep,
              successCriteria: [{ context: '$response.body', condition, type: goessner }]
            }
          ]
        }
      ])
      const error = await loadFailure(doc, getPets)
      expect(error.message).toMatch(
        /^workflows\/0\/steps\/0\/successCriteria\/0(\/condition)?: .*(JavaScript|eval)/
      )
    }
  })
})

// ---------------------------------------------------------------------------------------------
// 8. MUST violations are errors
// ---------------------------------------------------------------------------------------------

describe('8. MUST violations refuse the document', () => {
  const withStep = (step: Record<string, unknown>) =>
    arazzo([{ workflowId: 'w', steps: [{ ...listStep, ...step }] }])

  test.each([
    [
      'a jsonpath criterion without context',
      withStep({ successCriteria: [{ condition: '$[?@.id]', type: 'jsonpath' }] }),
      'workflows/0/steps/0/successCriteria/0',
      /needs a context/
    ],
    [
      'a regex criterion without context',
      withStep({ successCriteria: [{ condition: '^2', type: 'regex' }] }),
      'workflows/0/steps/0/successCriteria/0',
      /needs a context/
    ],
    [
      'a jsonpath condition invalid for its version',
      withStep({
        successCriteria: [{ context: '$response.body', condition: '$[?@.a ==]', type: 'jsonpath' }]
      }),
      'workflows/0/steps/0/successCriteria/0',
      /not valid RFC 9535/
    ],
    [
      'an unknown fixed field (successcriteria)',
      withStep({ successcriteria: [{ condition: '$statusCode == 201' }] }),
      'workflows/0/steps/0/successcriteria',
      /unknown field 'successcriteria' \(did you mean 'successCriteria'\?\)/
    ]
  ])('%s', async (_name, doc, pointer, message) => {
    const error = (await loadFailure(doc, getPets)) as ArazzoLoadError
    expect(error).toBeInstanceOf(ArazzoLoadError)
    expect(error.pointer).toBe(pointer)
    expect(error.message).toMatch(message)
  })

  test('a bare operationId when there are several OpenAPI sources', async () => {
    const doc = arazzo([{ workflowId: 'w', steps: [listStep] }], {
      sourceDescriptions: [
        { name: 'api', url: './api.openapi.json', type: 'openapi' },
        { name: 'other', url: './other.openapi.json', type: 'openapi' }
      ]
    })
    const other = openapi({ '/other': { get: { operationId: 'other', ...ok } } })
    const error = (await loadFailure(doc, getPets, {
      'other.openapi.json': other
    })) as ArazzoLoadError
    expect(error.pointer).toBe('workflows/0/steps/0/operationId')
    expect(error.message).toMatch(/several OpenAPI source descriptions \(api, other\)/)
    expect(error.message).toContain('$sourceDescriptions.<name>.listPets')
  })

  test('an explicit simple type without context only warns', async () => {
    const loaded = await loadWith(
      withStep({ successCriteria: [{ condition: '$statusCode == 200', type: 'simple' }] }),
      getPets
    )
    expect(loaded.warnings).toEqual([
      expect.stringMatching(/^workflows\/0\/steps\/0\/successCriteria\/0: .*context/)
    ])
  })
})

// ---------------------------------------------------------------------------------------------
// 10. dependsOn into an OpenAPI source
// ---------------------------------------------------------------------------------------------

describe('10. dependsOn pointing into an OpenAPI source', () => {
  test('says that an OpenAPI source has no workflows', async () => {
    const doc = arazzo([
      { workflowId: 'w', dependsOn: ['$sourceDescriptions.api.listPets'], steps: [listStep] }
    ])
    const error = (await loadFailure(doc, getPets)) as ArazzoLoadError
    expect(error.pointer).toBe('workflows/0/dependsOn/0')
    expect(error.message).toMatch(/'api' is an OpenAPI source description, which has no workflows/)
    expect(error.message).not.toMatch(/not supported/)
  })
})
