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

test('ArazzoLoadError is what every load failure is', async () => {
  const error = await loadFailure(arazzo([]), openapi({}))
  expect(error).toBeInstanceOf(ArazzoLoadError)
})
