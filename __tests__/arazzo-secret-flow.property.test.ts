/**
 * Property: no document that loads can move a secret input anywhere but a request header.
 *
 * Random documents are built from every expression form that can name an input (`$inputs`,
 * `$workflows.<id>.inputs` with ids from the whole alphabet the parser accepts, property paths,
 * JSON Pointer tails, `{$...}` and bare tokens inside text, `$request.header` reading a secret
 * header back) placed in every spot the runner evaluates (outputs, simple/regex/jsonpath criteria,
 * goto actions, query/path/body, a child's other inputs). Each document either is refused at load,
 * or runs twice with two different secrets (different lengths, different characters) and
 * everything but the request headers is the same: outputs, status, the requests' method, URL and
 * body, and the path taken. That is non-interference: the secret cannot steer or reach anything
 * else, not even by its length. The transport is a recording function: nothing is sent anywhere.
 */
import fc from 'fast-check'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadArazzoText } from '../src/arazzo/loader.js'
import { VirtualClock } from '../src/arazzo/pacing.js'
import { runWorkflow } from '../src/arazzo/runner.js'
import type { HttpRequest, HttpTransport } from '../src/arazzo/types.js'
import { ArazzoValidationError } from '../src/arazzo/validation-context.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures', 'arazzo')
const secretInputs = ['basicAuth']
const SECRETS = ['Zm9vOmJhcg==', 'cXV1eHF1dXhxdXV4OnNlY3JldC1rZXktbG9uZ2Vy'] // different lengths

/** Workflow ids: anything the parser reads as an id (no `. # { }`), odd ones included. */
const workflowId = fc.oneof(
  fc.constantFrom('sub', 'sub:x', 'get status', 'a-b_c', 'ü', '$', 'x==y', "q'", '(p)', 'w/1'),
  fc.string({ minLength: 1, maxLength: 8 }).filter(id => !/[.#{}\s]/.test(id) && id.trim() === id)
)

/** How an expression names the secret (`ID` becomes the child workflow's id). */
const reference = fc.constantFrom(
  '$inputs.basicAuth',
  '$inputs.basicAuth#/0',
  '$inputs.basicAuth.length',
  '$workflows.ID.inputs.basicAuth',
  '$workflows.ID.inputs.basicAuth#/3',
  '$workflows.ID.inputs.basicAuth.length',
  '$request.header.Authorization',
  '$request.header.authorization',
  '$request.header.X-Copy',
  // Look-alikes that read no secret: these documents load and run.
  '$inputs.other',
  '$inputs.basicAuthX',
  '$workflows.ID.inputs.other',
  '$request.header.X-Plain'
)

/** How the reference sits in a string. */
const embedding = fc.constantFrom(
  (r: string) => r,
  (r: string) => `{${r}}`,
  (r: string) => `x{${r}}y`,
  (r: string) => `Basic ${r}`,
  (r: string) => `${r} tail`
)

type Json = Record<string, unknown>
type Placement = (doc: Json, text: string, reference: string) => void

const step = (doc: Json, w: number, s: number): Json =>
  ((doc.workflows as Json[])[w].steps as Json[])[s]
const params = (doc: Json, w: number, s: number): Json[] => step(doc, w, s).parameters as Json[]

/** Where the string goes: every spot the runner evaluates, in the parent or the child. */
const placement = fc.constantFrom<[string, Placement]>(
  ['step output', (doc, text) => void (step(doc, 1, 0).outputs = { leak: text })],
  ['child output', (doc, text) => void ((doc.workflows as Json[])[1].outputs = { leak: text })],
  ['parent output', (doc, text) => void ((doc.workflows as Json[])[0].outputs = { leak: text })],
  [
    'simple condition',
    (doc, _text, ref) => void (step(doc, 1, 0).successCriteria = [{ condition: `${ref} == 'x'` }])
  ],
  [
    'simple condition, braced',
    (doc, _text, ref) =>
      void (step(doc, 1, 0).successCriteria = [
        { condition: `{${ref}} != 'x' && $statusCode == 200` }
      ])
  ],
  [
    'regex context with goto',
    (doc, _text, ref) =>
      void (step(doc, 1, 0).onSuccess = [
        {
          name: 'g',
          type: 'goto',
          stepId: 'second',
          criteria: [{ context: ref, condition: '^Z', type: 'regex' }]
        }
      ])
  ],
  [
    'regex template',
    (doc, text) =>
      void (step(doc, 1, 0).successCriteria = [
        { context: '$statusCode', condition: `^{${text.replace(/[{}]/g, '')}}`, type: 'regex' }
      ])
  ],
  [
    'jsonpath template',
    (doc, _text, ref) =>
      void (step(doc, 1, 0).successCriteria = [
        { context: '$response.body', condition: `$[?@.a == '{${ref}}']`, type: 'jsonpath' }
      ])
  ],
  [
    'workflow failure action',
    (doc, _text, ref) =>
      void ((doc.workflows as Json[])[1].failureActions = [
        { name: 'f', type: 'end', criteria: [{ condition: `${ref} == 'x'` }] }
      ])
  ],
  [
    'query parameter',
    (doc, text) => void params(doc, 1, 0).push({ name: 'q', in: 'query', value: text })
  ],
  ['request body', (doc, text) => void (step(doc, 1, 0).requestBody = { payload: { a: text } })],
  ['other child input', (doc, text) => void params(doc, 0, 0).push({ name: 'other', value: text })]
)

/** A parent that passes the secret to a child (allowed), the child sending it in headers. */
function document(id: string, copyHeader = false): Json {
  const auth = { name: 'Authorization', in: 'header', value: 'Basic {$inputs.basicAuth}' }
  // A header copied from the secret one is itself a secret header (read back, it is refused).
  const copy = copyHeader
    ? [{ name: 'X-Copy', in: 'header', value: '$request.header.Authorization' }]
    : []
  const plain = { name: 'X-Plain', in: 'header', value: 'plain' }
  const inputs = {
    type: 'object',
    properties: { basicAuth: { type: 'string' }, other: { type: 'string' } }
  }
  return {
    arazzo: '1.0.1',
    info: { title: 'Property', version: '1.0.0' },
    sourceDescriptions: [{ name: 'pets', url: './petstore.openapi.yaml', type: 'openapi' }],
    workflows: [
      {
        workflowId: 'main',
        inputs,
        steps: [
          {
            stepId: 'call',
            workflowId: id,
            parameters: [{ name: 'basicAuth', value: '$inputs.basicAuth' }]
          }
        ],
        outputs: { done: '$steps.call.outputs.out' }
      },
      {
        workflowId: id,
        inputs,
        steps: [
          {
            stepId: 'first',
            operationId: 'getJob',
            parameters: [auth, ...copy, plain, { name: 'jobId', in: 'path', value: 'job-1' }],
            outputs: { out: '$statusCode' }
          },
          {
            stepId: 'second',
            operationId: 'getJob',
            parameters: [auth, { name: 'jobId', in: 'path', value: 'job-2' }]
          }
        ],
        outputs: { out: '$steps.first.outputs.out' }
      }
    ]
  }
}

/** What a run shows apart from header values: must not depend on the secret. */
async function observe(loaded: Awaited<ReturnType<typeof loadArazzoText>>, secret: string) {
  const requests: Omit<HttpRequest, 'headers'>[] = []
  const transport: HttpTransport = async request => {
    requests.push({ method: request.method, url: request.url, body: request.body })
    return { status: 200, headers: { 'content-type': 'application/json' }, body: { a: 'Zm9v' } }
  }
  const result = await runWorkflow(loaded, {
    workflowId: 'main',
    inputs: { basicAuth: secret, other: 'plain' },
    transport,
    clock: new VirtualClock(),
    serverUrl: 'http://127.0.0.1:9',
    maxSteps: 20
  })
  return {
    status: result.status,
    outputs: result.outputs,
    steps: result.steps,
    error: result.error?.message.split(secret).join('<secret>'),
    requests
  }
}

test('no document that loads can move the secret anywhere but a request header', async () => {
  let refused = 0
  let ran = 0
  await fc.assert(
    fc.asyncProperty(
      workflowId,
      reference,
      embedding,
      placement,
      async (id, ref, embed, [, place]) => {
        const named = ref.replace('ID', id)
        const doc = document(id, named.includes('X-Copy'))
        place(doc, embed(named), named)
        let loaded
        try {
          loaded = await loadArazzoText(JSON.stringify(doc), { baseDir: fixtures, secretInputs })
        } catch (error) {
          if (!(error instanceof ArazzoValidationError)) throw error
          refused++
          return
        }
        ran++
        const [a, b] = await Promise.all(SECRETS.map(secret => observe(loaded, secret)))
        expect(JSON.stringify(a)).not.toContain(SECRETS[0])
        expect(JSON.stringify(b)).not.toContain(SECRETS[1])
        expect(b).toEqual(a)
      }
    ),
    { numRuns: 300 }
  )
  // Both branches were exercised: most documents are refused, and some load and run.
  expect(refused).toBeGreaterThan(0)
  expect(ran).toBeGreaterThan(0)
  expect(ran + refused).toBe(300)
}, 120_000)

test('the unusual id of the report, `sub:x`, is refused in a regex criterion and in outputs', async () => {
  const doc = document('sub:x')
  step(doc, 1, 0).onSuccess = [
    {
      name: 'g',
      type: 'goto',
      stepId: 'second',
      criteria: [{ context: '$workflows.sub:x.inputs.basicAuth', condition: '^Z', type: 'regex' }]
    }
  ]
  ;(doc.workflows as Json[])[1].outputs = { n: '$workflows.sub:x.inputs.basicAuth.length' }
  const error = await loadArazzoText(JSON.stringify(doc), {
    baseDir: fixtures,
    secretInputs
  }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ArazzoValidationError)
  const problems = (error as ArazzoValidationError).problems.map(p => p.pointer)
  expect(problems).toEqual(
    expect.arrayContaining([
      'workflows/1/steps/0/onSuccess/0/criteria/0/context',
      'workflows/1/outputs/n'
    ])
  )
})
