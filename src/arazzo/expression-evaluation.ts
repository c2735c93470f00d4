/**
 * Evaluation of parsed runtime expressions against an ExpressionContext: the referenced value,
 * type preserved. A reference that reaches nothing evaluates to undefined and never throws: the
 * seed workflow reads `download_url` while it is still absent. Also the property access rules
 * that simple conditions share (own keys, array indices, `length`), and the longest-name-first
 * reading of dotted names.
 */
import type { Expression } from './expression-parser.js'
import { childOf, resolveTokens } from './json-pointer.js'
import type { ExpressionContext } from './types.js'

/** The referenced value, type preserved; undefined when it is not there. */
export function evaluateExpression(expr: Expression, ctx: ExpressionContext): unknown {
  const ref = expr.ref
  switch (ref.source) {
    case 'url':
      return ctx.url
    case 'method':
      return ctx.method
    case 'statusCode':
      return ctx.statusCode
    case 'request':
    case 'response': {
      const message = ref.source === 'request' ? ctx.request : ctx.response
      if (!message) return undefined
      switch (ref.part) {
        case 'header':
          return headerValue(message.headers, ref.name)
        case 'query':
        case 'path':
          return ownValue(ref.source === 'request' ? ctx.request?.[ref.part] : undefined, ref.name)
        case 'body':
          return resolveTokens(dereference(message.body, ref.path), ref.pointer)
      }
      return undefined
    }
    case 'inputs':
    case 'outputs':
      return resolveNamed(ctx[ref.source], ref.path, ref.pointer)
    case 'steps':
      return resolveNamed(ownValue(ctx.steps, ref.stepId, 'outputs'), ref.path, ref.pointer)
    case 'workflows':
      return resolveNamed(ownValue(ctx.workflows, ref.workflowId, ref.field), ref.path, ref.pointer)
    case 'sourceDescriptions':
      return resolveNamed(ownValue(ctx.sourceDescriptions, ref.name), ref.path, ref.pointer)
    case 'components':
      return resolveNamed(ownValue(ctx.components, ref.componentType), ref.path, ref.pointer)
  }
}

/** Property access as conditions use it: own keys, array indices, and `length` of arrays/strings. */
export function propertyOf(value: unknown, name: string): unknown {
  if (name === 'length' && (Array.isArray(value) || typeof value === 'string')) return value.length
  return childOf(value, name)
}

export function dereference(value: unknown, path: readonly string[]): unknown {
  let current = value
  for (const name of path) {
    current = propertyOf(current, name)
    if (current === undefined) return undefined
  }
  return current
}

/** Longest dotted name that exists wins: `a.b` is the name `a.b`, else `b` inside `a`. */
function resolveNamed(record: unknown, path: readonly string[], pointer: readonly string[]) {
  if (typeof record !== 'object' || record === null) return undefined
  for (let length = path.length; length >= 1; length--) {
    const name = path.slice(0, length).join('.')
    if (Object.hasOwn(record, name)) {
      const value = (record as Record<string, unknown>)[name]
      return resolveTokens(dereference(value, path.slice(length)), pointer)
    }
  }
  return path.length === 0 ? resolveTokens(record, pointer) : undefined
}

function ownValue(record: unknown, ...keys: string[]): unknown {
  let current = record
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) {
      return undefined
    }
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

/** Header names are case-insensitive; response headers arrive lower-cased, requests may not. */
function headerValue(headers: Record<string, string> | undefined, name: string): unknown {
  if (!headers) return undefined
  const lower = name.toLowerCase()
  if (Object.hasOwn(headers, lower)) return headers[lower]
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return value
  }
  return undefined
}
