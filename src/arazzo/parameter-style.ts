/**
 * Serialises a step parameter the way its OpenAPI description says (OAS 3.x `style`, `explode`,
 * `allowReserved`, `content`; Swagger 2's `collectionFormat` is mapped to them by openapi.ts).
 * A parameter the description does not list gets its location's defaults: path and header
 * `simple`, query and cookie `form` (explode true for `form`, false otherwise).
 *
 *   style           array ['a','b']            object {x: 1, y: 2}
 *   simple          a,b                         x,1,y,2     (explode: x=1,y=2)
 *   label           .a,b   (explode: .a.b)      .x,1,y,2    (explode: .x=1.y=2)
 *   matrix          ;n=a,b (explode: ;n=a;n=b)  ;n=x,1,y,2  (explode: ;x=1;y=2)
 *   form            n=a&n=b (no explode: n=a,b) x=1&y=2     (no explode: n=x,1,y,2)
 *   spaceDelimited  n=a%20b                     pipeDelimited  n=a|b
 *   deepObject                                  n[x]=1&n[y]=2
 *
 * Values are percent-encoded (RFC 3986) except for the style's own delimiters; `allowReserved`
 * keeps reserved characters of query values as they are.
 */
import type { OpenApiParameter, ParameterLocation } from './types.js'

type Pair = readonly [string, string]

/** Strings as is, other scalars as their JSON text (true, 3), objects and arrays as JSON. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === undefined || value === null) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const DEFAULT_STYLE: Record<ParameterLocation, string> = {
  path: 'simple',
  query: 'form',
  header: 'simple',
  cookie: 'form'
}

interface Rules {
  style: string
  explode: boolean
  encode: (text: string) => string
}

function rules(location: ParameterLocation, described: OpenApiParameter | undefined): Rules {
  const style = described?.style ?? DEFAULT_STYLE[location]
  const explode = described?.explode ?? style === 'form'
  const encode =
    location === 'query' && described?.allowReserved ? encodeReserved : encodeURIComponent
  return { style, explode, encode }
}

/** RFC 3986 percent-encoding that keeps reserved characters (`allowReserved`). */
function encodeReserved(text: string): string {
  return encodeURI(text).replace(/%5B/gi, '[').replace(/%5D/gi, ']').replace(/#/g, '%23')
}

/** A `content`-described parameter is one value of that media type (JSON for JSON types). */
function contentValue(value: unknown, described: OpenApiParameter | undefined): unknown {
  if (!described?.contentType) return value
  const mediaType = described.contentType.split(';')[0].trim().toLowerCase()
  const json = mediaType === 'application/json' || mediaType.endsWith('+json')
  return json && typeof value !== 'string' ? JSON.stringify(value) : value
}

/** Entries of an object or items of an array as text; undefined and null members dropped. */
function members(value: unknown): { items?: string[]; entries?: Pair[] } {
  if (Array.isArray(value)) {
    return { items: value.filter(v => v !== undefined && v !== null).map(scalarText) }
  }
  if (isPlainObject(value)) {
    return {
      entries: Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, scalarText(v)] as const)
    }
  }
  return {}
}

/** `a,b` or `x,1,y,2` (`x=1,y=2` exploded), each part encoded. */
function joined(value: unknown, r: Rules, separator: string): string {
  const { items, entries } = members(value)
  if (items) return items.map(r.encode).join(separator)
  if (entries) {
    return entries
      .map(([k, v]) =>
        r.explode ? `${r.encode(k)}=${r.encode(v)}` : `${r.encode(k)},${r.encode(v)}`
      )
      .join(separator)
  }
  return r.encode(scalarText(value))
}

/** The text that replaces `{name}` in the path template (already percent-encoded). */
export function serializePath(
  name: string,
  raw: unknown,
  described: OpenApiParameter | undefined
): string {
  const value = contentValue(raw, described)
  const r = rules('path', described)
  const { items, entries } = members(value)
  switch (r.style) {
    case 'label':
      return `.${joined(value, r, r.explode ? '.' : ',')}`
    case 'matrix': {
      const n = encodeURIComponent(name)
      if (items && r.explode) return items.map(item => `;${n}=${r.encode(item)}`).join('')
      if (entries && r.explode) {
        return entries.map(([k, v]) => `;${r.encode(k)}=${r.encode(v)}`).join('')
      }
      const text = joined(value, { ...r, explode: false }, ',')
      return items || entries || text !== '' ? `;${n}=${text}` : `;${n}`
    }
    default:
      return joined(value, r, ',')
  }
}

/** Encoded `name=value` pairs for the query string. */
export function serializeQuery(
  name: string,
  raw: unknown,
  described: OpenApiParameter | undefined
): string[] {
  const value = contentValue(raw, described)
  const r = rules('query', described)
  const n = encodeURIComponent(name)
  const { items, entries } = members(value)
  if (r.style === 'deepObject' && entries) {
    return entries.map(([k, v]) => `${n}[${r.encode(k)}]=${r.encode(v)}`)
  }
  if (items) {
    const delimiter = DELIMITERS[r.style]
    if (delimiter !== undefined) return [`${n}=${items.map(r.encode).join(delimiter)}`]
    return r.explode
      ? items.map(item => `${n}=${r.encode(item)}`)
      : [`${n}=${items.map(r.encode).join(',')}`]
  }
  if (entries) {
    return r.explode
      ? entries.map(([k, v]) => `${r.encode(k)}=${r.encode(v)}`)
      : [`${n}=${entries.map(([k, v]) => `${r.encode(k)},${r.encode(v)}`).join(',')}`]
  }
  return [`${n}=${r.encode(scalarText(value))}`]
}

const DELIMITERS: Record<string, string | undefined> = {
  spaceDelimited: '%20',
  pipeDelimited: '|',
  tabDelimited: '%09'
}

/** A header's value (`simple`: `a,b`; objects `x,1,y,2` or exploded `x=1,y=2`), not encoded. */
export function serializeHeader(raw: unknown, described: OpenApiParameter | undefined): string {
  const value = contentValue(raw, described)
  const r = { ...rules('header', described), encode: (text: string) => text }
  return joined(value, r, ',')
}

/** `name=value` cookie pairs (`form`): arrays `n=a,b`, exploded `n=a; n=b`. */
export function serializeCookie(
  name: string,
  raw: unknown,
  described: OpenApiParameter | undefined
): string[] {
  const value = contentValue(raw, described)
  const r = { ...rules('cookie', described), encode: cookieValue }
  const { items, entries } = members(value)
  if (items && r.explode) return items.map(item => `${name}=${cookieValue(item)}`)
  if (entries && r.explode) return entries.map(([k, v]) => `${k}=${cookieValue(v)}`)
  return [`${name}=${joined(value, { ...r, explode: false }, ',')}`]
}

/** Cookie values outside RFC 6265's cookie-octet range are percent-encoded. */
function cookieValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\s",;\\\u0000-\u001f\u007f]/.test(value) || /[^\u0000-\u007f]/.test(value)
    ? encodeURIComponent(value)
    : value
}
