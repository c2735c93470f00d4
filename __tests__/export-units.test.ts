/** The export download's pure parts: redirect/credential policy, verification, safe file names. */
import { createHash } from 'node:crypto'
import { chmod, lstat, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { gzipSync } from 'node:zlib'
import { TransferError } from '../src/export/errors.js'
import {
  createPartialFile,
  isSafeRequestId,
  outputFileName,
  prepareRequestDir,
  publishFile
} from '../src/export/safe-files.js'
import { assertFetchable, nextHop } from '../src/export/url-policy.js'
import { LineCounter, VerifyingTap } from '../src/export/verify-stream.js'
import { namesIn, removeDir, tempDir } from './export-helpers.js'

describe('redirect and credential policy', () => {
  const refused = (fn: () => unknown) => {
    try {
      fn()
    } catch (error) {
      expect(error).toBeInstanceOf(TransferError)
      expect((error as TransferError).transient).toBe(false)
      return (error as Error).message
    }
    throw new Error('expected a refusal')
  }

  test('https -> http is a refused downgrade, even to loopback', () => {
    const from = new URL('https://amplitude.com/api/2/dsar/requests/1/outputs/0')
    expect(refused(() => nextHop(from, 'http://127.0.0.1:9000/bucket/x'))).toMatch(/downgrade/)
    expect(refused(() => nextHop(from, 'http://s3.amazonaws.com/bucket/x'))).toMatch(/downgrade/)
  })

  test('https -> https and loopback http -> http are followed; relative locations resolve', () => {
    const from = new URL('https://amplitude.com/api/2/dsar/requests/1/outputs/0')
    expect(nextHop(from, 'https://bucket.s3.amazonaws.com/a?X-Amz-Signature=s').href).toBe(
      'https://bucket.s3.amazonaws.com/a?X-Amz-Signature=s'
    )
    expect(nextHop(from, '/elsewhere').href).toBe('https://amplitude.com/elsewhere')
    const local = new URL('http://127.0.0.1:8080/api/2/dsar/requests/1/outputs/0')
    expect(nextHop(local, 'http://127.0.0.2:9000/bucket/a').origin).toBe('http://127.0.0.2:9000')
    // http -> https is an upgrade: fine.
    expect(nextHop(local, 'https://bucket.s3.amazonaws.com/a').protocol).toBe('https:')
  })

  test('plain http to a non-loopback host, other schemes and embedded credentials are refused', () => {
    const local = new URL('http://127.0.0.1:8080/x')
    expect(refused(() => nextHop(local, 'http://bucket.s3.amazonaws.com/a'))).toMatch(/plain http/)
    expect(refused(() => nextHop(local, 'file:///etc/passwd'))).toMatch(/file:/)
    expect(refused(() => nextHop(local, 'https://user:pw@example.com/'))).toMatch(/credentials/)
    expect(refused(() => nextHop(local, 'http://[::1'))).toMatch(/invalid location/)
    expect(refused(() => assertFetchable(new URL('http://amplitude.com/')))).toMatch(/plain http/)
    expect(() => assertFetchable(new URL('http://127.0.0.1:1/'))).not.toThrow()
    expect(refused(() => assertFetchable(new URL('http://localhost:1/')))).toMatch(/plain http/)
  })
})

describe('verification while streaming', () => {
  test('lines are counted across chunk boundaries; empty lines are not events', () => {
    const counter = new LineCounter()
    for (const part of ['{"a":1}\n{"b"', ':2}', '\n', '\n\n{"c":3}\n', '{"d":4}']) {
      counter.push(Buffer.from(part))
    }
    expect(counter.count).toBe(4)
  })

  async function verify(chunks: Buffer[], expectedBytes?: number) {
    const tap = new VerifyingTap({ expectedBytes })
    const passed: Buffer[] = []
    await pipeline(
      Readable.from(chunks),
      tap,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          passed.push(chunk)
          done()
        }
      })
    )
    return { stats: tap.result(), passed: Buffer.concat(passed) }
  }

  test('bytes pass through unchanged; size, sha256 and events are those of the gzip', async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `{"n":${i}}`).join('\n') + '\n'
    const gzip = gzipSync(text)
    const chunks = [gzip.subarray(0, 7), gzip.subarray(7, 300), gzip.subarray(300)]
    const { stats, passed } = await verify(chunks, gzip.length)
    expect(passed.equals(gzip)).toBe(true)
    expect(stats).toEqual({
      bytes: gzip.length,
      sha256: createHash('sha256').update(gzip).digest('hex'),
      events: 1000
    })
  })

  test('concatenated gzip members are one valid file', async () => {
    const gzip = Buffer.concat([gzipSync('{"a":1}\n{"b":2}\n'), gzipSync('{"c":3}\n')])
    expect((await verify([gzip])).stats.events).toBe(3)
  })

  test('a truncated gzip is a permanent error', async () => {
    const gzip = gzipSync('{"a":1}\n'.repeat(100))
    const error = await verify([gzip.subarray(0, gzip.length - 10)]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransferError)
    expect((error as TransferError).transient).toBe(false)
    expect((error as Error).message).toMatch(/truncated/)
  })

  test('a body shorter than its Content-Length is a transient error', async () => {
    const gzip = gzipSync('{"a":1}\n')
    const error = await verify([gzip], gzip.length + 5).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TransferError)
    expect((error as TransferError).transient).toBe(true)
  })
})

describe('safe files', () => {
  let dir: string
  beforeEach(async () => {
    dir = await tempDir()
  })
  afterEach(async () => {
    await removeDir(dir)
  })

  test('names come from our counter', () => {
    expect(outputFileName(1, false)).toBe('output-001.json.gz')
    expect(outputFileName(26, true)).toBe('output-026.json.gz.age')
    expect(outputFileName(1234, false)).toBe('output-1234.json.gz')
    expect(['53367', 'abc_DEF-9'].every(isSafeRequestId)).toBe(true)
    expect(['', '.', '..', 'a/b', 'a b', '1\n', 'é'].some(isSafeRequestId)).toBe(false)
  })

  test('an existing, too open request directory is tightened to 0700', async () => {
    await mkdir(join(dir, '1'), { mode: 0o755 })
    await chmod(join(dir, '1'), 0o755)
    const made = await prepareRequestDir(join(dir), '1')
    expect(made).toBe(join(dir, '1'))
    expect((await lstat(made)).mode & 0o777).toBe(0o700)
  })

  test('a regular file where the request directory should be is refused', async () => {
    await writeFile(join(dir, '1'), 'x')
    await expect(prepareRequestDir(dir, '1')).rejects.toThrow(/not a directory/)
  })

  test('publishing never replaces an existing file', async () => {
    const partial = await createPartialFile(dir, 'output-001.json.gz')
    await partial.handle.writeFile('new')
    await partial.handle.close()
    expect((await lstat(partial.path)).mode & 0o777).toBe(0o600)
    await writeFile(join(dir, 'output-001.json.gz'), 'old')
    await expect(publishFile(partial.path, join(dir, 'output-001.json.gz'))).rejects.toThrow(
      /already exists/
    )
    expect(await namesIn(dir)).toEqual(['output-001.json.gz', 'output-001.json.gz.partial'])
  })
})
