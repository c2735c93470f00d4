/**
 * Builds the HTTP request of an operation step: merges workflow and step parameters (reusable
 * ones resolved), serialises each by its OpenAPI description (parameter-style.ts), fills the path
 * template, picks the server, and writes the body (request-body.ts). Also returns what
 * `$request.*` expressions read afterwards.
 *
 * Header names are checked (RFC 9110 tokens) and header values may not hold line breaks or NUL:
 * a document cannot smuggle a second header or request.
 */
import { ArazzoRuntimeError } from './errors.js'
import { compileValue, evaluateValue } from './compiled-values.js'
import { setPointer } from './json-pointer.js'
import {
  scalarText,
  serializeCookie,
  serializeHeader,
  serializePath,
  serializeQuery
} from './parameter-style.js'
import { chooseContentType, serializeBody, structuredPayload } from './request-body.js'
import type {
  Components,
  ExpressionContext,
  HttpRequest,
  OpenApiParameter,
  Parameter,
  ParameterLocation,
  ResolvedOperation,
  ReusableObject,
  Step,
  Workflow
} from './types.js'
import { cached } from './compile-cache.js'
import { isObject, lookupComponent, parseComponentReference } from './document-nodes.js'

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

export interface ResolvedParameter {
  name: string
  in?: ParameterLocation
  /** The object its compiled value is cached on. */
  owner: object
  value: unknown
}

/**
 * Workflow-level parameters, overridden by the step's: by name and location for operation steps
 * (`byLocation`), by name for workflow steps (they become the child workflow's inputs).
 */
export function stepParameters(
  components: Components | undefined,
  workflow: Workflow,
  step: Step,
  byLocation: boolean
): ResolvedParameter[] {
  const key = (p: ResolvedParameter): string => (byLocation ? `${p.name}\u0000${p.in}` : p.name)
  const merged = new Map<string, ResolvedParameter>()
  for (const item of [...(workflow.parameters ?? []), ...(step.parameters ?? [])]) {
    const parameter = resolveParameter(components, item)
    if (parameter) merged.set(key(parameter), parameter)
  }
  return [...merged.values()]
}

function resolveParameter(
  components: Components | undefined,
  item: Parameter | ReusableObject
): ResolvedParameter | undefined {
  if (!('reference' in item) || item.reference === undefined) {
    const p = item as Parameter
    return { name: p.name, in: p.in, owner: p, value: p.value }
  }
  const parsed = parseComponentReference(item.reference)
  const target = parsed && lookupComponent(components, 'parameters', parsed.name)
  if (!isObject(target)) return undefined
  const component = target as unknown as Parameter
  const overridden = Object.hasOwn(item, 'value') && item.value !== undefined
  return {
    name: component.name,
    in: component.in,
    owner: overridden ? item : component,
    value: overridden ? item.value : component.value
  }
}

export function parameterValue(parameter: ResolvedParameter, ctx: ExpressionContext): unknown {
  return evaluateValue(
    cached(parameter.owner, 'value', () => compileValue(parameter.value)),
    ctx
  )
}

export interface BuiltRequest {
  request: HttpRequest
  /** What `$request.header|query|path|body` read. */
  context: NonNullable<ExpressionContext['request']>
}

export interface BuildRequestArgs {
  step: Step
  operation: ResolvedOperation
  parameters: ResolvedParameter[]
  ctx: ExpressionContext
  /** Replaces the operation's servers. */
  serverUrl?: string
}

export function buildRequest({
  step,
  operation,
  parameters,
  ctx,
  serverUrl
}: BuildRequestArgs): BuiltRequest {
  const described = new Map<string, OpenApiParameter>()
  for (const p of operation.parameters ?? []) described.set(`${p.name}\u0000${p.in}`, p)
  const describe = (p: ResolvedParameter): OpenApiParameter | undefined =>
    described.get(`${p.name}\u0000${p.in}`)

  const pathText: Record<string, string> = {}
  const path: Record<string, string> = {}
  const queryPairs: string[] = []
  const query: Record<string, string> = {}
  const headers: Record<string, string> = {}
  const cookies: string[] = []
  for (const parameter of parameters) {
    const value = parameterValue(parameter, ctx)
    if (value === undefined || value === null) continue
    const raw = Array.isArray(value) ? value.map(scalarText).join(',') : scalarText(value)
    switch (parameter.in) {
      case 'path':
        path[parameter.name] = raw
        pathText[parameter.name] = serializePath(parameter.name, value, describe(parameter))
        break
      case 'query':
        query[parameter.name] = raw
        queryPairs.push(...serializeQuery(parameter.name, value, describe(parameter)))
        break
      case 'header':
        setHeader(headers, parameter.name, serializeHeader(value, describe(parameter)), step.stepId)
        break
      case 'cookie':
        cookies.push(...serializeCookie(parameter.name, value, describe(parameter)))
        break
      default:
        // No `in`: nothing to place in the request (as before this switch was made exhaustive).
        break
    }
  }
  if (cookies.length > 0) {
    const existing = findHeader(headers, 'cookie')
    const joined = cookies.join('; ')
    setHeader(
      headers,
      existing ?? 'Cookie',
      existing ? `${headers[existing]}; ${joined}` : joined,
      step.stepId
    )
  }

  const pathname = operation.pathTemplate.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    if (!Object.hasOwn(pathText, name)) {
      throw new ArazzoRuntimeError(
        `step '${step.stepId}': path parameter '${name}' has no value`,
        step.stepId
      )
    }
    return pathText[name]
  })
  const server = serverUrl ?? operation.servers[0]
  if (!server || !/^https?:\/\//i.test(server)) {
    throw new ArazzoRuntimeError(
      `step '${step.stepId}': the operation has no absolute server URL${server ? ` ('${server}')` : ''}; pass serverUrl`,
      step.stepId
    )
  }
  let url = server.replace(/\/+$/, '') + (pathname.startsWith('/') ? pathname : `/${pathname}`)
  if (queryPairs.length > 0) url += (url.includes('?') ? '&' : '?') + queryPairs.join('&')

  const { body, bodyValue } = buildBody(step, operation, ctx)
  if (body !== undefined && findHeader(headers, 'content-type') === undefined) {
    headers['Content-Type'] = body.contentType
  }
  const request: HttpRequest = { method: operation.method, url, headers }
  if (body !== undefined) request.body = body.body
  return {
    request,
    context: { headers: lowerCaseKeys(headers), query, path, body: bodyValue }
  }
}

function buildBody(step: Step, operation: ResolvedOperation, ctx: ExpressionContext) {
  const requestBody = step.requestBody
  if (!requestBody) return { body: undefined, bodyValue: undefined }
  const contentType = chooseContentType(requestBody.contentType, operation)
  let value =
    requestBody.payload === undefined
      ? undefined
      : evaluateValue(
          cached(requestBody, 'payload', () => compileValue(requestBody.payload)),
          ctx
        )
  const replacements = requestBody.replacements ?? []
  if (replacements.length > 0 && typeof value === 'string') {
    value = structuredPayload(value, contentType)
    if (typeof value === 'string') {
      throw new ArazzoRuntimeError(
        `step '${step.stepId}': the payload is not JSON or a form, so replacements cannot apply`,
        step.stepId
      )
    }
  }
  for (const replacement of replacements) {
    const replaced = evaluateValue(
      cached(replacement, 'value', () => compileValue(replacement.value)),
      ctx
    )
    value = setPointer(value ?? {}, replacement.target, replaced)
  }
  return {
    body: serializeBody(value, contentType, step.stepId),
    bodyValue: structuredPayload(value, contentType)
  }
}

export function findHeader(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase()
  return Object.keys(headers).find(key => key.toLowerCase() === lower)
}

/** Sets a header (replacing one of the same name in any case), refusing injection. */
function setHeader(
  headers: Record<string, string>,
  name: string,
  value: string,
  stepId: string
): void {
  if (!HEADER_NAME.test(name)) {
    throw new ArazzoRuntimeError(`step '${stepId}': '${name}' is not a valid header name`, stepId)
  }
  // eslint-disable-next-line no-control-regex
  if (/[\r\n\u0000]/.test(value)) {
    throw new ArazzoRuntimeError(
      `step '${stepId}': the value of header '${name}' contains a line break or NUL`,
      stepId
    )
  }
  const existing = findHeader(headers, name)
  if (existing !== undefined && existing !== name) delete headers[existing]
  headers[name] = value
}

export function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const lowered: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value
  return lowered
}
