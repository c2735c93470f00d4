/**
 * The download's HTTP behaviour against small in-test servers, for what the simulator does not
 * script: a connection cut or stalled in the middle of a body, redirect chains, Retry-After.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { DownloadError, downloadRequestOutputs } from '../src/export/index.js'
import type { DownloadRequestOptions } from '../src/export/index.js'
import { createCredentialPolicy } from '../src/policy/credentials.js'
import { namesIn, removeDir, tempDir } from './export-helpers.js'

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void
interface Seen {
  server: 'api' | 'store'
  path: string
  authorization?: string
}

const BASIC = Buffer.from('key:secret').toString('base64')
const LINES = Array.from({ length: 500 }, (_, i) => JSON.stringify({ event_type: 'e', n: i }))
const GZIP = gzipSync(LINES.join('\n') + '\n')
const SHA256 = createHash('sha256').update(GZIP).digest('hex')

let api: http.Server
let store: http.Server
let apiOrigin: string
let storeOrigin: string
let apiHandlers: Handler[] = []
let storeHandlers: Handler[] = []
let seen: Seen[] = []
let dir: string

function scripted(name: Seen['server'], handlers: () => Handler[]): http.Server {
  return http.createServer((req, res) => {
    seen.push({ server: name, path: req.url ?? '', authorization: req.headers.authorization })
    const handler = handlers().shift() ?? ((_q, r) => r.writeHead(500).end())
    req.resume()
    handler(req, res)
  })
}

async function listen(server: http.Server, host: string): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, host, resolve))
  return `http://${host}:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  api = scripted('api', () => apiHandlers)
  store = scripted('store', () => storeHandlers)
  apiOrigin = await listen(api, '127.0.0.1')
  storeOrigin = await listen(store, '127.0.0.2')
})
afterAll(async () => {
  for (const server of [api, store]) {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})
beforeEach(async () => {
  apiHandlers = []
  storeHandlers = []
  seen = []
  dir = await tempDir()
})
afterEach(async () => {
  await removeDir(dir)
})

const redirect =
  (location: string, status = 302): Handler =>
  (_req, res) =>
    res.writeHead(status, { location }).end()
const toStore = () => redirect(`${storeOrigin}/bucket/file.json.gz?X-Amz-Signature=secret`)
const serveFile: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': String(GZIP.length) })
  res.end(GZIP)
}

function run(extra: Partial<DownloadRequestOptions> = {}) {
  const lines: string[] = []
  const paced: string[] = []
  const promise = downloadRequestOutputs({
    apiOrigin,
    basicAuth: BASIC,
    requestId: '777',
    urls: [`${apiOrigin}/api/2/dsar/requests/777/outputs/0`],
    downloadPath: dir,
    timeoutMs: 2_000,
    onLog: line => lines.push(line),
    beforeRequest: async (method, url) => {
      paced.push(`${method} ${url.origin}`)
    },
    ...extra
  })
  return { promise, lines, paced }
}

async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(DownloadError)
  return error as DownloadError
}

test('a connection cut in the middle of the body is retried from scratch', async () => {
  apiHandlers = [toStore(), toStore()]
  storeHandlers = [
    (_req, res) => {
      res.writeHead(200, { 'content-length': String(GZIP.length) })
      res.write(GZIP.subarray(0, GZIP.length >> 1), () => setTimeout(() => res.destroy(), 20))
    },
    serveFile
  ]
  const { promise, lines } = run()
  const [file] = await promise
  expect(file).toMatchObject({ bytes: GZIP.length, sha256: SHA256, events: LINES.length })
  expect(lines.filter(line => line.includes('retrying'))).toHaveLength(1)
  expect(lines.find(line => line.includes('retrying'))).toMatch(/connection failed|ended after/)
  expect(await namesIn(join(dir, '777'))).toEqual(['output-001.json.gz'])
  expect((await readFile(file.path)).equals(GZIP)).toBe(true)
})

test('a body that stops arriving is a stall: retried, and nothing partial is left', async () => {
  apiHandlers = [toStore(), toStore()]
  storeHandlers = [
    (_req, res) => {
      res.writeHead(200, { 'content-length': String(GZIP.length) })
      res.write(GZIP.subarray(0, 100)) // ...and nothing more
    },
    serveFile
  ]
  // Long enough that the healthy second attempt never counts as stalled on a slow, loaded machine.
  const { promise, lines } = run({ timeoutMs: 1_000 })
  const [file] = await promise
  expect(file.sha256).toBe(SHA256)
  expect(lines.find(line => line.includes('retrying'))).toContain('stalled')
  expect(await namesIn(join(dir, '777'))).toEqual(['output-001.json.gz'])
})

test('credentials go to the API origin only, and never again once the chain left it', async () => {
  // api -> store -> back to api (no credentials now) -> store
  apiHandlers = [redirect(`${storeOrigin}/hop`), redirect(`${storeOrigin}/final`)]
  storeHandlers = [redirect(`${apiOrigin}/back`), serveFile]
  const { promise, paced } = run()
  const [file] = await promise
  expect(file.sha256).toBe(SHA256)
  expect(seen.map(s => [s.server, s.path, s.authorization])).toEqual([
    ['api', '/api/2/dsar/requests/777/outputs/0', `Basic ${BASIC}`],
    ['store', '/hop', undefined],
    ['api', '/back', undefined],
    ['store', '/final', undefined]
  ])
  // The pacer is told about both API-origin requests, and about nothing else.
  expect(paced).toEqual([`GET ${apiOrigin}`, `GET ${apiOrigin}`])
})

test("output links on a second trusted origin (Amplitude's web host) carry the credentials, storage never", async () => {
  // The "store" server plays the web host here, and the API server plays storage.
  const web = `${storeOrigin}/api/2/dsar/requests/777/outputs/0`
  storeHandlers = [redirect(`${apiOrigin}/bucket/file.json.gz?X-Amz-Signature=secret`)]
  apiHandlers = [serveFile]
  const credentials = createCredentialPolicy({ apiOrigin, extraOrigins: [storeOrigin] })
  const { promise, paced } = run({ urls: [web], credentials })
  const [file] = await promise
  expect(file.sha256).toBe(SHA256)
  expect(seen.map(s => [s.server, s.path.split('?')[0], s.authorization])).toEqual([
    ['store', '/api/2/dsar/requests/777/outputs/0', `Basic ${BASIC}`],
    ['api', '/bucket/file.json.gz', undefined]
  ])
  // The budget pays for the link on the web host too (it is a DSAR endpoint).
  expect(paced[0]).toBe(`GET ${storeOrigin}`)
})

test('an output link on an origin not trusted goes without credentials; its 401 names credential-origins', async () => {
  storeHandlers = [(_req, res) => res.writeHead(401, { 'www-authenticate': 'Basic' }).end()]
  const { promise } = run({ urls: [`${storeOrigin}/api/2/dsar/requests/777/outputs/0`] })
  const error = await failure(promise)
  expect(seen).toEqual([
    { server: 'store', path: '/api/2/dsar/requests/777/outputs/0', authorization: undefined }
  ])
  expect(error.message).toContain(
    `request 777: output 1 of 1: HTTP 401 from the output link on ${storeOrigin}: no credentials were sent to that origin`
  )
  expect(error.message).toContain("'credential-origins'")
  expect(error.message).not.toMatch(/refused the credentials/)
})

test('a relative Location is resolved against the current URL', async () => {
  apiHandlers = [redirect('../../777/file'), (_req, res) => res.writeHead(404).end()]
  const { promise } = run()
  const error = await failure(promise)
  // The second request went to the API origin at the resolved path, without credentials: they
  // go to output links (`.../outputs/{n}`) alone.
  expect(seen[0].authorization).toBe(`Basic ${BASIC}`)
  expect(seen[1]).toEqual({
    server: 'api',
    path: '/api/2/dsar/requests/777/file',
    authorization: undefined
  })
  expect(error.message).toMatch(/HTTP 404: output not found/)
})

test('more than five redirects are refused', async () => {
  apiHandlers = Array.from({ length: 10 }, () => redirect('/again', 307))
  const error = await failure(run().promise)
  expect(error.message).toMatch(/more than 5 redirects/)
  expect(seen).toHaveLength(6)
})

test('a redirect to plain http on a non-loopback host is refused without connecting', async () => {
  apiHandlers = [redirect('http://example.invalid/bucket/file?X-Amz-Signature=secret')]
  const error = await failure(run().promise)
  expect(error.message).toMatch(/plain http to a non-loopback host/)
  expect(error.message).not.toContain('secret')
  expect(seen).toHaveLength(1)
})

test('429 with a short Retry-After is retried; a long one fails at once', async () => {
  apiHandlers = [
    (_req, res) => res.writeHead(429, { 'retry-after': '0' }).end(),
    toStore(),
    (_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end()
  ]
  storeHandlers = [serveFile]
  const first = run()
  const [file] = await first.promise
  expect(file.sha256).toBe(SHA256)
  expect(first.lines.find(line => line.includes('retrying'))).toContain('HTTP 429')

  const second = await failure(run({ downloadPath: join(dir, 'second') }).promise)
  expect(second.message).toMatch(/HTTP 429; the server asks to wait 3600 s/)
})

test('a body that is not gzip fails at once and leaves no file', async () => {
  apiHandlers = [toStore()]
  storeHandlers = [(_req, res) => res.writeHead(200).end('{"this is":"not gzip"}\n')]
  const error = await failure(run().promise)
  expect(error.message).toMatch(/output 1 of 1: the file is not a complete gzip \(corrupt/)
  expect(seen.filter(s => s.server === 'store')).toHaveLength(1)
  expect(await namesIn(join(dir, '777'))).toEqual([])
})

test('an empty body is not a valid export', async () => {
  apiHandlers = [toStore()]
  storeHandlers = [(_req, res) => res.writeHead(200, { 'content-length': '0' }).end()]
  const error = await failure(run().promise)
  expect(error.message).toMatch(/not a complete gzip/)
  expect(await namesIn(join(dir, '777'))).toEqual([])
})

test('HTTP 403 from the API (credentials sent) is told apart from an expired link', async () => {
  apiHandlers = [(_req, res) => res.writeHead(403).end()]
  const error = await failure(run().promise)
  expect(error.message).toMatch(/request 777: output 1 of 1: HTTP 403: the API refused access/)
})
