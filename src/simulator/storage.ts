/**
 * The S3-like storage host: presigned GET links with an expiry, refusing a second auth mechanism
 * (an Authorization header) the way S3 does, which is how a client that forwards its Basic
 * credentials across the redirect gets caught.
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { bufferReply, type Reply } from './reply.js'

export interface StoredObject {
  requestId: string
  file: number
}

export type LinkCheck = { ok: true; object: StoredObject } | { ok: false; reply: Reply }

const ALGORITHM = 'AWS4-HMAC-SHA256'
const REGION_SCOPE = 'us-west-2/s3/aws4_request'

export class ObjectStore {
  private readonly signingKey = randomBytes(32)
  private readonly objects = new Map<string, StoredObject>()

  /** The opaque object path of a request's output file (stable per simulator). */
  objectPath(requestId: string, file: number): string {
    const name = this.hmac(`object\n${requestId}\n${file}`).slice(0, 32)
    const path = `/bucket/dsar/${name}.json.gz`
    this.objects.set(path, { requestId, file })
    return path
  }

  /** A presigned link valid until `expiresAt` (to the second, rounded up). */
  presign(storageUrl: string, path: string, now: number, expiresAt: number): string {
    const issuedMs = Math.floor(now / 1000) * 1000
    const expiresSeconds = Math.max(0, Math.ceil((expiresAt - issuedMs) / 1000))
    const amzDate = toAmzDate(issuedMs)
    const query = new URLSearchParams({
      'X-Amz-Algorithm': ALGORITHM,
      'X-Amz-Credential': `SIMULATORKEY/${amzDate.slice(0, 8)}/${REGION_SCOPE}`,
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': String(expiresSeconds),
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': this.signature(path, amzDate, String(expiresSeconds))
    })
    return `${storageUrl}${path}?${query.toString()}`
  }

  /** Checks a storage request the way S3 would, in S3's order. */
  check(
    pathname: string,
    query: URLSearchParams,
    hasAuthorization: boolean,
    now: number
  ): LinkCheck {
    if (hasAuthorization) {
      return refuse(
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
          'Signature query string parameter or the Authorization header should be specified'
      )
    }
    const amzDate = query.get('X-Amz-Date') ?? ''
    const expires = query.get('X-Amz-Expires') ?? ''
    const signature = query.get('X-Amz-Signature') ?? ''
    if (query.get('X-Amz-Algorithm') !== ALGORITHM || !signature) {
      return refuse(403, 'AccessDenied', 'Access Denied')
    }
    const expected = Buffer.from(this.signature(pathname, amzDate, expires))
    const given = Buffer.from(signature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return refuse(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.'
      )
    }
    const issuedMs = fromAmzDate(amzDate)
    // The end is exclusive, so a link signed at or after its expiry (X-Amz-Expires=0) never works.
    if (issuedMs === undefined || now >= issuedMs + Number(expires) * 1000) {
      return refuse(403, 'AccessDenied', 'Request has expired')
    }
    const object = this.objects.get(pathname)
    if (!object) return refuse(404, 'NoSuchKey', 'The specified key does not exist.')
    return { ok: true, object }
  }

  private signature(path: string, amzDate: string, expires: string): string {
    return this.hmac(`GET\n${path}\n${amzDate}\n${expires}`)
  }

  private hmac(text: string): string {
    return createHmac('sha256', this.signingKey).update(text).digest('hex')
  }
}

export function s3Error(status: number, code: string, message: string): Reply {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message>` +
    `<RequestId>${randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`
  return bufferReply(status, xml, { 'content-type': 'application/xml' })
}

function refuse(status: number, code: string, message: string): LinkCheck {
  return { ok: false, reply: s3Error(status, code, message) }
}

/** 20240131T235959Z */
function toAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function fromAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (!m) return undefined
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])
}
