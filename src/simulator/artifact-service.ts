/**
 * A local stand-in for the GitHub Actions results service, as @actions/artifact v6 uses it to upload
 * an artifact: a real HTTP server on 127.0.0.1 that speaks the two Twirp JSON calls
 * (`ArtifactService/CreateArtifact`, `ArtifactService/FinalizeArtifact`) and the Azure block-blob
 * protocol the client's @azure/storage-blob sends to the signed upload URL (`PUT ?comp=block` per
 * chunk, then `PUT ?comp=blocklist`; a single `PUT` is accepted too).
 *
 * It checks what the real service checks that a test could get wrong (the bearer token, the backend
 * ids from the token's `scp` claim, the signature on the upload URL, one artifact per name, content
 * before finalize, the finalized size) and records every call, every committed blob and every
 * artifact, so tests assert on what reached the service rather than on what the client was asked.
 *
 * `env` holds every variable the client needs; tests set it on process.env (and restore it), the
 * end-to-end tests and the ledger demo pass it to the child process running dist/index.js.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export { readZipEntries, sha256Hex } from './zip-entries.js'

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'
const BLOB_PREFIX = '/blob/'

export type FailureTarget = 'CreateArtifact' | 'FinalizeArtifact' | 'blob'

export interface Failure {
  /** HTTP status to answer with. 5xx and 429 make the client retry (slowly): prefer 4xx in tests. */
  status: number
  /** The error text (Twirp `msg`, or the Azure `<Message>`). */
  msg: string
  /** Twirp error code or Azure error code; a fitting default otherwise. */
  code?: string
  /** How many consecutive matching requests fail. Default 1. */
  times?: number
}

export interface RecordedCall {
  method: string
  /** Path without the query. */
  path: string
  query: Record<string, string>
  /** Twirp method name (`CreateArtifact`, ...) for Twirp calls. */
  rpc?: string
  /** Whether the request carried `Authorization: Bearer <the issued runtime token>`. */
  authorized: boolean
  /** Request headers, without `authorization`. */
  headers: Record<string, string>
  /** Parsed JSON body of Twirp calls, exactly as sent (proto field names: `expires_at`, ...). */
  body?: unknown
  bodyBytes: number
  /** The status the stand-in answered. */
  status: number
}

export interface RecordedUpload {
  artifactName: string
  /** The blob path the bytes were committed to (under /blob/). */
  blobPath: string
  /** The committed blob: for a normal upload, the artifact zip. */
  bytes: Buffer
  /** Blocks staged and committed (0 for a single PUT). */
  blockCount: number
  /** `x-ms-blob-content-type` the client set on commit. */
  contentType?: string
}

export interface StoredArtifact {
  name: string
  workflowRunBackendId: string
  workflowJobRunBackendId: string
  version: number
  mimeType?: string
  /** `expires_at` as sent (RFC 3339), absent when the client asked for the default retention. */
  expiresAt?: string
  blobPath: string
  /** Set by FinalizeArtifact. */
  id?: number
  size?: number
  /** `sha256:<hex>` as sent to FinalizeArtifact. */
  hash?: string
  finalized: boolean
}

export interface ArtifactServiceOptions {
  repository?: string
  runId?: string
  serverUrl?: string
  /** GITHUB_RETENTION_DAYS: the repository's maximum retention. Default 90. */
  maxRetentionDays?: number
  /** First artifact id handed out. Default 7001. */
  firstArtifactId?: number
  /**
   * Close each connection once answered (`Connection: close`). The desk benchmark runs in virtual
   * time, which stands still while a connection is open (bench/event-clock.ts). Default: keep-alive.
   */
  closeConnections?: boolean
}

export interface ArtifactService {
  /** Origin of the service, e.g. http://127.0.0.1:34567 (also ACTIONS_RESULTS_URL). */
  url: string
  env: Record<string, string>
  /** The issued ACTIONS_RUNTIME_TOKEN (to check it never leaks). */
  token: string
  workflowRunBackendId: string
  workflowJobRunBackendId: string
  calls: RecordedCall[]
  uploads: RecordedUpload[]
  artifacts: StoredArtifact[]
  /** Make the next request(s) to `target` fail. */
  failNext(target: FailureTarget, failure: Failure): void
  close(): Promise<void>
}

interface PendingFailure extends Failure {
  remaining: number
}

interface BlobState {
  artifact: StoredArtifact
  sig: string
  staged: Map<string, Buffer>
}

export async function startArtifactService(
  options: ArtifactServiceOptions = {}
): Promise<ArtifactService> {
  const workflowRunBackendId = randomUUID()
  const workflowJobRunBackendId = randomUUID()
  const token = fakeRuntimeToken(workflowRunBackendId, workflowJobRunBackendId)
  const calls: RecordedCall[] = []
  const uploads: RecordedUpload[] = []
  const artifacts: StoredArtifact[] = []
  const blobs = new Map<string, BlobState>()
  const failures = new Map<FailureTarget, PendingFailure>()
  let nextArtifactId = options.firstArtifactId ?? 7001
  let origin = ''

  const takeFailure = (target: FailureTarget): Failure | undefined => {
    const failure = failures.get(target)
    if (!failure) return undefined
    if (--failure.remaining <= 0) failures.delete(target)
    return failure
  }

  const handleTwirp = (rpc: string, body: unknown, call: RecordedCall): Reply => {
    if (!call.authorized)
      return twirpError(401, 'unauthenticated', 'invalid or missing bearer token')
    if (rpc !== 'CreateArtifact' && rpc !== 'FinalizeArtifact') {
      return twirpError(404, 'bad_route', `no handler for ${rpc}`)
    }
    const failure = takeFailure(rpc)
    if (failure) return twirpError(failure.status, failure.code ?? 'internal', failure.msg)
    if (!isRecord(body)) return twirpError(400, 'malformed', 'the body is not a JSON object')
    if (
      body.workflow_run_backend_id !== workflowRunBackendId ||
      body.workflow_job_run_backend_id !== workflowJobRunBackendId
    ) {
      return twirpError(400, 'invalid_argument', 'backend ids do not match the runtime token')
    }
    const name = typeof body.name === 'string' ? body.name : ''
    if (name === '') return twirpError(400, 'invalid_argument', 'name is required')
    const existing = artifacts.find(a => a.name === name)

    if (rpc === 'CreateArtifact') {
      if (existing) {
        return twirpError(409, 'already_exists', `an artifact named ${name} already exists`)
      }
      const blobPath = `actions-results/${workflowRunBackendId}/${encodeURIComponent(name)}.zip`
      const artifact: StoredArtifact = {
        name,
        workflowRunBackendId,
        workflowJobRunBackendId,
        version: typeof body.version === 'number' ? body.version : 0,
        ...(typeof body.mime_type === 'string' && { mimeType: body.mime_type }),
        ...(typeof body.expires_at === 'string' && { expiresAt: body.expires_at }),
        blobPath,
        finalized: false
      }
      artifacts.push(artifact)
      const sig = randomBytes(18).toString('base64url')
      blobs.set(blobPath, { artifact, sig, staged: new Map() })
      const expiry = new Date(Date.now() + 3_600_000).toISOString()
      const signedUploadUrl = `${origin}${BLOB_PREFIX}${blobPath}?sv=2025-01-05&sp=cw&se=${encodeURIComponent(expiry)}&sr=b&sig=${sig}`
      return json(200, { ok: true, signed_upload_url: signedUploadUrl })
    }

    // FinalizeArtifact
    if (!existing) return twirpError(404, 'not_found', `no artifact named ${name}`)
    if (existing.finalized) {
      return twirpError(409, 'already_exists', `artifact ${name} is already finalized`)
    }
    const upload = uploads.find(u => u.blobPath === existing.blobPath)
    if (!upload) return twirpError(400, 'failed_precondition', 'no content was uploaded')
    const size = Number(body.size)
    if (!Number.isSafeInteger(size) || size !== upload.bytes.length) {
      return twirpError(400, 'invalid_argument', `size ${String(body.size)} does not match`)
    }
    existing.id = nextArtifactId++
    existing.size = size
    if (typeof body.hash === 'string') existing.hash = body.hash
    existing.finalized = true
    // int64 travels as a string in protobuf JSON.
    return json(200, { ok: true, artifact_id: String(existing.id) })
  }

  const handleBlob = (
    req: http.IncomingMessage,
    blobPath: string,
    query: Record<string, string>,
    body: Buffer
  ): Reply => {
    const blob = blobs.get(blobPath)
    if (!blob) return azureError(404, 'BlobNotFound', 'The specified blob does not exist.')
    if (query.sig !== blob.sig) {
      return azureError(403, 'AuthenticationFailed', 'Signature did not match.')
    }
    if (req.method !== 'PUT') return azureError(405, 'UnsupportedHttpVerb', 'Only PUT is served.')
    const failure = takeFailure('blob')
    if (failure) return azureError(failure.status, failure.code ?? 'InternalError', failure.msg)

    if (query.comp === 'block') {
      if (!query.blockid) return azureError(400, 'InvalidQueryParameterValue', 'blockid missing')
      blob.staged.set(query.blockid, body)
      return { status: 201, headers: azureHeaders(), body: '' }
    }
    const contentType = header(req, 'x-ms-blob-content-type')
    if (query.comp === 'blocklist') {
      const ids = blockListIds(body.toString('utf8'))
      const parts: Buffer[] = []
      for (const id of ids) {
        const part = blob.staged.get(id)
        if (!part) return azureError(400, 'InvalidBlockList', `block ${id} was not staged`)
        parts.push(part)
      }
      commit(blob, Buffer.concat(parts), ids.length, contentType)
      return { status: 201, headers: azureHeaders(), body: '' }
    }
    if (query.comp === undefined && header(req, 'x-ms-blob-type') === 'BlockBlob') {
      commit(blob, body, 0, contentType)
      return { status: 201, headers: azureHeaders(), body: '' }
    }
    return azureError(400, 'InvalidQueryParameterValue', `unsupported comp ${query.comp ?? ''}`)
  }

  const commit = (blob: BlobState, bytes: Buffer, blockCount: number, contentType?: string) => {
    const index = uploads.findIndex(u => u.blobPath === blob.artifact.blobPath)
    if (index >= 0) uploads.splice(index, 1)
    uploads.push({
      artifactName: blob.artifact.name,
      blobPath: blob.artifact.blobPath,
      bytes,
      blockCount,
      ...(contentType !== undefined && { contentType })
    })
    blob.staged.clear()
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', origin)
      const query = Object.fromEntries(url.searchParams)
      const call: RecordedCall = {
        method: req.method ?? '',
        path: url.pathname,
        query,
        authorized: req.headers.authorization === `Bearer ${token}`,
        headers: withoutAuthorization(req.headers),
        bodyBytes: body.length,
        status: 0
      }
      calls.push(call)
      let reply: Reply
      if (req.method === 'POST' && url.pathname.startsWith(TWIRP_PREFIX)) {
        call.rpc = url.pathname.slice(TWIRP_PREFIX.length)
        let parsed: unknown
        try {
          parsed = JSON.parse(body.toString('utf8'))
          call.body = parsed
        } catch {
          parsed = undefined
        }
        reply = handleTwirp(call.rpc, parsed, call)
      } else if (url.pathname.startsWith(BLOB_PREFIX)) {
        reply = handleBlob(req, url.pathname.slice(BLOB_PREFIX.length), query, body)
      } else {
        reply = json(404, { code: 'bad_route', msg: `no route for ${req.method} ${url.pathname}` })
      }
      call.status = reply.status
      if (options.closeConnections) res.shouldKeepAlive = false
      res.writeHead(reply.status, reply.headers)
      res.end(reply.body)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const env: Record<string, string> = {
    ACTIONS_RUNTIME_TOKEN: token,
    ACTIONS_RESULTS_URL: `${origin}/`,
    GITHUB_SERVER_URL: options.serverUrl ?? 'https://github.com',
    GITHUB_REPOSITORY: options.repository ?? 'octo-org/privacy-ops',
    GITHUB_RUN_ID: options.runId ?? '4242',
    // Pinned so the host's own value (set on real runners) cannot change the requested retention.
    GITHUB_RETENTION_DAYS: String(options.maxRetentionDays ?? 90),
    // Both the Twirp client and the Azure SDK honour proxy variables; the stand-in is local.
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost'
  }

  return {
    url: origin,
    env,
    token,
    workflowRunBackendId,
    workflowJobRunBackendId,
    calls,
    uploads,
    artifacts,
    failNext(target, failure) {
      failures.set(target, { ...failure, remaining: failure.times ?? 1 })
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

function json(status: number, body: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

function twirpError(status: number, code: string, msg: string): Reply {
  return json(status, { code, msg })
}

function azureHeaders(): Record<string, string> {
  return {
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2025-01-05',
    'x-ms-request-server-encrypted': 'true',
    etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
    'last-modified': new Date().toUTCString(),
    date: new Date().toUTCString()
  }
}

function azureError(status: number, code: string, message: string): Reply {
  return {
    status,
    headers: { ...azureHeaders(), 'content-type': 'application/xml', 'x-ms-error-code': code },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`
  }
}

/** Block ids of a `<BlockList>` body, in order (Latest, Committed and Uncommitted alike). */
function blockListIds(xml: string): string[] {
  return [...xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map(m => m[2])
}

/** A JWT whose `scp` claim carries the results-service scope; the client only decodes it. */
function fakeRuntimeToken(runId: string, jobId: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    scp: `Actions.ExampleScope Actions.Results:${runId}:${jobId}`,
    iss: 'artifact-service-stand-in',
    iat: now,
    exp: now + 3600
  }
  return `${part({ typ: 'JWT', alg: 'RS256' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

function withoutAuthorization(headers: http.IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'authorization' || value === undefined) continue
    kept[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return kept
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, c => `&#${c.charCodeAt(0)};`)
}
