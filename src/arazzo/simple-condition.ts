/**
 * `simple` criterion conditions (Arazzo 1.0.1 "Criterion Object"): literals, runtime expressions
 * and the operators `< <= > >= == != ! && || ( ) [ ] .`, parsed by a tokenizer and a
 * recursive-descent parser (never `eval`). Precedence, loosest first: `||`, `&&`, comparison,
 * `!`, then postfix `[n]` / `.name`. Comparisons do not chain (`a == b == c` is an error).
 *
 * Semantics (1.0.1 + the 1.1.0 draft's "Condition Evaluation"):
 * - string comparisons are case-insensitive (`==`, `!=` and ordering);
 * - a number and a numeric string compare as numbers (`$statusCode == '200'`); ordering operators
 *   also coerce two numeric strings (header values);
 * - null and undefined (a missing value) equal each other and nothing else; ordering with either
 *   is false, so only `!=` passes against a missing value;
 * - `&&`, `||`, `!` and the final verdict use truthiness (false, 0, '', null, undefined fail).
 * Extensions, documented: strings may also be double-quoted (JSON escapes); `{$expr}` is accepted
 * as an operand; when the criterion has a `context`, a bare `$` (as in `$.status` or `$[0]`)
 * denotes the context value.
 */
import {
  BooleanConditionParser,
  evaluateBoolean,
  operatorAt,
  scalarAt,
  truthy,
  wordAt
} from './boolean-condition.js'
import { compareLoose } from './loose-compare.js'
import type {
  BooleanNode,
  BooleanOperator,
  BooleanSemantics,
  ComparisonOperator
} from './boolean-condition.js'
import { ArazzoSyntaxError } from './errors.js'
import { dereference, evaluateExpression, propertyOf } from './expression-evaluation.js'
import { parseExpression, type Expression } from './expression-parser.js'
import type { ExpressionContext } from './types.js'

export { MAX_NESTING, truthy } from './boolean-condition.js'
export type { ComparisonOperator } from './boolean-condition.js'

/** Operands; `!`, `&&`, `||` and comparisons over them come from boolean-condition.ts. */
export type SimpleLeaf =
  | { readonly t: 'literal'; readonly value: unknown }
  | { readonly t: 'expression'; readonly expression: Expression }
  | { readonly t: 'context'; readonly path: readonly string[] }
  | { readonly t: 'property'; readonly of: SimpleNode; readonly name: string }

export type SimpleNode = BooleanNode<SimpleLeaf>

export interface SimpleCondition {
  readonly source: string
  readonly root: SimpleNode
}

type Token =
  | { readonly type: 'punct'; readonly value: '(' | ')' | '[' | ']'; readonly pos: number }
  | {
      readonly type: 'op'
      readonly value: ComparisonOperator | BooleanOperator
      readonly pos: number
    }
  | { readonly type: 'literal'; readonly value: unknown; readonly pos: number }
  | { readonly type: 'expression'; readonly value: Expression; readonly pos: number }
  | { readonly type: 'context'; readonly value: readonly string[]; readonly pos: number }
  | { readonly type: 'property'; readonly value: string; readonly pos: number }
  | { readonly type: 'end'; readonly pos: number }

/** Where a `$...` operand ends: whitespace, operators, brackets, quotes, braces. */
const OPERAND_END = /[\s()[\]<>=!&|'",{}]/
const PROPERTY_NAME = /[^\s()[\]<>=!&|'",{}.]+/y
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y

function tokenize(text: string, allowContext: boolean): Token[] {
  const tokens: Token[] = []
  const fail = (pos: number, detail: string): never => {
    throw new ArazzoSyntaxError(text, pos, detail)
  }
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (/\s/.test(c)) {
      i++
      continue
    }
    const pos = i
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: 'punct', value: c, pos })
      i++
      continue
    }
    const op = operatorAt(text, i)
    if (op) {
      tokens.push({ type: 'op', value: op, pos })
      i += op.length
      continue
    }
    if (c === "'") {
      const { value, end } = readDoubledQuote(text, i, fail)
      tokens.push({ type: 'literal', value, pos })
      i = end
      continue
    }
    if (c === '"') {
      const { value, end } = readEscapedString(text, i, fail)
      tokens.push({ type: 'literal', value, pos })
      i = end
      continue
    }
    if (c === '$') {
      let end = i + 1
      while (end < text.length && !OPERAND_END.test(text[end])) end++
      tokens.push(operandToken(text, i, end, allowContext, fail))
      i = end
      continue
    }
    if (c === '{') {
      const close = text.indexOf('}', i)
      if (text[i + 1] !== '$' || close === -1) fail(i, "Unexpected '{'")
      tokens.push({ type: 'expression', value: expressionAt(text, i + 1, close), pos })
      i = close + 1
      continue
    }
    if (c === '.') {
      PROPERTY_NAME.lastIndex = i + 1
      const name = PROPERTY_NAME.exec(text)?.[0]
      if (!name) fail(i + 1, "Expected a property name after '.'")
      tokens.push({ type: 'property', value: name as string, pos })
      i += 1 + (name as string).length
      continue
    }
    const scalar = scalarAt(text, i, NUMBER)
    if (scalar) {
      tokens.push({ type: 'literal', value: scalar.value, pos })
      i += scalar.length
      continue
    }
    const word = wordAt(text, i)
    if (word) fail(i, `Unknown word '${word}' (strings need single quotes)`)
    fail(i, `Unexpected character '${c}'`)
  }
  tokens.push({ type: 'end', pos: text.length })
  return tokens
}

/** `$` alone or `$.a.b` is the criterion context; anything else is a runtime expression. */
function operandToken(
  text: string,
  start: number,
  end: number,
  allowContext: boolean,
  fail: (pos: number, detail: string) => never
): Token {
  const raw = text.slice(start, end)
  if (raw === '$' || raw.startsWith('$.')) {
    if (!allowContext)
      fail(start, "'$' refers to the criterion context, and this criterion has none")
    const path = raw === '$' ? [] : raw.slice(2).split('.')
    if (path.some(name => name === '')) fail(start, 'Empty property name')
    return { type: 'context', value: path, pos: start }
  }
  return { type: 'expression', value: expressionAt(text, start, end), pos: start }
}

/** Parses `text[start, end)` as a runtime expression, reporting positions in the whole text. */
function expressionAt(text: string, start: number, end: number): Expression {
  try {
    return parseExpression(text.slice(start, end))
  } catch (error) {
    if (!(error instanceof ArazzoSyntaxError)) throw error
    throw new ArazzoSyntaxError(text, start + error.position, error.detail)
  }
}

/** Arazzo string literal: single quotes, `''` for a quote. */
function readDoubledQuote(text: string, start: number, fail: (pos: number, d: string) => never) {
  let value = ''
  let i = start + 1
  for (;;) {
    if (i >= text.length) fail(start, 'Unterminated string')
    if (text[i] === "'") {
      if (text[i + 1] !== "'") return { value, end: i + 1 }
      value += "'"
      i += 2
      continue
    }
    value += text[i]
    i++
  }
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t'
}

/**
 * A string in double or single quotes with JSON backslash escapes (plus `\'`), as JSON and
 * RFC 9535 write them. Used for lenient double-quoted strings here and by the jsonpath seed form.
 */
export function readEscapedString(
  text: string,
  start: number,
  fail: (pos: number, detail: string) => never
): { value: string; end: number } {
  const quote = text[start]
  let value = ''
  let i = start + 1
  for (;;) {
    if (i >= text.length) fail(start, 'Unterminated string')
    const c = text[i]
    if (c === quote) return { value, end: i + 1 }
    if (c !== '\\') {
      value += c
      i++
      continue
    }
    const next = text[i + 1]
    if (next === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16))
      i += 6
      continue
    }
    if (next === undefined || !Object.hasOwn(ESCAPES, next)) fail(i, 'Invalid escape in string')
    value += ESCAPES[next]
    i += 2
  }
}

class Parser extends BooleanConditionParser<Token, SimpleLeaf> {
  protected readonly expectedOperand = 'Expected a value'

  /** Postfix `[n]` / `.name` bind tighter than anything else. */
  protected override parseOperand(): SimpleNode {
    let node = this.parsePrimary()
    for (;;) {
      const token = this.peek()
      if (token.type === 'property') {
        this.next()
        node = { t: 'property', of: node, name: token.value }
      } else if (token.type === 'punct' && token.value === '[') {
        this.next()
        const key = this.next()
        const isIndex =
          key.type === 'literal' &&
          ((typeof key.value === 'number' && Number.isInteger(key.value) && key.value >= 0) ||
            typeof key.value === 'string')
        if (!isIndex) this.fail(key.pos, 'Expected a non-negative integer or a string in [ ]')
        this.expectPunct(']')
        node = { t: 'property', of: node, name: String((key as { value: unknown }).value) }
      } else {
        return node
      }
    }
  }

  protected leafOf(token: Token): SimpleLeaf | undefined {
    switch (token.type) {
      case 'literal':
        return { t: 'literal', value: token.value }
      case 'expression':
        return { t: 'expression', expression: token.value }
      case 'context':
        return { t: 'context', path: token.value }
      default:
        return undefined
    }
  }
}

/**
 * Parses a simple condition. `allowContext`: the criterion has a `context`, so `$`/`$.name`
 * may refer to it. Throws ArazzoSyntaxError.
 */
export function parseSimpleCondition(
  text: string,
  options: { allowContext?: boolean } = {}
): SimpleCondition {
  if (typeof text !== 'string') {
    throw new ArazzoSyntaxError(String(text), 0, 'A condition must be a string')
  }
  const tokens = tokenize(text, options.allowContext === true)
  return { source: text, root: new Parser(text, tokens).parse() }
}

export function evaluateSimpleCondition(
  condition: SimpleCondition,
  ctx: ExpressionContext,
  contextValue?: unknown
): boolean {
  return truthy(evaluateBoolean(condition.root, simpleSemantics(ctx, contextValue)))
}

/** A leaf reads the same as a comparison operand and as a truth value. */
function simpleSemantics(
  ctx: ExpressionContext,
  contextValue: unknown
): BooleanSemantics<SimpleLeaf> {
  const semantics: BooleanSemantics<SimpleLeaf> = {
    leaf: node => {
      switch (node.t) {
        case 'literal':
          return node.value
        case 'expression':
          return evaluateExpression(node.expression, ctx)
        case 'context':
          return dereference(contextValue, node.path)
        case 'property': {
          // A loop, not recursion through evaluateBoolean, so a long `(x).a.b.c...` chain
          // cannot exhaust the stack.
          const names: string[] = []
          let base: SimpleNode = node
          for (; base.t === 'property'; base = base.of) names.push(base.name)
          return names.reduceRight(
            (value, name) => propertyOf(value, name),
            evaluateBoolean(base, semantics)
          )
        }
      }
    },
    compare: compareLoose
  }
  return semantics
}

/** Every runtime expression a simple condition evaluates (iterative: no nesting overflows it). */
export function simpleConditionExpressions(condition: SimpleCondition): Expression[] {
  const found: Expression[] = []
  const stack: SimpleNode[] = [condition.root]
  while (stack.length > 0) {
    const node = stack.pop()!
    switch (node.t) {
      case 'expression':
        found.push(node.expression)
        break
      case 'property':
        stack.push(node.of)
        break
      case 'not':
        stack.push(node.operand)
        break
      case 'and':
      case 'or':
        stack.push(...node.operands)
        break
      case 'compare':
        stack.push(node.left, node.right)
        break
      case 'context':
      case 'literal':
        // No expression of their own: the context is the criterion's `context`, read separately.
        break
    }
  }
  return found
}
