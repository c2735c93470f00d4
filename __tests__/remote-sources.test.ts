/**
 * The action's reader of remote source descriptions (src/action/remote-sources.ts): @actions/
 * tool-cache downloads from a loopback HTTPS server whose throwaway certificate this process
 * trusts, the tool cache, `source-integrity` pins, and the bounds (size, time, cancellation).
 */
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as tls from 'node:tls'
import { createRemoteSourceReader } from '../src/action/remote-sources.js'
import { parseSourceIntegrity } from '../src/action/source-integrity.js'
import type { SourceReader } from '../src/arazzo/index.js'
import { startDescriptionServer, type DescriptionServer } from './support/description-server.js'
import { captureRunnerCommands } from './support/runner-commands.js'
import { tempDir } from './support/temp.js'

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
      `${server.url('/api.yaml')}: fetched ${DOC.length} bytes, sha256 ${DIGEST}; pin it with 'source-integrity'`
    ])
    // The temporary download is gone.
    expect(readdirSync(join(runnerTemp, 'arazzo-sources'))).toEqual([])
  })

  test('with RUNNER_TOOL_CACHE, the same URL is fetched once', async () => {
    process.env.RUNNER_TOOL_CACHE = tempDir('remote-sources-cache-')
    const { read, lines } = reader()
    await read(server.url('/api.yaml'), { maxBytes: MIB })
    await expect(read(server.url('/api.yaml'), { maxBytes: MIB })).resolves.toBe(DOC)
    expect(server.requests.map(r => r.path)).toEqual(['/api.yaml'])
    expect(lines[1]).toBe(
      `${server.url('/api.yaml')}: from the runner's tool cache (sha256 ${DIGEST})`
    )
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
