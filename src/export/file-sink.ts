/**
 * The write side of a download: the partial file's stream, written in large batches and made
 * durable while the transfer runs rather than all at the end.
 *
 * - A 4 MiB buffer lets the file stream gather the network's 64 KiB chunks into one writev per
 *   batch (fewer threadpool round trips and system calls than one write per chunk), and keeps a
 *   momentarily slow disk from holding up the network and the verifier.
 * - The file is fsynced when it is complete (the stream's `flush`), as before; on its own that
 *   fsync of a few hundred MiB was a serial step of about 0.1 s at the end of every transfer. A
 *   datasync every SYNC_EVERY_BYTES while the transfer runs leaves it only the last stretch.
 */
import type { FileHandle } from 'node:fs/promises'
import type { Writable } from 'node:stream'

const WRITE_BUFFER_BYTES = 4 * 1024 * 1024
const SYNC_EVERY_BYTES = 32 * 1024 * 1024

export interface FileSink {
  /** Owns the descriptor: fsyncs it when finished, closes it when done or destroyed. */
  stream: Writable
  /** Tells the sink how much has passed through the transfer; may start a background sync. */
  progress(bytes: number): void
  /** Resolves once every background sync has finished; rejects with the first one's error. */
  synced(): Promise<void>
}

export function openFileSink(handle: FileHandle): FileSink {
  const stream = handle.createWriteStream({ flush: true, highWaterMark: WRITE_BUFFER_BYTES })
  let nextSyncAt = SYNC_EVERY_BYTES
  let syncing: Promise<void> = Promise.resolve()
  let failure: unknown
  return {
    stream,
    progress(bytes) {
      if (bytes < nextSyncAt || stream.destroyed) return
      nextSyncAt = bytes + SYNC_EVERY_BYTES
      // One at a time; an error is kept for synced() (the final fsync would most likely fail too).
      syncing = syncing
        .then(() => (stream.destroyed ? undefined : handle.datasync()))
        .catch((error: unknown) => {
          failure ??= error
        })
    },
    async synced() {
      await syncing
      if (failure !== undefined)
        throw failure instanceof Error ? failure : new Error(String(failure))
    }
  }
}
