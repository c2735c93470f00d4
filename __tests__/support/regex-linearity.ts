/**
 * A conservative proof that a regular expression runs in linear time on JavaScript's backtracking
 * engine, for the rule that no regex in src/ledger or src/action can block the event loop on text
 * from outside (__tests__/linear-regex-rule.test.ts). It proves a pattern linear when:
 * 1. no unbounded quantifier (`*`, `+`, `{n,}`) sits inside a repeated group (nested quantifiers),
 *    no backreference is used, and every alternation inside a repeated group has branches that
 *    start with distinct literal characters (so bounded repetition never multiplies choices); and
 * 2. it has no unbounded quantifier at all (each start position costs a constant); or exactly one,
 *    and either the pattern is anchored at the start (`^`, no `m` flag, no `y`: one start position,
 *    the quantifier gives back at most n characters, each checked against a bounded rest) or that
 *    quantifier is greedy and the pattern's last token (every attempt reaching it succeeds, so no
 *    character is scanned again by a failing attempt).
 * Anything else is "not proven", not "slow": such a pattern must be rewritten, run on RE2, or be
 * listed (with why its text is not from outside) by the rule's test.
 */

export interface Verdict {
  linear: boolean
  reason: string
}

interface Group {
  /** Unbounded quantifiers anywhere inside the group. */
  unboundedInside: number
  alternation: boolean
  branchFirsts: (string | undefined)[]
  expectingBranchStart: boolean
}

export function provablyLinear(source: string, flags: string): Verdict {
  let unbounded = 0
  let lastTokenUnboundedGreedy = false
  const stack: Group[] = [newGroup()]
  let i = 0
  /** What the last atom was: a group's summary (to check a quantifier on it) or a plain atom. */
  let lastAtom: { group?: Group } | undefined
  const atomStart = (literal: string | undefined): void => {
    const top = stack[stack.length - 1]
    if (top.expectingBranchStart) {
      top.branchFirsts.push(literal)
      top.expectingBranchStart = false
    }
  }
  while (i < source.length) {
    const c = source[i]
    lastTokenUnboundedGreedy = false
    if (c === '\\') {
      const next = source[i + 1] ?? ''
      if (/[1-9k]/.test(next)) return no('a backreference')
      atomStart(/[A-Za-z0-9]/.test(next) ? undefined : next)
      i += escapeLength(source, i)
      lastAtom = {}
      continue
    }
    if (c === '[') {
      atomStart(undefined)
      i = classEnd(source, i)
      lastAtom = {}
      continue
    }
    if (c === '(') {
      atomStart(undefined)
      const group = newGroup()
      stack.push(group)
      i +=
        source.startsWith('(?:', i) || source.startsWith('(?=', i) || source.startsWith('(?!', i)
          ? 3
          : source.startsWith('(?<=', i) || source.startsWith('(?<!', i)
            ? 4
            : source.startsWith('(?<', i)
              ? source.indexOf('>', i) + 1
              : 1
      continue
    }
    if (c === ')') {
      const group = stack.pop()!
      stack[stack.length - 1].unboundedInside += group.unboundedInside
      lastAtom = { group }
      i++
      continue
    }
    if (c === '|') {
      const top = stack[stack.length - 1]
      top.alternation = true
      top.expectingBranchStart = true
      i++
      continue
    }
    const quantifier = quantifierAt(source, i)
    if (quantifier) {
      if (quantifier.unbounded) {
        unbounded++
        stack[stack.length - 1].unboundedInside++
        lastTokenUnboundedGreedy = !quantifier.lazy
      }
      const group = lastAtom?.group
      if (group) {
        if (group.unboundedInside > 0) return no('an unbounded quantifier inside a repeated group')
        if (group.alternation && !distinctLiterals(group.branchFirsts)) {
          return no('a repeated alternation whose branches do not start with distinct literals')
        }
      }
      i += quantifier.length
      lastAtom = undefined
      continue
    }
    atomStart(c === '^' || c === '$' || c === '.' ? undefined : c)
    lastAtom = {}
    i++
  }
  if (unbounded === 0) return yes('no unbounded quantifier')
  if (unbounded > 1) return no(`${unbounded} unbounded quantifiers`)
  const topLevelAlternation = stack[0].alternation
  if (
    source.startsWith('^') &&
    !topLevelAlternation &&
    !flags.includes('m') &&
    !flags.includes('y')
  ) {
    return yes('anchored at the start, one unbounded quantifier')
  }
  if (lastTokenUnboundedGreedy) return yes('one greedy unbounded quantifier, last in the pattern')
  return no('one unbounded quantifier, neither anchored nor last')
}

function newGroup(): Group {
  return { unboundedInside: 0, alternation: false, branchFirsts: [], expectingBranchStart: true }
}

function yes(reason: string): Verdict {
  return { linear: true, reason }
}

function no(reason: string): Verdict {
  return { linear: false, reason }
}

function distinctLiterals(firsts: (string | undefined)[]): boolean {
  if (firsts.some(first => first === undefined)) return false
  const lower = firsts.map(first => first!.toLowerCase())
  return new Set(lower).size === lower.length
}

/** Length of the escape at `i`: `\\u{...}`, `\\p{...}`, `\\uXXXX`, `\\xHH`, `\\cX`, or two characters. */
function escapeLength(source: string, i: number): number {
  const next = source[i + 1]
  if ((next === 'u' || next === 'p' || next === 'P') && source[i + 2] === '{') {
    return source.indexOf('}', i) - i + 1
  }
  if (next === 'u') return 6
  if (next === 'x') return 4
  if (next === 'c') return 3
  return 2
}

/** Index just past the character class starting at `start` (escapes inside honoured). */
function classEnd(source: string, start: number): number {
  let i = start + 1
  if (source[i] === '^') i++
  if (source[i] === ']') i++
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1
  return i + 1
}

function quantifierAt(
  source: string,
  i: number
): { unbounded: boolean; lazy: boolean; length: number } | undefined {
  const c = source[i]
  let length: number
  let unbounded: boolean
  if (c === '*' || c === '+') {
    length = 1
    unbounded = true
  } else if (c === '?') {
    length = 1
    unbounded = false
  } else if (c === '{') {
    const braced = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24))
    if (!braced) return undefined
    length = braced[0].length
    unbounded = braced[2] !== undefined && braced[3] === ''
  } else return undefined
  const lazy = source[i + length] === '?'
  return { unbounded, lazy, length: length + (lazy ? 1 : 0) }
}
