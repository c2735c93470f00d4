import { jest } from '@jest/globals'
import { mkdirSync, copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ArazzoLoadError } from '../src/arazzo/errors.js'
import { loadArazzoFile, loadArazzoText } from '../src/arazzo/loader.js'
import { workflowInputNames } from '../src/arazzo/validate.js'
import { ArazzoValidationError } from '../src/arazzo/validation-context.js'
import { tempDir } from './support/temp.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures', 'arazzo')
const fallbackDir = join(fixtures, 'fallback')
// A verbatim copy of shared/seed/amplitude-dsar-request-workflow.yml.
const seedPath = join(
  import.meta.dirname,
  'fixtures',
  'seed',
  'amplitude-dsar-request-workflow.yml'
)

type Json = Record<string, unknown>

/** A valid one-workflow document against the petstore fixture; tests break one thing each. */
function baseDocument(): Json {
  return {
    arazzo: '1.0.1',
    info: { title: 'Test', version: '1.0.0' },
    sourceDescriptions: [{ name: 'pets', url: './petstore.openapi.yaml', type: 'openapi' }],
    workflows: [
      {
        workflowId: 'main',
        steps: [
          {
            stepId: 'first',
            operationId: 'findPetsByStatus',
            parameters: [{ name: 'status', in: 'query', value: 'available' }],
            successCriteria: [{ condition: '$statusCode == 200' }],
            outputs: { id: '$response.body#/0/id' }
          },
          {
            stepId: 'second',
            operationId: 'getPetById',
            parameters: [{ name: 'petId', in: 'path', value: '$steps.first.outputs.id' }]
          }
        ]
      }
    ]
  }
}

function load(doc: unknown, options: Parameters<typeof loadArazzoText>[1] = {}) {
  return loadArazzoText(JSON.stringify(doc), { baseDir: fixtures, ...options })
}

async function loadError(doc: unknown): Promise<ArazzoValidationError> {
  const error = await load(doc).then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ArazzoLoadError)
  return error as ArazzoValidationError
}

/** Path to a nested object of the base document, to break it in place. */
function at(doc: Json, ...path: (string | number)[]): Json {
  let current: unknown = doc
  for (const key of path) current = (current as Record<string | number, unknown>)[key]
  return current as Json
}

describe('loading valid documents', () => {
  test('loads the seed verbatim, using the fallback description with a notice', async () => {
    const notices: string[] = []
    const loaded = await loadArazzoFile(seedPath, {
      fallbackDescriptionDirs: [fallbackDir],
      onNotice: message => notices.push(message)
    })
    // Point 5 of issue 12: the bare form runs, with a warning giving the pointer and `{$...}`.
    expect(loaded.warnings).toEqual(
      [0, 1].map(
        step =>
          `workflows/0/steps/${step}/parameters/0/value: '$inputs.basicAuth' inside a string is substituted as a compatibility rule; Arazzo 1.0.1 writes an embedded expression as '{$inputs.basicAuth}'`
      )
    )
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain('amplitude-dsar-api-openapi.yml')
    expect(notices[0]).toContain(fallbackDir)
    const workflow = loaded.workflow()
    expect(workflow.workflowId).toBe('submit-and-poll-dsar')
    expect(loaded.workflow('submit-and-poll-dsar')).toBe(workflow)
    expect(loaded.path).toBe(seedPath)
    expect(loaded.operation(workflow.steps[0])).toEqual({
      sourceName: 'dsarApi',
      operationId: 'createDsarRequest',
      method: 'POST',
      pathTemplate: '/api/2/dsar/requests',
      servers: ['https://amplitude.com'],
      requestContentTypes: ['application/json']
    })
    expect(loaded.operation(workflow.steps[1])).toMatchObject({
      method: 'GET',
      pathTemplate: '/api/2/dsar/requests/{request_id}'
    })
    expect(workflowInputNames(workflow)).toEqual({
      properties: ['basicAuth', 'userIds'],
      required: ['basicAuth', 'userIds']
    })
  })

  test('the seed without a fallback fails at its source description url', async () => {
    const error = await loadArazzoFile(seedPath).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ArazzoLoadError)
    expect((error as ArazzoLoadError).pointer).toBe('sourceDescriptions/0/url')
    expect((error as Error).message).toContain('file not found')
  })

  test('loads the pet-coupons example: inputs $ref, operationPath, prefixed operationId', async () => {
    const loaded = await loadArazzoFile(join(fixtures, 'pet-coupons.arazzo.yaml'))
    expect(loaded.warnings).toEqual([])
    const applyCoupon = loaded.workflow('apply-coupon')
    expect(workflowInputNames(applyCoupon)).toEqual({
      properties: ['my_pet_status', 'store_id'],
      required: ['my_pet_status']
    })
    // The property's own $ref is resolved too, so its default is readable.
    expect(applyCoupon.inputs?.properties).toMatchObject({
      store_id: { type: 'string', default: 'pets.example.com' }
    })
    expect(loaded.operation(applyCoupon.steps[1])).toEqual({
      sourceName: 'pet-coupons',
      operationId: 'getPetCoupons',
      method: 'GET',
      pathTemplate: '/pets/{petId}/coupons',
      servers: ['https://coupons.petstore.example']
    })
    const placeOrder = loaded.workflow('place-order')
    expect(loaded.operation(placeOrder.steps[0])).toMatchObject({
      operationId: 'placeOrder',
      method: 'POST',
      servers: ['https://eu.petstore.example/v3']
    })
    expect(() => loaded.operation(applyCoupon.steps[2])).toThrow(ArazzoLoadError)
  })

  test('servers come from the operation, else the path item, else the document', async () => {
    const doc = baseDocument()
    const petId = [{ name: 'petId', in: 'path', value: 7 }]
    at(doc, 'workflows', 0).steps = [
      { stepId: 'op', operationId: 'deletePet', parameters: petId },
      { stepId: 'path', operationId: 'getPetCoupons', parameters: petId },
      { stepId: 'doc', operationId: 'getPetById', parameters: petId }
    ]
    const loaded = await load(doc)
    const [op, path, document] = loaded.workflow().steps.map(s => loaded.operation(s).servers)
    expect(op).toEqual(['https://admin.petstore.example/api'])
    expect(path).toEqual(['https://coupons.petstore.example'])
    expect(document).toEqual(['https://eu.petstore.example/v3'])
  })

  test('unknown workflow ids are named in the error', async () => {
    const loaded = await load(baseDocument())
    expect(() => loaded.workflow('nope')).toThrow(/no workflow 'nope'.*main/)
  })

  test('x- extensions load; SHOULD-level naming only warns', async () => {
    const doc = baseDocument()
    doc['x-vendor'] = true
    at(doc, 'workflows', 0, 'steps', 0)['x-note'] = 'kept'
    at(doc, 'workflows', 0).workflowId = 'main flow'
    const loaded = await load(doc)
    expect(loaded.warnings).toEqual([
      "workflows/0/workflowId: workflowId 'main flow' should match ^[A-Za-z0-9_-]+$"
    ])
  })

  test('JSON and YAML both load', async () => {
    const yaml = `arazzo: 1.0.0
info: { title: T, version: '1' }
sourceDescriptions: [{ name: pets, url: ./petstore.openapi.yaml }]
workflows:
  - workflowId: w
    steps:
      - stepId: s
        operationPath: '{$sourceDescriptions.pets.url}#/paths/~1pets/get'
`
    const loaded = await loadArazzoText(yaml, { baseDir: fixtures })
    expect(loaded.operation(loaded.workflow().steps[0])).toMatchObject({
      method: 'GET',
      pathTemplate: '/pets'
    })
  })
})

describe('load errors carry the pointer of the offending node', () => {
  const cases: [string, (doc: Json) => void, string, RegExp][] = [
    ['arazzo version', d => (d.arazzo = '2.0.0'), 'arazzo', /need 1\.0\.x/],
    ['info.title required', d => delete at(d, 'info').title, 'info', /title is required/],
    ['info.version required', d => delete at(d, 'info').version, 'info', /version is required/],
    ['no source descriptions', d => (d.sourceDescriptions = []), 'sourceDescriptions', /empty/],
    [
      'unknown fixed field (a MUST: only x- extensions may be added)',
      d => (at(d, 'workflows', 0, 'steps', 0).retries = 3),
      'workflows/0/steps/0/retries',
      /unknown field 'retries'/
    ],
    [
      'duplicate source description names',
      d => (d.sourceDescriptions as Json[]).push({ name: 'pets', url: './x.yaml' }),
      'sourceDescriptions/1/name',
      /duplicate source description name 'pets'/
    ],
    [
      'source description type neither openapi nor arazzo',
      d => (at(d, 'sourceDescriptions', 0).type = 'asyncapi'),
      'sourceDescriptions/0/type',
      /type must be openapi or arazzo, not 'asyncapi'/
    ],
    ['no workflows', d => (d.workflows = []), 'workflows', /must not be empty/],
    [
      'duplicate workflowId',
      d => (d.workflows as Json[]).push(structuredClone(at(d, 'workflows', 0))),
      'workflows/1/workflowId',
      /duplicate workflowId 'main'/
    ],
    [
      'duplicate stepId',
      d => (at(d, 'workflows', 0, 'steps', 1).stepId = 'first'),
      'workflows/0/steps/1/stepId',
      /duplicate stepId 'first'/
    ],

    [
      'two operation kinds',
      d => (at(d, 'workflows', 0, 'steps', 0).workflowId = 'main'),
      'workflows/0/steps/0',
      /operationId and workflowId are mutually exclusive/
    ],
    [
      'no operation kind',
      d => delete at(d, 'workflows', 0, 'steps', 1).operationId,
      'workflows/0/steps/1',
      /needs one of operationId, operationPath or workflowId/
    ],
    [
      'parameter in missing on an operation step',
      d => delete at(d, 'workflows', 0, 'steps', 0, 'parameters', 0).in,
      'workflows/0/steps/0/parameters/0',
      /in is required/
    ],
    [
      'parameter in invalid',
      d => (at(d, 'workflows', 0, 'steps', 0, 'parameters', 0).in = 'body'),
      'workflows/0/steps/0/parameters/0/in',
      /one of path, query, header, cookie/
    ],
    [
      'duplicate parameter',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).parameters as Json[]).push({
          name: 'status',
          in: 'query',
          value: 'sold'
        }),
      'workflows/0/steps/0/parameters/1',
      /duplicate parameter 'status'/
    ],
    [
      'goto without target',
      d => (at(d, 'workflows', 0, 'steps', 1).onSuccess = [{ name: 'loop', type: 'goto' }]),
      'workflows/0/steps/1/onSuccess/0',
      /^goto needs stepId or workflowId$/
    ],
    [
      'goto unknown step',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).onSuccess = [
          { name: 'jump', type: 'goto', stepId: 'nowhere' }
        ]),
      'workflows/0/steps/0/onSuccess/0/stepId',
      /no step 'nowhere' in workflow 'main'/
    ],
    [
      'goto unknown workflow',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).onFailure = [
          { name: 'jump', type: 'goto', workflowId: 'elsewhere' }
        ]),
      'workflows/0/steps/0/onFailure/0/workflowId',
      /no workflow 'elsewhere'/
    ],
    [
      'retry is not a success action',
      d => (at(d, 'workflows', 0, 'steps', 0).onSuccess = [{ name: 'again', type: 'retry' }]),
      'workflows/0/steps/0/onSuccess/0/type',
      /type must be end or goto/
    ],
    [
      'negative retryAfter',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).onFailure = [
          { name: 'again', type: 'retry', retryAfter: -1 }
        ]),
      'workflows/0/steps/0/onFailure/0/retryAfter',
      /non-negative/
    ],
    [
      'fractional retryLimit',
      d =>
        (at(d, 'workflows', 0).failureActions = [
          { name: 'again', type: 'retry', retryLimit: 1.5 }
        ]),
      'workflows/0/failureActions/0/retryLimit',
      /non-negative integer/
    ],
    [
      'criterion syntax error',
      d => (at(d, 'workflows', 0, 'steps', 0, 'successCriteria', 0).condition = '$statusCode == '),
      'workflows/0/steps/0/successCriteria/0/condition',
      /position/
    ],
    [
      'xpath criterion refused',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).successCriteria = [
          { context: '$response.body', condition: '/a', type: 'xpath' }
        ]),
      'workflows/0/steps/0/successCriteria/0',
      /xpath/
    ],
    [
      'output expression syntax error',
      d => (at(d, 'workflows', 0, 'steps', 0).outputs = { id: '$response.bod#/id' }),
      'workflows/0/steps/0/outputs/id',
      /position/
    ],
    [
      'output name pattern',
      d => (at(d, 'workflows', 0).outputs = { 'pet id': '$steps.first.outputs.id' }),
      'workflows/0/outputs/pet id',
      /must match/
    ],
    [
      'parameter value with a broken {$...} expression',
      d => (at(d, 'workflows', 0, 'steps', 1, 'parameters', 0).value = 'pet-{$steps.first.id}'),
      'workflows/0/steps/1/parameters/0/value',
      /Expected/
    ],
    [
      'reference to a missing component',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).parameters = [
          { reference: '$components.parameters.page' }
        ]),
      'workflows/0/steps/0/parameters/0/reference',
      /no components.parameters entry 'page'/
    ],
    [
      'reference of the wrong kind',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).onSuccess = [
          { reference: '$components.parameters.page' }
        ]),
      'workflows/0/steps/0/onSuccess/0/reference',
      /\$components\.successActions\.<name>/
    ],
    [
      'dependsOn unknown workflow',
      d => (at(d, 'workflows', 0).dependsOn = ['setup']),
      'workflows/0/dependsOn/0',
      /no workflow 'setup'/
    ],
    [
      'unknown operationId',
      d => (at(d, 'workflows', 0, 'steps', 1).operationId = 'getPetByName'),
      'workflows/0/steps/1/operationId',
      /unknown operationId 'getPetByName'/
    ],
    [
      'operationPath not reaching an operation',
      d => {
        delete at(d, 'workflows', 0, 'steps', 1).operationId
        at(d, 'workflows', 0, 'steps', 1).operationPath =
          '{$sourceDescriptions.pets.url}#/paths/~1pets~1{petId}'
      },
      'workflows/0/steps/1/operationPath',
      /is not an operation/
    ],
    [
      'a path parameter of the operation that no parameter gives (named pet_id instead)',
      d => (at(d, 'workflows', 0, 'steps', 1, 'parameters', 0).name = 'pet_id'),
      'workflows/0/steps/1',
      /GET \/pets\/\{petId\} needs path parameter 'petId', which no parameter of step 'second' gives \(it gives 'pet_id' in path\)/
    ],
    [
      'operationPath to an unknown source',
      d => {
        delete at(d, 'workflows', 0, 'steps', 1).operationId
        at(d, 'workflows', 0, 'steps', 1).operationPath =
          '{$sourceDescriptions.cats.url}#/paths/~1pets/get'
      },
      'workflows/0/steps/1/operationPath',
      /no source description named 'cats'/
    ],
    [
      'replacement target not a pointer',
      d =>
        (at(d, 'workflows', 0, 'steps', 0).requestBody = {
          payload: { a: 1 },
          replacements: [{ target: 'a', value: 2 }]
        }),
      'workflows/0/steps/0/requestBody/replacements/0/target',
      /JSON Pointer/
    ],
    [
      'component inputs $ref that resolves nowhere',
      d => (at(d, 'workflows', 0).inputs = { $ref: '#/components/inputs/missing' }),
      'workflows/0/inputs/$ref',
      /no components.inputs entry 'missing'/
    ]
  ]

  test.each(cases)('%s', async (_name, breakIt, pointer, message) => {
    const doc = baseDocument()
    breakIt(doc)
    const error = await loadError(doc)
    expect(error.pointer).toBe(pointer)
    expect(error.detail.split('\n')[0].replace(/ \(and \d+ more problems?\)$/, '')).toMatch(message)
    expect(error.message.startsWith(`${pointer}: `)).toBe(true)
  })

  test('dependsOn cycles are refused', async () => {
    const doc = baseDocument()
    const second = structuredClone(at(doc, 'workflows', 0))
    second.workflowId = 'other'
    second.dependsOn = ['main']
    at(doc, 'workflows', 0).dependsOn = ['other']
    ;(doc.workflows as Json[]).push(second)
    const error = await loadError(doc)
    expect(error.pointer).toBe('workflows/0/dependsOn')
    expect(error.message).toContain('main -> other -> main')
  })

  test('every problem is collected in one error, the first one giving the pointer', async () => {
    const doc = baseDocument()
    doc.arazzo = '0.9'
    at(doc, 'workflows', 0, 'steps', 1).onSuccess = [{ name: 'loop', type: 'goto' }]
    at(doc, 'workflows', 0, 'steps', 0, 'parameters', 0).in = 'body'
    const error = await loadError(doc)
    expect(error.problems.map(p => p.pointer)).toEqual([
      'arazzo',
      'workflows/0/steps/0/parameters/0/in',
      'workflows/0/steps/1/onSuccess/0'
    ])
    expect(error.pointer).toBe('arazzo')
    expect(error.name).toBe('ArazzoLoadError')
    expect(error.message).toContain('(and 2 more problems)')
    expect(error.message).toContain(
      '\n  workflows/0/steps/1/onSuccess/0: goto needs stepId or workflowId'
    )
  })

  test('an ambiguous bare operationId must name its source description', async () => {
    const doc = baseDocument()
    ;(doc.sourceDescriptions as Json[]).push({ name: 'copy', url: './petstore.openapi.yaml' })
    const error = await loadError(doc)
    expect(error.pointer).toBe('workflows/0/steps/0/operationId')
    expect(error.message).toContain('$sourceDescriptions.<name>.findPetsByStatus')
  })
})

describe('refusing hostile or oversized input', () => {
  test('an alias bomb is refused cleanly', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (let i = 1; i < 8; i++) {
      const previous = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`)
    }
    const error = await loadArazzoText(levels.join('\n')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ArazzoLoadError)
    expect((error as Error).message).toMatch(/refused: Excessive alias count/)
  })

  test('duplicate keys and invalid YAML are refused', async () => {
    await expect(loadArazzoText('arazzo: 1.0.1\narazzo: 1.0.0\n')).rejects.toThrow(
      /not valid YAML or JSON: Map keys must be unique/
    )
    await expect(loadArazzoText('a: [1, 2')).rejects.toThrow(/not valid YAML or JSON/)
  })

  test('documents over maxDocumentBytes are refused before parsing', async () => {
    const text = JSON.stringify(baseDocument())
    await expect(loadArazzoText(text, { maxDocumentBytes: 100 })).rejects.toThrow(
      /over the 100 byte limit/
    )
    await expect(loadArazzoFile(seedPath, { maxDocumentBytes: 100 })).rejects.toThrow(
      /over the 100 byte limit/
    )
  })

  test('allowedRoots confine the document and its source descriptions', async () => {
    const root = tempDir('arazzo-roots-')
    const inside = join(root, 'inside')
    const outside = join(root, 'outside')
    mkdirSync(inside)
    mkdirSync(outside)
    copyFileSync(join(fixtures, 'petstore.openapi.yaml'), join(outside, 'petstore.openapi.yaml'))
    const doc = baseDocument()
    at(doc, 'sourceDescriptions', 0).url = '../outside/petstore.openapi.yaml'
    writeFileSync(join(inside, 'flow.json'), JSON.stringify(doc))
    writeFileSync(join(outside, 'flow.json'), JSON.stringify(doc))

    await expect(
      loadArazzoFile(join(outside, 'flow.json'), { allowedRoots: [inside] })
    ).rejects.toThrow(/outside the allowed directories/)
    const error = await loadArazzoFile(join(inside, 'flow.json'), { allowedRoots: [inside] }).catch(
      (e: unknown) => e
    )
    expect((error as ArazzoLoadError).pointer).toBe('sourceDescriptions/0/url')
    expect((error as Error).message).toMatch(/outside the allowed directories/)

    // A symlink inside the root that leads outside does not get around it.
    symlinkSync(join(outside, 'petstore.openapi.yaml'), join(inside, 'link.yaml'))
    at(doc, 'sourceDescriptions', 0).url = './link.yaml'
    writeFileSync(join(inside, 'flow.json'), JSON.stringify(doc))
    await expect(
      loadArazzoFile(join(inside, 'flow.json'), { allowedRoots: [inside] })
    ).rejects.toThrow(/outside the allowed directories/)

    // With both directories allowed, it loads.
    const loaded = await loadArazzoFile(join(inside, 'flow.json'), { allowedRoots: [root] })
    expect(loaded.workflow().workflowId).toBe('main')
  })

  test('remote source descriptions: https only, read by the injected reader, size-capped', async () => {
    const doc = baseDocument()
    at(doc, 'sourceDescriptions', 0).url = 'http://example.com/petstore.yaml'
    const reader = jest.fn(async () =>
      readFileSync(join(fixtures, 'petstore.openapi.yaml'), 'utf8')
    )
    await expect(load(doc, { sourceReader: reader })).rejects.toThrow(/only https is allowed/)
    at(doc, 'sourceDescriptions', 0).url = 'https://example.com/api/petstore.yaml#ignored'
    await expect(load(doc)).rejects.toThrow(/remote descriptions are not enabled/)
    expect(reader).not.toHaveBeenCalled()

    const loaded = await load(doc, { sourceReader: reader, maxDocumentBytes: 100_000 })
    expect(reader).toHaveBeenCalledWith('https://example.com/api/petstore.yaml', {
      maxBytes: 100_000,
      signal: undefined
    })
    expect(loaded.operation(loaded.document.workflows[0].steps[0]).pathTemplate).toBe('/pets')

    // A reader that ignores the limit is still held to it.
    const oversized = async (): Promise<string> => `openapi: 3.0.3\n# ${'x'.repeat(10_000)}\n`
    const error = (await load(doc, { sourceReader: oversized, maxDocumentBytes: 5_000 }).then(
      () => undefined,
      (e: unknown) => e
    )) as ArazzoLoadError
    expect(error.pointer).toBe('sourceDescriptions/0/url')
    expect(error.message).toMatch(/is 10\d\d\d bytes, over the 5000 byte limit/)
  })

  test('a source description that is not OpenAPI is refused', async () => {
    const doc = baseDocument()
    at(doc, 'sourceDescriptions', 0).url = './pet-coupons.arazzo.yaml'
    const error = await loadError(doc)
    expect(error.pointer).toBe('sourceDescriptions/0/url')
    expect(error.message).toMatch(/is an Arazzo document/)
  })
})
