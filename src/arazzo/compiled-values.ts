/**
 * Document values (parameter values, payloads, outputs, replacement values) compiled once into a
 * CompiledValue: a literal, a whole expression (whose value keeps its type), a template, or an
 * array/object of those. Evaluated per request against the context; also walked at load time for
 * the expressions a value reads and for the warnings the loader gives (bare tokens, constants
 * that look like expressions).
 */
import { evaluateExpression } from './expression-evaluation.js'
import { parseExpression, startsWithKnownSource, type Expression } from './expression-parser.js'
import { parseTemplate, renderTemplate, type TemplatePart } from './expression-templates.js'
import type { ExpressionContext } from './types.js'

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
