/**
 * `jsonpath` criterion conditions. Two forms:
 *
 * 1. A standard RFC 9535 query (`$[?@.status == 'complete']`, `$[?count(@.pets) > 0]`,
 *    `$.pets[*]`): passes when the node list is non-empty (1.1.0 draft). Evaluated by
 *    `jsonpath-rfc9535`.
 * 2. The seed form, for conditions that are NOT valid RFC 9535:
 *    `<query> <op> <JSON literal>` combined with `&&`, `||`, `!` and parentheses, e.g.
 *    `$.status == "complete"` or `$.status == "pending" || $.status == "processing"`. Its author
 *    means "compare the value at the query with a literal", and that is what runs:
 *    - a query in a comparison must select exactly one node; zero or several nodes read as
 *      undefined (a missing value);
 *    - equality is exact JSON equality: strings compare case-sensitively, numbers do not match
 *      numeric strings; undefined (missing) equals null, as in simple conditions, so
 *      `$.download_url != null` only passes when the URL is really there;
 *    - ordering compares two numbers or two strings (code-unit order), anything else is false;
 *    - a bare query operand (`$.a && $.b`) passes when it selects at least one node.
 *    Literals are JSON, objects and arrays included (strings double-quoted; single quotes are
 *    accepted too, as RFC 9535 allows).
 * A condition valid as RFC 9535 is always treated as a standard query first.
 */
import type { JsonValue } from 'jsonpath-rfc9535'
import {
  BooleanConditionParser,
  evaluateBoolean,
  operatorAt,
  order,
  scalarAt,
  truthy,
  wordAt
} from './boolean-condition.js'
import type {
  BooleanNode,
  BooleanOperator,
  BooleanSemantics,
  ComparisonOperator
} from './boolean-condition.js'
import { jsonPathEngine } from './criteria-engines.js'
import { ArazzoSyntaxError } from './errors.js'
import { withRe2RegExp } from './safe-regex.js'
import { readEscapedString } from './simple-condition.js'

/** Operands; `!`, `&&`, `||` and comparisons over them come from boolean-condition.ts. */
export type SeedLeaf =
  | { readonly t: 'query'; readonly query: string }
  | { readonly t: 'literal'; readonly value: unknown }

export type SeedNode = BooleanNode<SeedLeaf>

export interface SeedCondition {
  readonly source: string
  readonly root: SeedNode
}

export type JsonPathPlan =
  | { readonly form: 'query'; readonly query: string }
  | { readonly form: 'comparison'; readonly condition: SeedCondition }
  | { readonly form: 'invalid'; readonly reason: string }

/** True when `text` is a valid RFC 9535 query. Never throws (deep input can overflow the parser). */
export function isJsonPathQuery(text: string): boolean {
  const { parse } = jsonPathEngine() // outside the try: a missing engine is not an invalid query
  try {
    parse(text)
    return true
  } catch {
    return false
  }
}

/** Decides once how a condition runs. Never throws: an invalid condition fails at evaluation. */
export function planJsonPath(condition: string): JsonPathPlan {
  if (typeof condition !== 'string') return { form: 'invalid', reason: 'condition is not a string' }
  if (isJsonPathQuery(condition)) return { form: 'query', query: condition }
  try {
    return { form: 'comparison', condition: parseJsonPathComparison(condition) }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return { form: 'invalid', reason }
  }
}

/** Evaluates a plan against the criterion's context value. Never throws. */
export function evaluateJsonPathPlan(plan: JsonPathPlan, contextValue: unknown): boolean {
  if (contextValue === null || contextValue === undefined) return false
  try {
    switch (plan.form) {
      case 'query':
        return select(contextValue, plan.query).length > 0
      case 'comparison':
        return truthy(evaluateBoolean(plan.condition.root, seedSemantics(contextValue)))
      case 'invalid':
        return false
    }
  } catch {
    // RFC 9535 evaluation errors (e.g. an ill-typed function call) make the criterion fail.
    return false
  }
}

/** The nodes a query selects; match() and search() in it run on RE2 (safe-regex.ts). */
function select(value: unknown, path: string): JsonValue[] {
  return withRe2RegExp(() => jsonPathEngine().query(value as JsonValue, path))
}

// ---------------------------------------------------------------------------------------------
// Seed-form parser
// ---------------------------------------------------------------------------------------------

type Token =
  | { readonly type: 'punct'; readonly value: '(' | ')'; readonly pos: number }
  | {
      readonly type: 'op'
      readonly value: ComparisonOperator | BooleanOperator
      readonly pos: number
    }
  | { readonly type: 'query'; readonly value: string; readonly pos: number }
  | { readonly type: 'literal'; readonly value: unknown; readonly pos: number }
  | { readonly type: 'end'; readonly pos: number }

const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
/** Characters that end a query at bracket depth 0. */
const QUERY_END = /[=!<>&|()]/

/** Parses the seed form. Throws ArazzoSyntaxError (also when a query is not valid RFC 9535). */
export function parseJsonPathComparison(text: string): SeedCondition {
  if (typeof text !== 'string') {
    throw new ArazzoSyntaxError(String(text), 0, 'A condition must be a string')
  }
  const tokens = tokenize(text)
  // An empty seed condition is reported at position 0 (simple conditions: at the end).
  return { source: text, root: new SeedParser(text, tokens).parse(0) }
}

function tokenize(text: string): Token[] {
  const fail = (pos: number, detail: string): never => {
    throw new ArazzoSyntaxError(text, pos, detail)
  }
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (/\s/.test(c)) {
      i++
      continue
    }
    const pos = i
    if (c === '(' || c === ')') {
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
    if (c === '$') {
      const end = scanQuery(text, i)
      const path = text.slice(i, end)
      if (!isJsonPathQuery(path)) fail(i, `Invalid JSONPath query ${JSON.stringify(path)}`)
      tokens.push({ type: 'query', value: path, pos })
      i = end
      continue
    }
    if (c === '"' || c === "'") {
      const { value, end } = readEscapedString(text, i, fail)
      tokens.push({ type: 'literal', value, pos })
      i = end
      continue
    }
    if (c === '{' || c === '[') {
      const end = skipJsonComposite(text, i)
      let value: unknown
      try {
        value = JSON.parse(text.slice(i, end))
      } catch {
        fail(i, 'Invalid JSON literal')
      }
      tokens.push({ type: 'literal', value, pos })
      i = end
      continue
    }
    const scalar = scalarAt(text, i, JSON_NUMBER)
    if (scalar) {
      tokens.push({ type: 'literal', value: scalar.value, pos })
      i += scalar.length
      continue
    }
    const word = wordAt(text, i)
    fail(i, word ? `Unknown word '${word}'` : `Unexpected character '${c}'`)
  }
  tokens.push({ type: 'end', pos: text.length })
  return tokens
}

/**
 * Where a query starting at `start` ends: at depth 0 (outside brackets and quotes), at an
 * operator or parenthesis, or at whitespace not followed by another segment (`.` or `[`).
 */
function scanQuery(text: string, start: number): number {
  let depth = 0
  let i = start + 1
  while (i < text.length) {
    const c = text[i]
    if (c === '"' || c === "'") {
      i = skipQuoted(text, i)
      continue
    }
    if (c === '[' || (c === '(' && depth > 0)) depth++
    else if ((c === ']' || c === ')') && depth > 0) depth--
    else if (depth === 0) {
      if (QUERY_END.test(c)) return i
      if (/\s/.test(c)) {
        let j = i
        while (j < text.length && /\s/.test(text[j])) j++
        if (text[j] !== '.' && text[j] !== '[') return i
        i = j
        continue
      }
    }
    i++
  }
  return i
}

/** Index after a balanced JSON object or array starting at `start` (or the end of the text). */
function skipJsonComposite(text: string, start: number): number {
  let depth = 0
  let i = start
  while (i < text.length) {
    const c = text[i]
    if (c === '"') {
      i = skipQuoted(text, i)
      continue
    }
    if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
    i++
    if (depth === 0) return i
  }
  return i
}

/** Index after the closing quote (or the end of the text when there is none). */
function skipQuoted(text: string, start: number): number {
  const quote = text[start]
  let i = start + 1
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1
  return Math.min(i + 1, text.length)
}

class SeedParser extends BooleanConditionParser<Token, SeedLeaf> {
  protected readonly expectedOperand = 'Expected a query or a literal'

  protected leafOf(token: Token): SeedLeaf | undefined {
    if (token.type === 'query') return { t: 'query', query: token.value }
    if (token.type === 'literal') return { t: 'literal', value: token.value }
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Seed-form evaluation
// ---------------------------------------------------------------------------------------------

/**
 * A query that is a comparison operand yields its single node's value (undefined unless exactly
 * one node); anywhere else it is an existence test.
 */
function seedSemantics(root: unknown): BooleanSemantics<SeedLeaf> {
  return {
    leaf: (node, asOperand) => {
      if (node.t === 'literal') return node.value
      const nodes = select(root, node.query)
      if (!asOperand) return nodes.length > 0
      return nodes.length === 1 ? nodes[0] : undefined
    },
    compare: compareStrict
  }
}

export function compareStrict(op: ComparisonOperator, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return jsonEquals(a, b)
    case '!=':
      return !jsonEquals(a, b)
    default:
      break // the ordering operators, below
  }
  if (typeof a === 'number' && typeof b === 'number') return order(op, a, b)
  if (typeof a === 'string' && typeof b === 'string') return order(op, a, b)
  return false
}

/** Exact JSON equality; a missing value (undefined) equals null. */
export function jsonEquals(a: unknown, b: unknown): boolean {
  const x = a === undefined ? null : a
  const y = b === undefined ? null : b
  if (Array.isArray(x) || Array.isArray(y)) {
    return (
      Array.isArray(x) &&
      Array.isArray(y) &&
      x.length === y.length &&
      x.every((item, i) => jsonEquals(item, y[i]))
    )
  }
  if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
    const left = x as Record<string, unknown>
    const right = y as Record<string, unknown>
    const keys = Object.keys(left)
    return (
      keys.length === Object.keys(right).length &&
      keys.every(key => Object.hasOwn(right, key) && jsonEquals(left[key], right[key]))
    )
  }
  return x === y
}
