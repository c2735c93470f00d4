/**
 * Parsing of Arazzo 1.0.1 runtime expressions (`$statusCode`, `$response.body#/status`,
 * `$inputs.userIds`, ...) into an `Expression`: what source it reads and along which path. Parsing
 * happens once, at compile time; evaluation (expression-evaluation.ts) only reads the context.
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
import { parsePointer } from './json-pointer.js'

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
