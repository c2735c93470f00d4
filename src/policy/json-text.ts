/**
 * JSON text from outside (an input, a server's answer) in error messages: where it breaks, never
 * what it says. V8's own messages quote the start of the text (`Unexpected token 'Q', "QUtFWTAxMj"...`),
 * and that start can be the base64 credentials a server echoed, or personal data.
 *
 * Also the nesting bound for parsed answers: every walk over a value (redaction, equality, output
 * checks) is recursive somewhere, and 200,000 nested arrays overflow the stack.
 */

/** Answers nested deeper than this are refused (real DSAR answers nest two or three levels). */
export const MAX_JSON_DEPTH = 64

/** JSON.parse, with an error that gives the position only, and the nesting bound. */
export function parseJsonText(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new SyntaxError(describeJsonError(text))
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new SyntaxError(`is nested deeper than ${MAX_JSON_DEPTH} levels`)
  }
  return value
}

/** Whether arrays and objects nest deeper than `limit` (iterative: no stack to overflow). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!
    if (typeof current !== 'object' || current === null) continue
    if (depth >= limit) return true
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 })
  }
  return false
}

/**
 * Where JSON text first breaks, as "line L, column C". V8's own messages sometimes quote the
 * input, which may hold secrets or personal data, so they are not shown.
 */
export function describeJsonError(text: string): string {
  const found = locateJsonError(text)
  if (!found) return 'is not valid JSON'
  const before = text.slice(0, found.at)
  const line = before.split('\n').length
  const column = found.at - (before.lastIndexOf('\n') + 1) + 1
  const where =
    found.at >= text.length ? 'at the end of the input' : `at line ${line}, column ${column}`
  return `is not valid JSON: ${where}, expected ${found.expected}`
}

/** Thrown inside the recognizer to unwind to its caller; never leaves this module. */
class JsonStop extends Error {
  constructor(
    readonly at: number,
    readonly expected: string
  ) {
    super(`expected ${expected}`)
  }
}

/** A small RFC 8259 recognizer: the offset of the first error, or undefined if the text is valid. */
function locateJsonError(text: string): JsonStop | undefined {
  let i = 0
  const fail = (expected: string): never => {
    throw new JsonStop(i, expected)
  }
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++
  }
  const string = (): void => {
    i++ // opening quote
    while (i < text.length) {
      const char = text[i]
      if (char === '"') {
        i++
        return
      }
      if (char === '\\') {
        const escape = text[i + 1] ?? ''
        if (escape !== '' && '"\\/bfnrt'.includes(escape)) i += 2
        else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6
        else fail('a valid escape sequence')
        continue
      }
      if (char < ' ') fail('no raw control character inside a string')
      i++
    }
    fail('a closing double quote')
  }
  const number = (): void => {
    const pattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    pattern.lastIndex = i
    if (!pattern.exec(text)) fail('a number')
    i = pattern.lastIndex
  }
  const value = (): void => {
    skipSpace()
    const char = text[i]
    if (char === '{') return container('}', true)
    if (char === '[') return container(']', false)
    if (char === '"') return string()
    if (char === '-' || (char >= '0' && char <= '9')) return number()
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length
        return
      }
    }
    fail('a value')
  }
  const container = (close: string, isObject: boolean): void => {
    i++
    skipSpace()
    if (text[i] === close) {
      i++
      return
    }
    for (;;) {
      if (isObject) {
        skipSpace()
        if (text[i] !== '"') fail('a property name in double quotes')
        string()
        skipSpace()
        if (text[i] !== ':') fail("':'")
        i++
      }
      value()
      skipSpace()
      if (text[i] === ',') {
        i++
        continue
      }
      if (text[i] === close) {
        i++
        return
      }
      fail(`',' or '${close}'`)
    }
  }
  try {
    value()
    skipSpace()
    if (i < text.length) fail('nothing more')
    return undefined
  } catch (error) {
    if (error instanceof JsonStop) return error
    return undefined // e.g. nesting too deep for the stack: no position to report
  }
}
