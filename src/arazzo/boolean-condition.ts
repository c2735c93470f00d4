/**
 * The boolean skeleton shared by the `simple` and `jsonpath` (seed form) criterion languages:
 * `||`, `&&`, one non-chaining comparison, `!` and parentheses over operands each language
 * defines itself. Precedence, loosest first: `||`, `&&`, comparison, `!`, operand.
 * Each language keeps its own tokenizer and operand grammar (a subclass of
 * BooleanConditionParser) and its own leaf and comparison semantics (evaluateBoolean's callbacks).
 */
import { ArazzoSyntaxError } from './errors.js'

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>='
export type BooleanOperator = '&&' | '||' | '!'

/** An ordering operator over two numbers or two strings (both dialects decide first what to compare). */
export function order<T extends number | string>(op: '<' | '<=' | '>' | '>=', x: T, y: T): boolean {
  switch (op) {
    case '<':
      return x < y
    case '<=':
      return x <= y
    case '>':
      return x > y
    case '>=':
      return x >= y
  }
}

/** Nesting bound ('(' and '!'), so hostile input is a syntax error, not a stack overflow. */
export const MAX_NESTING = 100

const COMPARISON_OPERATORS: readonly ComparisonOperator[] = ['==', '!=', '<', '<=', '>', '>=']

/** Longest first, so `<=` is not read as `<` then `=`. */
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!'] as const

/** The operator that starts at `text[i]`, if any. */
export function operatorAt(
  text: string,
  i: number
): ComparisonOperator | BooleanOperator | undefined {
  return OPERATORS.find(candidate => text.startsWith(candidate, i))
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y

/** The identifier-like word at `text[i]`, if any (only `true`, `false`, `null` are values). */
export function wordAt(text: string, i: number): string | undefined {
  WORD.lastIndex = i
  return WORD.exec(text)?.[0]
}

/**
 * The number (as the language's sticky `numberPattern` reads it) or `true` / `false` / `null`
 * at `text[i]`, with the length of its source.
 */
export function scalarAt(
  text: string,
  i: number,
  numberPattern: RegExp
): { value: number | boolean | null; length: number } | undefined {
  numberPattern.lastIndex = i
  const number = numberPattern.exec(text)?.[0]
  if (number) return { value: Number(number), length: number.length }
  const word = wordAt(text, i)
  if (word === 'true' || word === 'false' || word === 'null') {
    return { value: word === 'null' ? null : word === 'true', length: word.length }
  }
  return undefined
}

/** A language's operand node; its `t` must not be one of OperatorNode's tags. */
export interface LeafShape {
  readonly t: string
}

/** A condition tree: the language's leaves under `!`, `&&`, `||` and comparisons. */
export type BooleanNode<Leaf> = Leaf | OperatorNode<Leaf>

type OperatorNode<Leaf> =
  | { readonly t: 'not'; readonly operand: BooleanNode<Leaf> }
  | { readonly t: 'and' | 'or'; readonly operands: readonly BooleanNode<Leaf>[] }
  | {
      readonly t: 'compare'
      readonly op: ComparisonOperator
      readonly left: BooleanNode<Leaf>
      readonly right: BooleanNode<Leaf>
    }

/**
 * What the shared parser needs of a token: `end` closes the list, `op` carries an operator,
 * `punct` carries `(` and `)` (a language may add more punctuation and token types).
 */
export interface ConditionToken {
  readonly type: string
  readonly value?: unknown
  readonly pos: number
}

export abstract class BooleanConditionParser<Token extends ConditionToken, Leaf> {
  private index = 0
  private depth = 0

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[]
  ) {}

  /** The leaf a token (already consumed) stands for; undefined when it is no operand. */
  protected abstract leafOf(token: Token): Leaf | undefined

  /** The error detail for a token that is no operand. */
  protected abstract readonly expectedOperand: string

  /** `emptyPos`: where an empty condition is reported (languages differ; default: its end). */
  parse(emptyPos: number = this.peek().pos): BooleanNode<Leaf> {
    if (this.peek().type === 'end') this.fail(emptyPos, 'Empty condition')
    const root = this.parseOr()
    const next = this.peek()
    if (next.type !== 'end') this.fail(next.pos, 'Unexpected token')
    return root
  }

  private parseOr(): BooleanNode<Leaf> {
    const operands = [this.parseAnd()]
    while (this.isOp('||')) {
      this.index++
      operands.push(this.parseAnd())
    }
    return operands.length === 1 ? operands[0] : { t: 'or', operands }
  }

  private parseAnd(): BooleanNode<Leaf> {
    const operands = [this.parseComparison()]
    while (this.isOp('&&')) {
      this.index++
      operands.push(this.parseComparison())
    }
    return operands.length === 1 ? operands[0] : { t: 'and', operands }
  }

  private parseComparison(): BooleanNode<Leaf> {
    const left = this.parseUnary()
    const op = this.comparisonOperator()
    if (!op) return left
    this.index++
    const right = this.parseUnary()
    if (this.comparisonOperator()) this.fail(this.peek().pos, 'Comparisons do not chain')
    return { t: 'compare', op, left, right }
  }

  private parseUnary(): BooleanNode<Leaf> {
    if (!this.isOp('!')) return this.parseOperand()
    this.enter()
    this.index++
    const node: BooleanNode<Leaf> = { t: 'not', operand: this.parseUnary() }
    this.depth--
    return node
  }

  /** What binds tighter than `!`; a language with postfix syntax wraps parsePrimary here. */
  protected parseOperand(): BooleanNode<Leaf> {
    return this.parsePrimary()
  }

  /** A leaf or a parenthesised condition. */
  protected parsePrimary(): BooleanNode<Leaf> {
    const token = this.next()
    if (token.type === 'punct' && token.value === '(') return this.parseGroup()
    if (token.type === 'end') return this.fail(token.pos, 'Unexpected end of condition')
    return this.leafOf(token) ?? this.fail(token.pos, this.expectedOperand)
  }

  /** The rest of a parenthesised condition, its `(` just consumed. */
  private parseGroup(): BooleanNode<Leaf> {
    this.enter()
    const inner = this.parseOr()
    this.expectPunct(')')
    this.depth--
    return inner
  }

  private enter(): void {
    this.depth++
    if (this.depth > MAX_NESTING) this.fail(this.peek().pos, 'Condition nested too deeply')
  }

  private comparisonOperator(): ComparisonOperator | undefined {
    const token = this.peek()
    return token.type === 'op' ? COMPARISON_OPERATORS.find(op => op === token.value) : undefined
  }

  private isOp(value: ComparisonOperator | BooleanOperator): boolean {
    const token = this.peek()
    return token.type === 'op' && token.value === value
  }

  protected expectPunct(value: string): void {
    const token = this.next()
    if (token.type !== 'punct' || token.value !== value) this.fail(token.pos, `Expected '${value}'`)
  }

  protected peek(): Token {
    return this.tokens[this.index]
  }

  /** The current token, moving past it unless it is the end. */
  protected next(): Token {
    const token = this.tokens[this.index]
    if (token.type !== 'end') this.index++
    return token
  }

  protected fail(pos: number, detail: string): never {
    throw new ArazzoSyntaxError(this.text, pos, detail)
  }
}

/** How a language evaluates what the shared skeleton does not know. */
export interface BooleanSemantics<Leaf> {
  /** `asOperand`: the leaf is a comparison operand, else it is tested for truthiness. */
  readonly leaf: (node: Leaf, asOperand: boolean) => unknown
  readonly compare: (op: ComparisonOperator, left: unknown, right: unknown) => boolean
}

/**
 * `&&` and `||` short-circuit, and they and `!` yield booleans from their operands' truthiness;
 * a comparison evaluates its left operand, then its right one.
 */
export function evaluateBoolean<Leaf extends LeafShape>(
  node: BooleanNode<Leaf>,
  semantics: BooleanSemantics<Leaf>,
  asOperand = false
): unknown {
  if (!isOperatorNode(node)) return semantics.leaf(node, asOperand)
  switch (node.t) {
    case 'not':
      return !truthy(evaluateBoolean(node.operand, semantics))
    case 'and':
      return node.operands.every(operand => truthy(evaluateBoolean(operand, semantics)))
    case 'or':
      return node.operands.some(operand => truthy(evaluateBoolean(operand, semantics)))
    case 'compare':
      return semantics.compare(
        node.op,
        evaluateBoolean(node.left, semantics, true),
        evaluateBoolean(node.right, semantics, true)
      )
  }
}

function isOperatorNode<Leaf extends LeafShape>(
  node: BooleanNode<Leaf>
): node is OperatorNode<Leaf> {
  const { t } = node
  return t === 'not' || t === 'and' || t === 'or' || t === 'compare'
}

export function truthy(value: unknown): boolean {
  return Boolean(value) && !(typeof value === 'number' && Number.isNaN(value))
}
