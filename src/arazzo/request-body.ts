/**
 * A step's request body: which media type it is sent as, how the payload is serialised, and what
 * `$request.body` reads afterwards.
 *
 * - `contentType` omitted: the target operation's request media type decides (Arazzo 1.0.1: "If
 *   omitted then refer to Content-Type specified at the targeted operation"), a JSON one when it
 *   accepts several, else its first; `application/json` when the description declares none.
 * - JSON types: objects as JSON, strings (the spec's "JSON Templated Example") as written.
 *   `application/x-www-form-urlencoded`: objects as a form (arrays repeat the key), strings as
 *   written. `multipart/form-data`: objects as one part per key. Other types (XML, text): strings
 *   and scalars as text; an object payload cannot be written in them and is an error.
 * - `$request.body` is the structured value: a JSON string payload is parsed, a form string is
 *   read back into its fields, so `$request.body#/petOrder/petId` reaches into a templated body.
 */
import { randomUUID } from 'node:crypto'
import { ArazzoRuntimeError } from './errors.js'
import { scalarText } from './parameter-style.js'
import type { ResolvedOperation } from './types.js'

export const DEFAULT_CONTENT_TYPE = 'application/json'

export function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase()
}

export function isJsonMediaType(contentType: string): boolean {
  const mediaType = mediaTypeOf(contentType)
  return mediaType === 'application/json' || mediaType.endsWith('+json')
}

const FORM = 'application/x-www-form-urlencoded'
const MULTIPART = 'multipart/form-data'

/** The content type a body is sent as: the step's, else the operation's, else JSON. */
export function chooseContentType(
  explicit: string | undefined,
  operation: Pick<ResolvedOperation, 'requestContentTypes'>
): string {
  if (explicit !== undefined) return explicit
  const declared = (operation.requestContentTypes ?? []).filter(type => !type.includes('*'))
  return declared.find(isJsonMediaType) ?? declared[0] ?? DEFAULT_CONTENT_TYPE
}

/** A string payload of a JSON or form type, read as data for replacements and `$request.body`. */
export function structuredPayload(value: unknown, contentType: string): unknown {
  if (typeof value !== 'string') return value
  if (isJsonMediaType(contentType)) {
    try {
      return JSON.parse(value) as unknown
    } catch {
      return value
    }
  }
  if (mediaTypeOf(contentType) === FORM) {
    const fields: Record<string, unknown> = {}
    for (const [key, item] of new URLSearchParams(value)) {
      const existing = Object.hasOwn(fields, key) ? fields[key] : undefined
      const next = existing === undefined ? item : [existing, item].flat()
      Object.defineProperty(fields, key, {
        value: next,
        writable: true,
        enumerable: true,
        configurable: true
      })
    }
    return fields
  }
  return value
}

export interface SerializedBody {
  body: string
  /** The Content-Type header to send (multipart adds its boundary). */
  contentType: string
}

/** The wire form of a payload; undefined when there is no payload. */
export function serializeBody(
  value: unknown,
  contentType: string,
  stepId: string
): SerializedBody | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return { body: value, contentType }
  const mediaType = mediaTypeOf(contentType)
  if (isJsonMediaType(contentType)) return { body: JSON.stringify(value), contentType }
  if (value === null || typeof value !== 'object') return { body: scalarText(value), contentType }
  if (mediaType === FORM && !Array.isArray(value)) {
    const pairs: string[] = []
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || item === null) continue
      for (const entry of Array.isArray(item) ? item : [item]) {
        pairs.push(`${formEncode(key)}=${formEncode(scalarText(entry))}`)
      }
    }
    return { body: pairs.join('&'), contentType }
  }
  if (mediaType === MULTIPART && !Array.isArray(value)) {
    return multipart(value as Record<string, unknown>, contentType)
  }
  throw new ArazzoRuntimeError(
    `step '${stepId}': an object payload cannot be sent as ${mediaType}; write the payload as a string`,
    stepId
  )
}

/** application/x-www-form-urlencoded encoding (spaces as '+'). */
function formEncode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+')
}

function multipart(value: Record<string, unknown>, contentType: string): SerializedBody {
  const boundary = `arazzo-${randomUUID()}`
  const parts: string[] = []
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue
    for (const entry of Array.isArray(item) ? item : [item]) {
      const isObject = typeof entry === 'object' && entry !== null
      const name = key.replace(/["\r\n]/g, c => encodeURIComponent(c))
      parts.push(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n` +
          (isObject ? 'Content-Type: application/json\r\n' : '') +
          `\r\n${scalarText(entry)}\r\n`
      )
    }
  }
  return {
    body: `${parts.join('')}--${boundary}--\r\n`,
    contentType: `${mediaTypeOf(contentType)}; boundary=${boundary}`
  }
}
