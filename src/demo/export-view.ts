/**
 * Reads back one downloaded export file the way its recipient would: age-decrypt it (when it is
 * encrypted) with the demo's identity, check the SHA-256 of the gzip against the `files` output, gunzip
 * it, count its events (JSON lines) and keep the first. Streams throughout: an export can be gigabytes.
 */
import { Decrypter } from 'age-encryption'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { PassThrough, Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

export interface ReadBack {
  /** SHA-256 (hex) of the gzip as Amplitude served it: after decryption, before gunzip. */
  sha256: string
  events: number
  firstEvent?: string
}

export async function readBack(path: string, identity?: string): Promise<ReadBack> {
  let gzip: Readable = createReadStream(path)
  if (identity !== undefined) {
    const decrypter = new Decrypter()
    decrypter.addIdentity(identity)
    const ciphertext = Readable.toWeb(gzip) as unknown as ReadableStream<Uint8Array>
    const plaintext = await decrypter.decrypt(ciphertext)
    gzip = Readable.fromWeb(plaintext)
  }
  const hash = createHash('sha256')
  const hashed = new PassThrough()
  hashed.on('data', (chunk: Buffer) => hash.update(chunk))
  gzip.on('error', error => hashed.destroy(error))
  const lines = createInterface({
    input: gzip.pipe(hashed).pipe(createGunzip()),
    crlfDelay: Infinity
  })
  let events = 0
  let firstEvent: string | undefined
  for await (const line of lines) {
    if (line === '') continue
    events++
    firstEvent ??= line
  }
  return { sha256: hash.digest('hex'), events, ...(firstEvent !== undefined && { firstEvent }) }
}
