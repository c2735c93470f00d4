import { MANIFEST_NAME } from '../src/export/resume.js'
import { Decrypter, generateIdentity, identityToRecipient } from 'age-encryption'
import { createHash } from 'node:crypto'
import { watch } from 'node:fs'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { DownloadError, downloadRequestOutputs } from '../src/export/index.js'
import { startSimulator, type Simulator } from '../src/simulator/index.js'
import { doneRequest, namesIn, removeDir, tempDir } from './export-helpers.js'

const AGE_HEADER = 'age-encryption.org/v1\n'
let sim: Simulator
let dir: string

beforeAll(async () => {
  sim = await startSimulator({ job: { files: 2, linesPerFile: 60 } })
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

/** The first bytes of a file, or undefined when it is gone or still shorter than that. */
async function head(path: string, bytes: number): Promise<string | undefined> {
  try {
    const handle = await open(path, 'r')
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0)
      return bytesRead === bytes ? buffer.toString('latin1') : undefined
    } finally {
      await handle.close()
    }
  } catch {
    return undefined
  }
}

test('files are age-encrypted while streaming: round trip, and no plaintext ever on disk', async () => {
  const request = await doneRequest(sim)
  const identity = await generateIdentity()
  const recipient = await identityToRecipient(identity)
  // Slow storage, so the partial files live long enough to be looked at while they are written.
  sim.addFault({ host: 'storage', action: { type: 'dribble', bytesPerSecond: 20_000 } })

  const requestDir = join(dir, request.requestId)
  await mkdir(requestDir, { recursive: true, mode: 0o700 })
  const seenNames = new Set<string>()
  const partialHeads: string[] = []
  const pending: Promise<void>[] = []
  const watcher = watch(requestDir, (_event, name) => {
    // (inotify also reports the watched directory itself, by its own name, when it is chmodded)
    if (!name || name === request.requestId) return
    // The resume manifest (and its partial) holds sizes and hashes only, never export content.
    if (name.startsWith(MANIFEST_NAME)) return
    seenNames.add(name)
    if (name.endsWith('.partial')) {
      pending.push(
        head(join(requestDir, name), AGE_HEADER.length).then(text => {
          if (text !== undefined) partialHeads.push(text)
        })
      )
    }
  })
  let files
  try {
    files = await downloadRequestOutputs({
      apiOrigin: sim.url,
      basicAuth: sim.basicAuth,
      requestId: request.requestId,
      urls: request.urls,
      downloadPath: dir,
      recipients: [recipient]
    })
    await sleep(50) // let the last watch events arrive
  } finally {
    watcher.close()
  }
  await Promise.all(pending)

  // Only ciphertext names ever appeared, and every partial file read began with the age header.
  expect([...seenNames].sort()).toEqual([
    'output-001.json.gz.age',
    'output-001.json.gz.age.partial',
    'output-002.json.gz.age',
    'output-002.json.gz.age.partial'
  ])
  expect(partialHeads.length).toBeGreaterThan(0)
  for (const text of partialHeads) expect(text).toBe(AGE_HEADER)
  expect(await namesIn(requestDir)).toEqual(['output-001.json.gz.age', 'output-002.json.gz.age'])

  const decrypter = new Decrypter()
  decrypter.addIdentity(identity)
  for (const [n, file] of files.entries()) {
    const expected = await sim.expectedFile(request.requestId, n)
    // bytes and sha256 describe the gzip as served, not the encrypted file on disk.
    expect(file).toMatchObject({
      bytes: expected.bytes,
      sha256: expected.sha256,
      events: expected.lines,
      encrypted: true
    })
    const stored = await readFile(file.path)
    expect(stored.subarray(0, AGE_HEADER.length).toString('latin1')).toBe(AGE_HEADER)
    const plaintext = await decrypter.decrypt(new Uint8Array(stored))
    expect(plaintext.length).toBe(expected.bytes)
    expect(createHash('sha256').update(plaintext).digest('hex')).toBe(expected.sha256)
    expect(gunzipSync(plaintext).toString().split('\n').filter(Boolean)).toHaveLength(60)
  }
})

test('a bad recipient is refused before any request is made', async () => {
  const request = await doneRequest(sim)
  const logStart = sim.log.length
  const error = await downloadRequestOutputs({
    apiOrigin: sim.url,
    basicAuth: sim.basicAuth,
    requestId: request.requestId,
    urls: request.urls,
    downloadPath: dir,
    recipients: ['age1notarealrecipient']
  }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(DownloadError)
  expect((error as DownloadError).message).toMatch(/invalid age recipient/)
  expect(sim.log.length).toBe(logStart)
  expect(await namesIn(dir)).toEqual([])
})

test('a failed encrypted download leaves no file behind', async () => {
  const request = await doneRequest(sim)
  const identity = await generateIdentity()
  sim.addFault({ host: 'storage', action: { type: 'truncatedGzip' } })
  const error = await downloadRequestOutputs({
    apiOrigin: sim.url,
    basicAuth: sim.basicAuth,
    requestId: request.requestId,
    urls: request.urls,
    downloadPath: dir,
    recipients: [await identityToRecipient(identity)]
  }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(DownloadError)
  expect((error as DownloadError).message).toMatch(/output 1 of 2: .*truncated/)
  expect(await namesIn(join(dir, request.requestId))).toEqual([])
})
