/**
 * Regular expressions from documents and servers, run only on RE2 (re2js): never on the native
 * backtracking engine, where `^(?=a)a*a*a*a*a*b` on 1,000 characters runs for hours and blocks the
 * event loop, so that neither the deadline nor SIGTERM can stop the run.
 *
 * RE2 is linear in the input, but its constant is the pattern's program size, and re2js is
 * JavaScript: on this project's 2-core machine a 1,000-instruction program costs about 15-65 ns
 * per input character in its slow paths. So every test is bounded by a work budget (input
 * characters x program instructions, REGEX_WORK_BUDGET: under a tenth of a second), and a value
 * longer than its pattern's share fails the test. Patterns are at most MAX_PATTERN_LENGTH long.
 * What RE2 cannot run (lookaround, backreferences) is refused, never handed to the native engine.
 *
 * JSONPath's `match()` and `search()` (RFC 9535, I-Regexp, RFC 9485: within RE2's syntax) are
 * evaluated inside jsonpath-rfc9535, which builds each pattern with the global `RegExp`. There is
 * no option to give it another engine, so `withRe2RegExp` puts an RE2-backed stand-in in place of
 * the global for the duration of one synchronous query, and puts the original back before
 * returning (nothing else can run in between). The same work budget, four times over, bounds all
 * the patterns one query compiles and tests, since a server's answer can supply both.
 */
import type { RE2JS } from 're2js'
import { re2Engine } from './criteria-engines.js'

export const MAX_PATTERN_LENGTH = 4096
/** Input characters x program instructions a single test may cost. */
export const REGEX_WORK_BUDGET = 1_000_000
/** The budget of everything one JSONPath query compiles and tests. */
const QUERY_WORK_BUDGET = 4 * REGEX_WORK_BUDGET
/** What compiling a pattern costs against a query's budget (per character, plus a base). */
const COMPILE_COST_BASE = 10_000
const COMPILE_COST_PER_CHARACTER = 100

/** A pattern refused at compile time; the message says why. */
export class RegexRefused extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'RegexRefused'
  }
}

export interface SafeRegex {
  /** RE2's program size: the cost of one input character. */
  readonly programSize: number
  /** The longest text tested; longer texts fail (their cost would be over the budget). */
  readonly maxInput: number
  /** Whether the pattern matches anywhere in `text` (an unanchored search, as RegExp#test). */
  test(text: string): boolean
}

/** An ECMAScript pattern on RE2, or a RegexRefused saying why it cannot run there. */
export function compileSafeRegex(pattern: string): SafeRegex {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new RegexRefused(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`)
  }
  // Outside the try: an engine that was never loaded is a bug to report, not a refused pattern.
  const RE2 = re2Engine()
  let re2: RE2JS
  try {
    re2 = RE2.compile(RE2.translateRegExp(pattern))
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new RegexRefused(
      `the pattern is not one the linear-time engine (RE2) runs: ${detail}. Lookahead, ` +
        'lookbehind and backreferences are refused: a backtracking engine can take hours on them'
    )
  }
  const programSize = Math.max(1, re2.programSize())
  const maxInput = Math.floor(REGEX_WORK_BUDGET / programSize)
  return { programSize, maxInput, test: text => text.length <= maxInput && re2.test(text) }
}

/**
 * Runs `query` (synchronous) with the global RegExp replaced by an RE2-backed stand-in that offers
 * what jsonpath-rfc9535's match()/search() use: construction and `test`. A pattern RE2 refuses, or
 * one past the query's budget, is a failed construction, which makes the function return false
 * (RFC 9535: an invalid I-Regexp gives LogicalFalse).
 */
export function withRe2RegExp<T>(query: () => T): T {
  const native = globalThis.RegExp
  let left = QUERY_WORK_BUDGET
  // re2js itself may use RegExp: it always sees the native one.
  const natively = <R>(run: () => R): R => {
    globalThis.RegExp = native
    try {
      return run()
    } finally {
      globalThis.RegExp = standIn
    }
  }
  const standIn = function (pattern: unknown): { test(text: string): boolean } {
    const source = String(pattern)
    left -= COMPILE_COST_BASE + COMPILE_COST_PER_CHARACTER * source.length
    if (left < 0) throw new RegexRefused('the regular-expression budget of this query is spent')
    const regex = natively(() => compileSafeRegex(source))
    return {
      test(text: string): boolean {
        const cost = text.length * regex.programSize
        if (text.length > regex.maxInput || cost > left) return false
        left -= cost
        return natively(() => regex.test(text))
      }
    }
  } as unknown as RegExpConstructor
  globalThis.RegExp = standIn
  try {
    return query()
  } finally {
    globalThis.RegExp = native
  }
}
