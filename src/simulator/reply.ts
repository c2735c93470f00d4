/**
 * Responses as values: handlers build a Reply, and one writer sends it, so that faults acting on a
 * normal response (dribble, truncated gzip) work the same for every handler.
 */

import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'

/** A body produced on demand (files of any size); `length` when known in advance. */
export interface StreamBody {
  open(): Readable
  length?: number
  /** Works out the length when not known (costs a full generation, no memory). */
  measure?(): Promise<number>
}

export interface Reply {
  status: number
  headers: Record<string, string>
  body?: Buffer | StreamBody
}

export interface SendOptions {
  /** Aborted when the client goes away or the simulator closes. */
  signal: AbortSignal
  /** Send the body at this rate. */
  dribbleBytesPerSecond?: number
  /** Send only the first half of the body (with a matching Content-Length), then end cleanly. */
  truncate?: boolean
  /** HEAD: headers only. */
  headOnly?: boolean
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}) {
  return bufferReply(status, JSON.stringify(value), {
    'content-type': 'application/json; charset=utf-8',
    ...headers
  })
}

export function bufferReply(
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {}
): Reply {
  return { status, headers, body: typeof body === 'string' ? Buffer.from(body) : body }
}

/** A JSON-looking body of exactly `bytes` bytes, streamed (the hugeBody fault). */
export function hugeJsonBody(bytes: number): StreamBody {
  const head = Buffer.from('{"requestId":0,"status":"staging","padding":"')
  const tail = Buffer.from('"}')
  return {
    length: bytes,
    open: () => Readable.from(hugeChunks(bytes, head, tail), { objectMode: false })
  }
}

function* hugeChunks(bytes: number, head: Buffer, tail: Buffer): Generator<Buffer> {
  const filler = Buffer.alloc(64 * 1024, 'x')
  let left = bytes
  const take = (chunk: Buffer) => {
    const part = chunk.subarray(0, Math.min(left, chunk.length))
    left -= part.length
    return part
  }
  if (left > 0) yield take(head)
  while (left > tail.length) {
    yield take(filler.subarray(0, Math.min(filler.length, left - tail.length)))
  }
  if (left > 0) yield take(tail)
}

/** Sends a reply; resolves when done or when the client went away (never rejects). */
export async function sendReply(res: ServerResponse, reply: Reply, options: SendOptions) {
  let body = reply.body
  let length = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.length
  if (options.truncate && body !== undefined) {
    if (length === undefined && !Buffer.isBuffer(body) && body.measure)
      length = await body.measure()
    const cut = Math.floor((length ?? 0) / 2)
    body = Buffer.isBuffer(body) ? body.subarray(0, cut) : limitStream(body, cut)
    length = cut
  }
  if (res.destroyed) return
  const headers: Record<string, string> = { ...reply.headers }
  if (length !== undefined) headers['content-length'] = String(length)
  res.writeHead(reply.status, headers)
  if (options.headOnly || body === undefined || length === 0) {
    res.end()
    return
  }
  const source = Buffer.isBuffer(body) ? Readable.from([body], { objectMode: false }) : body.open()
  try {
    if (options.dribbleBytesPerSecond !== undefined) {
      const rate = options.dribbleBytesPerSecond
      await pipeline(source, chunks => dribble(chunks, rate, options.signal), res, {
        signal: options.signal
      })
    } else {
      await pipeline(source, res, { signal: options.signal })
    }
  } catch {
    // The client went away, the simulator closed, or the body was cut on purpose: nothing to do.
    if (!res.destroyed) res.destroy()
  }
}

function limitStream(body: StreamBody, bytes: number): StreamBody {
  return {
    length: bytes,
    open: () => Readable.from(takeBytes(body.open(), bytes), { objectMode: false })
  }
}

async function* takeBytes(source: Readable, bytes: number): AsyncGenerator<Buffer> {
  let left = bytes
  try {
    if (left <= 0) return
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (chunk.length >= left) {
        yield chunk.subarray(0, left)
        return
      }
      left -= chunk.length
      yield chunk
    }
  } finally {
    source.destroy()
  }
}

/** Pieces of at most this size, so a fast paced link still sends many small writes. */
const PACED_PIECE_MAX_BYTES = 64 * 1024
/** After the receiver held the sender back, at most this much of the schedule is caught up at once. */
const PACED_MAX_CATCH_UP_MS = 100

/**
 * Sends at `bytesPerSecond` on a cumulative schedule: the piece that starts at byte n leaves no
 * earlier than start + n / rate. Pacing each piece on its own would add every timer's overshoot
 * and send slower than asked (noticeably so at tens of MiB/s); here an overshoot is made up by
 * the next pieces. A receiver that held the sender back (backpressure) gets at most
 * PACED_MAX_CATCH_UP_MS of the schedule as a burst afterwards, as a link's buffers would give it,
 * not everything it missed.
 */
async function* dribble(
  source: AsyncIterable<Buffer>,
  bytesPerSecond: number,
  signal: AbortSignal
): AsyncGenerator<Buffer> {
  // Ten writes a second at slow rates, so they still look like a live, trickling connection.
  const slice = Math.max(1, Math.min(PACED_PIECE_MAX_BYTES, Math.floor(bytesPerSecond / 10)))
  let origin = performance.now()
  let sent = 0
  for await (const chunk of source) {
    for (let offset = 0; offset < chunk.length; offset += slice) {
      const piece = chunk.subarray(offset, offset + slice)
      const now = performance.now()
      const behindMs = now - (origin + (sent * 1000) / bytesPerSecond)
      if (behindMs > PACED_MAX_CATCH_UP_MS) origin += behindMs - PACED_MAX_CATCH_UP_MS
      const dueMs = origin + (sent * 1000) / bytesPerSecond - now
      if (dueMs > 0) await sleep(dueMs, undefined, { signal })
      sent += piece.length
      yield piece
    }
  }
}
