/**
 * Verification while streaming: the gzip bytes pass through unchanged (to the file, or to the
 * encrypter) while we hash and count them, and a parallel gunzip counts the JSON lines inside.
 * Nothing is held beyond zlib's and the stream's own small buffers, whatever the file size.
 */
import { createHash } from 'node:crypto'
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream'
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib'
import { TransferError } from './errors.js'

export interface VerifiedStats {
  /** Bytes of the gzip file as served. */
  bytes: number
  /** sha256 (hex) of the gzip file as served. */
  sha256: string
  /** Non-empty lines once gunzipped (one JSON event per line). */
  events: number
}

const NEWLINE = 0x0a
const GUNZIP_CHUNK_BYTES = 256 * 1024
/**
 * How much gzip the inflater may have queued before the tap waits for it. zlib inflates on the
 * threadpool one queued write at a time; with only its default 64 KiB queue it ran dry after every
 * network chunk while the main thread hashed, wrote the file and read the next chunk, so the
 * inflater (the bottleneck of a verified download) idled between chunks. A few MiB let the main
 * thread run ahead; memory stays constant.
 */
const GUNZIP_QUEUE_BYTES = 4 * 1024 * 1024
// zlib streams pass stream options on to their Transform; @types/node's ZlibOptions omits them.
const GUNZIP_OPTIONS: ZlibOptions & TransformOptions = {
  chunkSize: GUNZIP_CHUNK_BYTES,
  writableHighWaterMark: GUNZIP_QUEUE_BYTES
}

/**
 * Counts lines without keeping them: each '\n' ends a line; empty lines are not events; a final
 * line without '\n' still is one (a file is not rejected for a missing last newline).
 */
export class LineCounter {
  private lines = 0
  private pendingBytes = 0

  push(chunk: Uint8Array): void {
    let start = 0
    for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, start)) {
      if (i > start || this.pendingBytes > 0) this.lines++
      this.pendingBytes = 0
      start = i + 1
    }
    this.pendingBytes += chunk.length - start
  }

  /** Lines so far, counting an unterminated last line. */
  get count(): number {
    return this.lines + (this.pendingBytes > 0 ? 1 : 0)
  }
}

export interface VerifyingTapOptions {
  /** Content-Length announced by the server: a clean end short of it is a cut connection. */
  expectedBytes?: number
  /** Called after each chunk with the bytes seen so far (progress logs). */
  onBytes?: (bytes: number) => void
}

/**
 * A pass-through Transform that hashes, counts, and gunzips on the side. A corrupt or truncated
 * gzip fails the stream with a permanent TransferError (repeating the download would not help);
 * a body shorter than its Content-Length fails it with a transient one.
 */
export class VerifyingTap extends Transform {
  private readonly hash = createHash('sha256')
  // Large output chunks: zlib's default 16 KiB pieces add a callback and a Buffer per 16 KiB of
  // content, which dominated the download of a 1 GiB export (38 MiB/s of gzip; 256 KiB: ~75 MiB/s).
  private readonly gunzip: Gunzip = createGunzip(GUNZIP_OPTIONS)
  private readonly lines = new LineCounter()
  /** Inflated chunks not counted yet (see countLater). */
  private uncounted: Buffer[] = []
  private readonly gunzipDone: Promise<void>
  private bytes = 0
  private gunzipError?: TransferError
  private stats?: VerifiedStats

  constructor(private readonly options: VerifyingTapOptions = {}) {
    super()
    this.gunzip.on('data', this.countLater)
    this.gunzipDone = new Promise<void>((resolve, reject) => {
      this.gunzip.once('end', () => {
        this.countNow()
        resolve()
      })
      this.gunzip.once('error', error => {
        this.gunzipError = notGzip(error)
        reject(this.gunzipError)
        // Fail now, not at the end of a 1 GiB download.
        this.destroy(this.gunzipError)
      })
    })
    this.gunzipDone.catch(() => undefined) // reported through the stream instead
  }

  /**
   * zlib hands over an inflated chunk and only then asks the threadpool for the next one, so work
   * done in this handler holds the inflater up. Counting lines is therefore put off to the next turn
   * of the event loop (in one batch), where it runs while zlib inflates the next chunk.
   */
  private readonly countLater = (chunk: Buffer): void => {
    if (this.uncounted.push(chunk) === 1) setImmediate(this.countNow)
  }

  private readonly countNow = (): void => {
    for (const chunk of this.uncounted) this.lines.push(chunk)
    this.uncounted = []
  }

  /** The result, once the stream has finished successfully. */
  result(): VerifiedStats {
    if (!this.stats) throw new Error('the download has not been verified')
    return this.stats
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.gunzipError) return callback(this.gunzipError)
    // The inflater first: it is the slowest stage, so it gets the chunk before anything else runs.
    const roomLeft = this.gunzip.write(chunk)
    this.hash.update(chunk)
    this.bytes += chunk.length
    this.options.onBytes?.(this.bytes)
    this.push(chunk)
    if (roomLeft) return callback()
    // Respect the gunzip side's backpressure too, but never wait for a drain that cannot come.
    const onDrain = () => {
      this.gunzip.off('error', onError)
      callback()
    }
    const onError = () => {
      this.gunzip.off('drain', onDrain)
      callback(this.gunzipError)
    }
    this.gunzip.once('drain', onDrain)
    this.gunzip.once('error', onError)
  }

  override _flush(callback: TransformCallback): void {
    const expected = this.options.expectedBytes
    if (expected !== undefined && this.bytes !== expected) {
      callback(
        new TransferError(
          `the connection ended after ${this.bytes} of ${expected} bytes`,
          this.bytes < expected
        )
      )
      return
    }
    this.gunzip.end()
    this.gunzipDone.then(
      () => {
        this.stats = {
          bytes: this.bytes,
          sha256: this.hash.digest('hex'),
          events: this.lines.count
        }
        callback()
      },
      (error: Error) => callback(error)
    )
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.gunzip.destroy()
    callback(error)
  }
}

function notGzip(error: Error): TransferError {
  const truncated = /unexpected end/i.test(error.message)
  const what = truncated ? 'truncated' : 'corrupt'
  return new TransferError(
    `the file is not a complete gzip (${what}: ${error.message})`,
    false,
    undefined,
    {
      cause: error
    }
  )
}
