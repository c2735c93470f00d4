/**
 * The simulator's output files as the storage host serves them: presigned links, the S3-style
 * checks behind them (storage.ts), and the gzip exports themselves, generated on the fly from each
 * job's plan (gzip-lines.ts) and measured once so that repeated downloads agree byte for byte.
 */
import { createReadStream, statSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { createGzipFileStream, measureFile, type FileInfo, type FileSpec } from './gzip-lines.js'
import type { JobRegistry } from './jobs.js'
import type { Reply, StreamBody } from './reply.js'
import { ObjectStore, s3Error } from './storage.js'
import type { DsarRecord } from './types.js'

// Files up to this (estimated) uncompressed size are measured before sending, so they get a
// Content-Length like S3 gives; bigger ones are streamed chunked unless already measured.
const MEASURE_BEFORE_SENDING = 16 * 1024 * 1024
const ESTIMATED_LINE_BYTES = 420

export class OutputFiles {
  private readonly store = new ObjectStore()
  private readonly fileInfos = new Map<string, Promise<FileInfo>>()
  private readonly measuredSizes = new Map<string, number>()

  constructor(
    private readonly jobs: JobRegistry,
    private readonly now: () => number,
    /** Serve this prepared file as every output (benchmarks), instead of generating each. */
    private readonly storageFile: string | undefined
  ) {}

  presignedUrl(storageUrl: string, record: DsarRecord, n: number): string {
    const path = this.store.objectPath(String(record.requestId), n)
    return this.store.presign(storageUrl, path, this.now(), record.expiresAt ?? this.now())
  }

  /** The storage host's answer to a GET or HEAD of a presigned link. */
  async reply(req: IncomingMessage, method: string, target: URL): Promise<Reply> {
    if (method !== 'GET' && method !== 'HEAD') {
      return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed.')
    }
    const check = this.store.check(
      target.pathname,
      target.searchParams,
      req.headers.authorization !== undefined,
      this.now()
    )
    if (!check.ok) return check.reply
    const record = this.jobs.get(check.object.requestId)
    if (!record) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
    const n = check.object.file
    const key = fileKey(record, n)
    if (!this.measuredSizes.has(key) && estimatedSize(record) <= MEASURE_BEFORE_SENDING) {
      await this.fileInfo(record, n)
    }
    if (method === 'GET') record.storageDownloads++
    if (this.storageFile) return staticFileReply(this.storageFile)
    const spec = fileSpec(record, n)
    const body: StreamBody = {
      open: () => createGzipFileStream(spec),
      length: this.measuredSizes.get(key),
      measure: async () => (await this.fileInfo(record, n)).bytes
    }
    return {
      status: 200,
      headers: {
        'content-type': 'application/gzip',
        'x-amz-request-id': key.replace(/\W/g, '').toUpperCase()
      },
      body
    }
  }

  /** What output `n` of `record` holds (size, sha256, lines), measured once and remembered. */
  fileInfo(record: DsarRecord, n: number): Promise<FileInfo> {
    const key = fileKey(record, n)
    let info = this.fileInfos.get(key)
    if (!info) {
      info = measureFile(fileSpec(record, n))
      this.fileInfos.set(key, info)
      info.then(
        measured => this.measuredSizes.set(key, measured.bytes),
        () => this.fileInfos.delete(key)
      )
    }
    return info
  }
}

function fileKey(record: DsarRecord, n: number): string {
  return `${record.requestId}/${n}`
}

function fileSpec(record: DsarRecord, n: number): FileSpec {
  const day = 86_400_000
  const from = record.startDate ? Date.parse(`${record.startDate}T00:00:00Z`) : Date.UTC(2020, 0, 1)
  const to = record.endDate ? Date.parse(`${record.endDate}T00:00:00Z`) + day : Date.UTC(2021, 0, 1)
  // Like the real exports (about one file per month and project), each file covers a time slice.
  const slice = (to - from) / Math.max(1, record.plan.files)
  const subject = record.subject
  return {
    seed: fileKey(record, n),
    userIds: subject.userIds ?? (subject.userId !== undefined ? [subject.userId] : []),
    amplitudeId: subject.amplitudeId,
    fromMs: Math.floor(from + n * slice),
    toMs: Math.floor(from + (n + 1) * slice),
    lines: record.plan.linesPerFile,
    bytes: record.plan.bytesPerFile
  }
}

function estimatedSize(record: DsarRecord): number {
  return record.plan.bytesPerFile ?? record.plan.linesPerFile * ESTIMATED_LINE_BYTES
}

/** Serves a prepared file as every output (benchmarks: the generator is then not the bottleneck). */
function staticFileReply(path: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/gzip' },
    body: { open: () => createReadStream(path), length: statSync(path).size }
  }
}
