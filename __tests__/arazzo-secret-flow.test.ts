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
