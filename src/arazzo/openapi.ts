/**
 * OpenAPI source descriptions: index a parsed OpenAPI 3.x (or Swagger 2.0) document by
 * operationId and by JSON Pointer, giving each operation its method, path template and servers.
 * Only what the runner needs to build a request is read; schemas are not.
 */

import type { OpenApiParameter, ParameterLocation, ResolvedOperation } from './types.js'

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

export interface OpenApiIndex {
  sourceName: string
  /** Operations by operationId (first wins; duplicates are reported in `problems`). */
  byOperationId: Map<string, ResolvedOperation>
  /** Operations by their JSON Pointer, e.g. `/paths/~1pets/get`. */
  byPointer: Map<string, ResolvedOperation>
  /** Things wrong with the description that do not stop indexing. */
  problems: string[]
}

type JsonObject = Record<string, unknown>

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

/** True when the parsed document looks like an OpenAPI (or Swagger) description. */
export function isOpenApiDocument(document: unknown): boolean {
  return isObject(document) && (typeof document.openapi === 'string' || document.swagger === '2.0')
}

/** Server URLs of a `servers` array, with `{variables}` replaced by their defaults. */
function serverUrls(servers: unknown): string[] | undefined {
  if (!Array.isArray(servers) || servers.length === 0) return undefined
  const urls: string[] = []
  for (const server of servers) {
    if (!isObject(server) || typeof server.url !== 'string') continue
    const variables = isObject(server.variables) ? server.variables : {}
    urls.push(
      server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
        const variable = variables[name]
        return isObject(variable) && variable.default !== undefined
          ? String(variable.default)
          : whole
      })
    )
  }
  return urls.length > 0 ? urls : undefined
}

function swaggerServers(document: JsonObject): string[] {
  if (typeof document.host !== 'string') return []
  const schemes = Array.isArray(document.schemes) ? document.schemes : []
  const scheme = schemes.includes('https')
    ? 'https'
    : typeof schemes[0] === 'string'
      ? schemes[0]
      : 'https'
  const basePath = typeof document.basePath === 'string' ? document.basePath : ''
  return [`${scheme}://${document.host}${basePath}`]
}

/** Follows a local `$ref` (`#/...`) once or a few times; other references are left alone. */
function followLocalRef(document: JsonObject, value: unknown): unknown {
  let current = value
  for (let hops = 0; hops < 8 && isObject(current) && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref
    if (!ref.startsWith('#/')) return current
    let target: unknown = document
    for (const token of ref.slice(2).split('/').map(unescapePointerToken)) {
      target = isObject(target) ? target[token] : undefined
    }
    if (target === undefined) return current
    current = target
  }
  return current
}

export function indexOpenApi(sourceName: string, document: unknown): OpenApiIndex {
  const index: OpenApiIndex = {
    sourceName,
    byOperationId: new Map(),
    byPointer: new Map(),
    problems: []
  }
  if (!isOpenApiDocument(document)) {
    index.problems.push('not an OpenAPI description (no `openapi` or `swagger: "2.0"` field)')
    return index
  }
  const doc = document as JsonObject
  const documentServers =
    doc.swagger === '2.0' ? swaggerServers(doc) : (serverUrls(doc.servers) ?? ['/'])
  const paths = isObject(doc.paths) ? doc.paths : {}
  for (const [pathTemplate, rawItem] of Object.entries(paths)) {
    const pathItem = followLocalRef(doc, rawItem)
    if (!isObject(pathItem)) continue
    const pathServers = serverUrls(pathItem.servers)
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method]
      if (!isObject(operation)) continue
      const resolved: ResolvedOperation = {
        sourceName,
        method: method.toUpperCase(),
        pathTemplate,
        servers: serverUrls(operation.servers) ?? pathServers ?? documentServers
      }
      const parameters = operationParameters(doc, pathItem.parameters, operation.parameters)
      if (parameters) resolved.parameters = parameters
      const contentTypes = requestContentTypes(doc, operation)
      if (contentTypes) resolved.requestContentTypes = contentTypes
      if (typeof operation.operationId === 'string') {
        resolved.operationId = operation.operationId
        if (index.byOperationId.has(operation.operationId)) {
          index.problems.push(`operationId '${operation.operationId}' is used more than once`)
        } else {
          index.byOperationId.set(operation.operationId, resolved)
        }
      }
      index.byPointer.set(`/paths/${escapePointerToken(pathTemplate)}/${method}`, resolved)
    }
  }
  return index
}

const LOCATIONS: readonly string[] = ['path', 'query', 'header', 'cookie']
/** Swagger 2's collectionFormat as the OAS 3 style (and explode) it stands for. */
const COLLECTION_FORMATS: Record<string, { style?: string; explode: boolean }> = {
  csv: { explode: false },
  multi: { style: 'form', explode: true },
  ssv: { style: 'spaceDelimited', explode: false },
  pipes: { style: 'pipeDelimited', explode: false },
  tsv: { style: 'tabDelimited', explode: false }
}

/** Path-item parameters overridden by the operation's (same name and location). */
function operationParameters(
  document: JsonObject,
  ...lists: unknown[]
): OpenApiParameter[] | undefined {
  const merged = new Map<string, OpenApiParameter>()
  for (const list of lists) {
    if (!Array.isArray(list)) continue
    for (const raw of list) {
      const parameter = followLocalRef(document, raw)
      if (!isObject(parameter) || typeof parameter.name !== 'string') continue
      if (typeof parameter.in !== 'string' || !LOCATIONS.includes(parameter.in)) continue
      const described: OpenApiParameter = {
        name: parameter.name,
        in: parameter.in as ParameterLocation
      }
      if (typeof parameter.style === 'string') described.style = parameter.style
      if (typeof parameter.explode === 'boolean') described.explode = parameter.explode
      if (parameter.allowReserved === true) described.allowReserved = true
      if (isObject(parameter.content)) {
        const [contentType] = Object.keys(parameter.content)
        if (contentType) described.contentType = contentType
      }
      if (document.swagger === '2.0' && parameter.type === 'array') {
        const format =
          COLLECTION_FORMATS[
            typeof parameter.collectionFormat === 'string' ? parameter.collectionFormat : 'csv'
          ]
        if (format) {
          if (format.style) described.style = format.style
          described.explode = format.explode
        }
      }
      merged.set(`${described.name}\u0000${described.in}`, described)
    }
  }
  return merged.size > 0 ? [...merged.values()] : undefined
}

/** OAS 3 `requestBody.content` keys (through a `$ref`), or Swagger 2 `consumes`. */
function requestContentTypes(document: JsonObject, operation: JsonObject): string[] | undefined {
  if (document.swagger === '2.0') {
    const consumes = Array.isArray(operation.consumes) ? operation.consumes : document.consumes
    const types = Array.isArray(consumes)
      ? consumes.filter((type): type is string => typeof type === 'string')
      : []
    return types.length > 0 ? types : undefined
  }
  const body = followLocalRef(document, operation.requestBody)
  if (!isObject(body) || !isObject(body.content)) return undefined
  const types = Object.keys(body.content)
  return types.length > 0 ? types : undefined
}

/** `{$sourceDescriptions.name.url}#/paths/~1pets/get` (braces optional) split in its parts. */
export function parseOperationPath(
  text: string
): { sourceName: string; pointer: string } | undefined {
  const match = /^\{?\$sourceDescriptions\.([A-Za-z0-9_-]+)\.url\}?#(.*)$/.exec(text)
  if (!match) return undefined
  return { sourceName: match[1], pointer: match[2] }
}

/** `$sourceDescriptions.name.opId` or a bare operationId. */
export function parseOperationIdRef(text: string): { sourceName?: string; operationId: string } {
  const match = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/.exec(text)
  return match ? { sourceName: match[1], operationId: match[2] } : { operationId: text }
}

/**
 * The operation a pointer names. The pointer must reach an operation object, i.e.
 * `/paths/<escaped path>/<method>`; percent-encoding in the fragment is decoded first.
 */
export function findOperationByPointer(
  index: OpenApiIndex,
  pointer: string
): ResolvedOperation | undefined {
  let decoded = pointer
  try {
    decoded = decodeURIComponent(pointer)
  } catch {
    // Not percent-encoded after all: use as written.
  }
  const tokens = decoded.split('/')
  if (tokens.length !== 4 || tokens[0] !== '' || tokens[1] !== 'paths') return undefined
  const method = tokens[3].toLowerCase()
  return index.byPointer.get(`/paths/${tokens[2]}/${method}`)
}
