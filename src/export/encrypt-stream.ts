/**
 * age encryption as a stream stage. age-encryption 0.3 encrypts a web ReadableStream into another
 * one in 64 KiB STREAM chunks, so a file of any size is encrypted with constant memory and the
 * plaintext never reaches the disk.
 */
import { Encrypter } from 'age-encryption'
import { TransferError } from './errors.js'

/**
 * An Encrypter for these recipients, checked up front (a bad recipient must fail before any
 * download spends the API budget, not after the first file arrived).
 */
export async function createEncrypter(recipients: string[]): Promise<Encrypter> {
  const encrypter = new Encrypter()
  for (const recipient of recipients) {
    try {
      encrypter.addRecipient(recipient)
    } catch (error) {
      throw new TransferError(`invalid age recipient: ${(error as Error).message}`, false)
    }
  }
  try {
    await encrypter.encrypt(new Uint8Array(0)) // wraps the file key for each recipient: validates them
  } catch (error) {
    throw new TransferError(`invalid age recipient: ${(error as Error).message}`, false)
  }
  return encrypter
}

/**
 * A stream.pipeline stage: plaintext chunks in, age ciphertext (header included) out. Each call
 * of the stage encrypts one file, under a fresh file key.
 */
export type EncryptStage = (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array>

export function encryptStage(encrypter: Encrypter): EncryptStage {
  return async function* encrypt(source) {
    const ciphertext = await encrypter.encrypt(ReadableStream.from(source))
    yield* ciphertext
  }
}
