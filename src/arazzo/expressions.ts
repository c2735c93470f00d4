/**
 * Arazzo 1.0.1 runtime expressions (`$statusCode`, `$response.body#/status`, `$inputs.userIds`,
 * ...) and the document values that embed them. Everything is parsed once, at compile time;
 * evaluation only reads the context. A reference that reaches nothing evaluates to undefined and
 * never throws: the seed workflow reads `download_url` while it is still absent.
 *
 * Grammar: the ABNF of Arazzo 1.0.1, with the clarifications of the 1.1.0 draft:
 * - a JSON Pointer (`#/a/0`) may follow body references and every named reference
 *   (`$inputs.x#/0`, `$steps.s.outputs.pets#/0/id`, `$workflows.w.outputs.o#/name`);
 * - `$response.body.items` dereferences properties with dots (the 1.1.0 examples use
 *   `$response.body.count` and `$response.body.status`);
 * - names may contain dots (output names match `^[a-zA-Z0-9.\-_]+$`), so `$inputs.a.b` reads the
 *   input named `a.b` when there is one, else property `b` of input `a` (longest name first).
 * Source keywords are case-sensitive; header names are not (RFC 9110).
 */
import { ArazzoSyntaxError } from './errors.js'
import { childOf, parsePointer, resolveTokens } from './json-pointer.js'
import type { ExpressionContext } from './types.js'

export type ComponentType = 'inputs' | 'parameters' | 'successActions' | 'failureActions'

/** What an expression reads, for callers that check references (e.g. unknown step ids). */
export type ExpressionReference =
  | { readonly source: 'url' | 'method' | 'statusCode' }
  | {
      readonly source: 'request' | 'response'
      readonly part: 'header' | 'query' | 'path'
      readonly name: string
    }
  | {
      readonly source: 'request' | 'response'
      readonly part: 'body'
      readonly path: readonly string[]
      readonly pointer: readonly string[]
    }
  | {
      readonly source: 'inputs' | 'outputs'
      readonly path: readonly string[]
      readonly pointer: readonly string[]
    }
  | {
      readonly source: 'steps'
      readonly stepId: string
      readonly path: readonly string[]
      readonly pointer: readonly string[]
    }
  | {
      readonly source: 'workflows'
      readonly workflowId: string
      readonly field: 'inputs' | 'outputs'
      readonly path: readonly string[]
      readonly pointer: readonly string[]
    }
  | {
      readonly source: 'sourceDescriptions'
      readonly name: string
      readonly path: readonly string[]
      readonly pointer: readonly string[]
    }
  | {
      readonly source: 'components'
      readonly componentType: ComponentType
      readonly path: readonly string[]
      readonly pointer: readonly string[]
    }

export interface Expression {
  readonly source: string
  readonly ref: ExpressionReference
  /** Set on a bare `$source...` token inside a longer string (the compatibility rule). */
  readonly bare?: true
}

/** `$` + a source keyword that is not the start of a longer word (`$urls` is not `$url`). */
const KNOWN_SOURCE =
  /^\$(?:url|method|statusCode|request|response|inputs|outputs|steps|workflows|sourceDescriptions|components)(?![A-Za-z0-9_])/

/** A name segment: no separators, no operators, so conditions and templates delimit it. */
const NAME_SEGMENT = /[^\s.#{}$,;'"()[\]<>=!&|/\\]+/y
/**
 * Step, workflow and source description ids. The spec only recommends `[A-Za-z0-9_\-]+` (a SHOULD)
 * and its ABNF allows any CHAR in a name, so an id such as `get status` is read up to the next
 * `.`: dots, `#` and braces end it (they delimit the expression and what follows).
 */
const IDENTIFIER = /[^.#{}]+/y
/** RFC 9110 token (tchar). */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const PARAMETER_NAME = /^[^\s{}]+$/
const COMPONENT_TYPES: readonly string[] = [
  'inputs',
  'parameters',
  'successActions',
  'failureActions'
]

/** True when `text` starts like an expression of a known source (a typo there is an error). */
export function startsWithKnownSource(text: string): boolean {
  return KNOWN_SOURCE.test(text)
}

export function isRuntimeExpression(text: string): boolean {
  if (typeof text !== 'string') return false
  try {
    parseExpression(text)
    return true
  } catch {
    return false
  }
}

/** Parses one whole runtime expression. Throws ArazzoSyntaxError. */
export function parseExpression(text: string): Expression {
  if (typeof text !== 'string') {
    throw new ArazzoSyntaxError(String(text), 0, 'A runtime expression must be a string')
  }
  return { source: text, ref: new ExpressionParser(text).parse() }
}

class ExpressionParser {
  private pos = 0

  constructor(private readonly text: string) {}

  parse(): ExpressionReference {
    if (this.text[0] !== '$') this.fail("A runtime expression starts with '$'")
    this.pos = 1
    const keyword = this.match(/[A-Za-z]+/y)
    switch (keyword) {
      case 'url':
      case 'method':
      case 'statusCode':
        this.expectEnd()
        return { source: keyword }
      case 'request':
      case 'response':
        this.expect('.')
        return this.parseMessage(keyword)
      case 'inputs':
      case 'outputs': {
        this.expect('.')
        return { source: keyword, ...this.parseNamed(true) }
      }
      case 'steps': {
        this.expect('.')
        const stepId = this.identifier('a step id')
        this.expect('.outputs')
        return { source: 'steps', stepId, ...this.parseNamed(false) }
      }
      case 'workflows': {
        this.expect('.')
        const workflowId = this.identifier('a workflow id')
        this.expect('.')
        const field = this.match(/inputs|outputs/y)
        if (field !== 'inputs' && field !== 'outputs') this.fail("Expected 'inputs' or 'outputs'")
        this.expect('.')
        return { source: 'workflows', workflowId, field, ...this.parseNamed(true) }
      }
      case 'sourceDescriptions': {
        this.expect('.')
        const name = this.identifier('a source description name')
        return { source: 'sourceDescriptions', name, ...this.parseNamed(false) }
      }
      case 'components': {
        this.expect('.')
        const componentType = this.match(/[A-Za-z]+/y)
        if (!COMPONENT_TYPES.includes(componentType)) {
          this.pos -= componentType.length
          this.fail('Expected inputs, parameters, successActions or failureActions')
        }
        this.expect('.')
        return {
          source: 'components',
          componentType: componentType as ComponentType,
          ...this.parseNamed(true)
        }
      }
      default:
        this.pos = 1
        return this.fail(`Unknown runtime expression source '$${keyword}'`)
    }
  }

  private parseMessage(source: 'request' | 'response'): ExpressionReference {
    const part = this.match(/header|query|path|body/y) as '' | 'header' | 'query' | 'path' | 'body'
    if (part === 'body') {
      if (this.pos === this.text.length) return { source, part, path: [], pointer: [] }
      if (this.text[this.pos] === '#') return { source, part, path: [], pointer: this.pointer() }
      this.expect('.')
      return { source, part, ...this.parseNamed(true) }
    }
    if (part === '') this.fail("Expected 'header', 'query', 'path' or 'body'")
    this.expect('.')
    const name = this.text.slice(this.pos)
    const valid = part === 'header' ? HEADER_TOKEN : PARAMETER_NAME
    if (!valid.test(name)) this.fail(`Expected a ${part} name`)
    return { source, part, name }
  }

  /**
   * `name(.name)*` then an optional `#pointer`, up to the end. With `required`, at least one name
   * (`$inputs.` alone is an error); without, the position may be at the end, at `.name` or `#`.
   */
  private parseNamed(required: boolean): { path: string[]; pointer: string[] } {
    const path: string[] = []
    if (!required) {
      if (this.pos === this.text.length) return { path, pointer: [] }
      if (this.text[this.pos] === '#') return { path, pointer: this.pointer() }
      this.expect('.')
    }
    for (;;) {
      const segment = this.match(NAME_SEGMENT)
      if (segment === '') this.fail('Expected a name')
      path.push(segment)
      if (this.text[this.pos] !== '.') break
      this.pos++
    }
    if (this.pos === this.text.length) return { path, pointer: [] }
    if (this.text[this.pos] === '#') return { path, pointer: this.pointer() }
    return this.fail('Unexpected character')
  }

  private pointer(): string[] {
    const start = this.pos + 1
    try {
      return parsePointer(this.text.slice(start), { fragment: false })
    } catch (error) {
      const at = error instanceof ArazzoSyntaxError ? error.position : 0
      const detail = error instanceof ArazzoSyntaxError ? error.detail : 'Malformed JSON Pointer'
      throw new ArazzoSyntaxError(this.text, start + at, detail)
    }
  }

  private identifier(what: string): string {
    const id = this.match(IDENTIFIER)
    if (id === '') this.fail(`Expected ${what}`)
    return id
  }

  private match(pattern: RegExp): string {
    pattern.lastIndex = this.pos
    const found = pattern.exec(this.text)
    if (!found) return ''
    this.pos += found[0].length
    return found[0]
  }

  private expect(literal: string): void {
    if (!this.text.startsWith(literal, this.pos)) this.fail(`Expected '${literal}'`)
    this.pos += literal.length
  }

  private expectEnd(): void {
    if (this.pos !== this.text.length) this.fail('Unexpected text after the expression')
  }

  private fail(detail: string): never {
    throw new ArazzoSyntaxError(this.text, this.pos, detail)
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Strings with embedded expressions, and document values
// ---------------------------------------------------------------------------------------------

/** Literal text and expressions, in order. */
export type TemplatePart = string | Expression

/**
 * A bare `$source...` token inside a longer string (the seed's "Basic $inputs.basicAuth").
 * Segments are plain identifiers, so trailing punctuation ("... $inputs.x.") stays literal.
 */
const BARE_TOKEN =
  /\$(?:url|method|statusCode|request|response|inputs|outputs|steps|workflows|sourceDescriptions|components)(?![A-Za-z0-9_])(?:\.[A-Za-z0-9_-]+)*(?:#(?:\/(?:[A-Za-z0-9_.-]|~[01])*)+)?/y

/**
 * Splits a string into literal text and expressions: `{$...}` everywhere and, with `bare`,
 * `$source...` tokens too. Returns undefined when the string has no expression at all.
 * A `{$...}` whose inside starts with a known source but does not parse is an error (a typo the
 * author should hear about); any other `{...}` or `$...` stays literal text.
 */
export function parseTemplate(
  text: string,
  options: { bare: boolean }
): TemplatePart[] | undefined {
  const parts: TemplatePart[] = []
  let literal = ''
  let found = false
  let i = 0
  while (i < text.length) {
    if (text[i] === '{' && text[i + 1] === '$') {
      const close = text.indexOf('}', i + 2)
      if (close !== -1) {
        const inner = text.slice(i + 1, close)
        const expr = tryParse(inner, text, i + 1)
        if (expr) {
          if (literal) parts.push(literal)
          literal = ''
          parts.push(expr)
          found = true
          i = close + 1
          continue
        }
      }
    } else if (options.bare && text[i] === '$') {
      BARE_TOKEN.lastIndex = i
      const token = BARE_TOKEN.exec(text)?.[0]
      const expr = token ? parseQuietly(token) : undefined
      if (token && expr) {
        if (literal) parts.push(literal)
        literal = ''
        parts.push({ ...expr, bare: true })
        found = true
        i += token.length
        continue
      }
    }
    literal += text[i]
    i++
  }
  if (literal) parts.push(literal)
  return found ? parts : undefined
}

/** Parses the inside of `{...}`: an expression, literal text (undefined), or an error. */
function tryParse(inner: string, whole: string, offset: number): Expression | undefined {
  try {
    return parseExpression(inner)
  } catch (error) {
    if (!startsWithKnownSource(inner) || !(error instanceof ArazzoSyntaxError)) return undefined
    throw new ArazzoSyntaxError(whole, offset + error.position, error.detail)
  }
}

function parseQuietly(text: string): Expression | undefined {
  try {
    return parseExpression(text)
  } catch {
    return undefined
  }
}

export function renderTemplate(parts: readonly TemplatePart[], ctx: ExpressionContext): string {
  let out = ''
  for (const part of parts) {
    out += typeof part === 'string' ? part : stringifyValue(evaluateExpression(part, ctx))
  }
  return out
}

/**
 * How an embedded value reads inside a string: strings as is, undefined as '', objects and arrays
 * as JSON (1.1.0 draft), other scalars as their JavaScript string.
 */
export function stringifyValue(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? ''
    } catch {
      return String(value)
    }
  }
  return String(value)
}

export type CompiledValue =
  | {
      readonly kind: 'literal'
      readonly value: unknown
      /** Why a string that starts like an expression is a constant after all. */
      readonly notExpression?: string
    }
  | { readonly kind: 'expression'; readonly expression: Expression }
  | { readonly kind: 'template'; readonly parts: readonly TemplatePart[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledValue[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledValue])[] }

/**
 * Parses a document value once (parameter value, payload, output, replacement value).
 * - a string that is exactly one expression keeps the referenced value's type;
 * - a string with `{$...}` or bare `$source...` tokens becomes a template (result is a string);
 *   a bare token is substituted only when it parses as a whole expression of a known source
 *   (`$inputs.x`, `$steps.s.outputs.y`, ...): `$5 off` and `$HOME` stay text;
 * - a string that starts like an expression but is none (`$inputs`, `$steps.s.requestId`) is a
 *   constant, as Arazzo allows ("a constant or a runtime expression"); `notExpression` says why,
 *   so the loader can warn about what may be a typo;
 * - arrays and plain objects are walked; other values are literals.
 * A `{$...}` whose inside starts like an expression but does not parse is an ArazzoSyntaxError.
 */
export function compileValue(value: unknown): CompiledValue {
  if (typeof value === 'string') return compileString(value)
  if (Array.isArray(value)) return { kind: 'array', items: value.map(compileValue) }
  if (isPlainObject(value)) {
    return {
      kind: 'object',
      entries: Object.entries(value).map(([key, item]) => [key, compileValue(item)] as const)
    }
  }
  return { kind: 'literal', value }
}

function compileString(text: string): CompiledValue {
  let wholeError: unknown
  if (startsWithKnownSource(text)) {
    try {
      return { kind: 'expression', expression: parseExpression(text) }
    } catch (error) {
      wholeError = error
    }
  }
  const parts = parseTemplate(text, { bare: true })
  if (parts) return { kind: 'template', parts }
  if (wholeError && !/\s/.test(text)) {
    const detail = wholeError instanceof Error ? wholeError.message : String(wholeError)
    return { kind: 'literal', value: text, notExpression: detail }
  }
  return { kind: 'literal', value: text }
}

export function evaluateValue(compiled: CompiledValue, ctx: ExpressionContext): unknown {
  switch (compiled.kind) {
    case 'literal':
      return compiled.value
    case 'expression':
      return evaluateExpression(compiled.expression, ctx)
    case 'template':
      return renderTemplate(compiled.parts, ctx)
    case 'array':
      return compiled.items.map(item => evaluateValue(item, ctx))
    case 'object':
      // fromEntries defines own properties, so a '__proto__' key stays data.
      return Object.fromEntries(
        compiled.entries.map(([key, item]) => [key, evaluateValue(item, ctx)])
      )
  }
}

/** Every expression a compiled value reads (for reference checks at load time). */
export function expressionsIn(compiled: CompiledValue): Expression[] {
  switch (compiled.kind) {
    case 'literal':
      return []
    case 'expression':
      return [compiled.expression]
    case 'template':
      return compiled.parts.filter((part): part is Expression => typeof part !== 'string')
    case 'array':
      return compiled.items.flatMap(expressionsIn)
    case 'object':
      return compiled.entries.flatMap(([, item]) => expressionsIn(item))
  }
}

/** What the loader warns about in a compiled value: bare tokens and expression look-alikes. */
export function valueNotes(compiled: CompiledValue): {
  bare: string[]
  notExpressions: { text: string; reason: string }[]
} {
  const bare: string[] = []
  const notExpressions: { text: string; reason: string }[] = []
  const walk = (value: CompiledValue): void => {
    switch (value.kind) {
      case 'literal':
        if (value.notExpression !== undefined) {
          notExpressions.push({ text: String(value.value), reason: value.notExpression })
        }
        return
      case 'template':
        for (const part of value.parts)
          if (typeof part !== 'string' && part.bare) bare.push(part.source)
        return
      case 'array':
        value.items.forEach(walk)
        return
      case 'object':
        value.entries.forEach(([, item]) => walk(item))
        return
      case 'expression':
        return
    }
  }
  walk(compiled)
  return { bare, notExpressions }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
