/**
 * A large export streams through with bounded memory, plain and age-encrypted. The file is a
 * real gzip of 128 concatenated members (valid gzip: readers decode members one after another),
 * served by an in-test server that repeats one prebuilt member, so the server itself costs no
 * memory and the measurement is about the download alone.
 *
 * Sized to pass on a machine four times slower than the 2-core one it was written on: 128 MiB
 * is above the 100 MiB memory bound (a download that buffered the file would exceed it) yet
 * takes ~3 s plain and ~12 s encrypted here; the timeouts are a safety net, not a speed claim
 * (throughput lives in `npm run bench`). Each test's work is aborted when the test ends, so a
 * test that timed out cannot keep running into the next one, nor keep Jest from exiting.
 */
import { Decrypter, generateIdentity, identityToRecipient } from 'age-encryption'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { downloadRequestOutputs } from '../src/export/index.js'
import { removeDir, tempDir } from './export-helpers.js'

const MEMBERS = 128
const MB = 1024 * 1024
let member: Buffer
let linesPerMember = 0
let server: http.Server
let fileUrl: string
let dir: string
let stop: AbortController
/** Generous: at a quarter of this machine's speed the encrypted test takes about a minute. */
const SAFETY_NET_MS = 300_000

function buildMember(): Buffer {
  // Lines of base64 noise barely compress, so the 200 MB of gzip cost little gunzip work (the
  // test measures memory, not zlib speed): ~1.5 MB of lines give a member just over 1 MiB.
  const lines: string[] = []
  let size = 0
  while (size < 1.5 * MB) {
    const line = `{"event_type":"page_view","payload":"${randomBytes(3072).toString('base64')}"}\n`
    lines.push(line)
    size += line.length
  }
  linesPerMember = lines.length
  return gzipSync(lines.join(''))
}

beforeAll(async () => {
  member = buildMember()
  server = http.createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-length': String(member.length * MEMBERS)
    })
    Readable.from(
      (function* () {
        for (let i = 0; i < MEMBERS; i++) yield member
      })()
    ).pipe(res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  fileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bucket/export.json.gz`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})
beforeEach(async () => {
  dir = await tempDir()
  stop = new AbortController()
})
afterEach(async () => {
  // A test that failed or timed out must not leave its download running.
  stop.abort(new Error('test ended'))
  await removeDir(dir)
})

function expectedSha256(): string {
  const hash = createHash('sha256')
  for (let i = 0; i < MEMBERS; i++) hash.update(member)
  return hash.digest('hex')
}

/** Runs `work` while sampling RSS; returns the largest growth over the starting RSS. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const start = process.memoryUsage().rss
  let peak = start
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 5)
  // Never what keeps the process alive (it ran on after a timed-out test and held Jest open).
  sampler.unref()
  try {
    const result = await work()
    peak = Math.max(peak, process.memoryUsage().rss)
    return { result, growth: peak - start }
  } finally {
    clearInterval(sampler)
  }
}

test(
  'a 128 MiB gzip export streams to disk with bounded memory',
  async () => {
    expect(member.length * MEMBERS).toBeGreaterThan(128 * MB)
    const { result: files, growth } = await rssGrowth(() =>
      downloadRequestOutputs({
        apiOrigin: 'https://amplitude.com', // the file URL is another origin: fetched without credentials
        basicAuth: 'unused',
        requestId: 'large',
        urls: [fileUrl],
        downloadPath: dir,
        signal: stop.signal
      })
    )
    expect(files[0].bytes).toBe(member.length * MEMBERS)
    expect(files[0].sha256).toBe(expectedSha256())
    expect(files[0].events).toBe(linesPerMember * MEMBERS)
    expect((await stat(files[0].path)).size).toBe(member.length * MEMBERS)
    expect(growth).toBeLessThan(100 * MB)
  },
  SAFETY_NET_MS
)

test(
  'a 128 MiB export is age-encrypted while streaming, with bounded memory',
  async () => {
    const identity = await generateIdentity()
    const recipient = await identityToRecipient(identity)
    const { result: files, growth } = await rssGrowth(() =>
      downloadRequestOutputs({
        apiOrigin: 'https://amplitude.com',
        basicAuth: 'unused',
        requestId: 'large',
        urls: [fileUrl],
        downloadPath: dir,
        recipients: [recipient],
        signal: stop.signal
      })
    )
    expect(growth).toBeLessThan(100 * MB)
    expect(files[0]).toMatchObject({ bytes: member.length * MEMBERS, encrypted: true })
    expect(files[0].path.endsWith('output-001.json.gz.age')).toBe(true)

    // Decrypt as a stream too, and compare with what was served.
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    const ciphertext = Readable.toWeb(createReadStream(files[0].path)) as ReadableStream<Uint8Array>
    const plaintext = await decrypter.decrypt(ciphertext)
    const hash = createHash('sha256')
    let bytes = 0
    for await (const chunk of plaintext) {
      stop.signal.throwIfAborted()
      hash.update(chunk)
      bytes += chunk.length
    }
    expect(bytes).toBe(member.length * MEMBERS)
    expect(hash.digest('hex')).toBe(expectedSha256())
  },
  SAFETY_NET_MS
)
