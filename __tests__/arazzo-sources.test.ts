/**
 * `type: arazzo` source descriptions and cross-document workflow references
 * (`$sourceDescriptions.<name>.<workflowId>` in a step, a goto, a retry and dependsOn), remote
 * descriptions through the injected reader, and the bounds: cycles, depth, document count.
 */
import { join } from 'node:path'
import { ArazzoLoadError } from '../src/arazzo/errors.js'
import { loadArazzoFile } from '../src/arazzo/loader.js'
import { MAX_SOURCE_DEPTH, MAX_SOURCE_DOCUMENTS } from '../src/arazzo/source-loader.js'
import type { SourceReader } from '../src/arazzo/source-location.js'
import {
  API_SERVER,
  arazzo,
  loadFailure,
  loadWith,
  openapi,
  runRecorded,
  writeFiles
} from './support/arazzo-docs.js'

const ok = { responses: { '200': { description: 'ok' } } }
const json = (body: unknown) => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body
})

/** The shared "auth" document: a login workflow on its own OpenAPI source, in `flows/`. */
function authFlows(extra: Record<string, unknown> = {}) {
  return {
    arazzo: '1.0.1',
    info: { title: 'auth flows', version: '1' },
    sourceDescriptions: [{ name: 'auth', url: './auth.openapi.json', type: 'openapi' }],
    workflows: [
      {
        workflowId: 'login',
        inputs: { type: 'object', properties: { user: { type: 'string' } } },
        steps: [
          {
            stepId: 'token',
            operationId: 'getToken',
            parameters: [{ name: 'user', in: 'query', value: '$inputs.user' }],
            successCriteria: [{ condition: '$statusCode == 200' }],
            outputs: { token: '$response.body#/token' }
          }
        ],
        outputs: { token: '$steps.token.outputs.token' }
      },
      {
        workflowId: 'audit',
        steps: [{ stepId: 'log', operationId: 'audit' }]
      }
    ],
    ...extra
  }
}
const authApi = openapi({
  '/token': { get: { operationId: 'getToken', ...ok } },
  '/audit': { post: { operationId: 'audit', ...ok } }
})
const petsApi = openapi({ '/pets': { get: { operationId: 'listPets', ...ok } } })

function withFlowsDir(files: Record<string, unknown> = {}) {
  return {
    'flows/auth.arazzo.json': authFlows(),
    'flows/auth.openapi.json': authApi,
    ...files
  }
}

/** Writes the root document and `files` to a temp dir and loads the root from its file. */
async function loadTree(root: unknown, files: Record<string, unknown>) {
  const dir = writeFiles({ 'root.arazzo.json': root, ...files })
  return loadArazzoFile(join(dir, 'root.arazzo.json'))
}

const flowsSource = { name: 'flows', url: './flows/auth.arazzo.json', type: 'arazzo' }
const respond = (request: { url: string }) =>
  new URL(request.url).pathname === '/token' ? json({ token: 't-1' }) : json([])

describe('cross-document workflow references', () => {
  test('a step runs a workflow of an arazzo source, with its own OpenAPI source', async () => {
    const root = arazzo(
      [
        {
          workflowId: 'main',
          steps: [
            {
              stepId: 'login',
              workflowId: '$sourceDescriptions.flows.login',
              parameters: [{ name: 'user', value: 'ann' }],
              outputs: { token: '$outputs.token' }
            },
            {
              stepId: 'list',
              operationId: '$sourceDescriptions.api.listPets',
              parameters: [
                {
                  name: 'Authorization',
                  in: 'header',
                  value: 'Bearer {$steps.login.outputs.token}'
                }
              ]
            }
          ],
          outputs: { token: '$steps.login.outputs.token' }
        }
      ],
      { sourceDescriptions: [{ name: 'api', url: './api.openapi.json' }, flowsSource] }
    )
    const loaded = await loadTree(root, withFlowsDir({ 'api.openapi.json': petsApi }))
    expect([...loaded.sources.keys()]).toEqual(['flows'])
    const { result, requests } = await runRecorded(loaded, {}, respond)
    expect(result.status).toBe('succeeded')
    expect(requests.map(r => r.url)).toEqual([`${API_SERVER}/token?user=ann`, `${API_SERVER}/pets`])
    expect(requests[1].headers.Authorization).toBe('Bearer t-1')
    expect(result.outputs).toEqual({ token: 't-1' })
  })

  test('dependsOn and goto reach workflows of the other document', async () => {
    const root = arazzo(
      [
        {
          workflowId: 'main',
          dependsOn: ['$sourceDescriptions.flows.login'],
          steps: [
            {
              stepId: 'list',
              operationId: 'listPets',
              onSuccess: [
                { name: 'audit', type: 'goto', workflowId: '$sourceDescriptions.flows.audit' }
              ]
            }
          ]
        }
      ],
      { sourceDescriptions: [{ name: 'api', url: './api.openapi.json' }, flowsSource] }
    )
    const loaded = await loadTree(root, withFlowsDir({ 'api.openapi.json': petsApi }))
    const { result, requests } = await runRecorded(loaded, {}, respond)
    expect(result.status).toBe('succeeded')
    expect(requests.map(r => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /token',
      'GET /pets',
      'POST /audit'
    ])
  })

  test('runWorkflow can start at a workflow of a source description', async () => {
    const root = arazzo(
      [{ workflowId: 'main', steps: [{ stepId: 'list', operationId: 'listPets' }] }],
      {
        sourceDescriptions: [{ name: 'api', url: './api.openapi.json' }, flowsSource]
      }
    )
    // An unused arazzo source is not loaded; a reference from the caller does not load it either.
    const unused = await loadTree(root, withFlowsDir({ 'api.openapi.json': petsApi }))
    expect(unused.sources.size).toBe(0)
    const used = await loadTree(
      {
        ...root,
        workflows: [
          {
            workflowId: 'main',
            steps: [{ stepId: 'a', workflowId: '$sourceDescriptions.flows.audit' }]
          }
        ]
      },
      withFlowsDir({ 'api.openapi.json': petsApi })
    )
    const { result, requests } = await runRecorded(
      used,
      { user: 'bo' },
      respond,
      '$sourceDescriptions.flows.login'
    )
    expect(result.workflowId).toBe('login')
    expect(requests.map(r => r.url)).toEqual([`${API_SERVER}/token?user=bo`])
  })

  test('a workflow the other document does not have is a load error with its pointer', async () => {
    const root = arazzo(
      [
        {
          workflowId: 'main',
          steps: [{ stepId: 'a', workflowId: '$sourceDescriptions.flows.logout' }]
        }
      ],
      { sourceDescriptions: [flowsSource] }
    )
    const error = (await loadTree(root, withFlowsDir()).catch((e: unknown) => e)) as ArazzoLoadError
    expect(error).toBeInstanceOf(ArazzoLoadError)
    expect(error.pointer).toBe('workflows/0/steps/0/workflowId')
    expect(error.message).toContain(
      "no workflow 'logout' in source description 'flows' (it has: login, audit)"
    )
  })

  test('a problem inside the other document names the chain and its own pointer', async () => {
    const broken = authFlows()
    ;(broken.workflows[0].steps[0] as Record<string, unknown>).operationId = 'getTokens'
    const root = arazzo(
      [
        {
          workflowId: 'main',
          steps: [{ stepId: 'a', workflowId: '$sourceDescriptions.flows.login' }]
        }
      ],
      { sourceDescriptions: [flowsSource] }
    )
    const error = (await loadTree(root, {
      ...withFlowsDir(),
      'flows/auth.arazzo.json': broken
    }).catch((e: unknown) => e)) as ArazzoLoadError
    expect(error.pointer).toBe('sourceDescriptions/0/url')
    expect(error.message).toMatch(
      /source description 'flows' \(.*flows\/auth\.arazzo\.json\): workflows\/0\/steps\/0\/operationId: unknown operationId 'getTokens'/
    )
  })

  test('types are checked: an operation cannot target an arazzo source, nor a workflow an OpenAPI one', async () => {
    const operationIntoArazzo = arazzo(
      [
        {
          workflowId: 'main',
          steps: [{ stepId: 'a', operationId: '$sourceDescriptions.flows.getToken' }]
        }
      ],
      { sourceDescriptions: [flowsSource] }
    )
    const first = await loadFailure(operationIntoArazzo, petsApi, withFlowsDir())
    expect(first.message).toMatch(
      /'flows' is an arazzo source description: an operationId must name an OpenAPI one/
    )
    // Type omitted: what the file is decides.
    const untyped = arazzo(
      [
        {
          workflowId: 'main',
          steps: [{ stepId: 'a', workflowId: '$sourceDescriptions.api.listPets' }]
        }
      ],
      { sourceDescriptions: [{ name: 'api', url: './api.openapi.json' }] }
    )
    const second = await loadFailure(untyped, petsApi)
    expect(second.message).toMatch(/'api' is an OpenAPI description, which has no workflows/)
    const mistyped = arazzo(
      [
        {
          workflowId: 'main',
          steps: [{ stepId: 'a', workflowId: '$sourceDescriptions.flows.login' }]
        }
      ],
      { sourceDescriptions: [{ ...flowsSource, url: './api.openapi.json' }] }
    )
    const third = await loadFailure(mistyped, petsApi)
    expect(third.message).toMatch(/declared type arazzo but is an OpenAPI description/)
  })
})

describe('bounds: cycles, depth, number of documents', () => {
  /** `name` refers to each of `targets` as an arazzo source (and calls their `w`). */
  function chainDoc(targets: string[]) {
    return {
      arazzo: '1.0.1',
      info: { title: 'chain', version: '1' },
      sourceDescriptions: targets.map((t, i) => ({
        name: `s${i}`,
        url: `./${t}.arazzo.json`,
        type: 'arazzo'
      })),
      workflows: [
        {
          workflowId: 'w',
          steps: targets.map((_t, i) => ({
            stepId: `call${i}`,
            workflowId: `$sourceDescriptions.s${i}.w`
          }))
        }
      ]
    }
  }
  const leaf = {
    arazzo: '1.0.1',
    info: { title: 'leaf', version: '1' },
    sourceDescriptions: [{ name: 'api', url: './api.openapi.json' }],
    workflows: [{ workflowId: 'w', steps: [{ stepId: 'list', operationId: 'listPets' }] }]
  }

  test('a cycle of documents is refused with the chain', async () => {
    const error = (await loadTree(chainDoc(['a']), {
      'a.arazzo.json': chainDoc(['b']),
      'b.arazzo.json': chainDoc(['root'])
    }).catch((e: unknown) => e)) as ArazzoLoadError
    expect(error.pointer).toBe('sourceDescriptions/0/url')
    expect(error.message).toMatch(
      /circular source descriptions: \S*root\.arazzo\.json -> \S*a\.arazzo\.json -> \S*b\.arazzo\.json -> \S*root\.arazzo\.json/
    )
  })

  test(`nesting deeper than ${MAX_SOURCE_DEPTH} levels is refused; ${MAX_SOURCE_DEPTH} loads`, async () => {
    const chain = (levels: number) => {
      const files: Record<string, unknown> = { 'api.openapi.json': petsApi }
      for (let i = 1; i <= levels; i++) {
        files[`d${i}.arazzo.json`] = i === levels ? leaf : chainDoc([`d${i + 1}`])
      }
      return files
    }
    const loaded = await loadTree(chainDoc(['d1']), chain(MAX_SOURCE_DEPTH))
    const { requests } = await runRecorded(loaded)
    expect(requests).toHaveLength(1)
    const error = (await loadTree(chainDoc(['d1']), chain(MAX_SOURCE_DEPTH + 1)).catch(
      (e: unknown) => e
    )) as ArazzoLoadError
    expect(error.message).toMatch(new RegExp(`nested deeper than ${MAX_SOURCE_DEPTH} levels`))
  })

  test(`more than ${MAX_SOURCE_DOCUMENTS} documents in one load are refused`, async () => {
    const doc = (sources: number) =>
      arazzo(
        [
          {
            workflowId: 'main',
            steps: Array.from({ length: sources }, (_v, i) => ({
              stepId: `s${i}`,
              operationId: `$sourceDescriptions.api${i}.listPets`
            }))
          }
        ],
        {
          sourceDescriptions: Array.from({ length: sources }, (_v, i) => ({
            name: `api${i}`,
            url: `./api${i}.openapi.json`
          }))
        }
      )
    const files = (sources: number) =>
      Object.fromEntries(
        Array.from({ length: sources }, (_v, i) => [`api${i}.openapi.json`, petsApi])
      )
    // The root and 31 descriptions: 32 documents load; one more is refused.
    await loadWith(doc(MAX_SOURCE_DOCUMENTS - 1), petsApi, files(MAX_SOURCE_DOCUMENTS - 1))
    const error = await loadFailure(doc(MAX_SOURCE_DOCUMENTS), petsApi, files(MAX_SOURCE_DOCUMENTS))
    expect(error.message).toMatch(
      new RegExp(`more than ${MAX_SOURCE_DOCUMENTS} documents would be loaded`)
    )
  })

  /** A root document whose one step runs workflow `w` of the arazzo source at `url`. */
  const callsFlows = (url: string) =>
    arazzo(
      [
        { workflowId: 'main', steps: [{ stepId: 'go', workflowId: '$sourceDescriptions.flows.w' }] }
      ],
      {
        sourceDescriptions: [{ name: 'flows', url, type: 'arazzo' }]
      }
    )

  test('a document shared by two others is read once (diamond)', async () => {
    const reads: string[] = []
    const files: Record<string, string> = {
      'https://flows.example/root.arazzo.json': JSON.stringify(chainDoc(['a', 'b'])),
      'https://flows.example/a.arazzo.json': JSON.stringify(chainDoc(['shared'])),
      'https://flows.example/b.arazzo.json': JSON.stringify(chainDoc(['shared'])),
      'https://flows.example/shared.arazzo.json': JSON.stringify(leaf),
      'https://flows.example/api.openapi.json': JSON.stringify(petsApi)
    }
    const reader: SourceReader = async url => {
      reads.push(url)
      if (!(url in files)) throw new Error(`HTTP 404 from ${url}`)
      return files[url]
    }
    const loaded = await loadWith(
      callsFlows('https://flows.example/root.arazzo.json'),
      petsApi,
      {},
      { sourceReader: reader }
    )
    expect(reads.sort()).toEqual(Object.keys(files).sort())
    const { requests } = await runRecorded(loaded)
    // root -> a -> shared, root -> b -> shared: the shared workflow runs twice, read once.
    expect(requests).toHaveLength(2)
  })

  test('a remote document resolves relative URLs against itself and may not read local files', async () => {
    const remoteDoc = (url: string) =>
      JSON.stringify({ ...leaf, sourceDescriptions: [{ name: 'api', url }] })
    for (const [url, message] of [
      ['file:///etc/passwd', /may only refer to https URLs, never to local files/],
      ['/etc/passwd', /may only refer to https URLs, never to local files/],
      ['http://flows.example/api.openapi.json', /only https is allowed/]
    ] as const) {
      const error = await loadFailure(
        callsFlows('https://flows.example/x/leaf.json'),
        petsApi,
        {},
        { sourceReader: async () => remoteDoc(url) }
      )
      expect(error.message).toMatch(message)
    }
    const seen: string[] = []
    await loadWith(
      callsFlows('https://flows.example/x/leaf.json'),
      petsApi,
      {},
      {
        sourceReader: async url => {
          seen.push(url)
          return url.endsWith('leaf.json')
            ? remoteDoc('../apis/pets.json')
            : JSON.stringify(petsApi)
        }
      }
    )
    expect(seen).toEqual([
      'https://flows.example/x/leaf.json',
      'https://flows.example/apis/pets.json'
    ])
  })
})
