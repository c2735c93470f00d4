import { createHash } from 'node:crypto'
import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { DownloadError, downloadRequestOutputs } from '../src/export/index.js'
import type { DownloadRequestOptions } from '../src/export/index.js'
import { VirtualClock } from '../src/arazzo/pacing.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { doneRequest, namesIn, removeDir, tempDir } from './export-helpers.js'
import { guardThisSuite } from './support/network-guard.js'

// Nothing here may reach beyond loopback, even if the internal-address rule regressed.
guardThisSuite()

let sim: Simulator
let dir: string
let clock = Date.now()

beforeAll(async () => {
  sim = await startSimulator({ job: { files: 3, linesPerFile: 40 }, now: () => clock })
})
afterAll(async () => {
  await sim.close()
})
beforeEach(async () => {
  sim.clearFaults()
  dir = await tempDir()
})
afterEach(async () => {
  await removeDir(dir)
})

function options(
  request: { requestId: string; urls: string[] },
  extra: Partial<DownloadRequestOptions> = {}
) {
  const lines: string[] = []
  const paced: URL[] = []
  const o: DownloadRequestOptions = {
    apiOrigin: sim.url,
    basicAuth: sim.basicAuth,
    requestId: request.requestId,
    urls: request.urls,
    downloadPath: dir,
    timeoutMs: 5_000,
    onLog: line => lines.push(line),
    beforeRequest: async (_method, url) => {
      paced.push(url)
    },
    ...extra
  }
  return { o, lines, paced }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function storageRequests(since: number) {
  return sim.log.slice(since).filter(entry => entry.host === 'storage')
}

async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(DownloadError)
  return error as DownloadError
}

test('three files land verified, 0600 in a 0700 directory, credentials never reach storage', async () => {
  const request = await doneRequest(sim)
  const logStart = sim.log.length
  const { o, lines, paced } = options(request)
  const files = await downloadRequestOutputs(o)

  expect(files.map(f => f.path)).toEqual([
    join(dir, request.requestId, 'output-001.json.gz'),
    join(dir, request.requestId, 'output-002.json.gz'),
    join(dir, request.requestId, 'output-003.json.gz')
  ])
  for (const [n, file] of files.entries()) {
    const expected = await sim.expectedFile(request.requestId, n)
    expect(file).toEqual({
      path: file.path,
      bytes: expected.bytes,
      sha256: expected.sha256,
      events: expected.lines,
      encrypted: false,
      requestId: request.requestId
    })
    const content = await readFile(file.path)
    expect(content.length).toBe(expected.bytes)
    expect(createHash('sha256').update(content).digest('hex')).toBe(expected.sha256)
    expect(gunzipSync(content).toString().split('\n').filter(Boolean)).toHaveLength(40)
    expect((await lstat(file.path)).mode & 0o777).toBe(0o600)
  }
  expect((await lstat(join(dir, request.requestId))).mode & 0o777).toBe(0o700)
  expect(await namesIn(join(dir, request.requestId))).toEqual([
    'output-001.json.gz',
    'output-002.json.gz',
    'output-003.json.gz'
  ])

  const seen = sim.log.slice(logStart)
  const api = seen.filter(entry => entry.host === 'api')
  const storage = seen.filter(entry => entry.host === 'storage')
  expect(api.map(e => [e.status, e.authorization])).toEqual([
    [302, true],
    [302, true],
    [302, true]
  ])
  expect(storage.map(e => [e.status, e.authorization])).toEqual([
    [200, false],
    [200, false],
    [200, false]
  ])
  // The pacer hears about every API request and about nothing else.
  expect(paced.map(url => url.href)).toEqual(request.urls)
  const logged = lines.join('\n')
  expect(logged).toContain('output 3 of 3')
  expect(logged).not.toContain('X-Amz')
  expect(logged).not.toContain(sim.storageUrl)
  expect(logged).not.toContain(sim.basicAuth)
})

test('a truncated gzip fails at once with a clear error and leaves no file', async () => {
  const request = await doneRequest(sim)
  sim.addFault({ host: 'storage', times: 1, skip: 1, action: { type: 'truncatedGzip' } })
  const logStart = sim.log.length
  const error = await failure(downloadRequestOutputs(options(request).o))

  expect(error.requestId).toBe(request.requestId)
  expect(error.output).toBe(2)
  expect(error.message).toMatch(
    new RegExp(`request ${request.requestId}: output 2 of 3: .*truncated`)
  )
  // Permanent: not downloaded again.
  expect(storageRequests(logStart)).toHaveLength(2)
  // Output 1 was verified and stays; nothing of output 2 remains, not even a partial file.
  expect(await namesIn(join(dir, request.requestId))).toEqual(['output-001.json.gz'])
})

test('an expired link (403 from storage) fails clearly without naming the URL', async () => {
  const request = await doneRequest(sim)
  const saved = clock
  clock += 3 * 24 * 3_600_000 // past the two-day link lifetime
  try {
    const logStart = sim.log.length
    const error = await failure(downloadRequestOutputs(options(request).o))
    expect(error.output).toBe(1)
    expect(error.message).toContain(`request ${request.requestId}: output 1 of 3`)
    expect(error.message).toMatch(/HTTP 403 AccessDenied: the download link expired or was refused/)
    expect(error.message).not.toContain(sim.storageUrl)
    expect(storageRequests(logStart).map(e => e.status)).toEqual([403])
    expect(await namesIn(join(dir, request.requestId))).toEqual([])
  } finally {
    clock = saved
  }
})

test('transient failures (503, reset, stall) download the file again from scratch', async () => {
  const request = await doneRequest(sim)
  sim.addFault({ host: 'storage', times: 1, action: { type: 'status', status: 503 } })
  sim.addFault({ host: 'storage', times: 1, skip: 1, action: { type: 'reset' } })
  // The stall lasts until the client gives up. The idle limit must be long enough that a healthy
  // transfer never trips it on a slow, loaded machine (300 ms did, at a quarter of this one's speed).
  sim.addFault({ host: 'storage', times: 1, skip: 2, action: { type: 'stall', ms: 60_000 } })
  const logStart = sim.log.length
  const { o, lines } = options(request, { maxAttempts: 4, timeoutMs: 2_000 })
  const files = await downloadRequestOutputs(o)

  const expected = await sim.expectedFile(request.requestId, 0)
  expect(files[0].sha256).toBe(expected.sha256)
  expect(files[0].events).toBe(expected.lines)
  expect(files).toHaveLength(3)
  // Output 1 took four storage GETs (503, reset, stall, success); each retry started over at the API.
  const storage = storageRequests(logStart)
  expect(storage).toHaveLength(6)
  expect(sim.log.slice(logStart).filter(e => e.host === 'api')).toHaveLength(6)
  const retries = lines.filter(line => line.includes('retrying'))
  expect(retries).toHaveLength(3)
  expect(retries[0]).toContain('HTTP 503')
  expect(retries[1]).toMatch(/connection failed|ECONNRESET|socket hang up/)
  expect(retries[2]).toContain('stalled')
})

test('a transient failure that persists gives up after maxAttempts', async () => {
  const request = await doneRequest(sim)
  sim.addFault({ host: 'storage', action: { type: 'status', status: 500 } })
  const logStart = sim.log.length
  const error = await failure(downloadRequestOutputs(options(request, { maxAttempts: 2 }).o))
  expect(error.message).toMatch(/output 1 of 3: HTTP 500 \(temporary\); gave up after 2 attempts/)
  expect(storageRequests(logStart)).toHaveLength(2)
  expect(await namesIn(join(dir, request.requestId))).toEqual([])
})

test('permanent API answers (404, 401) fail at once', async () => {
  const request = await doneRequest(sim)
  const missing = { ...request, urls: [request.urls[0].replace(/outputs\/0$/, 'outputs/99')] }
  const logStart = sim.log.length
  const notFound = await failure(downloadRequestOutputs(options(missing).o))
  expect(notFound.message).toMatch(/output 1 of 1: HTTP 404: output not found/)
  expect(sim.log.slice(logStart)).toHaveLength(1)

  const refused = await failure(
    downloadRequestOutputs(options(request, { basicAuth: Buffer.from('a:b').toString('base64') }).o)
  )
  expect(refused.message).toMatch(/HTTP 401: the API refused the credentials/)
})

test('a file under an output name that no manifest vouches for is replaced', async () => {
  const request = await doneRequest(sim)
  const requestDir = join(dir, request.requestId)
  await mkdir(requestDir, { recursive: true })
  await writeFile(join(requestDir, 'output-002.json.gz'), 'a partial earlier download')
  const files = await downloadRequestOutputs(options(request).o)
  const expected = await sim.expectedFile(request.requestId, 1)
  expect(sha256(await readFile(join(requestDir, 'output-002.json.gz')))).toBe(expected.sha256)
  expect(files[1].sha256).toBe(expected.sha256)
})

test('a run that failed half-way is resumed: whole files kept, the rest fetched, changed ones replaced', async () => {
  const request = await doneRequest(sim)
  const requestDir = join(dir, request.requestId)
  // Output 2 arrives corrupt: a permanent failure after output 1 was stored.
  sim.addFault({ host: 'storage', skip: 1, times: 1, action: { type: 'truncatedGzip' } })
  const first = await failure(downloadRequestOutputs(options(request).o))
  expect(first.message).toMatch(/output 2 of 3: the file is not a complete gzip/)
  expect(first.done.map(f => f.path)).toEqual([join(requestDir, 'output-001.json.gz')])
  expect(await namesIn(requestDir)).toEqual(['output-001.json.gz'])
  expect((await lstat(join(requestDir, '.dsar-manifest.json'))).mode & 0o777).toBe(0o600)

  const logStart = sim.log.length
  const { o, lines } = options(request)
  const files = await downloadRequestOutputs(o)
  expect(files).toHaveLength(3)
  // Only outputs 2 and 3 were fetched again.
  expect(storageRequests(logStart)).toHaveLength(2)
  expect(lines).toContain(
    `request ${request.requestId}: output 1 of 3: kept output-001.json.gz from an earlier run (whole, sha256 checked)`
  )
  expect(files[0]).toEqual(first.done[0])

  // A kept file whose bytes changed on disk is not whole any more: fetched again.
  await writeFile(join(requestDir, 'output-003.json.gz'), 'tampered')
  const again = sim.log.length
  await downloadRequestOutputs(options(request).o)
  expect(storageRequests(again)).toHaveLength(1)
  const expected = await sim.expectedFile(request.requestId, 2)
  expect(sha256(await readFile(join(requestDir, 'output-003.json.gz')))).toBe(expected.sha256)
})

test('a symlink planted as the request directory is refused', async () => {
  const request = await doneRequest(sim)
  const elsewhere = join(dir, 'elsewhere')
  await mkdir(elsewhere)
  await mkdir(join(dir, 'downloads'))
  await symlink(elsewhere, join(dir, 'downloads', request.requestId))
  const logStart = sim.log.length
  const error = await failure(
    downloadRequestOutputs(options(request, { downloadPath: join(dir, 'downloads') }).o)
  )
  expect(error.message).toMatch(/is a symlink/)
  expect(sim.log.length).toBe(logStart)
  expect(await namesIn(elsewhere)).toEqual([])
})

test('a symlink planted as a partial file is replaced, never followed', async () => {
  const request = await doneRequest(sim)
  const requestDir = join(dir, request.requestId)
  await mkdir(requestDir, { recursive: true, mode: 0o700 })
  const victim = join(dir, 'victim.txt')
  await writeFile(victim, 'do not touch')
  await symlink(victim, join(requestDir, 'output-001.json.gz.partial'))
  const files = await downloadRequestOutputs(options(request).o)
  expect(files).toHaveLength(3)
  expect(await readFile(victim, 'utf8')).toBe('do not touch')
  expect((await lstat(files[0].path)).isFile()).toBe(true)
})

test('unsafe request ids and invalid URLs are refused before any request', async () => {
  const request = await doneRequest(sim)
  const logStart = sim.log.length
  for (const requestId of ['../escape', 'a/b', '', '53367\n']) {
    const error = await failure(downloadRequestOutputs(options({ ...request, requestId }).o))
    expect(error.message).toContain('refusing this request id')
  }
  const bad = await failure(downloadRequestOutputs(options({ ...request, urls: ['not a url'] }).o))
  expect(bad.output).toBe(1)
  const plain = await failure(
    downloadRequestOutputs(
      options({ ...request, urls: [request.urls[0], 'http://bucket.example.com/x'] }).o
    )
  )
  expect(plain.output).toBe(2)
  expect(plain.message).toMatch(/output 2 of 2: refusing plain http to a non-loopback host/)
  expect(sim.log.length).toBe(logStart)
  expect(await namesIn(dir)).toEqual([])
})

test('a URL on another origin (a presigned link given directly) is fetched without credentials', async () => {
  const request = await doneRequest(sim)
  const redirect = await fetch(request.urls[0], {
    headers: { authorization: `Basic ${sim.basicAuth}` },
    redirect: 'manual'
  })
  const presigned = redirect.headers.get('location') ?? ''
  expect(presigned.startsWith(sim.storageUrl)).toBe(true)
  const logStart = sim.log.length
  const { o, paced } = options({ ...request, urls: [presigned] })
  const [file] = await downloadRequestOutputs(o)
  expect(file.sha256).toBe((await sim.expectedFile(request.requestId, 0)).sha256)
  expect(sim.log.slice(logStart).map(e => [e.host, e.authorization])).toEqual([['storage', false]])
  expect(paced).toEqual([]) // no API request, no budget spent
})

test('an abort stops the download and removes the partial file', async () => {
  const request = await doneRequest(sim)
  sim.addFault({ host: 'storage', action: { type: 'dribble', bytesPerSecond: 500 } })
  const controller = new AbortController()
  const { o } = options(request, {
    signal: controller.signal,
    onLog: line => {
      if (line.includes('downloading'))
        setTimeout(() => controller.abort(new Error('cancelled')), 200)
    }
  })
  const error = await failure(downloadRequestOutputs(o))
  expect(error.message).toMatch(/output 1 of 3: aborted/)
  expect(await namesIn(join(dir, request.requestId))).toEqual([])
})

test("the retry waits on the run's clock and jitter (the clock and random seam)", async () => {
  const request = await doneRequest(sim)
  sim.addFault({ host: 'storage', times: 2, action: { type: 'status', status: 503 } })
  const virtual = new VirtualClock(Date.now())
  const { o, lines } = options(request, { maxAttempts: 3, clock: virtual, random: () => 0 })
  const files = await downloadRequestOutputs(o)
  expect(files).toHaveLength(3)
  expect(sim.faultsInjected).toBeGreaterThanOrEqual(2)
  // Half jitter at its floor: 250 ms then 500 ms, halved; slept on the given clock, not in real time.
  expect(virtual.sleeps).toEqual([125, 250])
  expect(lines.filter(line => line.includes('retrying'))).toEqual([
    expect.stringContaining('retrying in 125 ms'),
    expect.stringContaining('retrying in 250 ms')
  ])
})
