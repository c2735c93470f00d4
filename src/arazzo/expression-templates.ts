/**
 * Strings with embedded runtime expressions: `{$...}` everywhere and, as a compatibility rule, a
 * bare `$source...` token inside a longer string (the seed's "Basic $inputs.basicAuth"). Splits
 * such a string into literal text and expressions once, and renders it against a context, with
 * the rule for how a non-string value reads inside a string.
 */
import { ArazzoSyntaxError } from './errors.js'
import { evaluateExpression } from './expression-evaluation.js'
import { parseExpression, startsWithKnownSource, type Expression } from './expression-parser.js'
import type { ExpressionContext } from './types.js'

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
