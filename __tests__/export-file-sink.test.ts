import { readFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { openFileSink } from '../src/export/file-sink.js'
import { tempDir } from './support/temp.js'

const MiB = 1024 * 1024

/** A FileHandle stand-in that records datasync calls (a unit test of the sink's schedule). */
function fakeHandle(datasync: () => Promise<void>) {
  const calls: number[] = []
  let written = 0
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.length
      done()
    }
  })
  const handle = {
    createWriteStream: () => stream,
    datasync: () => {
      calls.push(written)
      return datasync()
    }
  } as unknown as FileHandle
  return { handle, calls }
}

describe('file sink', () => {
  test('writes the bytes, fsyncs at the end, and is closed when done (a real file)', async () => {
    const dir = tempDir('file-sink-')
    const handle = await open(join(dir, 'out'), 'w')
    const sink = openFileSink(handle)
    const data = Buffer.alloc(3 * MiB + 5, 7)
    const chunks = [data.subarray(0, MiB), data.subarray(MiB)]
    let passed = 0
    await pipeline(
      (async function* () {
        for (const chunk of chunks) {
          passed += chunk.length
          sink.progress(passed)
          yield chunk
        }
      })(),
      sink.stream
    )
    await sink.synced()
    expect(readFileSync(join(dir, 'out')).equals(data)).toBe(true)
    await new Promise(resolve => setImmediate(resolve))
    expect(sink.stream.destroyed).toBe(true) // the stream closed the descriptor
  })

  test('syncs in the background every 32 MiB, one at a time', async () => {
    const { handle, calls } = fakeHandle(async () => undefined)
    const sink = openFileSink(handle)
    sink.progress(10 * MiB)
    sink.progress(31 * MiB)
    expect(calls).toHaveLength(0)
    sink.progress(33 * MiB)
    sink.progress(40 * MiB) // within 32 MiB of the last sync: none
    sink.progress(66 * MiB)
    await sink.synced()
    expect(calls).toHaveLength(2)
  })

  test('a failed background sync fails synced() with its error', async () => {
    const failure = new Error('EIO: i/o error, fdatasync')
    const { handle } = fakeHandle(() => Promise.reject(failure))
    const sink = openFileSink(handle)
    sink.progress(40 * MiB)
    await expect(sink.synced()).rejects.toBe(failure)
  })

  test('no sync is started once the stream is destroyed', async () => {
    const { handle, calls } = fakeHandle(async () => undefined)
    const sink = openFileSink(handle)
    sink.stream.destroy()
    sink.progress(100 * MiB)
    await sink.synced()
    expect(calls).toHaveLength(0)
  })
})
