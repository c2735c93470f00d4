/**
 * Small text operations done by index instead of by a regular expression, for text that may come
 * from outside (error messages, server answers): the patterns they replace (`/\/+$/`,
 * `/\bhttps?:\/\/[^?]+\?.../`) are quadratic on JavaScript's backtracking engine for a long run
 * that ends in the wrong character. Each character here is read a bounded number of times. The
 * rule that keeps src/ledger and src/action free of such patterns: __tests__/linear-regex-rule.test.ts.
 */

/** `text` without any run of `char` at its end (`/x+$/` without the quadratic worst case). */
export function withoutTrailing(text: string, char: string): string {
  let end = text.length
  while (end > 0 && text[end - 1] === char) end--
  return text.slice(0, end)
}

const WHITESPACE = /\s/

/** Characters that end a URL's host and path (`[^\s?#"'<>]`) or its query (`[^\s"'<>]`). */
const endsPath = (char: string): boolean => WHITESPACE.test(char) || '?#"\'<>'.includes(char)
const endsQuery = (char: string): boolean => WHITESPACE.test(char) || '"\'<>'.includes(char)
const isWordChar = (char: string | undefined): boolean =>
  char !== undefined && /[A-Za-z0-9_]/.test(char)

/**
 * Every `http(s)://...?query` in `text` with its query replaced by `***` (signed URLs keep their
 * authority there); a URL whose path ends at `#` keeps its fragment, and the text after it is
 * searched on. One pass: the search always moves forward.
 */
export function withoutUrlQueries(text: string): string {
  const lower = text.toLowerCase()
  let out = ''
  let from = 0
  let search = 0
  for (;;) {
    const at = lower.indexOf('http', search)
    if (at === -1) return out + text.slice(from)
    const scheme = lower.startsWith('https://', at) ? 8 : lower.startsWith('http://', at) ? 7 : 0
    if (scheme === 0 || isWordChar(text[at - 1])) {
      search = at + 1
      continue
    }
    let end = at + scheme
    while (end < text.length && !endsPath(text[end])) end++
    if (end > at + scheme && text[end] === '?') {
      let queryEnd = end + 1
      while (queryEnd < text.length && !endsQuery(text[queryEnd])) queryEnd++
      out += `${text.slice(from, end)}?***`
      from = queryEnd
      search = queryEnd
    } else {
      search = Math.max(end, at + 1)
    }
  }
}
