import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadArazzoFile, loadArazzoText } from '../src/arazzo/loader.js'
import { ArazzoValidationError } from '../src/arazzo/validation-context.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures', 'arazzo')
const shipped = join(here, '..', 'src', 'workflows')
const seedPath = join(here, 'fixtures', 'seed', 'amplitude-dsar-request-workflow.yml')
const secretInputs = ['basicAuth']

type Json = Record<string, unknown>

const header = { name: 'Authorization', in: 'header', value: 'Basic {$inputs.basicAuth}' }

/** A two-workflow document against the petstore fixture that uses its secret only in a header. */
function document(): Json {
  return {
    arazzo: '1.0.1',
    info: { title: 'Test', version: '1.0.0' },
    sourceDescriptions: [{ name: 'pets', url: './petstore.openapi.yaml', type: 'openapi' }],
    workflows: [
      {
        workflowId: 'main',
        inputs: { type: 'object', properties: { basicAuth: { type: 'string' } } },
        steps: [
          {
            stepId: 'first',
            operationId: 'findPetsByStatus',
            parameters: [header, { name: 'status', in: 'query', value: 'available' }],
            successCriteria: [{ condition: '$statusCode == 200' }],
            outputs: { id: '$response.body#/0/id' }
          },
          {
            stepId: 'child',
            workflowId: 'child',
            parameters: [{ name: 'basicAuth', value: '$inputs.basicAuth' }]
          }
        ]
      },
      {
        workflowId: 'child',
        inputs: { type: 'object', properties: { basicAuth: { type: 'string' } } },
        steps: [
          {
            stepId: 'only',
            operationId: 'getJob',
            parameters: [header, { name: 'jobId', in: 'path', value: 'job-1' }]
          }
        ]
      }
    ],
    components: {
      parameters: { leak: { name: 'key', in: 'query', value: '$inputs.basicAuth' } }
    }
  }
}

function load(doc: unknown) {
  return loadArazzoText(JSON.stringify(doc), { baseDir: fixtures, secretInputs })
}

/** The problems (pointer: message) a document is refused with. */
async function refusal(doc: Json): Promise<string[]> {
  const error = await load(doc).then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ArazzoValidationError)
  return (error as ArazzoValidationError).problems.map(p => `${p.pointer}: ${p.message}`)
}

type Step = Json & { parameters: Json[] }
const steps = (doc: Json, w = 0) => (doc.workflows as { steps: Step[] }[])[w].steps

describe('secret inputs flow into request headers only', () => {
  test('headers and a child workflow’s secret input are allowed; so are the shipped documents and the seed', async () => {
    await expect(load(document())).resolves.toBeDefined()
    for (const file of ['amplitude.arazzo.yml', 'apis-io.arazzo.yml']) {
      await expect(loadArazzoFile(join(shipped, file), { secretInputs })).resolves.toBeDefined()
    }
    await expect(
      loadArazzoFile(seedPath, { secretInputs, fallbackDescriptionDirs: [shipped] })
    ).resolves.toBeDefined()
  })

  test.each([
    [
      'a regex criterion context (the character-by-character extraction)',
      (doc: Json) => {
        steps(doc)[0].onSuccess = [
          {
            name: 'a',
            type: 'goto',
            stepId: 'child',
            criteria: [{ context: '$inputs.basicAuth', condition: '^Q', type: 'regex' }]
          }
        ]
      },
      "workflows/0/steps/0/onSuccess/0/criteria/0/context: the secret input 'basicAuth' would reach criteria"
    ],
    [
      'a simple condition',
      (doc: Json) => {
        steps(doc)[0].successCriteria = [{ condition: "$inputs.basicAuth == 'x'" }]
      },
      'workflows/0/steps/0/successCriteria/0/condition: the secret input'
    ],
    [
      'a regex template',
      (doc: Json) => {
        steps(doc)[0].successCriteria = [
          { context: '$response.body', condition: '{$inputs.basicAuth}', type: 'regex' }
        ]
      },
      'workflows/0/steps/0/successCriteria/0/condition'
    ],
    [
      'a step output',
      (doc: Json) => {
        steps(doc)[0].outputs = { copy: '$inputs.basicAuth#/0' }
      },
      "workflows/0/steps/0/outputs/copy: the secret input 'basicAuth' would reach an output"
    ],
    [
      'a workflow output, through $workflows',
      (doc: Json) => {
        ;(doc.workflows as Json[])[0].outputs = { copy: '$workflows.child.inputs.basicAuth' }
      },
      'workflows/0/outputs/copy'
    ],
    [
      'a query parameter',
      (doc: Json) => {
        steps(doc)[0].parameters.push({ name: 'k', in: 'query', value: '$inputs.basicAuth' })
      },
      "workflows/0/steps/0/parameters/2/value: the secret input 'basicAuth' would reach the query parameter 'k'"
    ],
    [
      'a query parameter of a component, by reference',
      (doc: Json) => {
        steps(doc)[0].parameters.push({ reference: '$components.parameters.leak' })
      },
      'components/parameters/leak/value'
    ],
    [
      'a cookie',
      (doc: Json) => {
        steps(doc)[0].parameters.push({ name: 'c', in: 'cookie', value: 'v={$inputs.basicAuth}' })
      },
      'workflows/0/steps/0/parameters/2/value'
    ],
    [
      'a request body',
      (doc: Json) => {
        steps(doc)[0].requestBody = { payload: { note: 'Basic $inputs.basicAuth' } }
      },
      'workflows/0/steps/0/requestBody/payload/note'
    ],
    [
      "another name among a child workflow's inputs",
      (doc: Json) => {
        steps(doc)[1].parameters = [{ name: 'token', value: '$inputs.basicAuth' }]
      },
      "workflows/0/steps/1/parameters/0/value: the secret input 'basicAuth' would reach input 'token' of workflow 'child'"
    ],
    [
      'a workflow-level header parameter that a workflow step turns into an input',
      (doc: Json) => {
        ;(doc.workflows as Json[])[0].parameters = [header]
      },
      "workflows/0/parameters/0/value: the secret input 'basicAuth' would reach input 'Authorization'"
    ],
    [
      'the header read back with $request.header',
      (doc: Json) => {
        steps(doc)[0].outputs = { echo: '$request.header.authorization' }
      },
      'workflows/0/steps/0/outputs/echo: $request.header.authorization reads a header that carries a secret input'
    ]
  ])('refused: %s, with the pointer of the use', async (_what, breakIt, expected) => {
    const doc = document()
    breakIt(doc)
    const problems = await refusal(doc)
    expect(problems.some(p => p.startsWith(expected))).toBe(true)
  })

  test('other inputs, and names that only start like the secret, are not affected', async () => {
    const doc = document()
    steps(doc)[0].outputs = { a: '$inputs.basicAuthority', b: '$inputs.user', c: 'no $ here' }
    await expect(load(doc)).resolves.toBeDefined()
  })

  test('without secret inputs named, nothing is checked', async () => {
    const doc = document()
    steps(doc)[0].outputs = { copy: '$inputs.basicAuth' }
    await expect(loadArazzoText(JSON.stringify(doc), { baseDir: fixtures })).resolves.toBeDefined()
  })
})

const ONLY_HEADERS =
  'secret inputs may be used only in request headers of operation steps (and passed on as the same secret input of another workflow)'

describe('each refusal in full: the pointer, what it reads and what it would reach', () => {
  test.each([
    [
      'a query parameter',
      (doc: Json) => {
        steps(doc)[0].parameters.push({ name: 'k', in: 'query', value: '$inputs.basicAuth' })
      },
      [
        `workflows/0/steps/0/parameters/2/value: the secret input 'basicAuth' would reach the query parameter 'k' of step 'first': ${ONLY_HEADERS}`
      ]
    ],
    [
      'a query parameter named like the secret (only a child workflow’s input may carry it)',
      (doc: Json) => {
        steps(doc)[0].parameters.push({
          name: 'basicAuth',
          in: 'query',
          value: '$inputs.basicAuth'
        })
      },
      [
        `workflows/0/steps/0/parameters/2/value: the secret input 'basicAuth' would reach the query parameter 'basicAuth' of step 'first': ${ONLY_HEADERS}`
      ]
    ],
    [
      'another input of a child workflow',
      (doc: Json) => {
        steps(doc)[1].parameters = [{ name: 'token', value: '$inputs.basicAuth' }]
      },
      [
        `workflows/0/steps/1/parameters/0/value: the secret input 'basicAuth' would reach input 'token' of workflow 'child' (only an input of the same secret name may receive it): ${ONLY_HEADERS}`
      ]
    ],
    [
      'a component parameter whose value the step overrides (the step’s pointer)',
      (doc: Json) => {
        ;((doc.components as Json).parameters as Json).plain = {
          name: 'q',
          in: 'query',
          value: 'x'
        }
        steps(doc)[0].parameters.push({
          reference: '$components.parameters.plain',
          value: '{$inputs.basicAuth}'
        })
      },
      [
        `workflows/0/steps/0/parameters/2/value: the secret input 'basicAuth' would reach the query parameter 'q' of step 'first': ${ONLY_HEADERS}`
      ]
    ],
    [
      'the header read back, named in other capitals than where it was set',
      (doc: Json) => {
        steps(doc)[0].outputs = { echo: '$request.header.AUTHORIZATION' }
      },
      [
        'workflows/0/steps/0/outputs/echo: $request.header.AUTHORIZATION reads a header that carries a secret input; it would reach an output. Secret inputs may be used in request headers only'
      ]
    ],
    [
      'a header copied from the secret one, listed before it, read back',
      (doc: Json) => {
        const first = steps(doc)[0]
        first.parameters = [
          { name: 'X-Copy', in: 'header', value: '$request.header.Authorization' },
          ...first.parameters
        ]
        first.outputs = { echo: '$request.header.x-copy' }
      },
      [
        'workflows/0/steps/0/outputs/echo: $request.header.x-copy reads a header that carries a secret input; it would reach an output. Secret inputs may be used in request headers only'
      ]
    ],
    [
      'a step’s onFailure, the workflow’s success and failure actions, and the components’ actions',
      (doc: Json) => {
        const criteria = [{ condition: "$inputs.basicAuth == 'x'" }]
        const action = { name: 'a', type: 'end', criteria }
        steps(doc)[0].onFailure = [action]
        const main = (doc.workflows as Json[])[0]
        main.successActions = [action]
        main.failureActions = [action]
        ;(doc.components as Json).successActions = { s: action }
        ;(doc.components as Json).failureActions = { f: action }
      },
      [
        'workflows/0/steps/0/onFailure/0/criteria/0/condition',
        'workflows/0/successActions/0/criteria/0/condition',
        'workflows/0/failureActions/0/criteria/0/condition',
        'components/successActions/s/criteria/0/condition',
        'components/failureActions/f/criteria/0/condition'
      ].map(at => `${at}: the secret input 'basicAuth' would reach criteria: ${ONLY_HEADERS}`)
    ],
    [
      'a request body and outputs, in document order, each place once',
      (doc: Json) => {
        steps(doc)[0].requestBody = {
          payload: { a: '$inputs.basicAuth', b: ['x', '{$inputs.basicAuth}'] }
        }
        steps(doc)[0].outputs = { one: '$inputs.basicAuth', two: '$inputs.basicAuth.length' }
        ;(doc.workflows as Json[])[1].outputs = { three: '$inputs.basicAuth' }
      },
      [
        "workflows/0/steps/0/requestBody/payload/a: the secret input 'basicAuth' would reach a request body",
        "workflows/0/steps/0/requestBody/payload/b/1: the secret input 'basicAuth' would reach a request body",
        "workflows/0/steps/0/outputs/one: the secret input 'basicAuth' would reach an output",
        "workflows/0/steps/0/outputs/two: the secret input 'basicAuth' would reach an output",
        "workflows/1/outputs/three: the secret input 'basicAuth' would reach an output"
      ].map(p => `${p}: ${ONLY_HEADERS}`)
    ]
  ])('%s', async (_what, breakIt, expected) => {
    const doc = document()
    breakIt(doc)
    expect(await refusal(doc)).toEqual(expected)
  })

  test('a criterion string read both as a criterion and as a value is one problem', async () => {
    const doc = document()
    steps(doc)[0].successCriteria = [{ condition: '{$inputs.basicAuth}' }]
    const problems = await refusal(doc)
    expect(problems.filter(p => p.includes('successCriteria'))).toEqual([
      `workflows/0/steps/0/successCriteria/0/condition: the secret input 'basicAuth' would reach criteria: ${ONLY_HEADERS}`
    ])
  })
})

describe('references that read no secret load', () => {
  test.each([
    ['another workflow’s output named like the secret', '$workflows.child.outputs.basicAuth'],
    [
      'a query parameter of the request named like the secret header',
      '$request.query.authorization'
    ],
    ['a path parameter of the request named like the secret header', '$request.path.Authorization'],
    ['a header the step fills from no secret', '$request.header.X-Plain'],
    ['the response’s header named like the secret one', '$response.header.Authorization'],
    ['an input whose path only spells the secret’s name', '$inputs.basic.Auth']
  ])('%s', async (_what, reference) => {
    const doc = document()
    ;(doc.workflows as Json[])[1].outputs = { basicAuth: '$statusCode' }
    steps(doc)[0].parameters.push({ name: 'X-Plain', in: 'header', value: 'plain {$method}' })
    steps(doc)[0].outputs = { echo: reference }
    await expect(load(doc)).resolves.toBeDefined()
  })

  test('a child workflow’s secret input may be given a plain value', async () => {
    const doc = document()
    steps(doc)[1].parameters = [{ name: 'basicAuth', value: '$inputs.user' }]
    await expect(load(doc)).resolves.toBeDefined()
  })
})

describe('what only one reading finds', () => {
  test('a condition naming a workflow id the text tokens stop at (`sub:x`): only the criterion parser reads it', async () => {
    const doc = document()
    ;(doc.workflows as Json[])[1].workflowId = 'sub:x'
    steps(doc)[1].workflowId = 'sub:x'
    steps(doc)[0].successCriteria = [{ condition: "$workflows.sub:x.inputs.basicAuth == 'x'" }]
    expect(await refusal(doc)).toEqual([
      `workflows/0/steps/0/successCriteria/0/condition: the secret input 'basicAuth' would reach criteria: ${ONLY_HEADERS}`
    ])
  })

  test('a regex criterion’s context, read as a criterion and as a value, is one problem', async () => {
    const doc = document()
    steps(doc)[0].onSuccess = [
      {
        name: 'a',
        type: 'goto',
        stepId: 'child',
        criteria: [{ context: '$inputs.basicAuth', condition: '^Q', type: 'regex' }]
      }
    ]
    expect(await refusal(doc)).toEqual([
      `workflows/0/steps/0/onSuccess/0/criteria/0/context: the secret input 'basicAuth' would reach criteria: ${ONLY_HEADERS}`
    ])
  })

  test('a request body object with a `condition` that is no criterion is still read as values', async () => {
    const doc = document()
    steps(doc)[0].requestBody = { payload: { condition: '$inputs.basicAuth ==' } }
    expect(await refusal(doc)).toEqual([
      `workflows/0/steps/0/requestBody/payload/condition: the secret input 'basicAuth' would reach a request body: ${ONLY_HEADERS}`
    ])
  })

  test('a header filled from a secret and from something else is a secret header', async () => {
    const doc = document()
    steps(doc)[0].parameters.push({
      name: 'X-Mixed',
      in: 'header',
      value: '{$method} {$inputs.basicAuth}'
    })
    steps(doc)[0].outputs = { echo: '$request.header.X-Mixed' }
    expect(await refusal(doc)).toEqual([
      'workflows/0/steps/0/outputs/echo: $request.header.X-Mixed reads a header that carries a secret input; it would reach an output. Secret inputs may be used in request headers only'
    ])
  })
})
