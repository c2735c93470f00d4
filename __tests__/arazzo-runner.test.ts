import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ArazzoRuntimeError } from '../src/arazzo/errors.js'
import { fetchTransport } from '../src/arazzo/fetch-transport.js'
import { loadArazzoFile, loadArazzoText, type LoadedArazzo } from '../src/arazzo/loader.js'
import {
  backoffPollSchedule,
  fixedPollSchedule,
  systemClock,
  VirtualClock
} from '../src/arazzo/pacing.js'
import { runWorkflow } from '../src/arazzo/runner.js'
import type {
  EngineEvent,
  HttpRequest,
  HttpResponse,
  HttpTransport,
  RunOptions
} from '../src/arazzo/types.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures', 'arazzo')
// A verbatim copy of shared/seed/amplitude-dsar-request-workflow.yml.
const seedPath = join(
  import.meta.dirname,
  'fixtures',
  'seed',
  'amplitude-dsar-request-workflow.yml'
)
const PETSTORE = 'https://eu.petstore.example/v3'

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type Handler = (request: HttpRequest, call: number) => HttpResponse | Promise<HttpResponse>

/** An in-memory API: handlers by `METHOD /path` (path without query), every request recorded. */
function memoryApi(routes: Record<string, Handler>) {
  const requests: HttpRequest[] = []
  const calls = new Map<string, number>()
  const transport: HttpTransport = async request => {
    requests.push(request)
    const url = new URL(request.url)
    const key = `${request.method} ${url.pathname}`
    const handler = routes[key]
    if (!handler) return { status: 404, headers: {}, body: { error: `no route ${key}` } }
    const call = (calls.get(key) ?? 0) + 1
    calls.set(key, call)
    return handler(request, call)
  }
  return {
    transport,
    requests,
    paths: () => requests.map(r => `${r.method} ${new URL(r.url).pathname}`)
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body }
}

/** A petstore document: `workflows` and optional `components` as YAML text blocks. */
function petstoreDoc(workflows: string, components = ''): string {
  return `arazzo: 1.0.1
info: { title: test, version: '1' }
sourceDescriptions:
  - name: pets
    url: ./petstore.openapi.yaml
workflows:
${workflows}
${components}`
}

async function loadPetstore(workflows: string, components = ''): Promise<LoadedArazzo> {
  return loadArazzoText(petstoreDoc(workflows, components), { baseDir: fixtures })
}

function run(loaded: LoadedArazzo, options: Partial<RunOptions> & { transport: HttpTransport }) {
  const events: EngineEvent[] = []
  const clock = options.clock ?? new VirtualClock(0)
  const result = runWorkflow(loaded, {
    inputs: {},
    clock,
    onEvent: event => events.push(event),
    ...options
  })
  return { result, events, clock }
}

function actions(events: EngineEvent[]): string[] {
  return events
    .filter((e): e is Extract<EngineEvent, { type: 'action' }> => e.type === 'action')
    .map(e => `${e.stepId}:${e.action}${e.target ? `>${e.target}` : ''}`)
}

// ---------------------------------------------------------------------------------------------
// The seed, verbatim, against a real HTTP server following its contract
// ---------------------------------------------------------------------------------------------

interface Recorded {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

async function startSeedServer(statuses: string[] | 'always-pending', retryAfter?: string) {
  const recorded: Recorded[] = []
  let polls = 0
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
    req.on('end', () => {
      recorded.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers })
        res.end(JSON.stringify(payload))
      }
      if (req.method === 'POST' && req.url === '/api/2/dsar/requests') {
        send(200, { request_id: '500123', status: 'pending' })
      } else if (req.method === 'GET' && req.url === '/api/2/dsar/requests/500123') {
        const status =
          statuses === 'always-pending' ? 'pending' : statuses[Math.min(polls, statuses.length - 1)]
        polls++
        const payload: Record<string, string> = { request_id: '500123', status }
        if (status === 'complete') payload.download_url = 'https://files.example/500123.zip'
        send(200, payload, retryAfter ? { 'retry-after': retryAfter } : {})
      } else {
        send(404, { error: 'not found' })
      }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    recorded,
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}

describe('the seed workflow, run verbatim', () => {
  const inputs = { basicAuth: 'YXBpOnNlY3JldA==', userIds: ['user-1', 'user-2'] }
  const loadSeed = () =>
    loadArazzoFile(seedPath, { fallbackDescriptionDirs: [join(fixtures, 'fallback')] })

  test('submits, polls pending -> processing -> complete with paced polls, returns outputs', async () => {
    const server = await startSeedServer(['pending', 'processing', 'complete'])
    try {
      const clock = new VirtualClock(1_000_000)
      const { result, events } = run(await loadSeed(), {
        inputs,
        transport: fetchTransport,
        clock,
        pollSchedule: fixedPollSchedule(60_000),
        serverUrl: server.url
      })
      const outcome = await result
      expect(outcome.status).toBe('succeeded')
      expect(outcome.error).toBeUndefined()
      expect(outcome.outputs).toEqual({
        requestId: '500123',
        finalStatus: 'complete',
        downloadUrl: 'https://files.example/500123.zip'
      })
      expect(outcome.stepsExecuted).toBe(4)
      expect(outcome.lastResponse?.status).toBe(200)
      // Two waits between the three polls, each the schedule's interval.
      expect(clock.sleeps).toEqual([60_000, 60_000])
      const waits = events.filter(e => e.type === 'waiting')
      expect(waits).toEqual([
        expect.objectContaining({ reason: 'poll', stepId: 'pollStatus', until: 1_060_000 }),
        expect.objectContaining({ reason: 'poll', stepId: 'pollStatus', until: 1_120_000 })
      ])
      expect(actions(events)).toEqual([
        'createRequest:next',
        'pollStatus:goto>pollStatus',
        'pollStatus:goto>pollStatus',
        'pollStatus:end'
      ])

      const [create, ...polls] = server.recorded
      expect(create.method).toBe('POST')
      expect(create.headers.authorization).toBe('Basic YXBpOnNlY3JldA==')
      expect(create.headers['content-type']).toBe('application/json')
      expect(JSON.parse(create.body)).toEqual({ user_ids: ['user-1', 'user-2'] })
      expect(polls.map(p => `${p.method} ${p.url}`)).toEqual(
        Array(3).fill('GET /api/2/dsar/requests/500123')
      )
      expect(polls[0].headers.authorization).toBe('Basic YXBpOnNlY3JldA==')
      // Events never show the credentials.
      const requestEvents = events.filter(e => e.type === 'request')
      expect(requestEvents).toHaveLength(4)
      for (const event of requestEvents) {
        expect(event.request.headers.Authorization).toBe('***')
      }
      expect(JSON.stringify(events)).not.toContain('YXBpOnNlY3JldA==')
    } finally {
      await server.close()
    }
  })

  test('a growing schedule and a longer Retry-After both shape the waits', async () => {
    const server = await startSeedServer(['pending', 'pending', 'pending', 'complete'])
    try {
      const clock = new VirtualClock(0)
      const outcome = await run(await loadSeed(), {
        inputs,
        transport: fetchTransport,
        clock,
        pollSchedule: backoffPollSchedule({ initialMs: 10_000, factor: 2 }),
        serverUrl: server.url
      }).result
      expect(outcome.status).toBe('succeeded')
      expect(clock.sleeps).toEqual([10_000, 20_000, 40_000])
    } finally {
      await server.close()
    }
    const slow = await startSeedServer(['pending', 'complete'], '120')
    try {
      const clock = new VirtualClock(0)
      await run(await loadSeed(), {
        inputs,
        transport: fetchTransport,
        clock,
        pollSchedule: fixedPollSchedule(60_000),
        serverUrl: slow.url
      }).result
      expect(clock.sleeps).toEqual([120_000])
    } finally {
      await slow.close()
    }
  })

  test('an always-pending request with a deadline ends timedOut, keeping the request id', async () => {
    const server = await startSeedServer('always-pending')
    try {
      const clock = new VirtualClock(0)
      const outcome = await run(await loadSeed(), {
        inputs,
        transport: fetchTransport,
        clock,
        pollSchedule: fixedPollSchedule(60_000),
        deadline: 150_000,
        serverUrl: server.url
      }).result
      expect(outcome.status).toBe('timedOut')
      expect(outcome.outputs).toEqual({
        requestId: '500123',
        finalStatus: 'pending',
        downloadUrl: undefined
      })
      expect(outcome.error).toBeInstanceOf(ArazzoRuntimeError)
      expect(outcome.error?.message).toMatch(/deadline/)
      // Polls at 0, 60 s and 120 s; the next would end at 180 s, past the deadline: no sleep.
      expect(clock.sleeps).toEqual([60_000, 60_000])
      expect(clock.now()).toBe(120_000)
      expect(server.recorded.filter(r => r.method === 'GET')).toHaveLength(3)
    } finally {
      await server.close()
    }
  })

  test('missing required inputs fail before any request', async () => {
    const api = memoryApi({})
    const outcome = await run(await loadSeed(), {
      inputs: { userIds: ['x'] },
      transport: api.transport
    }).result
    expect(outcome.status).toBe('failed')
    expect(outcome.error?.message).toMatch(/missing required input: basicAuth/)
    expect(api.requests).toHaveLength(0)
    expect(outcome.outputs).toEqual({
      requestId: undefined,
      finalStatus: undefined,
      downloadUrl: undefined
    })
  })
})

// ---------------------------------------------------------------------------------------------
// Flow: default, end, goto, workflow-level actions
// ---------------------------------------------------------------------------------------------

describe('flow', () => {
  const twoSteps = `
  - workflowId: main
    steps:
      - stepId: list
        operationId: findPetsByStatus
        outputs: { first: $response.body#/0/id }
      - stepId: get
        operationId: getPetById
        parameters: [{ name: petId, in: path, value: $steps.list.outputs.first }]
        outputs: { name: $response.body#/name }
    outputs: { name: $steps.get.outputs.name }`

  test('no onSuccess: the next step runs; after the last the workflow succeeds', async () => {
    const api = memoryApi({
      'GET /v3/pets': () => json(200, [{ id: 7 }]),
      'GET /v3/pets/7': () => json(200, { name: 'Rex' })
    })
    const { result, events } = run(await loadPetstore(twoSteps), { transport: api.transport })
    const outcome = await result
    expect(outcome.status).toBe('succeeded')
    expect(outcome.outputs).toEqual({ name: 'Rex' })
    expect(outcome.steps).toEqual({
      list: { outputs: { first: 7 } },
      get: { outputs: { name: 'Rex' } }
    })
    expect(actions(events)).toEqual(['list:next', 'get:next'])
    expect(events[0]).toEqual({ type: 'workflowStarted', workflowId: 'main', at: 0 })
    expect(events.at(-1)).toMatchObject({ type: 'workflowFinished', status: 'succeeded' })
  })

  test('no successCriteria: a non-2xx status fails the step and, with no failure action, the workflow', async () => {
    const api = memoryApi({
      'GET /v3/pets': () => json(200, [{ id: 7 }]),
      'GET /v3/pets/7': () => json(404, { message: 'gone' })
    })
    const { result, events } = run(await loadPetstore(twoSteps), { transport: api.transport })
    const outcome = await result
    expect(outcome.status).toBe('failed')
    expect(outcome.error).toBeInstanceOf(ArazzoRuntimeError)
    const error = outcome.error as ArazzoRuntimeError
    expect(error.stepId).toBe('get')
    expect(error.statusCode).toBe(404)
    expect(error.message).toBe("step 'get' failed: GET /v3/pets/7 returned 404")
    expect(actions(events)).toEqual(['list:next', 'get:fail'])
    // Outputs are evaluated from the failed response too.
    expect(outcome.steps.get.outputs).toEqual({ name: undefined })
  })

  test('failed criteria are named in the error; step outputs still evaluated', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: list
        operationId: findPetsByStatus
        successCriteria:
          - condition: $statusCode == 200
          - context: $response.body
            condition: $[?@.id == 7]
            type: jsonpath
        outputs: { status: $statusCode, count: $response.body#/length }`)
    const api = memoryApi({ 'GET /v3/pets': () => json(200, [{ id: 8 }]) })
    const outcome = await run(loaded, { transport: api.transport }).result
    expect(outcome.status).toBe('failed')
    expect(outcome.error?.message).toBe(
      "step 'list' failed: GET /v3/pets returned 200; failed criteria: $[?@.id == 7]"
    )
    expect(outcome.steps.list.outputs.status).toBe(200)
  })

  test('end on success stops the workflow; goto jumps forward', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: a
        operationId: findPetsByStatus
        onSuccess:
          - name: skip
            type: goto
            stepId: c
      - stepId: b
        operationId: addPet
      - stepId: c
        operationId: loginUser
        onSuccess:
          - name: stop
            type: end
      - stepId: d
        operationId: placeOrder`)
    const api = memoryApi({
      'GET /v3/pets': () => json(200, []),
      'GET /v3/user/login': () => json(200, 'token')
    })
    const { result, events } = run(loaded, { transport: api.transport })
    expect((await result).status).toBe('succeeded')
    expect(api.paths()).toEqual(['GET /v3/pets', 'GET /v3/user/login'])
    expect(actions(events)).toEqual(['a:goto>c', 'c:end'])
    // A forward goto to a step not run yet is not a poll: no wait.
    expect(events.some(e => e.type === 'waiting')).toBe(false)
  })

  test('the first action whose criteria pass wins', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: a
        operationId: findPetsByStatus
        onSuccess:
          - name: never
            type: end
            criteria: [{ condition: $statusCode == 201 }]
          - name: sometimes
            type: goto
            stepId: c
            criteria: [{ condition: $response.body#/0/kind == 'cat' }]
          - name: always
            type: goto
            stepId: b
      - stepId: b
        operationId: addPet
        onSuccess: [{ name: done, type: end }]
      - stepId: c
        operationId: loginUser`)
    const api = memoryApi({
      'GET /v3/pets': () => json(200, [{ kind: 'CAT' }]),
      'GET /v3/user/login': () => json(200, {})
    })
    const { result, events } = run(loaded, { transport: api.transport })
    expect((await result).status).toBe('succeeded')
    // String comparison is case-insensitive in simple conditions.
    expect(actions(events)[0]).toBe('a:goto>c')
  })

  test('goto a workflow runs it, records its outputs under $workflows, and ends the current one', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: a
        operationId: findPetsByStatus
        onSuccess: [{ name: handOver, type: goto, workflowId: other }]
      - stepId: never
        operationId: addPet
    outputs:
      fromOther: $workflows.other.outputs.session
  - workflowId: other
    steps:
      - stepId: login
        operationId: loginUser
        outputs: { session: $response.body#/session }
    outputs: { session: $steps.login.outputs.session }`)
    const api = memoryApi({
      'GET /v3/pets': () => json(200, []),
      'GET /v3/user/login': () => json(200, { session: 's-1' })
    })
    const { result, events } = run(loaded, { transport: api.transport })
    const outcome = await result
    expect(outcome.status).toBe('succeeded')
    expect(outcome.outputs).toEqual({ fromOther: 's-1' })
    expect(api.paths()).toEqual(['GET /v3/pets', 'GET /v3/user/login'])
    expect(
      events.filter(e => e.type === 'workflowFinished').map(e => `${e.workflowId}:${e.status}`)
    ).toEqual(['other:succeeded', 'main:succeeded'])
  })

  test('onFailure end fails the workflow; onFailure goto recovers', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: a
        operationId: findPetsByStatus
        onFailure:
          - name: recover
            type: goto
            stepId: fallback
            criteria: [{ condition: $statusCode == 503 }]
          - name: giveUp
            type: end
      - stepId: ok
        operationId: addPet
        onSuccess: [{ name: done, type: end }]
      - stepId: fallback
        operationId: loginUser`)
    const unavailable = memoryApi({
      'GET /v3/pets': () => json(503, {}),
      'GET /v3/user/login': () => json(200, {})
    })
    const recovered = await run(loaded, { transport: unavailable.transport }).result
    expect(recovered.status).toBe('succeeded')
    expect(unavailable.paths()).toEqual(['GET /v3/pets', 'GET /v3/user/login'])

    const broken = memoryApi({ 'GET /v3/pets': () => json(500, {}) })
    const { result, events } = run(loaded, { transport: broken.transport })
    const failed = await result
    expect(failed.status).toBe('failed')
    expect(failed.error?.message).toMatch(
      /step 'a' failed: .* 500; ended by failure action 'giveUp'/
    )
    expect(actions(events)).toEqual(['a:end'])
  })

  test('workflow-level actions apply to every step; a step action of the same name overrides', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    successActions:
      - name: finish
        type: end
        criteria: [{ condition: $statusCode == 202 }]
    failureActions:
      - name: toRecovery
        type: goto
        stepId: recovery
    steps:
      - stepId: a
        operationId: findPetsByStatus
        onFailure:
          - name: toRecovery
            type: end
      - stepId: b
        operationId: addPet
      - stepId: c
        operationId: placeOrder
      - stepId: recovery
        operationId: loginUser
        onSuccess: [{ name: stop, type: end }]`)
    // a succeeds (next), b fails (workflow-level goto recovery), recovery ends.
    const api = memoryApi({
      'GET /v3/pets': () => json(200, []),
      'POST /v3/pets': () => json(500, {}),
      'GET /v3/user/login': () => json(200, {})
    })
    const { result, events } = run(loaded, { transport: api.transport })
    expect((await result).status).toBe('succeeded')
    expect(actions(events)).toEqual(['a:next', 'b:goto>recovery', 'recovery:end'])

    // a fails: its own 'toRecovery' (end) wins over the workflow's.
    const failing = memoryApi({ 'GET /v3/pets': () => json(500, {}) })
    const second = run(loaded, { transport: failing.transport })
    expect((await second.result).status).toBe('failed')
    expect(actions(second.events)).toEqual(['a:end'])

    // A workflow-level success action with criteria applies where they pass.
    const accepted = memoryApi({ 'GET /v3/pets': () => json(202, []) })
    const third = run(loaded, { transport: accepted.transport })
    expect((await third.result).status).toBe('succeeded')
    expect(actions(third.events)).toEqual(['a:end'])
  })
})

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

describe('retry', () => {
  const retrying = (limit: string) => `
  - workflowId: main
    steps:
      - stepId: a
        operationId: findPetsByStatus
        successCriteria: [{ condition: $statusCode == 200 }]
        onFailure:
          - name: again
            type: retry
            retryAfter: 2
            ${limit}
            criteria: [{ condition: $statusCode == 503 }]
          - name: afterRetries
            type: goto
            stepId: fallback
      - stepId: done
        operationId: addPet
        onSuccess: [{ name: stop, type: end }]
      - stepId: fallback
        operationId: loginUser`

  test('retries after retryAfter seconds up to retryLimit, then succeeds', async () => {
    const api = memoryApi({
      'GET /v3/pets': (_r, call) => json(call < 3 ? 503 : 200, []),
      'POST /v3/pets': () => json(200, {})
    })
    const { result, events, clock } = run(await loadPetstore(retrying('retryLimit: 3')), {
      transport: api.transport
    })
    expect((await result).status).toBe('succeeded')
    expect((clock as VirtualClock).sleeps).toEqual([2000, 2000])
    expect(api.paths()).toEqual(['GET /v3/pets', 'GET /v3/pets', 'GET /v3/pets', 'POST /v3/pets'])
    expect(
      events.filter(e => e.type === 'waiting').map(e => e.type === 'waiting' && e.reason)
    ).toEqual(['retry', 'retry'])
    expect(
      events.filter(e => e.type === 'stepStarted').map(e => e.type === 'stepStarted' && e.attempt)
    ).toEqual([1, 2, 3, 1])
  })

  test('a Retry-After header wins over retryAfter (seconds and HTTP-date)', async () => {
    const start = Date.parse('2030-01-01T00:00:00Z')
    const api = memoryApi({
      'GET /v3/pets': (_r, call) =>
        call === 1
          ? json(503, [], { 'retry-after': '7' })
          : call === 2
            ? json(503, [], { 'retry-after': new Date(start + 7000 + 30_000).toUTCString() })
            : json(200, []),
      'POST /v3/pets': () => json(200, {})
    })
    const clock = new VirtualClock(start)
    await run(await loadPetstore(retrying('retryLimit: 5')), { transport: api.transport, clock })
      .result
    expect(clock.sleeps).toEqual([7000, 30_000])
  })

  test('retryLimit omitted means one retry; once exhausted, later failure actions apply', async () => {
    const api = memoryApi({
      'GET /v3/pets': () => json(503, []),
      'GET /v3/user/login': () => json(200, {})
    })
    const { result, events } = run(await loadPetstore(retrying('')), { transport: api.transport })
    expect((await result).status).toBe('succeeded')
    expect(api.paths()).toEqual(['GET /v3/pets', 'GET /v3/pets', 'GET /v3/user/login'])
    expect(actions(events)).toEqual(['a:retry', 'a:goto>fallback', 'fallback:next'])
  })

  test('an exhausted retry with nothing after it fails the workflow', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: a
        operationId: findPetsByStatus
        onFailure: [{ name: again, type: retry, retryAfter: 1, retryLimit: 2 }]`)
    const api = memoryApi({ 'GET /v3/pets': () => json(500, []) })
    const outcome = await run(loaded, { transport: api.transport }).result
    expect(outcome.status).toBe('failed')
    expect(api.requests).toHaveLength(3)
    expect(outcome.error?.message).toBe(
      "step 'a' failed: GET /v3/pets returned 500; retry 'again' exhausted after 2 attempt(s)"
    )
  })

  test('a retry naming a step runs that step first, then retries', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: fetch
        operationId: findPetsByStatus
        parameters: [{ name: Authorization, in: header, value: $steps.refresh.outputs.token }]
        successCriteria: [{ condition: $statusCode == 200 }]
        onFailure:
          - name: refreshFirst
            type: retry
            stepId: refresh
            criteria: [{ condition: $statusCode == 401 }]
      - stepId: refresh
        operationId: loginUser
        outputs: { token: $response.body#/token }`)
    const api = memoryApi({
      'GET /v3/pets': r => json(r.headers.Authorization === 'fresh' ? 200 : 401, []),
      'GET /v3/user/login': () => json(200, { token: 'fresh' })
    })
    const outcome = await run(loaded, { transport: api.transport }).result
    expect(outcome.status).toBe('succeeded')
    expect(api.paths()).toEqual([
      'GET /v3/pets',
      'GET /v3/user/login',
      'GET /v3/pets',
      // After fetch succeeds, the flow continues to the next step in order.
      'GET /v3/user/login'
    ])
  })
})

// ---------------------------------------------------------------------------------------------
// Requests: parameters, servers, bodies, components
// ---------------------------------------------------------------------------------------------

describe('requests', () => {
  test('parameters in path, query, header and cookie; workflow-level ones, step wins', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    inputs:
      type: object
      properties:
        id: { type: string }
        tags: { type: array }
    parameters:
      - { name: X-Trace, in: header, value: workflow-trace }
      - { name: X-Client, in: header, value: arazzo-test }
      - { name: session, in: cookie, value: abc }
    steps:
      - stepId: get
        operationId: getPetById
        parameters:
          - { name: petId, in: path, value: $inputs.id }
          - { name: tag, in: query, value: $inputs.tags }
          - { name: verbose, in: query, value: true }
          - { name: X-Trace, in: header, value: 'step-{$inputs.id}' }
          - { name: theme, in: cookie, value: dark mode }
          - { name: absent, in: query, value: $inputs.nothing }`)
    const api = memoryApi({ 'GET /v3/pets/a%20b%2Fc': () => json(200, {}) })
    const outcome = await run(loaded, {
      inputs: { id: 'a b/c', tags: ['x', 'y&z'] },
      transport: api.transport
    }).result
    expect(api.requests).toHaveLength(1)
    const [request] = api.requests
    expect(request.url).toBe(`${PETSTORE}/pets/a%20b%2Fc?tag=x&tag=y%26z&verbose=true`)
    expect(request.headers).toEqual({
      'X-Trace': 'step-a b/c',
      'X-Client': 'arazzo-test',
      Cookie: 'session=abc; theme=dark%20mode'
    })
    expect(request.body).toBeUndefined()
    expect(outcome.status).toBe('succeeded')
  })

  test('serverUrl replaces the description servers; operation and path servers otherwise', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: del
        operationId: deletePet
        parameters: [{ name: petId, in: path, value: 1 }]
      - stepId: coupons
        operationId: getPetCoupons
        parameters: [{ name: petId, in: path, value: 1 }]`)
    const seen: string[] = []
    const transport: HttpTransport = async request => {
      seen.push(request.url)
      return json(200, {})
    }
    await run(loaded, { transport }).result
    expect(seen).toEqual([
      'https://admin.petstore.example/api/pets/1',
      'https://coupons.petstore.example/pets/1/coupons'
    ])
    seen.length = 0
    await run(loaded, { transport, serverUrl: 'http://127.0.0.1:9999/base/' }).result
    expect(seen).toEqual([
      'http://127.0.0.1:9999/base/pets/1',
      'http://127.0.0.1:9999/base/pets/1/coupons'
    ])
  })

  test('requestBody payload with expressions, then replacements; contentType defaults to JSON', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    inputs:
      type: object
      properties:
        petId: { type: integer }
        quantity: { type: integer, default: 1 }
    steps:
      - stepId: order
        operationId: placeOrder
        requestBody:
          payload:
            order: { petId: $inputs.petId, quantity: $inputs.quantity, note: 'pet {$inputs.petId}' }
            status: draft
          replacements:
            - { target: /status, value: placed }
            - { target: /order/coupon, value: $inputs.coupon }
      - stepId: form
        operationId: loginUser
        requestBody:
          contentType: application/x-www-form-urlencoded
          payload: { user: $inputs.petId, scope: [a, b] }
      - stepId: text
        operationId: addPet
        requestBody:
          contentType: application/json
          payload: '{"id": {$inputs.petId}, "status": "x"}'
          replacements: [{ target: /status, value: available }]`)
    const api = memoryApi({
      'POST /v3/store/order': () => json(200, {}),
      'GET /v3/user/login': () => json(200, {}),
      'POST /v3/pets': () => json(200, {})
    })
    const outcome = await run(loaded, {
      inputs: { petId: 42, coupon: 'SAVE' },
      transport: api.transport
    }).result
    expect(outcome.status).toBe('succeeded')
    const [order, form, text] = api.requests
    expect(order.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(order.body ?? '')).toEqual({
      order: { petId: 42, quantity: 1, note: 'pet 42', coupon: 'SAVE' },
      status: 'placed'
    })
    expect(form.headers['Content-Type']).toBe('application/x-www-form-urlencoded')
    expect(form.body).toBe('user=42&scope=a&scope=b')
    expect(JSON.parse(text.body ?? '')).toEqual({ id: 42, status: 'available' })
  })

  test('components: parameter references (value override), reusable actions', async () => {
    const loaded = await loadPetstore(
      `
  - workflowId: main
    failureActions:
      - reference: $components.failureActions.retryOnce
    steps:
      - stepId: list
        operationId: findPetsByStatus
        parameters:
          - reference: $components.parameters.page
            value: 3
          - reference: $components.parameters.pageSize
        onSuccess:
          - reference: $components.successActions.stop`,
      `components:
  parameters:
    page: { name: page, in: query, value: 1 }
    pageSize: { name: pageSize, in: query, value: $inputs.size }
  successActions:
    stop: { name: stop, type: end }
  failureActions:
    retryOnce: { name: retryOnce, type: retry, retryAfter: 0.5, retryLimit: 1 }`
    )
    const api = memoryApi({ 'GET /v3/pets': (_r, call) => json(call === 1 ? 500 : 200, []) })
    const { result, events, clock } = run(loaded, {
      inputs: { size: 20 },
      transport: api.transport
    })
    expect((await result).status).toBe('succeeded')
    expect(api.requests.map(r => new URL(r.url).search)).toEqual([
      '?page=3&pageSize=20',
      '?page=3&pageSize=20'
    ])
    expect((clock as VirtualClock).sleeps).toEqual([500])
    expect(actions(events)).toEqual(['list:retry', 'list:end'])
  })

  test('a header value with a line break is refused without echoing it', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: a
        operationId: findPetsByStatus
        parameters: [{ name: X-Key, in: header, value: $inputs.key }]`)
    const api = memoryApi({})
    const outcome = await run(loaded, {
      inputs: { key: 'secret\r\nInjected: yes' },
      transport: api.transport
    }).result
    expect(outcome.status).toBe('failed')
    expect(outcome.error?.message).toMatch(/header 'X-Key' contains a line break/)
    expect(outcome.error?.message).not.toContain('secret')
    expect(api.requests).toHaveLength(0)
  })
})

// ---------------------------------------------------------------------------------------------
// Nested workflows and dependsOn
// ---------------------------------------------------------------------------------------------

describe('nested workflows', () => {
  test('a workflowId step passes its parameters as inputs and reads the child outputs', async () => {
    const loaded = await loadArazzoFile(join(fixtures, 'pet-coupons.arazzo.yaml'))
    const api = memoryApi({
      'GET /v3/pets': () => json(200, [{ id: 'p1' }]),
      'GET /pets/p1/coupons': () => json(200, { couponCode: 'HALF' }),
      'POST /v3/store/order': () => json(200, { id: 'order-9' })
    })
    const { result, events } = run(loaded, {
      workflowId: 'apply-coupon',
      inputs: { my_pet_status: 'available' },
      transport: api.transport
    })
    const outcome = await result
    expect(outcome.status).toBe('succeeded')
    expect(outcome.outputs).toEqual({ apply_coupon_pet_order_id: 'order-9' })
    expect(outcome.steps['place-order'].outputs).toEqual({ my_order_id: 'order-9' })
    expect(api.requests[0].url).toBe(`${PETSTORE}/pets?status=available&page=2&pageSize=100`)
    expect(api.requests[1].url).toBe('https://coupons.petstore.example/pets/p1/coupons')
    // Child input defaults apply (quantity: 1).
    expect(JSON.parse(api.requests[2].body ?? '')).toEqual({
      petId: 'p1',
      quantity: 1,
      couponCode: 'HALF',
      status: 'placed',
      complete: false
    })
    expect(
      events
        .filter(e => e.type === 'workflowStarted')
        .map(e => e.type === 'workflowStarted' && e.workflowId)
    ).toEqual(['apply-coupon', 'place-order'])
  })

  test('a failed child workflow fails the step, naming the child failure', async () => {
    const loaded = await loadArazzoFile(join(fixtures, 'pet-coupons.arazzo.yaml'))
    const api = memoryApi({
      'GET /v3/pets': () => json(200, [{ id: 'p1' }]),
      'GET /pets/p1/coupons': () => json(200, { couponCode: 'HALF' }),
      'POST /v3/store/order': () => json(400, { message: 'no' })
    })
    const outcome = await run(loaded, {
      workflowId: 'apply-coupon',
      inputs: { my_pet_status: 'available' },
      transport: api.transport
    }).result
    expect(outcome.status).toBe('failed')
    expect(outcome.error?.message).toMatch(
      /^step 'place-order' failed: workflow 'place-order' ended failed \(step 'place-order' failed: POST \/v3\/store\/order returned 400.*\)/
    )
  })

  test('dependsOn workflows run first, once each, their outputs under $workflows', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    dependsOn: [login, prefs]
    steps:
      - stepId: list
        operationId: findPetsByStatus
        parameters:
          - { name: Authorization, in: header, value: $workflows.login.outputs.token }
    outputs: { token: $workflows.login.outputs.token }
  - workflowId: prefs
    dependsOn: [login]
    steps:
      - stepId: noop
        operationId: addPet
  - workflowId: login
    steps:
      - stepId: login
        operationId: loginUser
        outputs: { token: $response.body#/token }
    outputs: { token: $steps.login.outputs.token }`)
    const api = memoryApi({
      'GET /v3/user/login': () => json(200, { token: 't-1' }),
      'POST /v3/pets': () => json(200, {}),
      'GET /v3/pets': () => json(200, [])
    })
    const outcome = await run(loaded, { transport: api.transport }).result
    expect(outcome.status).toBe('succeeded')
    expect(api.paths()).toEqual(['GET /v3/user/login', 'POST /v3/pets', 'GET /v3/pets'])
    expect(api.requests[2].headers.Authorization).toBe('t-1')
    expect(outcome.outputs).toEqual({ token: 't-1' })
  })

  test('a failed dependency fails the dependent workflow before its steps', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    dependsOn: [login]
    steps:
      - stepId: list
        operationId: findPetsByStatus
  - workflowId: login
    steps:
      - stepId: login
        operationId: loginUser`)
    const api = memoryApi({ 'GET /v3/user/login': () => json(401, {}) })
    const outcome = await run(loaded, { transport: api.transport }).result
    expect(outcome.status).toBe('failed')
    expect(outcome.error?.message).toMatch(/depends on 'login', which ended failed/)
    expect(api.paths()).toEqual(['GET /v3/user/login'])
  })

  test('unbounded recursion stops at the nesting limit', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: again
        workflowId: main`)
    const outcome = await run(loaded, { transport: memoryApi({}).transport }).result
    expect(outcome.status).toBe('failed')
    expect(outcome.error?.message).toMatch(/nested deeper than 16 levels/)
  })
})

// ---------------------------------------------------------------------------------------------
// Bounds: maxSteps, deadline, abort, transport errors
// ---------------------------------------------------------------------------------------------

describe('bounds', () => {
  const pollForever = `
  - workflowId: main
    steps:
      - stepId: poll
        operationId: getJob
        parameters: [{ name: jobId, in: path, value: j1 }]
        outputs: { state: $response.body#/state }
        onSuccess: [{ name: loop, type: goto, stepId: poll }]
    outputs: { state: $steps.poll.outputs.state }`
  const api = () => memoryApi({ 'GET /v3/jobs/j1': () => json(200, { state: 'running' }) })

  test('maxSteps ends the run with status maxSteps and the outputs known so far', async () => {
    const transportApi = api()
    const outcome = await run(await loadPetstore(pollForever), {
      transport: transportApi.transport,
      maxSteps: 3
    }).result
    expect(outcome.status).toBe('maxSteps')
    expect(outcome.stepsExecuted).toBe(3)
    expect(transportApi.requests).toHaveLength(3)
    expect(outcome.outputs).toEqual({ state: 'running' })
    expect(outcome.error?.message).toMatch(/limit of 3 step executions/)
  })

  test('no request starts after the deadline', async () => {
    const clock = new VirtualClock(10_000)
    const transportApi = api()
    const outcome = await run(await loadPetstore(pollForever), {
      transport: transportApi.transport,
      clock,
      deadline: 5_000
    }).result
    expect(outcome.status).toBe('timedOut')
    expect(transportApi.requests).toHaveLength(0)
  })

  test('abort during a poll wait ends the run promptly as aborted', async () => {
    const controller = new AbortController()
    const { result } = run(await loadPetstore(pollForever), {
      transport: api().transport,
      clock: systemClock,
      pollSchedule: fixedPollSchedule(60 * 60 * 1000),
      signal: controller.signal,
      onEvent: event => {
        if (event.type === 'waiting') setTimeout(() => controller.abort(), 0)
      }
    })
    const outcome = await result
    expect(outcome.status).toBe('aborted')
    expect(outcome.outputs).toEqual({ state: 'running' })
    expect(outcome.stepsExecuted).toBe(1)
  })

  test('abort during an in-flight request ends the run even if the transport ignores it', async () => {
    const controller = new AbortController()
    const seen: AbortSignal[] = []
    const hanging: HttpTransport = (_request, signal) => {
      seen.push(signal)
      return new Promise(() => {})
    }
    const { result } = run(await loadPetstore(pollForever), {
      transport: hanging,
      signal: controller.signal,
      onEvent: event => {
        if (event.type === 'request') setTimeout(() => controller.abort(), 0)
      }
    })
    const outcome = await result
    expect(outcome.status).toBe('aborted')
    expect(seen[0]).toBe(controller.signal)
  })

  test('a transport error fails the run and is handed back as thrown', async () => {
    class NetworkDown extends Error {}
    const thrown = new NetworkDown('connection refused')
    const outcome = await run(await loadPetstore(pollForever), {
      transport: async () => {
        throw thrown
      }
    }).result
    expect(outcome.status).toBe('failed')
    expect(outcome.error).toBe(thrown)
  })
})

// ---------------------------------------------------------------------------------------------
// Events and redaction
// ---------------------------------------------------------------------------------------------

describe('events', () => {
  test('request events redact authorization, cookies and named sensitive headers', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    parameters:
      - { name: authorization, in: header, value: Bearer top-secret }
      - { name: X-Api-Key, in: header, value: key-123 }
      - { name: Proxy-Authorization, in: header, value: Basic proxy-secret }
      - { name: X-Visible, in: header, value: shown }
      - { name: sid, in: cookie, value: cookie-secret }
    steps:
      - stepId: a
        operationId: findPetsByStatus`)
    const api = memoryApi({ 'GET /v3/pets': () => json(500, {}) })
    const { result, events } = run(loaded, {
      transport: api.transport,
      sensitiveHeaders: ['x-api-key']
    })
    const outcome = await result
    const request = events.find(e => e.type === 'request')
    expect(request?.type === 'request' && request.request.headers).toEqual({
      authorization: '***',
      'X-Api-Key': '***',
      'Proxy-Authorization': '***',
      'X-Visible': 'shown',
      Cookie: '***'
    })
    // The transport got the real values.
    expect(api.requests[0].headers['X-Api-Key']).toBe('key-123')
    const everything = JSON.stringify(events) + String(outcome.error?.message)
    for (const secret of ['top-secret', 'key-123', 'proxy-secret', 'cookie-secret']) {
      expect(everything).not.toContain(secret)
    }
  })

  test('every event type is emitted with the clock time, in order', async () => {
    const loaded = await loadPetstore(`
  - workflowId: main
    steps:
      - stepId: poll
        operationId: getJob
        parameters: [{ name: jobId, in: path, value: j1 }]
        successCriteria: [{ condition: $statusCode == 200 }]
        outputs: { state: $response.body#/state }
        onSuccess:
          - name: loop
            type: goto
            stepId: poll
            criteria: [{ condition: $response.body#/state == 'running' }]`)
    const api = memoryApi({
      'GET /v3/jobs/j1': (_r, call) => json(200, { state: call < 2 ? 'running' : 'done' })
    })
    const clock = new VirtualClock(100)
    const { result, events } = run(loaded, { transport: api.transport, clock })
    await result
    expect(events.map(e => `${e.type}@${e.at}`)).toEqual([
      'workflowStarted@100',
      'stepStarted@100',
      'request@100',
      'response@100',
      'criteria@100',
      'stepOutputs@100',
      'action@100',
      'waiting@100',
      'stepStarted@1100',
      'request@1100',
      'response@1100',
      'criteria@1100',
      'stepOutputs@1100',
      'action@1100',
      'workflowFinished@1100'
    ])
    expect(events[7]).toMatchObject({ reason: 'poll', until: 1100 })
    expect(events[4]).toMatchObject({ passed: true })
    expect(events[5]).toMatchObject({ outputs: { state: 'running' } })
  })
})
