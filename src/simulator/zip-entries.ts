/**
 * What the artifact stand-in (and the tests reading its uploads) need of a zip: its entries, read
 * the way unzip tools read them, and a SHA-256 to compare with the digest the client reported.
 */
import { createHash } from 'node:crypto'
import { inflateRawSync } from 'node:zlib'

/**
 * The files inside a zip, by name, decompressed (stored and deflated entries, no zip64): read
 * through the central directory, as unzip tools do, so a broken archive fails here.
 */
export function readZipEntries(zip: Buffer): Map<string, Buffer> {
  const END_OF_CENTRAL_DIRECTORY = 0x06054b50
  let end = -1
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at
      break
    }
  }
  if (end < 0) throw new Error('not a zip: no end of central directory record')
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  const entries = new Map<string, Buffer>()
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`)
    const method = zip.readUInt16LE(at + 10)
    const compressedSize = zip.readUInt32LE(at + 20)
    const size = zip.readUInt32LE(at + 24)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const localHeader = zip.readUInt32LE(at + 42)
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength)
    if (compressedSize === 0xffffffff || localHeader === 0xffffffff) {
      throw new Error(`zip64 entry ${name} is not supported`)
    }
    if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error(`bad local header: ${name}`)
    const dataStart =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28)
    const data = zip.subarray(dataStart, dataStart + compressedSize)
    let content: Buffer
    if (method === 0) content = Buffer.from(data)
    else if (method === 8) content = inflateRawSync(data)
    else throw new Error(`compression method ${method} of ${name} is not supported`)
    if (content.length !== size)
      throw new Error(`${name}: size ${content.length}, expected ${size}`)
    entries.set(name, content)
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}
