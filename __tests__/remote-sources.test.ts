/**
 * The action's reader of remote source descriptions (src/action/documents/remote-sources.ts): @actions/
 * tool-cache downloads from a loopback HTTPS server whose throwaway certificate this process
 * trusts, the tool cache, `source-integrity` pins, and the bounds (size, time, cancellation).
 */
import { createHash } from 'node:crypto'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { createRemoteSourceReader } from '../src/action/documents/remote-sources.js'
import { parseSourceIntegrity } from '../src/action/documents/source-integrity.js'
import type { SourceReader } from '../src/arazzo/index.js'
import { fetchRemote } from '../src/action/documents/remote-fetch.js'
import { refusingLookup } from '../src/policy/private-address.js'
import { startDescriptionServer, type DescriptionServer } from './support/description-server.js'
import { captureRunnerCommands } from './support/runner-commands.js'
import { tempDir } from './support/temp.js'
import { guardThisSuite } from './support/network-guard.js'

// These tests name internal addresses: a regression must reach nothing (it fails the test instead).
guardThisSuite()

const DOC = 'openapi: 3.1.0\ninfo: { title: t, version: "1" }\npaths: {}\n'
const DIGEST = createHash('sha256').update(DOC).digest('hex')
const MIB = 1024 * 1024

let server: DescriptionServer
let runnerTemp: string
const savedEnv = { ...process.env }
const defaultCAs = tls.getCACertificates('default')

// @actions/tool-cache logs `::debug::` lines, in this process: kept off the test run's stdout.
captureRunnerCommands()

beforeAll(async () => {
  server = await startDescriptionServer({
    '/api.yaml': { kind: 'document', body: DOC },
    '/endless.yaml': { kind: 'endless', chunk: `# ${'x'.repeat(8190)}\n` },
    '/huge.yaml': { kind: 'declares', length: 50 * MIB },
    '/stall.yaml': { kind: 'stall' },
    '/gone.yaml': { kind: 'document', body: 'gone', status: 410 }
  })
  tls.setDefaultCACertificates([...defaultCAs, server.cert])
})
afterAll(async () => {
  tls.setDefaultCACertificates(defaultCAs)
  await server.close()
})
beforeEach(() => {
  runnerTemp = tempDir('remote-sources-temp-')
  process.env.RUNNER_TEMP = runnerTemp
  delete process.env.RUNNER_TOOL_CACHE
  server.requests.length = 0
})
afterEach(() => {
  process.env = { ...savedEnv }
})

function reader(pins = new Map<string, string>(), timeoutMs?: number) {
  const lines: string[] = []
  const read: SourceReader = createRemoteSourceReader({
    pins,
    timeoutMs,
    log: (url, message) => lines.push(`${url}: ${message}`)
  })
  return { read, lines }
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Error
  )
  if (!outcome) throw new Error('expected a refusal')
  return outcome
}

describe('source-integrity input', () => {
  test('sha256:hex, SRI base64 and bare hex; comments and blank lines ignored', () => {
    const base64 = Buffer.from(DIGEST, 'hex').toString('base64')
    const pins = parseSourceIntegrity(
      [
        '# shared flows',
        `https://a.example/flows.yaml sha256:${DIGEST.toUpperCase()}`,
        '',
        `https://a.example/api.yaml#fragment   sha256-${base64}  # the API`,
        `https://b.example/x.yaml ${DIGEST}`
      ].join('\n')
    )
    expect([...pins]).toEqual([
      ['https://a.example/flows.yaml', DIGEST],
      ['https://a.example/api.yaml', DIGEST],
      ['https://b.example/x.yaml', DIGEST]
    ])
  })

  test.each([
    ['https://a.example/x.yaml', /line 1: expected '<https URL> sha256:<hex>'/],
    [`http://a.example/x.yaml sha256:${DIGEST}`, /line 1: only https URLs can be pinned/],
    ['https://a.example/x.yaml sha256:abc', /line 1: the digest must be/],
    [`nope sha256:${DIGEST}`, /line 1: 'nope' is not a URL/],
    [
      `https://a.example/x.yaml ${DIGEST}\nhttps://a.example/x.yaml ${'0'.repeat(64)}`,
      /line 2: .* pinned twice/
    ]
  ])('%s is refused', (text, message) => {
    expect(() => parseSourceIntegrity(text)).toThrow(message)
  })
})

describe('fetching with tool-cache', () => {
  test('fetches over https and logs the size and sha256 to pin', async () => {
    const { read, lines } = reader()
    await expect(read(server.url('/api.yaml'), { maxBytes: MIB })).resolves.toBe(DOC)
    expect(lines).toEqual([
      `${server.url('/api.yaml')}: fetched ${DOC.length} bytes, sha256 ${DIGEST}; not pinned, so fetched on every run and never cached: pin it with 'source-integrity'`
    ])
    // Nothing was written to disk: the bytes stay in memory.
    expect(readdirSync(runnerTemp)).toEqual([])
  })

  test('with RUNNER_TOOL_CACHE, a pinned URL is fetched once; an unpinned one on every run', async () => {
    process.env.RUNNER_TOOL_CACHE = tempDir('remote-sources-cache-')
    const url = server.url('/api.yaml')
    const { read, lines } = reader(new Map([[url, DIGEST]]))
    await read(url, { maxBytes: MIB })
    await expect(read(url, { maxBytes: MIB })).resolves.toBe(DOC)
    expect(server.requests.map(r => r.path)).toEqual(['/api.yaml'])
    expect(lines[1]).toBe(
      `${url}: from the runner's tool cache (sha256 ${DIGEST}, matches its pin)`
    )

    const unpinned = reader()
    await unpinned.read(url, { maxBytes: MIB })
    await unpinned.read(url, { maxBytes: MIB })
    expect(server.requests).toHaveLength(3)
  })

  test('a copy planted in the tool cache is never used: unpinned, or not matching its pin', async () => {
    const cache = tempDir('remote-sources-cache-')
    process.env.RUNNER_TOOL_CACHE = cache
    const url = server.url('/api.yaml')
    // Plant a description under the pinned key (as a previous job on the runner could).
    const planted = 'openapi: 3.1.0\ninfo: { title: planted, version: "1" }\npaths: {}\n'
    const { read } = reader(new Map([[url, DIGEST]]))
    await read(url, { maxBytes: MIB })
    const [dir] = readdirSync(join(cache, 'amplitude-dsar-arazzo-source'))
    const file = join(cache, 'amplitude-dsar-arazzo-source', dir, 'x64', 'description')
    writeFileSync(file, planted)
    await expect(read(url, { maxBytes: MIB })).resolves.toBe(DOC)
    expect(server.requests).toHaveLength(2)
  })

  test('a matching pin passes; a mismatch fails; with pins, an unpinned URL is refused', async () => {
    const url = server.url('/api.yaml')
    const good = reader(new Map([[url, DIGEST]]))
    await expect(good.read(url, { maxBytes: MIB })).resolves.toBe(DOC)
    expect(good.lines[0]).toMatch(/\(matches its pin\)$/)

    const wrong = '0'.repeat(64)
    const bad = reader(new Map([[url, wrong]]))
    expect((await failure(bad.read(url, { maxBytes: MIB }))).message).toBe(
      `integrity mismatch for ${url}: 'source-integrity' pins sha256 ${wrong}, the server sent ${DIGEST}`
    )

    const other = reader(new Map([['https://elsewhere.example/x.yaml', DIGEST]]))
    const before = server.requests.length
    expect((await failure(other.read(url, { maxBytes: MIB }))).message).toMatch(
      /refused: 'source-integrity' is set, and every remote source description must be pinned there/
    )
    expect(server.requests.length).toBe(before)
  })

  test('a cached copy that does not match the pin is fetched again and checked', async () => {
    process.env.RUNNER_TOOL_CACHE = tempDir('remote-sources-cache-')
    const url = server.url('/api.yaml')
    await reader().read(url, { maxBytes: MIB })
    const pinned = reader(new Map([[url, DIGEST]]))
    await pinned.read(url, { maxBytes: MIB })
    await pinned.read(url, { maxBytes: MIB })
    // Unpinned and pinned copies are cached apart; the pinned one is then served from the cache.
    expect(server.requests).toHaveLength(2)
  })
})

describe('bounds', () => {
  test('an endless body is cut off near the limit, not read to the end', async () => {
    const { read } = reader()
    const error = await failure(read(server.url('/endless.yaml'), { maxBytes: MIB }))
    expect(error.message).toBe(`${server.url('/endless.yaml')} is over the ${MIB} byte limit`)
    await new Promise(resolve => setTimeout(resolve, 200))
    const served = server.requests.find(r => r.path === '/endless.yaml')
    expect(served?.cutOff).toBe(true)
    // The guard checks the file every 50 ms: what got out is bounded well below a runaway.
    expect(served?.bytesSent).toBeLessThan(200 * MIB)
    expect(server.requests.filter(r => r.path === '/endless.yaml')).toHaveLength(1)
  })

  test('a declared Content-Length over the limit is refused before the body', async () => {
    const { read } = reader()
    const error = await failure(read(server.url('/huge.yaml'), { maxBytes: MIB }))
    expect(error.message).toMatch(/is over the 1048576 byte limit \(it declares 52428800 bytes\)/)
  })

  test('a stalled answer is given up after the timeout; not retried', async () => {
    const { read } = reader(new Map(), 300)
    const error = await failure(read(server.url('/stall.yaml'), { maxBytes: MIB }))
    expect(error.message).toBe(`${server.url('/stall.yaml')}: no complete answer within 300 ms`)
    expect(server.requests.filter(r => r.path === '/stall.yaml')).toHaveLength(1)
  })

  test('cancellation stops the fetch at once', async () => {
    const { read } = reader()
    const controller = new AbortController()
    const pending = read(server.url('/stall.yaml'), { maxBytes: MIB, signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    expect((await failure(pending)).message).toBe(`${server.url('/stall.yaml')}: fetch cancelled`)
  })

  test('an HTTP error status is named', async () => {
    const { read } = reader()
    expect((await failure(read(server.url('/gone.yaml'), { maxBytes: MIB }))).message).toBe(
      `${server.url('/gone.yaml')}: HTTP 410`
    )
  })
})

describe('the internal-address rule (src/policy/private-address.ts)', () => {
  test.each([
    ['a private IP literal', 'https://10.99.0.1:8443/meta', 'private'],
    ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/', 'link-local'],
    ['metadata through NAT64', 'https://[64:ff9b::a9fe:a9fe]/latest/', 'embedded in NAT64'],
    ['a private address through 6to4', 'https://[2002:a00:1::]/x', 'embedded in 6to4']
  ])('%s is refused before any connection', async (_name, url, kind) => {
    const { read } = reader()
    const error = await failure(read(url, { maxBytes: MIB }))
    expect(error.message).toContain(`${url} refused: refusing a `)
    expect(error.message).toContain(kind)
    expect(error.message).toContain('remote source descriptions never go to')
  })

  test('a name whose DNS answer is internal is refused at the connection (no rebinding gap)', async () => {
    // `localhost`, so the connect guard lets the name through to the lookup under test, whose
    // resolver (standing in for DNS) answers a private address.
    const answers: string[] = []
    const resolver = ((host: string, _options: unknown, callback: (...a: unknown[]) => void) => {
      answers.push(host)
      callback(null, [{ address: '10.0.0.7', family: 4 }])
    }) as never
    const error = await failure(
      fetchRemote('https://localhost:9/api.yaml', {
        maxBytes: MIB,
        timeoutMs: 10_000,
        lookup: refusingLookup(resolver)
      })
    )
    expect(answers).toEqual(['localhost'])
    expect(error.message).toBe(
      'https://localhost:9/api.yaml refused: refusing a private address: ' +
        'downloads and remote source descriptions never go to link-local, private or other ' +
        'internal addresses (cloud metadata, the local network)'
    )
  })

  test('each redirect hop is checked; the Location is not quoted', async () => {
    server.routes.set('/to-metadata', {
      kind: 'redirect',
      location: 'https://169.254.169.254/latest/meta-data/iam/security-credentials/'
    })
    server.routes.set('/to-http', { kind: 'redirect', location: 'http://127.0.0.1:9/x' })
    const { read } = reader()
    const metadata = await failure(read(server.url('/to-metadata'), { maxBytes: MIB }))
    expect(metadata.message).toMatch(
      /\/to-metadata: a redirect refused: refusing a link-local \(cloud metadata\) address/
    )
    expect(metadata.message).not.toContain('security-credentials')
    const downgrade = await failure(read(server.url('/to-http'), { maxBytes: MIB }))
    expect(downgrade.message).toMatch(/\/to-http: a redirect refused: only https is allowed/)
  })

  test('a redirect to an allowed host is followed', async () => {
    server.routes.set('/moved', { kind: 'redirect', location: '/api.yaml', status: 301 })
    const { read } = reader()
    await expect(read(server.url('/moved'), { maxBytes: MIB })).resolves.toBe(DOC)
  })
})
