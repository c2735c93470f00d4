/**
 * JSON Pointer (RFC 6901): read a value at a pointer, and set one (for `requestBody.replacements`).
 * Reading never throws for a value that is not there: runtime expressions depend on a missing
 * value being `undefined` (a download URL that is absent while a request is pending).
 */
import { ArazzoRuntimeError, ArazzoSyntaxError } from './errors.js'

/** Array indices as RFC 6901 spells them: no sign, no leading zero. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/

/**
 * Splits a pointer into its unescaped reference tokens. `''` (and `'#'` in fragment form) is the
 * whole document. With `fragment`, a leading `#` marks the URI fragment form, which is
 * percent-decoded first (RFC 6901 section 6).
 */
export function parsePointer(pointer: string, options: { fragment?: boolean } = {}): string[] {
  let text = pointer
  const fragment = options.fragment !== false && text.startsWith('#')
  if (fragment) {
    try {
      text = decodeURIComponent(text.slice(1))
    } catch {
      throw new ArazzoSyntaxError(pointer, 0, 'Malformed percent-encoding in JSON Pointer')
    }
  }
  if (text === '') return []
  if (!text.startsWith('/')) {
    throw new ArazzoSyntaxError(pointer, 0, "JSON Pointer must be empty or start with '/'")
  }
  const offset = fragment ? 1 : 0
  const tokens: string[] = []
  let start = 1
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && text[i] !== '/') {
      if (text[i] === '~' && text[i + 1] !== '0' && text[i + 1] !== '1') {
        throw new ArazzoSyntaxError(pointer, i + offset, "'~' must be followed by '0' or '1'")
      }
      continue
    }
    tokens.push(unescapeToken(text.slice(start, i)))
    start = i + 1
  }
  return tokens
}

/** `~1` is '/' and `~0` is '~', decoded in that order so `~01` stays `~1`. */
function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~')
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map(token => '/' + escapePointerToken(token)).join('')
}

/**
 * One step down: an own property of an object, or an existing index of an array. Own
 * properties only, so a document can never reach `constructor` or `__proto__` of a prototype.
 */
export function childOf(value: unknown, token: string): unknown {
  if (Array.isArray(value)) {
    if (!ARRAY_INDEX.test(token)) return undefined
    const index = Number(token)
    return index < value.length ? value[index] : undefined
  }
  if (isObject(value) && Object.hasOwn(value, token)) return value[token]
  return undefined
}

/** Follows already-parsed tokens; undefined as soon as one step reaches nothing. */
export function resolveTokens(value: unknown, tokens: readonly string[]): unknown {
  let current = value
  for (const token of tokens) {
    current = childOf(current, token)
    if (current === undefined) return undefined
  }
  return current
}

/**
 * The value at `pointer` ('' or '#' = the whole value; '/a/0' or '#/a/0'), undefined when
 * unreachable. Throws ArazzoSyntaxError only for a malformed pointer.
 */
export function resolvePointer(value: unknown, pointer: string): unknown {
  return resolveTokens(value, parsePointer(pointer))
}

/**
 * Sets `value` at `pointer` and returns the new root. Copy-on-write along the path: the input is
 * never mutated (the payload may be an input or a step output shared with other steps). Only the
 * last token may name something new: an object key, or '-' to append to an array.
 */
export function setPointer(target: unknown, pointer: string, value: unknown): unknown {
  return setTokens(target, parsePointer(pointer), value, pointer)
}

function setTokens(target: unknown, tokens: readonly string[], value: unknown, pointer: string) {
  if (tokens.length === 0) return value
  const [head, ...rest] = tokens
  if (Array.isArray(target)) {
    const copy = [...target]
    if (rest.length === 0 && head === '-') {
      copy.push(value)
      return copy
    }
    if (!ARRAY_INDEX.test(head) || Number(head) >= target.length) {
      throw missing(pointer, tokens.length === 1 ? 'array index' : 'parent')
    }
    copy[Number(head)] = setTokens(target[Number(head)], rest, value, pointer)
    return copy
  }
  if (isObject(target)) {
    if (rest.length > 0 && !Object.hasOwn(target, head)) throw missing(pointer, 'parent')
    const copy: Record<string, unknown> = { ...target }
    // defineProperty, not assignment: a key named '__proto__' must stay a plain own property.
    Object.defineProperty(copy, head, {
      value: setTokens(target[head], rest, value, pointer),
      writable: true,
      enumerable: true,
      configurable: true
    })
    return copy
  }
  throw missing(pointer, 'parent')
}

function missing(pointer: string, what: string): ArazzoRuntimeError {
  return new ArazzoRuntimeError(`Cannot set ${JSON.stringify(pointer)}: the ${what} does not exist`)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
