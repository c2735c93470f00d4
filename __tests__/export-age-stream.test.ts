/**
 * The age payload written by encrypt-stream.ts (Node's ChaCha20-Poly1305 under the library's
 * header) must be an age file any age implementation opens: checked with age-encryption's own
 * Decrypter, across the sizes where STREAM chunking has edge cases.
 */
import {
  Decrypter,
  generateHybridIdentity,
  generateIdentity,
  identityToRecipient
} from 'age-encryption'
import { randomBytes } from 'node:crypto'
import { createEncrypter, encryptStage } from '../src/export/encrypt-stream.js'
import { TransferError } from '../src/export/errors.js'

const KiB = 1024

async function encrypt(stage: ReturnType<typeof encryptStage>, pieces: Uint8Array[]) {
  const out: Uint8Array[] = []
  for await (const part of stage(
    (async function* () {
      yield* pieces
    })()
  ))
    out.push(part)
  return Buffer.concat(out)
}

/** Splits data into pieces of varying sizes, as a network would deliver it. */
function pieces(data: Buffer, seed: number): Buffer[] {
  const sizes = [1, 7, 4096, 65_535, 65_537, 100_000, 16 * KiB]
  const out: Buffer[] = []
  for (let offset = 0, i = seed; offset < data.length; i++) {
    const size = sizes[i % sizes.length]
    out.push(data.subarray(offset, offset + size))
    offset += size
  }
  return out
}

describe('age stream stage', () => {
  test.each([0, 1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 128 * KiB, 1024 * KiB + 3])(
    '%i bytes: decrypted by age-encryption to the same bytes, with the size age predicts',
    async size => {
      const identity = await generateIdentity()
      const stage = encryptStage(await createEncrypter([await identityToRecipient(identity)]))
      const plaintext = randomBytes(size)
      const file = await encrypt(stage, pieces(plaintext, size))
      const decrypter = new Decrypter()
      decrypter.addIdentity(identity)
      expect(Buffer.from(await decrypter.decrypt(file)).equals(plaintext)).toBe(true)
      // One 16-byte tag per 64 KiB chunk (at least one chunk), after the header and nonce.
      const chunks = Math.max(1, Math.ceil(size / (64 * KiB)))
      const header = file.indexOf('\n---') + 1
      const headerEnd = file.indexOf('\n', header) + 1
      expect(file.length - headerEnd).toBe(16 + size + 16 * chunks)
    }
  )

  test('several recipients (X25519 and post-quantum hybrid): each can open it', async () => {
    const classic = await generateIdentity()
    const hybrid = await generateHybridIdentity()
    const stage = encryptStage(
      await createEncrypter([await identityToRecipient(classic), await identityToRecipient(hybrid)])
    )
    const plaintext = randomBytes(200 * KiB)
    const file = await encrypt(stage, [plaintext])
    for (const identity of [classic, hybrid]) {
      const decrypter = new Decrypter()
      decrypter.addIdentity(identity)
      expect(Buffer.from(await decrypter.decrypt(file)).equals(plaintext)).toBe(true)
    }
  })

  test('every file gets its own file key and nonce', async () => {
    const identity = await generateIdentity()
    const stage = encryptStage(await createEncrypter([await identityToRecipient(identity)]))
    const plaintext = randomBytes(10 * KiB)
    const first = await encrypt(stage, [plaintext])
    const second = await encrypt(stage, [plaintext])
    expect(first.equals(second)).toBe(false)
    const tail = (file: Buffer) => file.subarray(file.length - 10 * KiB - 16)
    expect(tail(first).equals(tail(second))).toBe(false)
  })

  test('a bad recipient is refused before anything is encrypted', async () => {
    await expect(createEncrypter(['age1notarecipient'])).rejects.toThrow(TransferError)
    await expect(createEncrypter(['ssh-ed25519 AAAA'])).rejects.toThrow(/invalid age recipient/)
  })
})
