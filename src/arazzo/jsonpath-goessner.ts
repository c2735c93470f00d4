/**
 * `jsonpath` criteria of version `draft-goessner-dispatch-jsonpath-00` (Goessner's 2007 JSONPath,
 * as submitted to the IETF). Its path syntax is translated once, at load, into an equivalent
 * RFC 9535 query, which then runs like any other jsonpath condition (passes when it selects at
 * least one node):
 *
 *   $.store.book[*].author   $..author   $.store.*   $..book[2]   $..book[-1:]   $..book[0,1]
 *   $..book[:2]   $['store']['book']   $..book[?(@.isbn)]   $..book[?(@.price < 10)]
 *   $.first-name            -> $['first-name']  (names RFC 9535 cannot write with a dot)
 *   [?(@.pets.length > 0)]  -> [?(length(@.pets) > 0)]
 *   ===, !==                -> ==, !=
 *
 * What the draft leaves to JavaScript `eval` is refused with an error, never evaluated: script
 * expressions (`$.pets[(@.length-1)]`) and filters with arithmetic, calls or other operators
 * than comparisons, `&&`, `||` and `!`. Filters compare as RFC 9535 does (no type coercion);
 * `?(@.isbn)` tests that the member exists.
 */
import { ArazzoSyntaxError } from './errors.js'

/** RFC 9535 member-name-shorthand: such names may follow a dot. */
const SHORTHAND = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/
/** A Goessner dot-name: anything up to the next `.`, `[`, space or operator. */
const DOT_NAME = /[^.[\]\s()=!<>&|,'"]+/y
const SLICE_PART = /\s*(-?\d+)?\s*/y

/** The RFC 9535 query that means what the Goessner path says. Throws ArazzoSyntaxError. */
export function translateGoessner(text: string): string {
  const translator = new Translator(text)
  const out = translator.path(true)
  translator.skipSpaces()
  if (!translator.atEnd()) translator.fail('Unexpected text after the JSONPath')
  return out
}

class Translator {
  private pos = 0

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length
  }

  skipSpaces(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++
  }

  fail(detail: string, at = this.pos): never {
    throw new ArazzoSyntaxError(this.text, at, detail)
  }

  /** `$` (or `@` inside a filter) and its segments. */
  path(root: boolean): string {
    const start = this.text[this.pos]
    if (root ? start !== '$' : start !== '@' && start !== '$') {
      this.fail(root ? "A JSONPath starts with '$'" : "Expected '@' or '$'")
    }
    this.pos++
    let out = start
    const names: string[] = []
    for (;;) {
      const c = this.text[this.pos]
      if (c === '.' && this.text[this.pos + 1] === '.') {
        this.pos += 2
        out += '..' + this.afterDescendant()
        names.length = 0
      } else if (c === '.') {
        this.pos++
        if (this.text[this.pos] === '*') {
          this.pos++
          out += '.*'
          names.length = 0
          continue
        }
        const name = this.match(DOT_NAME)
        if (!name) this.fail('Expected a member name after "."')
        out += member(name)
        names.push(name)
      } else if (c === '[') {
        out += this.bracket()
        names.length = 0
      } else {
        return root ? out : lengthCall(out, names)
      }
    }
  }

  private afterDescendant(): string {
    const c = this.text[this.pos]
    if (c === '*') {
      this.pos++
      return '*'
    }
    if (c === '[') return this.bracket()
    const name = this.match(DOT_NAME)
    if (!name) this.fail('Expected a member name, * or [ after ".."')
    return member(name).replace(/^\./, '')
  }

  private bracket(): string {
    const open = this.pos
    this.pos++
    this.skipSpaces()
    const c = this.text[this.pos]
    let inner: string
    if (c === '(') {
      this.fail(
        'script expressions ([(...)]) need JavaScript evaluation, which this engine never does',
        open
      )
    } else if (c === '?') {
      this.pos++
      this.skipSpaces()
      inner = `?${this.filter()}`
    } else if (c === '*') {
      this.pos++
      inner = '*'
    } else {
      inner = this.union()
    }
    this.skipSpaces()
    if (this.text[this.pos] !== ']') this.fail("Expected ']'")
    this.pos++
    return `[${inner}]`
  }

  private union(): string {
    const items: string[] = []
    for (;;) {
      this.skipSpaces()
      const c = this.text[this.pos]
      if (c === "'" || c === '"') items.push(quote(this.quoted()))
      else items.push(this.indexOrSlice())
      this.skipSpaces()
      if (this.text[this.pos] !== ',') return items.join(',')
      this.pos++
    }
  }

  private indexOrSlice(): string {
    const parts: string[] = []
    for (let i = 0; i < 3; i++) {
      const number = this.match(SLICE_PART).trim()
      parts.push(number)
      if (this.text[this.pos] !== ':') break
      this.pos++
    }
    if (parts.length === 1 && !/^-?\d+$/.test(parts[0])) {
      this.fail('Expected an index, a slice, a name or *')
    }
    return parts.join(':')
  }

  private quoted(): string {
    const quoteChar = this.text[this.pos]
    const start = this.pos
    let value = ''
    this.pos++
    while (this.pos < this.text.length && this.text[this.pos] !== quoteChar) {
      if (this.text[this.pos] === '\\' && this.pos + 1 < this.text.length) {
        const next = this.text[this.pos + 1]
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next
        this.pos += 2
      } else value += this.text[this.pos++]
    }
    if (this.text[this.pos] !== quoteChar) this.fail('Unterminated string', start)
    this.pos++
    return value
  }

  /** `(expr)` of a `?(...)` filter, parentheses kept (RFC 9535's `?expr` is accepted too). */
  private filter(): string {
    return this.logical(0)
  }

  /** A filter expression: operands, comparisons, `!`, `&&`, `||`, parentheses. */
  private logical(depth: number): string {
    if (depth > 64) this.fail('Filter nested too deeply')
    let out = ''
    let expectOperand = true
    for (;;) {
      this.skipSpaces()
      const c = this.text[this.pos]
      if (c === undefined || c === ']' || c === ',') {
        if (expectOperand) this.fail('Expected a filter operand')
        return out
      }
      if (c === ')') {
        if (depth === 0) this.fail("Unbalanced ')'")
        if (expectOperand) this.fail('Expected a filter operand')
        return out
      }
      if (expectOperand) {
        if (c === '!' && this.text[this.pos + 1] !== '=') {
          this.pos++
          out += '!'
          continue
        }
        if (c === '(') {
          this.pos++
          out += `(${this.logical(depth + 1)})`
          if (this.text[this.pos] !== ')') this.fail("Expected ')'")
          this.pos++
        } else out += this.operand()
        expectOperand = false
        continue
      }
      const op = /^(===|!==|==|!=|<=|>=|<|>|&&|\|\|)/.exec(this.text.slice(this.pos))?.[0]
      if (!op) {
        this.fail(
          `'${c}' in a filter needs JavaScript evaluation (only comparisons, &&, || and ! are run)`
        )
      }
      this.pos += op.length
      out += ` ${op === '===' ? '==' : op === '!==' ? '!=' : op} `
      expectOperand = true
    }
  }

  private operand(): string {
    const c = this.text[this.pos]
    if (c === '@' || c === '$') return this.path(false)
    if (c === "'" || c === '"') return quote(this.quoted())
    const literal = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![A-Za-z0-9_])/.exec(
      this.text.slice(this.pos)
    )?.[0]
    if (literal) {
      this.pos += literal.length
      return literal
    }
    return this.fail(
      'Expected @, $, a string, a number, true, false or null (anything else would need JavaScript evaluation)'
    )
  }

  /** The text a sticky pattern matches here ('' if none), consumed. */
  private match(pattern: RegExp): string {
    pattern.lastIndex = this.pos
    const found = pattern.exec(this.text)?.[0] ?? ''
    this.pos += found.length
    return found
  }
}

function member(name: string): string {
  return SHORTHAND.test(name) ? `.${name}` : `[${quote(name)}]`
}

/** A single-quoted RFC 9535 string literal. */
function quote(value: string): string {
  const escaped = value
    .replace(/[\\']/g, c => `\\${c}`)
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f]/g,
      c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
    )
  return `'${escaped}'`
}

/** `@.pets.length` (JavaScript's length) is RFC 9535's `length(@.pets)`. */
function lengthCall(path: string, names: string[]): string {
  if (names.length === 0 || names[names.length - 1] !== 'length') return path
  return `length(${path.slice(0, -'.length'.length)})`
}
